"""Geometry maths: plain functions of (image, params) -> image, OpenCV warps.

Warps keep size, dtype and channels; crop, pad and resize change only the
size. 2-channel (LA) images go through OpenCV channel by channel, since its
warps and remaps take 1, 3 or 4 channels.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from augment_cli.errors import SampleError
from augment_cli.modalities.image.limits import check_output, over_limit
from augment_cli.modalities.image.transforms.core_ops import (
    BORDERS,
    INTERPOLATIONS,
    by_planes,
    two_pixels_thick,
    warp,
    warp_affine,
)
from augment_cli.modalities.image.transforms.matrices import affine_matrix, perspective_matrix

Params = dict[str, Any]


def affine(image: np.ndarray, params: Params) -> np.ndarray:
    height, width = image.shape[:2]
    return warp_affine(image, affine_matrix(width, height, params)[:2], params)


def perspective(image: np.ndarray, params: Params) -> np.ndarray:
    """Map the four corners to their sampled places (corners_px: 4 x [dx, dy])."""
    height, width = image.shape[:2]
    return warp_perspective(image, perspective_matrix(width, height, params), params)


def warp_perspective(image: np.ndarray, matrix: np.ndarray, params: Params,
                     size: tuple[int, int] | None = None) -> np.ndarray:
    """warpPerspective by a 3x3 pixel-centre matrix with the shared
    interpolation/border/fill options, to `size` (w, h; default the input's)."""
    return warp(image, matrix, params, size)


def elastic(image: np.ndarray, params: Params) -> np.ndarray:
    """Displace pixels by a seeded random field smoothed with a Gaussian of sigma."""
    height, width = image.shape[:2]
    map_x, map_y = elastic_maps(width, height, params)
    fill, border = params["fill"], BORDERS[params["border"]]
    return by_planes(image, lambda plane: cv2.remap(
        two_pixels_thick(plane, border), map_x, map_y, INTERPOLATIONS[params["interpolation"]],
        borderMode=border, borderValue=(fill,) * 4))


def elastic_maps(width: int, height: int, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """cv2.remap's (map_x, map_y): where each output pixel centre samples the source."""
    dx, dy = displacement_field(height, width, params["alpha"], params["sigma"], params["field_seed"])
    grid_x, grid_y = np.meshgrid(np.arange(width, dtype=np.float32),
                                 np.arange(height, dtype=np.float32))
    return grid_x + dx, grid_y + dy


def displacement_field(height: int, width: int, alpha: float, sigma: float,
                       seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Smooth random (dx, dy), each of peak magnitude about alpha pixels.

    The field is smooth at the scale of sigma, so it is drawn and blurred on a
    grid `factor` times coarser and resized up: the same kind of field at a
    fraction of the cost of blurring full-size noise with a wide kernel.
    """
    rng = np.random.Generator(np.random.PCG64(seed))
    factor = max(1, int(sigma // 4))
    small = (max(2, -(-height // factor)), max(2, -(-width // factor)))
    fields = []
    for _ in range(2):
        raw = rng.uniform(-1.0, 1.0, size=small).astype(np.float32)
        noise = cv2.GaussianBlur(raw, (0, 0), sigma / factor, borderType=cv2.BORDER_REFLECT_101)
        peak = float(np.abs(noise).max()) or 1.0
        field = cv2.resize(noise * (alpha / peak), (width, height), interpolation=cv2.INTER_LINEAR)
        fields.append(field)
    return fields[0], fields[1]


def crop(image: np.ndarray, params: Params) -> np.ndarray:
    """Box (x, y, width, height); an image smaller than the box is padded first."""
    height, width = image.shape[:2]
    out_h, out_w = params["height"], params["width"]
    grow_y, grow_x = max(0, out_h - height), max(0, out_w - width)
    if grow_y or grow_x:
        # The padded image is max(h, out_h) x max(w, out_w): a long thin source
        # and a box across it could reach gigabytes before the cut.
        problem = over_limit(height + grow_y, width + grow_x)
        if problem:
            raise SampleError(f"a {out_w}x{out_h} crop of this {width}x{height} image pads it first: "
                              f"{problem}")
        image = pad(image, {"top": grow_y // 2, "bottom": grow_y - grow_y // 2,
                            "left": grow_x // 2, "right": grow_x - grow_x // 2,
                            "border": params["border"], "fill": params["fill"]})
    x, y = params["x"], params["y"]
    # A view, not a copy: no applier writes into its input (the registry
    # tests check that), and the encoder copies when it needs contiguity.
    return image[y : y + out_h, x : x + out_w]


def pad(image: np.ndarray, params: Params) -> np.ndarray:
    height, width = image.shape[:2]
    check_output(height + params["top"] + params["bottom"], width + params["left"] + params["right"], "pad")
    fill = params["fill"]
    border = BORDERS[params["border"]]
    return by_planes(image, lambda plane: cv2.copyMakeBorder(
        plane, params["top"], params["bottom"], params["left"], params["right"],
        border, value=(fill,) * 4))


def resize(image: np.ndarray, params: Params) -> np.ndarray:
    return by_planes(image, lambda plane: cv2.resize(
        plane, (params["width"], params["height"]),
        interpolation=INTERPOLATIONS[params["interpolation"]]))
