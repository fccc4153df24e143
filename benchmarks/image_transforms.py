"""Single-thread throughput of every image transform on a 512x512 RGB image,
beside the same transform in Albumentations where one exists.

    python -m venv benchmarks/.venv
    benchmarks/.venv/bin/pip install -e . "albumentations==2.0.8"   # MIT; never AlbumentationsX
    benchmarks/.venv/bin/python benchmarks/image_transforms.py [--seconds 0.4] [name ...]

Albumentations is a benchmark-only dependency (never a runtime one). Each
side is timed on the same image with comparable parameter ranges, sampling
included (ours: draw ranges + sampler + applier with one Generator, as a
recipe step runs; theirs: calling the transform with p=1), in alternating
rounds; the median round is reported. The ratio is ours / theirs (> 1 =
faster); the goal is no ratio below 0.8. The per-copy cost that is not per
transform (deriving the copy's seed and step streams) is printed apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # no network call on import
os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from augment_cli import registry  # noqa: E402
from augment_cli.run import steps as pipeline

SIZE = 512
# Values for required parameters (comparable to the Albumentations side).
OURS = {
    "random_crop": {"height": 256, "width": 256}, "center_crop": {"height": 256, "width": 256},
    "resize": {"height": 256, "width": 256},
    "pad": {"top": 32, "bottom": 32, "left": 32, "right": 32},
    "elastic": {"alpha": 30.0, "sigma": 7.0},
    "downscale": {"interpolation": "nearest"},  # Albumentations' default pair
    "rotate": {"angle_deg": (-15.0, 15.0)},
}
# Extra rows: (label, our transform, its values, Albumentations table key).
VARIANTS = (("sharpen 3x3", "sharpen", {"sigma": 0.5}, "sharpen_kernel"),
            ("perspective constant", "perspective", {"border": "constant"}, "perspective_constant"))


def albumentations_table():
    """Our name -> a factory of the Albumentations counterpart (p=1)."""
    import albumentations as A

    reflect = cv2.BORDER_REFLECT_101
    return A.__version__, {
        "hflip": lambda: A.HorizontalFlip(p=1),
        "vflip": lambda: A.VerticalFlip(p=1),
        "rotate": lambda: A.Rotate(limit=15, border_mode=reflect, p=1),
        "random_resized_crop": lambda: A.RandomResizedCrop(size=(SIZE, SIZE), scale=(0.6, 1.0), p=1),
        "brightness_contrast": lambda: A.RandomBrightnessContrast(0.2, 0.2, p=1),
        "grayscale": lambda: A.ToGray(num_output_channels=3, p=1),
        "to_gray": lambda: A.ToGray(num_output_channels=3, p=1),
        "gaussian_blur": lambda: A.GaussianBlur(blur_limit=0, sigma_limit=(0.5, 1.5), p=1),
        "affine": lambda: A.Affine(scale=(0.9, 1.1), translate_percent=(-0.1, 0.1), rotate=(-15, 15),
                                   border_mode=reflect, p=1),
        "perspective": lambda: A.Perspective(scale=(0.05, 0.1), border_mode=reflect, p=1),
        "perspective_constant": lambda: A.Perspective(scale=(0.05, 0.1), p=1),  # their default
        "elastic": lambda: A.ElasticTransform(alpha=30, sigma=7, p=1),
        "random_crop": lambda: A.RandomCrop(256, 256, p=1),
        "center_crop": lambda: A.CenterCrop(256, 256, p=1),
        "pad": lambda: A.Pad(padding=32, border_mode=reflect, p=1),
        "resize": lambda: A.Resize(256, 256, p=1),
        "hue_saturation_value": lambda: A.HueSaturationValue(20, 30, 20, p=1),
        "color_jitter": lambda: A.ColorJitter(0.2, 0.2, 0.2, 0.05, p=1),
        "gamma": lambda: A.RandomGamma(gamma_limit=(80, 125), p=1),
        "clahe": lambda: A.CLAHE(clip_limit=(1, 4), p=1),
        "equalize": lambda: A.Equalize(p=1),
        "auto_contrast": lambda: A.AutoContrast(p=1),
        "posterize": lambda: A.Posterize(num_bits=(4, 8), p=1),
        "solarize": lambda: A.Solarize(threshold_range=(0.5, 1.0), p=1),
        "invert": lambda: A.InvertImg(p=1),
        "channel_shuffle": lambda: A.ChannelShuffle(p=1),
        "sepia": lambda: A.ToSepia(p=1),
        "downscale": lambda: A.Downscale(scale_range=(0.25, 0.5), p=1),
        "jpeg": lambda: A.ImageCompression(quality_range=(50, 90), p=1),
        "gaussian_noise": lambda: A.GaussNoise(std_range=(0.01, 0.05), p=1),
        "motion_blur": lambda: A.MotionBlur(blur_limit=(3, 9), p=1),
        "median_blur": lambda: A.MedianBlur(blur_limit=(3, 5), p=1),
        "sharpen": lambda: A.Sharpen(alpha=(0.2, 1.0), method="gaussian", kernel_size=5, sigma=1.0, p=1),
        "sharpen_kernel": lambda: A.Sharpen(p=1),  # their default: one 3x3 kernel
        "defocus": lambda: A.Defocus(radius=(3, 7), alias_blur=(0.1, 0.5), p=1),
        "random_erasing": lambda: A.Erasing(scale=(0.02, 0.2), ratio=(0.3, 3.3), p=1),
        "grid_dropout": lambda: A.GridDropout(ratio=0.5, unit_size_range=(51, 102), p=1),
    }


def make_image() -> np.ndarray:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    base = np.stack([x * 0.4 + 20, y * 0.35 + 30, (x + y) * 0.2 + 40], -1)
    base[(x - 300) ** 2 + (y - 200) ** 2 < 120 ** 2] = (230, 60, 40)
    return np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8)


class MemoryPartners:
    """Two same-label partners for the mixing transforms."""

    def __init__(self, image: np.ndarray):
        self.images = {"a/p1.png": image[::-1].copy(), "a/p2.png": image[:, ::-1].copy()}
        self.paths = tuple(sorted(self.images))

    def __call__(self, path: str) -> np.ndarray:
        return self.images[path]


def ours_runner(name: str, image: np.ndarray, extra: dict | None = None):
    spec = registry.get("image", name)
    values = {p.name: p.default for p in spec.params if not p.required} | OURS.get(name, {})
    values |= extra or {}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    partners, rng = MemoryPartners(image), np.random.default_rng(0)

    def run():
        params = spec.sampler(rng, registry.draw(rng, spec, values),
                              {**pipeline.meta_of("image", image), "partners": partners.paths})
        return pipeline.apply_one("image", name, image, params, partners)
    return run


def seeding_overhead(seconds: float) -> float:
    """Microseconds per copy to derive its seed and 3 step streams."""
    from augment_cli.run.seeding import copy_seed, step_generators

    counter = iter(range(10**9))
    per_second = rate(lambda: step_generators(copy_seed(0, "a/b.png", next(counter)), 3), seconds)
    return 1e6 / per_second


def theirs_runner(factory, image: np.ndarray):
    transform = factory()
    return lambda: transform(image=image)["image"]


def rate(function, seconds: float) -> float:
    function()  # warm-up (imports, caches)
    # CPU time of this (single-threaded) process: on a shared machine the
    # wall clock also counts the time the neighbours hold the core.
    count, started = 0, time.process_time()
    while (elapsed := time.process_time() - started) < seconds:
        function()
        count += 1
    return count / elapsed


def measure(name, image, factory, seconds, rounds, extra=None):
    ours = ours_runner(name, image, extra)
    theirs = theirs_runner(factory, image) if factory else None
    mine, other = [], []
    for _ in range(rounds):  # alternate so machine noise hits both sides alike
        mine.append(rate(ours, seconds))
        if theirs:
            other.append(rate(theirs, seconds))
    return statistics.median(mine), (statistics.median(other) if other else None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these transforms")
    parser.add_argument("--seconds", type=float, default=0.4, help="timing per round and side")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cv2.setNumThreads(0)  # single thread, as each worker process runs
    try:
        version, table = albumentations_table()
    except ImportError:
        version, table = None, {}
    image = make_image()
    print(f"512x512 RGB uint8, single thread; albumentations {version or 'not installed'}; "
          f"opencv {cv2.__version__}; numpy {np.__version__}")
    print(f"per-copy seeding (not per transform): {seeding_overhead(args.seconds):.0f} us")
    print(f"{'transform':22s} {'ours img/s':>11s} {'albu img/s':>11s} {'ratio':>7s}")
    slow = []
    rows = [(s.name, s.name, {}, s.name) for s in registry.specs("image")] + list(VARIANTS)
    for label, name, extra, theirs_key in rows:
        if args.names and name not in args.names:
            continue
        mine, theirs = measure(name, image, table.get(theirs_key), args.seconds, args.rounds, extra)
        ratio = f"{mine / theirs:6.2f}x" if theirs else "      -"
        if theirs and mine / theirs < 0.8:
            slow.append(label)
        print(f"{label:22s} {mine:11.0f} {theirs or 0:11.0f} {ratio}"
              + ("  < 0.8x" if label in slow else ""), flush=True)
    print(f"below 0.8x: {', '.join(slow) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
