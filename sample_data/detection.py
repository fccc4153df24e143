"""A small YOLO detection dataset for sample_data/detection (made by generate.py).

Ten 160x120 JPEG scenes of one to three shapes (circle, square, triangle)
on textured backgrounds, in Ultralytics' layout: data.yaml, images/train
and images/val, labels/<split>/<stem>.txt with each shape's exact box. One
training image holds no shape and has no label file: a background image.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SIZE = (160, 120)
NAMES = ("circle", "square", "triangle")
SPLITS = (("train", 8), ("val", 2))
BACKGROUND = ("train", 7)  # (split, index) of the image with no objects


def make_detection(root: Path) -> int:
    """Write root/data.yaml, root/images/<split>/scene_NN.jpg and their labels; returns images written."""
    rng = np.random.default_rng(20261202)
    (root).mkdir(parents=True, exist_ok=True)
    (root / "data.yaml").write_text("train: images/train\nval: images/val\n"
                                    "names:\n" + "".join(f"  {i}: {n}\n" for i, n in enumerate(NAMES)))
    count = 0
    for split, images in SPLITS:
        for index in range(images):
            shapes = 0 if (split, index) == BACKGROUND else int(rng.integers(1, 4))
            image, lines = _scene(rng, shapes)
            path = root / "images" / split / f"scene_{index:02d}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            image.save(path, quality=92)
            if lines:
                label = root / "labels" / split / f"scene_{index:02d}.txt"
                label.parent.mkdir(parents=True, exist_ok=True)
                label.write_text("".join(line + "\n" for line in lines))
            count += 1
    return count


def _scene(rng: np.random.Generator, shapes: int) -> tuple[Image.Image, list[str]]:
    width, height = SIZE
    base = rng.integers(30, 180, size=3)
    noise = rng.normal(0, 6, size=(height, width, 3))
    gradient = np.linspace(0, 40, width)[None, :, None]
    image = Image.fromarray(np.clip(base + gradient + noise, 0, 255).astype(np.uint8), "RGB")
    canvas, lines = ImageDraw.Draw(image), []
    for slot in range(shapes):
        kind = int(rng.integers(0, len(NAMES)))
        r = int(rng.integers(12, 22))
        # one column per shape, so shapes never overlap and every box is exact
        left = slot * width // 3
        cx, cy = int(rng.integers(left + r + 2, left + width // 3 - r - 2)), int(rng.integers(r + 2, height - r - 2))
        colour = tuple(int(c) for c in rng.integers(150, 256, size=3))
        box = (cx - r, cy - r, cx + r, cy + r)
        if NAMES[kind] == "circle":
            canvas.ellipse(box, fill=colour)
        elif NAMES[kind] == "square":
            canvas.rectangle(box, fill=colour)
        else:
            canvas.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour)
        x0, y0, x1, y1 = box[0], box[1], box[2] + 1, box[3] + 1  # PIL's box is inclusive
        lines.append(f"{kind} {(x0 + x1) / 2 / width:.6f} {(y0 + y1) / 2 / height:.6f} "
                     f"{(x1 - x0) / width:.6f} {(y1 - y0) / height:.6f}")
    return image, lines
