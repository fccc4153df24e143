"""Fusion: chains of steps fused vs --no-fuse vs the lean Albumentations
script, and the quality of each against a float64 reference.

    PYTHONPATH=$PWD python benchmarks/fusion.py [--rounds 5] [--copies 20] [--chains geometry sizes crops]

(run it with an interpreter that has albumentations 2.0.8 and scikit-image,
e.g. benchmarks/.venv). Chains: `geometry` is recipes/geometry.toml (flip,
affine, perspective, random_resized_crop, brightness/contrast, gamma);
`sizes` changes the size inside its one warp (pad, flip, rotate,
random_crop, resize, brightness/contrast); `crops` is an integer map (pad,
random_crop, flip: cut and flipped, no warp). Single-threaded OpenCV, in one
process, transform only (no decode/encode): per round each engine makes the
same number of copies of skimage's photos scaled to 640x480, engines
interleaved round by round (the order turning each round) so machine noise hits them alike. Prints the
median ms per copy and the median of per-round ratios, and the load average.

Quality, of a chain's warps (its point operations are exact tables in
every engine): for a few copies of each photo at its own size, the exact
composite of the copy's recorded steps (the one composed matrix, sampled
with Lanczos-4 in float64) against augment fused and step by step, and
Albumentations' copy against the source sampled where its own steps took
each pixel from: PSNR over the pixels where no step's border shows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from augment_cli import registry
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps
from augment_cli.run.fusion import composed_warp

SIZE = (640, 480)
MARGIN_PX = 3
REFLECT = cv2.BORDER_REFLECT_101

SIZES_RECIPE = """
[[image]]
transform = "pad"
top = 16
bottom = 16
left = 16
right = 16
[[image]]
transform = "hflip"
p = 0.5
[[image]]
transform = "rotate"
angle_deg = [-10, 10]
[[image]]
transform = "random_crop"
width = 608
height = 448
[[image]]
transform = "resize"
width = 512
height = 384
[[image]]
transform = "brightness_contrast"
brightness = [-0.15, 0.15]
contrast = [-0.15, 0.15]
"""

CROPS_RECIPE = """
[[image]]
transform = "pad"
top = 8
bottom = 8
left = 8
right = 8
[[image]]
transform = "random_crop"
width = 640
height = 480
[[image]]
transform = "hflip"
p = 0.5
"""


def _geometry_albumentations(A, width: int, height: int) -> list:
    return [
        A.HorizontalFlip(p=0.5),
        A.Affine(scale=(0.9, 1.1), rotate=(-15, 15), shear={"x": (-8, 8), "y": (0, 0)},
                 translate_percent={"x": (-0.05, 0.05), "y": (-0.05, 0.05)}, border_mode=REFLECT, p=1),
        A.Perspective(scale=(0.02, 0.06), keep_size=True, border_mode=REFLECT, p=1),
        A.RandomResizedCrop(size=(height, width), scale=(0.7, 1.0), ratio=(0.8, 1.25), p=1),
        A.RandomBrightnessContrast(brightness_limit=0.15, contrast_limit=0.15, p=1),
        A.RandomGamma(gamma_limit=(80, 125), p=1),
    ]


def _sizes_albumentations(A, width: int, height: int) -> list:
    return [
        A.Pad(padding=16, border_mode=REFLECT, p=1),
        A.HorizontalFlip(p=0.5),
        A.Rotate(limit=10, interpolation=cv2.INTER_LINEAR, border_mode=REFLECT, p=1),
        A.RandomCrop(height=448, width=608, p=1),
        A.Resize(height=384, width=512, interpolation=cv2.INTER_LINEAR, p=1),
        A.RandomBrightnessContrast(brightness_limit=0.15, contrast_limit=0.15, p=1),
    ]


def _crops_albumentations(A, width: int, height: int) -> list:
    return [A.Pad(padding=8, border_mode=REFLECT, p=1), A.RandomCrop(height=480, width=640, p=1),
            A.HorizontalFlip(p=0.5)]


@dataclass(frozen=True)
class Chain:
    recipe: str  # TOML text
    albumentations: Callable  # (albumentations module, width, height) -> its transforms, same order
    geometric: int  # how many of the leading steps are geometric (the quality table's)
    own_size: bool = False  # quality on each photo at its own size (else at SIZE: fixed crop sizes)


CHAINS = {
    "geometry": Chain(Path("recipes/geometry.toml").read_text() if Path("recipes/geometry.toml").exists()
                      else "", _geometry_albumentations, 4, own_size=True),
    "sizes": Chain(SIZES_RECIPE, _sizes_albumentations, 5),
    "crops": Chain(CROPS_RECIPE, _crops_albumentations, 3),
}


def photos(size: tuple[int, int] | None = None) -> list[np.ndarray]:
    from skimage import data

    images = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    return [cv2.resize(i, size, interpolation=cv2.INTER_AREA) if size else i for i in images]


def compose(chain: Chain, width: int, height: int, seed: int = 0, geometric_only: bool = False):
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
    import albumentations as A

    transforms = chain.albumentations(A, width, height)
    return A.Compose(transforms[: chain.geometric] if geometric_only else transforms, seed=seed)


def recipe_steps(chain: Chain, geometric_only: bool = False) -> tuple:
    recipe = parse_recipe(chain.recipe, "chain.toml").steps_for("image")
    return recipe[: chain.geometric] if geometric_only else recipe


def timing(name: str, chain: Chain, rounds: int, copies: int) -> None:
    cv2.setNumThreads(1)
    images = photos(SIZE)
    recipe = recipe_steps(chain)
    albumentations = compose(chain, *SIZE)
    engines = {
        "fused": lambda k, image: steps.augment(image, recipe, "image", np.random.SeedSequence(k)),
        "no-fuse": lambda k, image: steps.augment(image, recipe, "image", np.random.SeedSequence(k),
                                                  fuse=False),
        "albumentations": lambda k, image: albumentations(image=image),
    }
    per_copy: dict[str, list[float]] = {engine: [] for engine in engines}
    names = list(engines)
    for index in range(rounds):
        # the order turns each round: no engine is always the one after a pause
        for engine in names[index % len(names):] + names[: index % len(names)]:
            run = engines[engine]
            started = time.perf_counter()
            for k in range(copies):
                run(k, images[k % len(images)])
            per_copy[engine].append((time.perf_counter() - started) / copies * 1000)
    print(f"[{name}] load average {os.getloadavg()}; {rounds} rounds x {copies} copies at "
          f"{SIZE[0]}x{SIZE[1]}")
    for engine, times in per_copy.items():
        print(f"  {engine:15s} median {statistics.median(times):6.2f} ms/copy  (min {min(times):.2f}, "
              f"max {max(times):.2f})")
    for slower in ("no-fuse", "albumentations"):
        ratios = [s / f for s, f in zip(per_copy[slower], per_copy["fused"], strict=True)]
        print(f"  fused is {statistics.median(ratios):.2f}x {slower} (per-round ratios "
              f"{min(ratios):.2f}..{max(ratios):.2f})")


def reference(image: np.ndarray, records: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """The exact composite of the warps in float64, and where no step's border shows."""
    height, width = image.shape[:2]
    geometric = [(registry.require("image", r["transform"]), r["params"]) for r in records]
    move = composed_warp(geometric, width, height)
    out = cv2.warpPerspective(image.astype(np.float64), move.opencv(), move.size, flags=cv2.INTER_LANCZOS4,
                              borderMode=REFLECT)
    return out, _inside(geometric, width, height)


