"""Occlusion maths: plain functions of (image, params) -> image.

Only colour channels are filled: an RGBA image keeps its alpha, so erased
parts of an opaque object stay part of the object.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from augment_cli.transforms.image_ops import max_value

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
    for x, y, w, h in params["boxes"]:
        box = view[y : y + h, x : x + w, :channels]
        if rng is not None:
            box[...] = rng.integers(0, top, size=box.shape, endpoint=True, dtype=image.dtype)
        else:
            box[...] = value
    return out


def grid_dropout(image: np.ndarray, params: Params) -> np.ndarray:
    height, width = image.shape[:2]
    unit, hole = params["unit_px"], params["hole_px"]
    rows = (np.arange(height) - params["offset_y"]) % unit < hole
    cols = (np.arange(width) - params["offset_x"]) % unit < hole
    out = image.copy()
    view = out[..., None] if out.ndim == 2 else out
    fill = min(params["fill"], max_value(image))
    channels = colour_channels(image)
    # Fill row bands restricted to hole columns: no full-size boolean mask.
    band = view[rows]
    band[:, cols, :channels] = fill
    view[rows] = band
    return out
