"""The 3x3 matrices the warping appliers use, one function per transform.

Appliers (rotate, affine, perspective) build their matrix here and the
annotation geometry (`point_maps.py`) builds the same one from the same
params, so pixels and annotations cannot drift apart. Matrices map source to
output in OpenCV's pixel-centre coordinates (pixel (i, j) is the point
(i, j)), the ones cv2.warpAffine / warpPerspective take.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

Params = dict[str, Any]
_BOTTOM_ROW = np.array([[0.0, 0.0, 1.0]])


def homogeneous(affine: np.ndarray) -> np.ndarray:
    """A 2x3 affine matrix as 3x3 (its first two rows are the same floats)."""
    return np.vstack([affine, _BOTTOM_ROW])


def rotate_matrix(width: int, height: int, params: Params) -> np.ndarray:
    # Pixel centres run 0..w-1, so the true centre is (w-1)/2: this makes 0°
    # an exact identity and 180° an exact double flip.
    centre = ((width - 1) / 2, (height - 1) / 2)
    return homogeneous(cv2.getRotationMatrix2D(centre, params["angle_deg"], 1.0))


def affine_matrix(width: int, height: int, params: Params) -> np.ndarray:
    """About the centre, shear then rotate and scale, then shift."""
    cx, cy = (width - 1) / 2, (height - 1) / 2
    angle = math.radians(params["rotate_deg"])
    shear_x = math.tan(math.radians(params["shear_x_deg"]))
    shear_y = math.tan(math.radians(params["shear_y_deg"]))
    scale = params["scale"]
    # Image y points down, so a counter-clockwise turn on screen is -angle.
    rotation = np.array([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])
    shear = np.array([[1.0, shear_x], [shear_y, 1.0]])
    linear = scale * rotation @ shear
    centre = np.array([cx, cy])
    shift = np.array([params["translate_x"] * width, params["translate_y"] * height])
    offset = centre + shift - linear @ centre
    return homogeneous(np.hstack([linear, offset[:, None]]))


def perspective_matrix(width: int, height: int, params: Params) -> np.ndarray:
    """The four corners to their sampled places (corners_px: 4 x [dx, dy])."""
    source = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    target = source + np.array(params["corners_px"], dtype=np.float32)
    return cv2.getPerspectiveTransform(source, target)
