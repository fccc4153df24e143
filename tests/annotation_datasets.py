"""Annotated datasets drawn in code (no third-party images) for the layout tests.

Every image is a textured background with known shapes drawn on it; each
builder returns SRC and what its labels say, so a test can compare what a
run writes with what was drawn.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from conftest import save, textured

WIDTH, HEIGHT = 64, 48
# (class id, x0, y0, x1, y1) in pixels, per image: image 2 is background
BOXES = {0: [(0, 8, 6, 28, 22)], 1: [(1, 30, 10, 60, 40), (0, 2, 30, 14, 46)], 2: []}
PIXEL_ONLY = """
[[image]]
transform = "brightness_contrast"
brightness = [-0.2, 0.2]

[[image]]
transform = "gaussian_blur"
p = 0.5
"""
# A geometric transform: boxes, polygons, masks and keypoints move with the pixels.
HFLIP = """
[[image]]
transform = "hflip"
"""


def drawn(index: int, boxes: list[tuple[int, int, int, int, int]]) -> np.ndarray:
    pixels = textured(HEIGHT, WIDTH, seed=index)
    image = Image.fromarray(pixels)
    for _, x0, y0, x1, y1 in boxes:
        ImageDraw.Draw(image).rectangle((x0, y0, x1 - 1, y1 - 1), fill=(250, 250, 250))
    return np.asarray(image)


def yolo_tree(root: Path, kind: str = "detect") -> Path:
    """images/train/im<i>.png + labels/train/im<i>.txt (im2: no label file, a background image)."""
    names = "names:\n  0: cat\n  1: dog\n"
    pose = "kpt_shape: [2, 3]\nflip_idx: [1, 0]\n" if kind == "pose" else ""
    (root).mkdir(parents=True, exist_ok=True)
    (root / "data.yaml").write_text(f"path: /somewhere/else\ntrain: images/train\nval: images/train\n"
                                    f"{pose}{names}")
    for i, boxes in BOXES.items():
        save(root / "images" / "train" / f"im{i}.png", drawn(i, boxes))
        if boxes:
            lines = [_yolo_line(box, kind) for box in boxes]
            label = root / "labels" / "train" / f"im{i}.txt"
            label.parent.mkdir(parents=True, exist_ok=True)
            label.write_text("\n".join(lines) + "\n")
    return root


def _yolo_line(box: tuple[int, int, int, int, int], kind: str) -> str:
    c, x0, y0, x1, y1 = box
    cx, cy, w, h = (x0 + x1) / 2 / WIDTH, (y0 + y1) / 2 / HEIGHT, (x1 - x0) / WIDTH, (y1 - y0) / HEIGHT
    if kind == "segment":
        points = [x0, y0, x1, y0, x1, y1, x0, y1]
        return " ".join([str(c)] + [f"{v / (WIDTH if k % 2 == 0 else HEIGHT):.6f}"
                                    for k, v in enumerate(points)])
    values = [cx, cy, w, h]
    if kind == "pose":
        values += [x0 / WIDTH, y0 / HEIGHT, 2, x1 / WIDTH, y1 / HEIGHT, 1]
    return " ".join([str(c)] + [f"{v:.6f}" if isinstance(v, float) else str(v) for v in values])


def coco_tree(root: Path, rle: bool = True) -> Path:
    """images/im<i>.png + annotations/instances.json: boxes, a polygon, an RLE mask
    (iscrowd 1), keypoints; info, licenses and categories to keep."""
    from pycocotools import mask as coco_mask

    images, annotations = [], []
    for i, boxes in BOXES.items():
        save(root / "images" / f"im{i}.png", drawn(i, boxes))
        images.append({"id": 100 + i, "file_name": f"im{i}.png", "width": WIDTH, "height": HEIGHT,
                       "license": 1})
        for k, (c, x0, y0, x1, y1) in enumerate(boxes):
            ann = {"id": 1000 + 10 * i + k, "image_id": 100 + i, "category_id": c + 1,
                   "bbox": [x0, y0, x1 - x0, y1 - y0], "area": 0, "iscrowd": 0,
                   "segmentation": [[x0, y0, x1, y0, x1, y1, x0, y1]], "attributes": {"occluded": False}}
            if rle and k == 1:
                mask = np.zeros((HEIGHT, WIDTH), np.uint8)
                mask[y0:y1, x0:x1] = 1
                encoded = coco_mask.encode(np.asfortranarray(mask))
                ann["segmentation"] = {"size": [HEIGHT, WIDTH], "counts": encoded["counts"].decode()}
                ann["iscrowd"] = 1
            if c == 1:
                ann["keypoints"] = [x0, y0, 2, x1 - 1, y1 - 1, 1]
                ann["num_keypoints"] = 2
            annotations.append(ann)
    document = {"info": {"description": "drawn in code"}, "licenses": [{"id": 1, "name": "MIT"}],
                "categories": [{"id": 1, "name": "cat"},
                               {"id": 2, "name": "dog", "keypoints": ["tl", "br"], "skeleton": [[1, 2]]}],
                "images": images, "annotations": annotations}
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    (root / "annotations" / "instances.json").write_text(json.dumps(document))
    return root


def voc_tree(root: Path) -> Path:
    """JPEGImages/im<i>.png + Annotations/im<i>.xml (im2 has no XML: background)."""
    for i, boxes in BOXES.items():
        save(root / "JPEGImages" / f"im{i}.png", drawn(i, boxes))
        if not boxes:
            continue
        objects = "".join(
            f"<object><name>{'cat' if c == 0 else 'dog'}</name><pose>Left</pose><truncated>{k}</truncated>"
            f"<difficult>{1 - k}</difficult><bndbox><xmin>{x0 + 1}</xmin><ymin>{y0 + 1}</ymin>"
            f"<xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>"
            for k, (c, x0, y0, x1, y1) in enumerate(boxes))
        xml = (f"<annotation><folder>VOC</folder><filename>im{i}.png</filename><size><width>{WIDTH}"
               f"</width><height>{HEIGHT}</height><depth>3</depth></size>{objects}</annotation>")
        (root / "Annotations").mkdir(parents=True, exist_ok=True)
        (root / "Annotations" / f"im{i}.xml").write_text(xml)
    (root / "Annotations").mkdir(parents=True, exist_ok=True)
    return root


def masks_tree(root: Path, bits: int = 8) -> Path:
    """images/train/im<i>.png + masks/train/im<i>.png (class = box class + 1, 0 background)."""
    for i, boxes in BOXES.items():
        save(root / "images" / "train" / f"im{i}.png", drawn(i, boxes))
        mask = np.zeros((HEIGHT, WIDTH), np.uint16 if bits == 16 else np.uint8)
        for c, x0, y0, x1, y1 in boxes:
            mask[y0:y1, x0:x1] = (c + 1) * (300 if bits == 16 else 1)
        save(root / "masks" / "train" / f"im{i}.png", mask)
    return root
