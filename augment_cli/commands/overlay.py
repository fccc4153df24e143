"""Annotations drawn over an image for `augment preview`: does each label follow its pixels?

Masks (per object, and semantic masks) are blended semi-transparently in a
colour per class, polygons outlined, boxes drawn as rectangles and visible
keypoints as dots (hollow when occluded, v = 1). Drawn at the image's own
size, before the sheet scales it, with lines thick enough to survive that.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from augment_cli.annotations.model import Annotated, Targets
from augment_cli.commands.sheet import THUMB, display_image

ALPHA = 0.45
# Distinct, colour-blind-friendly colours (Okabe-Ito), cycled by class id or mask value.
PALETTE = ((230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66), (0, 114, 178),
           (213, 94, 0), (204, 121, 167), (255, 255, 255))


def colour(value: int) -> tuple[int, int, int]:
    return PALETTE[value % len(PALETTE)]


def with_targets(data: object) -> np.ndarray:
    """The pixels to show for a preview cell: an Annotated drawn with its targets."""
    if isinstance(data, Annotated):
        return draw(data.image, data.targets)
    assert isinstance(data, np.ndarray), "image preview cells are pixels"
    return data


def draw(pixels: np.ndarray, targets: Targets) -> np.ndarray:
    """An RGB uint8 copy of `pixels` with `targets` drawn over it."""
    image = np.asarray(display_image(pixels)).astype(np.float32)
    masks = [(0, targets.mask)] if targets.mask is not None else []
    masks += [(obj.category, obj.mask) for obj in targets.objects if obj.mask is not None]
    for category, mask in masks:
        image = _blend(image, mask, category, semantic=mask is targets.mask)
    shown = Image.fromarray(image.clip(0, 255).astype(np.uint8))
    pen = ImageDraw.Draw(shown)
    width = max(1, round(max(shown.size) / THUMB))
    for obj in targets.objects:
        rgb = colour(obj.category)
        for polygon in obj.polygons:
            pen.line([tuple(p) for p in polygon] + [tuple(polygon[0])], fill=rgb, width=width)
        if obj.box is not None:
            x0, y0, x1, y1 = (float(v) for v in obj.box)
            pen.rectangle((x0, y0, max(x0, x1 - 1), max(y0, y1 - 1)), outline=rgb, width=width)
        for x, y, v in obj.keypoints if obj.keypoints is not None else ():
            if v > 0:
                r = 2 * width
                pen.ellipse((x - r, y - r, x + r, y + r), outline=rgb, width=width,
                            fill=rgb if v >= 2 else None)
    return np.asarray(shown)


def _blend(image: np.ndarray, mask: np.ndarray, category: int, semantic: bool) -> np.ndarray:
    """Blend a mask in: a semantic mask's every class value in its own colour."""
    tint = np.zeros_like(image)
    if semantic:
        for value in np.unique(mask):
            if value:
                tint[mask == value] = colour(int(value))
        where = mask != 0
    else:
        where = mask.astype(bool)
        tint[where] = colour(category)
    image[where] = (1 - ALPHA) * image[where] + ALPHA * tint[where]
    return image
