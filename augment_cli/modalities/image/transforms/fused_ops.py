"""Fused image steps (run/fusion.py): several warps as one, several point
operations as one lookup table.

A geometric transform declares (registry `warp=`) the settings under which
its pixels are a warp by its `geometry`'s matrix; consecutive ones whose
settings agree are composed into one matrix and sampled once. Point
operations declare their table (`lut=`); consecutive tables compose exactly.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from augment_cli.modalities.image.transforms.colour_ops import apply_table
from augment_cli.modalities.image.transforms.core_ops import warp_affine
from augment_cli.modalities.image.transforms.geometry_ops import warp_perspective

Params = dict[str, Any]
Settings = dict[str, Any]
# What a fused warp uses for a setting no step of the run names (the
# defaults of the warps' own parameters).
DEFAULTS: Settings = {"interpolation": "linear", "border": "reflect", "fill": 0}


def exact_settings(params: Params) -> Settings:
    """Flips: an exact integer map, the same under any warp settings."""
    return {}


def warp_settings(params: Params) -> Settings:
    """rotate, affine, perspective: their own interpolation and border, and
    the fill of a constant border (any other border never reads it)."""
    settings = {"interpolation": params.get("interpolation", "linear"),
                "border": params.get("border", "reflect")}
    if settings["border"] == "constant":
        settings["fill"] = params.get("fill", 0)
    return settings


def resized_crop_settings(params: Params) -> Settings:
    """random_resized_crop: its box is inside the image and never larger,
    so cv2.resize scales up bilinearly, which is a bilinear warp by its
    matrix (inside the box; at the box's edges the warp reads the real
    neighbours where resize repeats the edge)."""
    return {"interpolation": "linear"}


def merged(first: Settings, second: Settings) -> Settings | None:
    """The settings of a run after another step joins it, None if they disagree."""
    if any(first[key] != value for key, value in second.items() if key in first):
        return None
    return {**first, **second}


def warp(image: np.ndarray, matrix: np.ndarray, settings: Settings) -> np.ndarray:
    """`image` warped by a 3x3 pixel-centre matrix, same size: a plain flip
    (or copy) when the matrix is one, else one warpAffine/warpPerspective."""
    height, width = image.shape[:2]
    mirror = _mirror(matrix, width, height)
    if mirror is not None:
        return image.copy() if mirror == (1, 1) else cv2.flip(image, _FLIP_CODES[mirror])
    params = {**DEFAULTS, **settings}
    if matrix[2, 0] == 0 and matrix[2, 1] == 0 and matrix[2, 2] == 1:
        return warp_affine(image, matrix[:2], params)
    return warp_perspective(image, matrix, params)


# (x scale, y scale) of a mirror -> cv2.flip's code
_FLIP_CODES = {(-1, 1): 1, (1, -1): 0, (-1, -1): -1}


def _mirror(matrix: np.ndarray, width: int, height: int) -> tuple[int, int] | None:
    """(x scale, y scale), each 1 or -1, when `matrix` maps the image exactly
    onto itself by mirroring (or is the identity); None otherwise."""
    sx, sy = matrix[0, 0], matrix[1, 1]
    if matrix[0, 1] != 0 or matrix[1, 0] != 0 or list(matrix[2]) != [0, 0, 1] or abs(sx) != 1 or abs(sy) != 1:
        return None
    if matrix[0, 2] != (0 if sx == 1 else width - 1) or matrix[1, 2] != (0 if sy == 1 else height - 1):
        return None
    return int(sx), int(sy)


def composed_table(tables: list[np.ndarray]) -> np.ndarray:
    """One table doing what `tables` do one after another (exact)."""
    out = tables[0]
    for table in tables[1:]:
        out = table[out]
    return out


def look_up(image: np.ndarray, table: np.ndarray) -> np.ndarray:
    return apply_table(image, table)
