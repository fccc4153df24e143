"""Behaviour of the colour transforms (backbone ones included)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from catalogue_helpers import apply, kinds, run, smooth_rgb

RGB = smooth_rgb()
KINDS = kinds()
LOW_CONTRAST = (np.linspace(100, 140, 64 * 48).reshape(48, 64) + 0.5).astype(np.uint8)


def levels(image: np.ndarray) -> int:
    return max(len(np.unique(image[..., c])) for c in range(image.shape[2]))


def test_brightness_contrast_formula():
    out = run("brightness_contrast", RGB, {"brightness": 0.1, "contrast": 0.0})
    np.testing.assert_array_equal(out, np.clip(np.rint(RGB + 25.5), 0, 255))  # 0.1 x 255
    doubled = run("brightness_contrast", KINDS["l16"], {"brightness": 0.0, "contrast": 1.0})
    np.testing.assert_array_equal(doubled, np.clip(KINDS["l16"].astype(int) * 2, 0, 65535))


def test_grayscale_writes_luma_to_every_channel_and_keeps_alpha():
    out = run("grayscale", KINDS["rgba8"], {})
    luma = cv2.cvtColor(KINDS["rgb8"], cv2.COLOR_RGB2GRAY)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], luma)
    np.testing.assert_array_equal(out[..., 3], KINDS["rgba8"][..., 3])


def test_hue_saturation_value_on_known_colours():
    zero = {"hue_shift_deg": 0.0, "saturation": 0.0, "value": 0.0}
    np.testing.assert_array_equal(run("hue_saturation_value", RGB, zero), RGB)
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 0] = 255
    cyan = run("hue_saturation_value", red, {**zero, "hue_shift_deg": 180.0})
    assert (cyan[..., 0] == 0).all() and (cyan[..., 1] == 255).all() and (cyan[..., 2] == 255).all()
    grey = run("hue_saturation_value", RGB, {**zero, "saturation": -1.0})
    assert np.abs(grey.astype(int) - grey[..., :1]).max() <= 1
    wide = run("hue_saturation_value", KINDS["rgb16"], {**zero, "hue_shift_deg": 120.0})
    np.testing.assert_allclose(wide[..., 1], KINDS["rgb16"][..., 0], atol=2)  # R -> G at 16 bits


def test_color_jitter_saturation_brightness_and_order():
    zero = {"brightness": 0.0, "contrast": 0.0, "saturation": 0.0, "hue": 0.0,
            "order": ["hue", "saturation", "contrast", "brightness"]}
    np.testing.assert_array_equal(run("color_jitter", RGB, zero), RGB)
    grey = run("color_jitter", RGB, {**zero, "saturation": -1.0})
    assert np.abs(grey.astype(int) - grey[..., :1]).max() <= 1
    bright = run("color_jitter", RGB, {**zero, "brightness": 0.5})
    np.testing.assert_array_equal(bright, np.clip(np.rint(RGB * 1.5), 0, 255))
    flat = run("color_jitter", RGB, {**zero, "contrast": -1.0})
    assert np.ptp(flat) <= 1  # no contrast left: everything is the mean grey
    _, params = apply("color_jitter", RGB, 4)
    assert sorted(params["order"]) == ["brightness", "contrast", "hue", "saturation"]


def test_gamma_curve():
    out = run("gamma", RGB, {"gamma": 2.0})
    np.testing.assert_array_equal(out, np.rint((RGB / 255.0) ** 2 * 255).astype(np.uint8))
    np.testing.assert_array_equal(run("gamma", KINDS["l16"], {"gamma": 1.0}), KINDS["l16"])


def test_clahe_raises_local_contrast_at_8_and_16_bits():
    out = run("clahe", LOW_CONTRAST, {"clip_limit": 4.0, "tiles": 4})
    assert out.std() > LOW_CONTRAST.std() * 1.5
    wide = LOW_CONTRAST.astype(np.uint16) * 257
    out16 = run("clahe", wide, {"clip_limit": 4.0, "tiles": 4})
    assert out16.dtype == np.uint16 and out16.std() > wide.std() * 1.2


def test_equalize_flattens_histogram():
    out = run("equalize", LOW_CONTRAST, {})
    def spread(image, top):
        counts = np.bincount(image.ravel().astype(np.int64) * 16 // (top + 1), minlength=16)
        return counts.std()
    assert spread(out, 255) < spread(LOW_CONTRAST, 255) / 2
    wide = run("equalize", LOW_CONTRAST.astype(np.uint16) * 257, {})
    assert spread(wide, 65535) < spread(LOW_CONTRAST, 255) / 2 and wide.max() == 65535


def test_auto_contrast_stretches_to_full_range():
    out = run("auto_contrast", LOW_CONTRAST, {"cutoff": 0.0})
    assert out.min() == 0 and out.max() == 255
    np.testing.assert_array_equal(np.argsort(out.ravel(), kind="stable"),
                                  np.argsort(LOW_CONTRAST.ravel(), kind="stable"))
    clipped = run("auto_contrast", LOW_CONTRAST, {"cutoff": 10.0})
    assert (clipped == 0).mean() >= 0.09 and (clipped == 255).mean() >= 0.09


def test_posterize_bits_1_leaves_two_levels():
    out = run("posterize", RGB, {"bits": 1})
    assert set(np.unique(out)) <= {0, 128} and levels(out) == 2
    wide = run("posterize", KINDS["rgb16"], {"bits": 1})
    assert set(np.unique(wide)) == {0, 32768}
    np.testing.assert_array_equal(run("posterize", RGB, {"bits": 8}), RGB)


def test_solarize_inverts_above_threshold():
    out = run("solarize", RGB, {"threshold": 0.5})
    expected = np.where(RGB >= 127.5, 255 - RGB, RGB)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(run("solarize", RGB, {"threshold": 0.0}), 255 - RGB)


def test_invert_twice_is_identity_and_keeps_alpha():
    for image in KINDS.values():
        once = run("invert", image, {})
        np.testing.assert_array_equal(run("invert", once, {}), image)
    rgba = run("invert", KINDS["rgba16"], {})
    np.testing.assert_array_equal(rgba[..., :3], 65535 - KINDS["rgba16"][..., :3])
    np.testing.assert_array_equal(rgba[..., 3], KINDS["rgba16"][..., 3])


def test_channel_shuffle_applies_reported_order():
    for kind in ("rgb8", "rgba8", "rgb16", "rgba16"):
        image = KINDS[kind]
        alpha = [3] if image.shape[2] == 4 else []
        for seed in range(6):
            out, params = apply("channel_shuffle", image, seed)
            assert sorted(params["order"]) == [0, 1, 2]
            assert out.dtype == image.dtype
            np.testing.assert_array_equal(out, image[..., params["order"] + alpha])


def test_channel_shuffle_moves_extreme_levels_exactly():
    for top, dtype in ((255, np.uint8), (65535, np.uint16)):
        pixel = np.array([[[0, top, top - 1], [1, top // 2, top // 2 + 1]]], dtype)
        for seed in range(6):
            out, params = apply("channel_shuffle", pixel, seed)
            np.testing.assert_array_equal(out, pixel[..., params["order"]])


def test_sepia_matrix_and_strength_zero():
    pixel = np.array([[[100, 150, 200]]], np.uint8)
    out = run("sepia", pixel, {"strength": 1.0})
    expected = np.clip(np.rint(np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168],
                                         [0.272, 0.534, 0.131]]) @ [100, 150, 200]), 0, 255)
    np.testing.assert_array_equal(out[0, 0], expected)
    np.testing.assert_array_equal(run("sepia", RGB, {"strength": 0.0}), RGB)
    tinted = run("sepia", RGB, {"strength": 1.0}).astype(int)
    assert (tinted[..., 0] >= tinted[..., 1]).all() and (tinted[..., 1] >= tinted[..., 2]).all()


def test_to_gray_methods():
    colour = RGB.astype(float)
    expected = {"average": colour.mean(axis=2), "max": colour.max(axis=2),
                "lightness": (colour.max(axis=2) + colour.min(axis=2)) / 2,
                "weighted": cv2.cvtColor(RGB, cv2.COLOR_RGB2GRAY)}
    for method, grey in expected.items():
        out = run("to_gray", RGB, {"method": method})
        assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()
        assert np.abs(out[..., 0] - grey).max() <= 1, method


def test_lut8_equals_opencv_lut_on_any_layout():
    from augment_cli.modalities.image.transforms.core_ops import lut8
    table = np.random.default_rng(1).integers(0, 256, 256).astype(np.uint8)
    for image in (RGB, KINDS["l8"], KINDS["rgba8"][:, 3:40]):
        np.testing.assert_array_equal(lut8(image, table), cv2.LUT(np.ascontiguousarray(image), table))


# The transforms these tests pin down (tests/test_registry.py fails while a
# registered transform is named in no module's BEHAVIOUR).
BEHAVIOUR = {
    "image/auto_contrast": test_auto_contrast_stretches_to_full_range,
    "image/brightness_contrast": test_brightness_contrast_formula,
    "image/channel_shuffle": test_channel_shuffle_applies_reported_order,
    "image/clahe": test_clahe_raises_local_contrast_at_8_and_16_bits,
    "image/color_jitter": test_color_jitter_saturation_brightness_and_order,
    "image/equalize": test_equalize_flattens_histogram,
    "image/gamma": test_gamma_curve,
    "image/grayscale": test_grayscale_writes_luma_to_every_channel_and_keeps_alpha,
    "image/hue_saturation_value": test_hue_saturation_value_on_known_colours,
    "image/invert": test_invert_twice_is_identity_and_keeps_alpha,
    "image/posterize": test_posterize_bits_1_leaves_two_levels,
    "image/sepia": test_sepia_matrix_and_strength_zero,
    "image/solarize": test_solarize_inverts_above_threshold,
    "image/to_gray": test_to_gray_methods,
}


@pytest.mark.parametrize(("hue_deg", "saturation"), [(10.0, 0.0), (0.0, 0.3), (-25.0, -0.4), (7.5, 0.1)])
def test_hue_saturation_changes_only_its_planes_as_split_and_merge_would(hue_deg, saturation):
    # The fast path rewrites the H and S planes in place: exactly the table
    # lookups on split planes, merged back.
    from augment_cli.modalities.image.transforms.colour_ops import hue_saturation
    from augment_cli.modalities.image.transforms.core_ops import lut8

    hsv = cv2.cvtColor(RGB, cv2.COLOR_RGB2HSV)
    levels = np.arange(256)
    h, s, v = cv2.split(hsv)
    h = lut8(h, np.mod(np.rint(levels + hue_deg / 2), 180).astype(np.uint8))
    s = lut8(s, np.clip(np.rint(levels * (1 + saturation)), 0, 255).astype(np.uint8))
    expected = cv2.cvtColor(cv2.merge((h, s, v)), cv2.COLOR_HSV2RGB)
    np.testing.assert_array_equal(hue_saturation(RGB, hue_deg, saturation), expected)
