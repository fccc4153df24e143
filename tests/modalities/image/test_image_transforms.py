"""The backbone image transforms: each test fails if the transform does the wrong thing."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from augment_cli import registry
from augment_cli.modalities.image.transforms import core_ops as ops
from augment_cli.modalities.image.transforms.core import meta
from conftest import textured

RGB = textured(60, 80, 3)
RGBA = textured(60, 80, 4)
GRAY = textured(60, 80, 1)
DEEP = (textured(60, 80, 1).astype(np.uint16) * 257)


def sample(name: str, image: np.ndarray, seed: int = 0, **values):
    """Draw one transform's parameters as the pipeline would."""
    spec = registry.get("image", name)
    full = {p.name: values.get(p.name, p.default) for p in spec.params}
    rng = np.random.default_rng(seed)
    return spec.sampler(rng, registry.draw(rng, spec, full), meta(image))


@pytest.mark.parametrize("image", [RGB, RGBA, GRAY, DEEP], ids=["rgb", "rgba", "gray", "uint16"])
def test_flips_equal_numpy_flips(image):
    assert np.array_equal(ops.hflip(image, {}), np.fliplr(image))
    assert np.array_equal(ops.vflip(image, {}), np.flipud(image))


def test_rotate_zero_is_identity_and_180_is_double_flip():
    assert np.array_equal(ops.rotate(RGB, {"angle_deg": 0.0}), RGB)
    turned = ops.rotate(RGB, {"angle_deg": 180.0})
    assert np.abs(turned.astype(int) - np.flipud(np.fliplr(RGB))).max() <= 1


def test_rotate_90_on_square_matches_rot90_counter_clockwise():
    square = textured(50, 50, 3)
    assert np.abs(ops.rotate(square, {"angle_deg": 90.0}).astype(int) - np.rot90(square)).max() <= 1


def test_rotate_border_modes_fill_corners():
    constant = ops.rotate(RGB, {"angle_deg": 30.0, "border": "constant", "fill": 7})
    assert tuple(constant[0, 0]) == (7, 7, 7)
    reflected = ops.rotate(RGB, {"angle_deg": 30.0, "border": "reflect"})
    assert tuple(reflected[0, 0]) != (0, 0, 0)
    assert constant.shape == RGB.shape and constant.dtype == RGB.dtype


def test_random_resized_crop_box_respects_scale_and_ratio():
    for seed in range(30):
        box = sample("random_resized_crop", RGB, seed, scale=(0.3, 0.6), ratio=(0.5, 2.0))
        area = box["w"] * box["h"] / (80 * 60)
        assert 0.27 <= area <= 0.63
        assert 0.45 <= box["w"] / box["h"] <= 2.2
        assert 0 <= box["x"] <= 80 - box["w"] and 0 <= box["y"] <= 60 - box["h"]


def test_random_resized_crop_applies_that_box_at_source_size():
    box = {"x": 10, "y": 5, "w": 40, "h": 30}
    out = ops.random_resized_crop(RGB, box)
    expected = cv2.resize(RGB[5:35, 10:50], (80, 60), interpolation=cv2.INTER_LINEAR)
    assert out.shape == RGB.shape and np.array_equal(out, expected)


def test_random_resized_crop_impossible_ratio_falls_back_to_central_box():
    box = sample("random_resized_crop", RGB, scale=(1.0, 1.0), ratio=(4.0, 5.0))
    assert box == {"x": 0, "y": 20, "w": 80, "h": 20}


def test_brightness_contrast_formula_clips_and_keeps_alpha():
    out = ops.brightness_contrast(RGBA, {"brightness": 0.1, "contrast": 0.5})
    expected = np.clip(np.rint(RGBA[..., :3] * 1.5 + 25.5), 0, 255)
    assert np.abs(out[..., :3].astype(int) - expected).max() <= 1
    assert np.array_equal(out[..., 3], RGBA[..., 3])
    deep = ops.brightness_contrast(DEEP, {"brightness": 0.0, "contrast": 0.5})
    assert deep.dtype == np.uint16 and deep.max() == 65535
    assert np.array_equal(ops.brightness_contrast(GRAY, {"brightness": 0.0, "contrast": 0.0}), GRAY)


def test_grayscale_sets_equal_channels_with_luma_and_keeps_mode():
    out = ops.grayscale(RGBA, {})
    assert out.shape == RGBA.shape
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])
    luma = 0.299 * RGBA[..., 0] + 0.587 * RGBA[..., 1] + 0.114 * RGBA[..., 2]
    assert np.abs(out[..., 0] - luma).max() <= 1
    assert np.array_equal(out[..., 3], RGBA[..., 3])
    assert np.array_equal(ops.grayscale(GRAY, {}), GRAY)


def test_gaussian_blur_smooths_and_sigma_zero_is_identity():
    noisy = np.random.default_rng(1).integers(0, 256, (60, 80, 3)).astype(np.uint8)
    blurred = ops.gaussian_blur(noisy, {"sigma": 1.5})
    assert blurred.std() < noisy.std() * 0.5
    assert abs(blurred.mean() - noisy.mean()) < 2
    assert np.array_equal(ops.gaussian_blur(noisy, {"sigma": 0.0}), noisy)


# The transforms these tests pin down (tests/test_registry.py fails while a
# registered transform is named in no module's BEHAVIOUR).
BEHAVIOUR = {
    "image/brightness_contrast": test_brightness_contrast_formula_clips_and_keeps_alpha,
    "image/gaussian_blur": test_gaussian_blur_smooths_and_sigma_zero_is_identity,
    "image/grayscale": test_grayscale_sets_equal_channels_with_luma_and_keeps_mode,
    "image/hflip": test_flips_equal_numpy_flips,
    "image/random_resized_crop": (test_random_resized_crop_box_respects_scale_and_ratio,
                                  test_random_resized_crop_applies_that_box_at_source_size,
                                  test_random_resized_crop_impossible_ratio_falls_back_to_central_box),
    "image/rotate": (test_rotate_zero_is_identity_and_180_is_double_flip,
                     test_rotate_90_on_square_matches_rot90_counter_clockwise,
                     test_rotate_border_modes_fill_corners),
    "image/vflip": test_flips_equal_numpy_flips,
}