def _inside(geometric, width: int, height: int) -> np.ndarray:
    out_w, out_h = composed_warp(geometric, width, height).size
    ys, xs = np.mgrid[0:out_h, 0:out_w]
    points = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)]).astype(float)
    ok = np.ones(xs.size, bool)
    for k in range(len(geometric)):
        w, h = composed_warp(geometric[:k], width, height).size
        back = np.linalg.inv(composed_warp(geometric[k:], w, h).opencv()) @ points
        x, y = back[0] / back[2], back[1] / back[2]
        ok &= (x >= MARGIN_PX) & (x <= w - 1 - MARGIN_PX) & (y >= MARGIN_PX) & (y <= h - 1 - MARGIN_PX)
    return ok.reshape(out_h, out_w)


def psnr(out: np.ndarray, exact: np.ndarray, inside: np.ndarray) -> float:
    error = (out.astype(np.float64) - exact)[inside]
    mse = float(np.mean(error**2))
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


def albumentations_psnr(chain: Chain, image: np.ndarray, seed: int) -> float:
    """Albumentations' copy against the source sampled (float64, Lanczos-4)
    where its own steps took each pixel from: the same seeded steps run on
    an image of its pixel coordinates, which bilinear warps, flips, pads,
    crops and resizes carry exactly (they reproduce linear functions)."""
    height, width = image.shape[:2]
    out = compose(chain, width, height, seed, geometric_only=True)(image=image)["image"]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    coordinates = np.dstack([xs, ys, np.ones_like(xs)])
    where = compose(chain, width, height, seed, geometric_only=True)(image=coordinates)["image"]
    map_x, map_y = where[..., 0], where[..., 1]
    exact = cv2.remap(image.astype(np.float64), map_x, map_y, cv2.INTER_LANCZOS4, borderMode=REFLECT)
    inside = (map_x >= MARGIN_PX) & (map_x <= width - 1 - MARGIN_PX)
    inside &= (map_y >= MARGIN_PX) & (map_y <= height - 1 - MARGIN_PX)
    return psnr(out, exact, inside)


def quality(name: str, chain: Chain, copies: int) -> None:
    recipe = recipe_steps(chain, geometric_only=True)
    print(f"[{name}] PSNR (dB) of the warps against the exact composite in float64, mean of {copies} "
          f"copies per photo, pixels where no border shows")
    names = ["astronaut", "coffee", "chelsea", "rocket"]
    for photo, image in zip(names, photos(None if chain.own_size else SIZE), strict=True):
        scores: dict[str, list[float]] = {"fused": [], "no-fuse": [], "albumentations": []}
        for k in range(copies):
            fused, records = steps.augment(image, recipe, "image", np.random.SeedSequence(k))
            plain, _ = steps.augment(image, recipe, "image", np.random.SeedSequence(k), fuse=False)
            exact, inside = reference(image, records)
            scores["fused"].append(psnr(fused, exact, inside))
            scores["no-fuse"].append(psnr(plain, exact, inside))
            scores["albumentations"].append(albumentations_psnr(chain, image, k))
        cells = "  ".join(f"{engine} {statistics.mean(s):5.2f}" for engine, s in scores.items())
        print(f"  {photo:10s} {image.shape[1]}x{image.shape[0]}  {cells}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--quality-copies", type=int, default=5)
    parser.add_argument("--chains", nargs="+", choices=sorted(CHAINS), default=list(CHAINS))
    args = parser.parse_args()
    for name in args.chains:
        timing(name, CHAINS[name], args.rounds, args.copies)
    for name in args.chains:
        quality(name, CHAINS[name], args.quality_copies)


if __name__ == "__main__":
    main()
