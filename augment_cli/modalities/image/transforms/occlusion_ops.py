"""Occlusion maths: plain functions of (image, params) -> image.

Only colour channels are filled: an RGBA image keeps its alpha, so erased
parts of an opaque object stay part of the object.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from augment_cli.modalities.image.transforms.core_ops import max_value

Params = dict[str, Any]


def colour_channels(image: np.ndarray) -> int:
    if image.ndim == 2:
        return 1
    return image.shape[2] - 1 if image.shape[2] in (2, 4) else image.shape[2]


def random_erasing(image: np.ndarray, params: Params) -> np.ndarray:
    out = image.copy()
    view = out[..., None] if out.ndim == 2 else out  # one layout for every kind
    channels, top = colour_channels(image), max_value(image)
    mode = params["fill_mode"]
    if mode == "mean":
        value = np.rint(view[..., :channels].reshape(-1, channels).mean(axis=0)).astype(image.dtype)
    else:
        value = np.full(channels, min(params["fill"], top), dtype=image.dtype)
    rng = np.random.Generator(np.random.PCG64(params["noise_seed"])) if mode == "random" else None
    colour = tuple(int(v) for v in value) + (0,) * (4 - channels)
    for x, y, w, h in params["boxes"]:
        if rng is not None:
            box = view[y : y + h, x : x + w, :channels]
            box[...] = rng.integers(0, top, size=box.shape, endpoint=True, dtype=image.dtype)
            continue
        # OpenCV fills a box several times faster than numpy broadcasting a
        # per-channel value; it writes alpha too, which is then put back.
        cv2.rectangle(out, (x, y), (x + w - 1, y + h - 1), colour, thickness=-1)
        if channels < view.shape[2]:
            view[y : y + h, x : x + w, channels:] = image[y : y + h, x : x + w, channels:]
    return out


def grid_dropout(image: np.ndarray, params: Params) -> np.ndarray:
    height, width = image.shape[:2]
    unit, hole = params["unit_px"], params["hole_px"]
    out = image.copy()
    view = out[..., None] if out.ndim == 2 else out
    fill = min(params["fill"], max_value(image))
    channels = colour_channels(image)
    # One slice assignment per hole: no full-size mask, no fancy indexing.
    for y in _starts(params["offset_y"], unit, hole, height):
        for x in _starts(params["offset_x"], unit, hole, width):
            view[max(0, y):max(0, y + hole), max(0, x):max(0, x + hole), :channels] = fill
    return out


def _starts(offset: int, unit: int, hole: int, size: int) -> range:
    """Hole starts along one axis: offset + k x unit, including a hole cut by the edge."""
    first = offset % unit - unit
    return range(first, size, unit)
