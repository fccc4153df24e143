"""Fused image steps (run/fusion.py): several warps as one, several point
operations as one lookup table.

A geometric transform declares (registry `warp=`) the settings under which
its pixels are a warp by its `geometry`'s matrix; consecutive ones whose
settings agree are composed into one matrix and sampled once, at the size
the last one makes. A product that is an axis-aligned integer map (crops,
flips, pads) is cut, flipped and bordered instead, with no interpolation.
Point operations declare their table (`lut=`); consecutive tables compose
exactly.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from augment_cli.modalities.image.limits import over_limit
from augment_cli.modalities.image.transforms.colour_ops import apply_table
from augment_cli.modalities.image.transforms.core_ops import BORDERS, by_planes, warp_affine
from augment_cli.modalities.image.transforms.geometry_ops import warp_perspective

Params = dict[str, Any]
Settings = dict[str, Any]
# What a fused warp uses for a setting no step of the run names (the
# defaults of the warps' own parameters).
DEFAULTS: Settings = {"interpolation": "linear", "border": "reflect", "fill": 0}
# Marks in a step's settings, never warp options:
# FRAMED: the step's border is what it adds (pad, a crop that pads), so it
# joins only a run that so far maps the source exactly onto the whole
# current image (a flip, or nothing): only then is its border the source's
# border, which the one warp draws with the same border and fill.
FRAMED = "framed"
# CLAMPS: the step resamples as cv2.resize does, repeating its input's edge
# pixels for samples beyond it: its run's border is replicate unless a step
# names another, and never constant (whose fill would darken the edges).
CLAMPS = "clamps"
# Matrix entries this close to an integer map are one (a resize and its inverse).
INTEGER_TOLERANCE = 1e-9


def exact_settings(params: Params, width: int, height: int) -> Settings:
    """Flips: an exact integer map, the same under any warp settings."""
    return {}


def warp_settings(params: Params, width: int, height: int) -> Settings:
    """rotate, affine, perspective: their own interpolation and border, and
    the fill of a constant border (any other border never reads it)."""
    return {"interpolation": params.get("interpolation", "linear"), **_border(params)}


def resized_crop_settings(params: Params, width: int, height: int) -> Settings:
    """random_resized_crop: its box is inside the image and never larger,
    so cv2.resize scales up bilinearly, which is a bilinear warp by its
    matrix (inside the box; at the box's edges the warp reads the real
    neighbours where resize repeats the edge)."""
    return {"interpolation": "linear"}


def crop_settings(params: Params, width: int, height: int) -> Settings | None:
    """random_crop, center_crop: a box inside the image is an integer shift,
    exact under any settings. A box the image is smaller than pads first:
    its border and fill, FRAMED; None where that padding is over the pixel
    limit (its own applier then refuses the file, as unfused)."""
    out_w, out_h = params["width"], params["height"]
    if out_w <= width and out_h <= height:
        return {}
    if over_limit(max(height, out_h), max(width, out_w)):
        return None
    return {**_border(params), FRAMED: True}


def pad_settings(params: Params, width: int, height: int) -> Settings | None:
    """pad: its border and fill, FRAMED; None over the pixel limit (its
    applier refuses the file)."""
    if over_limit(height + params["top"] + params["bottom"], width + params["left"] + params["right"]):
        return None
    return {**_border(params), FRAMED: True}


def resize_settings(params: Params, width: int, height: int) -> Settings | None:
    """resize: cv2.resize samples linear and cubic at x_src = (x + 0.5) *
    in / out - 0.5, repeating edge pixels, which is a warp by its matrix with
    a replicated border (OpenCV 5: within 1 level, uint8 and uint16). Its
    nearest rounds differently and warpAffine reads `area` as linear (no
    averaging when shrinking): those are not fusible."""
    if params["interpolation"] not in ("linear", "cubic"):
        return None
    return {"interpolation": params["interpolation"], CLAMPS: True}


def _border(params: Params) -> Settings:
    settings = {"border": params.get("border", "reflect")}
    if settings["border"] == "constant":
        settings["fill"] = params.get("fill", 0)
    return settings


def merged(first: Settings, second: Settings) -> Settings | None:
    """The settings of a run after another step joins it, None if they disagree."""
    if any(first[key] != value for key, value in second.items() if key in first):
        return None
    settings = {**first, **second}
    return None if settings.get(CLAMPS) and settings.get("border") == "constant" else settings


def frames(matrix: np.ndarray, source: tuple[int, int], size: tuple[int, int]) -> bool:
    """True when a pixel-centre matrix maps a `source`-sized image exactly
    onto the whole `size`-sized one: the identity or a mirror."""
    return source == size and _mirror(matrix, *size) is not None


def warp(image: np.ndarray, matrix: np.ndarray, settings: Settings,
         size: tuple[int, int] | None = None) -> np.ndarray:
    """`image` warped by a 3x3 pixel-centre matrix to `size` (w, h; default
    the image's): cut, flipped and bordered when the matrix is an integer
    map, else one warpAffine/warpPerspective."""
    height, width = image.shape[:2]
    size = size or (width, height)
    params = {**DEFAULTS, **({"border": "replicate"} if settings.get(CLAMPS) else {}), **settings}
    shift = integer_map(matrix)
    if shift is not None:
        return _moved(image, shift, size, params)
    if matrix[2, 0] == 0 and matrix[2, 1] == 0 and matrix[2, 2] == 1:
        return warp_affine(image, matrix[:2], params, size)
    return warp_perspective(image, matrix, params, size)


# (x scale, y scale) of a mirror -> cv2.flip's code
_FLIP_CODES = {(-1, 1): 1, (1, -1): 0, (-1, -1): -1}


def _mirror(matrix: np.ndarray, width: int, height: int) -> tuple[int, int] | None:
    """(x scale, y scale), each 1 or -1, when `matrix` maps the image exactly
    onto itself by mirroring (or is the identity); None otherwise."""
    shift = integer_map(matrix)
    if shift is None:
        return None
    sx, sy, tx, ty = shift
    if tx != (0 if sx == 1 else width - 1) or ty != (0 if sy == 1 else height - 1):
        return None
    return sx, sy


def integer_map(matrix: np.ndarray) -> tuple[int, int, int, int] | None:
    """(sx, sy, tx, ty) when output (x, y) shows source ((x - tx) * sx,
    (y - ty) * sy), sx and sy each 1 or -1, tx and ty integers; else None.
    (Plain floats: numpy on nine numbers costs more than the tests.)"""
    (a, b, c), (d, e, f), (g, h, i) = matrix.tolist()
    if max(abs(b), abs(d), abs(g), abs(h), abs(i - 1)) > INTEGER_TOLERANCE:
        return None
    entries = (a, e, c, f)
    rounded = [round(v) for v in entries]
    if max(abs(v - r) for v, r in zip(entries, rounded, strict=True)) > INTEGER_TOLERANCE:
        return None
    sx, sy, tx, ty = rounded
    return (sx, sy, tx, ty) if abs(sx) == 1 and abs(sy) == 1 else None


def _moved(image: np.ndarray, shift: tuple[int, int, int, int], size: tuple[int, int],
           params: Params) -> np.ndarray:
    """An integer map: the source window it shows (bordered where it leaves
    the source, per the run's border), flipped as it says. The same pixels
    as the slices, flips and copyMakeBorder of the steps one by one."""
    sx, sy, tx, ty = shift
    (out_w, out_h), (height, width) = size, image.shape[:2]
    x0, y0 = min(-sx * tx, sx * (out_w - 1 - tx)), min(-sy * ty, sy * (out_h - 1 - ty))
    left, top = max(0, -x0), max(0, -y0)
    right, bottom = max(0, x0 + out_w - width), max(0, y0 + out_h - height)
    bordered = bool(left or top or right or bottom)
    if bordered:
        fill, border = params["fill"], BORDERS[params["border"]]
        image = by_planes(image, lambda plane: cv2.copyMakeBorder(
            plane, top, bottom, left, right, border, value=(fill,) * 4))
    window = image[y0 + top : y0 + top + out_h, x0 + left : x0 + left + out_w]
    if (sx, sy) == (1, 1):
        # the whole source unmoved: a copy, as every applier returns a new image
        return window if bordered or window.shape[:2] != image.shape[:2] else window.copy()
    return by_planes(window, lambda plane: cv2.flip(plane, _FLIP_CODES[(sx, sy)]))


def composed_table(tables: list[np.ndarray]) -> np.ndarray:
    """One table doing what `tables` do one after another (exact)."""
    out = tables[0]
    for table in tables[1:]:
        out = table[out]
    return out


def look_up(image: np.ndarray, table: np.ndarray) -> np.ndarray:
    return apply_table(image, table)
