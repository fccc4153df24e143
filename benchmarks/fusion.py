"""Fusion: recipes/geometry.toml fused vs --no-fuse vs the lean Albumentations
script, and the quality of each against a float64 reference.

    PYTHONPATH=$PWD python benchmarks/fusion.py [--rounds 5] [--copies 20]

(run it with an interpreter that has albumentations 2.0.8 and scikit-image,
e.g. benchmarks/.venv). Single-threaded OpenCV, in one process, transform
only (no decode/encode): per round each engine makes the same number of
copies of skimage's photos scaled to 640x480, engines interleaved round by
round so machine noise hits them alike. Prints the median ms per copy and
the median of per-round ratios, and the load average.

Quality, of the recipe's warps (its point operations are exact tables in
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

import cv2
import numpy as np

from augment_cli import registry
from augment_cli.recipe import load_recipe
from augment_cli.run import steps
from augment_cli.run.fusion import composed_warp

RECIPE = "recipes/geometry.toml"
SIZE = (640, 480)
MARGIN_PX = 3


def photos(size: tuple[int, int] | None = None) -> list[np.ndarray]:
    from skimage import data

    images = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket()]
    return [cv2.resize(i, size, interpolation=cv2.INTER_AREA) if size else i for i in images]


def albumentations_compose(width: int, height: int):
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
    import albumentations as A

    reflect = cv2.BORDER_REFLECT_101
    return A.Compose(seed=0, transforms=[
        A.HorizontalFlip(p=0.5),
        A.Affine(scale=(0.9, 1.1), rotate=(-15, 15), shear={"x": (-8, 8), "y": (0, 0)},
                 translate_percent={"x": (-0.05, 0.05), "y": (-0.05, 0.05)}, border_mode=reflect, p=1),
        A.Perspective(scale=(0.02, 0.06), keep_size=True, border_mode=reflect, p=1),
        A.RandomResizedCrop(size=(height, width), scale=(0.7, 1.0), ratio=(0.8, 1.25), p=1),
        A.RandomBrightnessContrast(brightness_limit=0.15, contrast_limit=0.15, p=1),
        A.RandomGamma(gamma_limit=(80, 125), p=1),
    ])


def timing(rounds: int, copies: int) -> None:
    cv2.setNumThreads(1)
    images = photos(SIZE)
    recipe = load_recipe(RECIPE).steps_for("image")
    compose = albumentations_compose(*SIZE)

    def fused(k: int, image: np.ndarray) -> None:
        steps.augment(image, recipe, "image", np.random.SeedSequence(k))

    def unfused(k: int, image: np.ndarray) -> None:
        steps.augment(image, recipe, "image", np.random.SeedSequence(k), fuse=False)

    def albumentations(k: int, image: np.ndarray) -> None:
        compose(image=image)

    engines = {"fused": fused, "no-fuse": unfused, "albumentations": albumentations}
    per_copy: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(rounds):
        for name, run in engines.items():
            started = time.perf_counter()
            for k in range(copies):
                run(k, images[k % len(images)])
            per_copy[name].append((time.perf_counter() - started) / copies * 1000)
    print(f"load average {os.getloadavg()}; {rounds} rounds x {copies} copies at {SIZE[0]}x{SIZE[1]}")
    for name, times in per_copy.items():
        print(f"  {name:15s} median {statistics.median(times):6.2f} ms/copy  (min {min(times):.2f}, "
              f"max {max(times):.2f})")
    for slower in ("no-fuse", "albumentations"):
        ratios = [s / f for s, f in zip(per_copy[slower], per_copy["fused"], strict=True)]
        print(f"  fused is {statistics.median(ratios):.2f}x {slower} (per-round ratios "
              f"{min(ratios):.2f}..{max(ratios):.2f})")


def reference(image: np.ndarray, records: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """The exact composite in float64, and where no step's border shows."""
    height, width = image.shape[:2]
    geometric = [(registry.require("image", r["transform"]), r["params"]) for r in records
                 if registry.require("image", r["transform"]).warp is not None]
    matrix = composed_warp(geometric, width, height).opencv()
    out = cv2.warpPerspective(image.astype(np.float64), matrix, (width, height), flags=cv2.INTER_LANCZOS4,
                              borderMode=cv2.BORDER_REFLECT_101)
    for record in records:
        params = record["params"]
        if record["transform"] == "brightness_contrast":
            out = np.clip(out * (1 + params["contrast"]) + params["brightness"] * 255, 0, 255)
        elif record["transform"] == "gamma":
            out = 255 * (np.clip(out, 0, 255) / 255) ** params["gamma"]
    return out, _inside(geometric, width, height)


