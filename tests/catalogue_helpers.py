"""Shared test images and helpers for the image catalogue tests."""

from __future__ import annotations

import numpy as np

from augment_cli import registry
from augment_cli.recipe import TransformStep
from augment_cli.run import steps as pipeline


def smooth_rgb(height: int = 48, width: int = 64, seed: int = 0) -> np.ndarray:
    """A photo-like RGB image: gradients, a disc and mild noise (not all-random,
    so blurs, histograms and JPEG behave as on real pictures)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 200 / width + 30, y * 180 / height + 40, (x + y) * 90 / (width + height) + 80], -1)
    disc = (x - width * 0.6) ** 2 + (y - height * 0.4) ** 2 < (min(height, width) / 4) ** 2
    base[disc] = (230, 60, 40)
    return np.clip(base + rng.normal(0, 4, base.shape), 0, 255).astype(np.uint8)


def kinds() -> dict[str, np.ndarray]:
    """Every array kind the codec produces: uint8 L, LA, RGB, RGBA; uint16 L, RGB, RGBA."""
    rgb = smooth_rgb()
    alpha = np.tile(np.linspace(0, 255, rgb.shape[1]).astype(np.uint8), (rgb.shape[0], 1))
    grey = rgb[..., 1].copy()
    wide = rgb.astype(np.uint16) * 257 + np.arange(rgb.shape[1], dtype=np.uint16)[None, :, None]
    return {
        "rgb8": rgb,
        "rgba8": np.dstack([rgb, alpha]),
        "l8": grey,
        "la8": np.dstack([grey, alpha]),
        "l16": wide[..., 0].copy(),
        "rgb16": wide,
        "rgba16": np.dstack([wide, alpha.astype(np.uint16) * 257]),
    }


def apply(name: str, image: np.ndarray, seed: int = 0, **values) -> tuple[np.ndarray, dict]:
    """Draw and apply one transform (p = 1); return the image and its params."""
    step = step_for(name, 1.0, **values)
    out, records = pipeline.augment(image, (step,), "image", np.random.SeedSequence(seed))
    assert [r["transform"] for r in records] == [name]
    return out, records[0]["params"]


def run(name: str, image: np.ndarray, params: dict) -> np.ndarray:
    return pipeline.apply_one("image", name, image, params)


def step_for(name: str, p: float, **values) -> TransformStep:
    spec = registry.get("image", name)
    merged = {q.name: q.default for q in spec.params if not q.required}
    merged.update(values)
    ranged = {k: tuple(v) if isinstance(v, list) else v for k, v in merged.items()}
    return TransformStep(name, p, tuple(ranged.items()), f"test {name}")


class MemoryPartners:
    """pipeline resources over in-memory images (what partners.Partners
    gives the pipeline from files): `.paths` and path -> pixels."""

    def __init__(self, images: dict[str, np.ndarray]):
        self.images = images
        self.paths = tuple(sorted(images))
        self.loaded: list[str] = []

    def __call__(self, path: str) -> np.ndarray:
        self.loaded.append(path)
        return self.images[path]


def mixed_partners() -> MemoryPartners:
    """Partners of other kinds and sizes than any source, to exercise matching."""
    every = kinds()
    return MemoryPartners({"same/p1.png": every["rgba16"][::2, ::3].copy(),
                           "same/p2.jpg": every["l8"][:, ::-1].copy(),
                           "same/p3.png": np.ascontiguousarray(every["rgb8"][::-1])})
