"""Warps on images with a 1-pixel side: they finish, and mean what they mean
on larger images (see core_ops.two_pixels_thick)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from augment_cli.modalities.image.transforms import core_ops, geometry_ops

MATRIX = np.array([[1.1, 0.2, 0.3], [-0.1, 0.9, 0.2]])


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (1, 9, 3), (9, 1, 4)])
def test_a_doubled_side_changes_nothing_where_opencv_returned(shape):
    """Linear sampling never hung: there the guard must give OpenCV's own pixels."""
    image = (np.arange(int(np.prod(shape))) * 29 % 256).astype(np.uint8).reshape(shape)
    height, width = shape[:2]
    thick = core_ops.two_pixels_thick(image, cv2.BORDER_REFLECT_101)
    assert thick.shape[:2] == (max(2, height), max(2, width))
    direct = cv2.warpAffine(image, MATRIX, (width, height), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_REFLECT_101)
    guarded = cv2.warpAffine(thick, MATRIX, (width, height), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REFLECT_101)
    np.testing.assert_array_equal(guarded, direct)


def test_affine_cubic_on_one_pixel_is_that_pixel():
    """A reflected 1x1 image is one colour everywhere: so is any warp of it."""
    image = np.full((1, 1, 3), (10, 200, 77), np.uint8)
    params = {"scale": 1.3, "translate_x": 0.2, "translate_y": -0.1, "rotate_deg": 20.0,
              "shear_x_deg": 5.0, "shear_y_deg": 0.0, "interpolation": "cubic",
              "border": "reflect", "fill": 0}
    np.testing.assert_array_equal(geometry_ops.affine(image, params), image)


def test_other_borders_and_larger_images_are_left_alone():
    image = np.zeros((1, 5), np.uint8)
    assert core_ops.two_pixels_thick(image, cv2.BORDER_CONSTANT) is image
    wide = np.zeros((2, 5), np.uint8)
    assert core_ops.two_pixels_thick(wide, cv2.BORDER_REFLECT_101) is wide