def _inside(geometric, width: int, height: int) -> np.ndarray:
    ys, xs = np.mgrid[0:height, 0:width]
    points = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)]).astype(float)
    ok = np.ones(xs.size, bool)
    for k in range(len(geometric)):
        back = np.linalg.inv(composed_warp(geometric[k:], width, height).opencv()) @ points
        x, y = back[0] / back[2], back[1] / back[2]
        ok &= (x >= MARGIN_PX) & (x <= width - 1 - MARGIN_PX)
        ok &= (y >= MARGIN_PX) & (y <= height - 1 - MARGIN_PX)
    return ok.reshape(height, width)


def psnr(out: np.ndarray, exact: np.ndarray, inside: np.ndarray) -> float:
    error = (out.astype(np.float64) - exact)[inside]
    return float(10 * np.log10(255**2 / np.mean(error**2)))


def geometric_steps() -> tuple:
    """The recipe's warps only: point operations are exact tables in every engine."""
    return tuple(step for step in load_recipe(RECIPE).steps_for("image")
                 if registry.require("image", step.transform).warp is not None)


def albumentations_geometry(width: int, height: int, seed: int):
    import albumentations as A

    return A.Compose(albumentations_compose(width, height).transforms[:4], seed=seed)


def albumentations_psnr(image: np.ndarray, seed: int) -> float:
    """Albumentations' copy against the source sampled (float64, Lanczos-4)
    where its own steps took each pixel from: the same seeded steps run on
    an image of its pixel coordinates, which bilinear warps, flips and
    resizes carry exactly (they reproduce linear functions)."""
    height, width = image.shape[:2]
    out = albumentations_geometry(width, height, seed)(image=image)["image"]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    coordinates = np.dstack([xs, ys, np.ones_like(xs)])
    where = albumentations_geometry(width, height, seed)(image=coordinates)["image"]
    map_x, map_y = where[..., 0], where[..., 1]
    exact = cv2.remap(image.astype(np.float64), map_x, map_y, cv2.INTER_LANCZOS4,
                      borderMode=cv2.BORDER_REFLECT_101)
    inside = (map_x >= MARGIN_PX) & (map_x <= width - 1 - MARGIN_PX)
    inside &= (map_y >= MARGIN_PX) & (map_y <= height - 1 - MARGIN_PX)
    return psnr(out, exact, inside)


def quality(copies: int) -> None:
    recipe = geometric_steps()
    print(f"PSNR (dB) of the warps (hflip, affine, perspective, random_resized_crop) against the exact "
          f"composite in float64, mean of {copies} copies per photo, pixels where no border shows")
    names = ["astronaut", "coffee", "chelsea", "rocket"]
    for name, image in zip(names, photos(), strict=True):
        scores: dict[str, list[float]] = {"fused": [], "no-fuse": [], "albumentations": []}
        for k in range(copies):
            fused, records = steps.augment(image, recipe, "image", np.random.SeedSequence(k))
            plain, _ = steps.augment(image, recipe, "image", np.random.SeedSequence(k), fuse=False)
            exact, inside = reference(image, records)
            scores["fused"].append(psnr(fused, exact, inside))
            scores["no-fuse"].append(psnr(plain, exact, inside))
            scores["albumentations"].append(albumentations_psnr(image, k))
        cells = "  ".join(f"{engine} {statistics.mean(s):5.2f}" for engine, s in scores.items())
        print(f"  {name:10s} {image.shape[1]}x{image.shape[0]}  {cells}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--quality-copies", type=int, default=5)
    args = parser.parse_args()
    timing(args.rounds, args.copies)
    quality(args.quality_copies)


if __name__ == "__main__":
    main()
