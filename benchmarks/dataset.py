"""Build the benchmark image datasets from the photographs bundled in
scikit-image's `data` module (no download): random crops, rescaled to the
target size, with mild brightness/colour jitter, saved as JPEG (quality 90).

Three labels, each from different photographs, so the tree looks like a real
small labelled dataset. Deterministic: the same call makes the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

# Photographs shipped inside the scikit-image wheel (no network needed).
LABELS = {
    "animal": ("chelsea", "cat", "astronaut"),
    "object": ("coffee", "rocket", "hubble_deep_field", "immunohistochemistry"),
    "texture": ("brick", "grass", "gravel", "camera", "moon", "page"),
}


def _photos() -> dict[str, list[np.ndarray]]:
    from skimage import data

    photos: dict[str, list[np.ndarray]] = {}
    for label, names in LABELS.items():
        loaded = []
        for name in names:
            try:
                image = np.asarray(getattr(data, name)())
            except Exception:  # a name missing from this scikit-image version
                continue
            if image.ndim == 2:
                image = np.stack([image] * 3, axis=-1)
            loaded.append(image[..., :3].astype(np.uint8))
        if not loaded:
            raise SystemExit(f"no scikit-image photograph found for label {label}")
        photos[label] = loaded
    return photos


def build(root: Path, count: int = 300, size: tuple[int, int] = (640, 480), seed: int = 7) -> Path:
    """Write `count` JPEGs of `size` (w, h) under root/<label>/; reuse if present."""
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == f"{count} {size} {seed}":
        return root
    rng = np.random.default_rng(seed)
    photos = _photos()
    labels = sorted(photos)
    for index in range(count):
        label = labels[index % len(labels)]
        source = photos[label][int(rng.integers(len(photos[label])))]
        image = _jittered_crop(rng, source, size)
        target = root / label / f"{label}_{index:05d}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(target, quality=90)
    marker.write_text(f"{count} {size} {seed}")
    return root


def _jittered_crop(rng: np.random.Generator, source: np.ndarray, size: tuple[int, int]) -> Image.Image:
    height, width = source.shape[:2]
    aspect = size[0] / size[1]
    fraction = rng.uniform(0.5, 1.0)
    h = int(min(height, width / aspect) * fraction)
    w = int(h * aspect)
    y = int(rng.integers(0, height - h + 1))
    x = int(rng.integers(0, width - w + 1))
    crop = Image.fromarray(source[y : y + h, x : x + w]).resize(size, Image.Resampling.BICUBIC)
    pixels = np.asarray(crop).astype(np.float32)
    gain = rng.uniform(0.85, 1.15, size=3)  # per-channel colour jitter
    offset = rng.uniform(-12, 12)
    pixels = np.clip(pixels * gain + offset, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        pixels = pixels[:, ::-1]
    return Image.fromarray(np.ascontiguousarray(pixels))


def replicate(source: Path, root: Path, factor: int) -> Path:
    """root/<label>/rep<k>_<name>: `factor` hard-linked copies of every file."""
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == f"{source} x{factor}":
        return root
    for path in sorted(source.rglob("*.jpg")):
        for k in range(factor):
            target = root / path.parent.name / f"rep{k:02d}_{path.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.hardlink_to(path)
    marker.write_text(f"{source} x{factor}")
    return root


def tiny_pngs(root: Path, count: int, labels: int = 10) -> Path:
    """`count` 8x8 PNGs (for memory-scaling runs), written once."""
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == str(count):
        return root
    import io

    blobs = []
    for shade in range(16):
        buffer = io.BytesIO()
        Image.fromarray(np.full((8, 8, 3), shade * 16, np.uint8)).save(buffer, format="PNG")
        blobs.append(buffer.getvalue())
    for index in range(count):
        folder = root / f"label{index % labels}" / f"d{index // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"t{index:06d}.png").write_bytes(blobs[index % 16])
    marker.write_text(str(count))
    return root
