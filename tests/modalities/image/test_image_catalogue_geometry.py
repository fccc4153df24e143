"""Behaviour of the geometric transforms (backbone ones included)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from augment_cli.modalities.image.transforms.geometry_ops import displacement_field
from catalogue_helpers import apply, kinds, run, smooth_rgb

RGB = smooth_rgb()
SQUARE = smooth_rgb(41, 41, seed=2)
ZERO_AFFINE = {"scale": 1.0, "translate_x": 0.0, "translate_y": 0.0, "rotate_deg": 0.0,
               "shear_x_deg": 0.0, "shear_y_deg": 0.0, "interpolation": "linear",
               "border": "constant", "fill": 0}


def test_hflip_equals_numpy_fliplr():
    for image in kinds().values():
        np.testing.assert_array_equal(run("hflip", image, {}), np.fliplr(image))


def test_vflip_equals_numpy_flipud():
    for image in kinds().values():
        np.testing.assert_array_equal(run("vflip", image, {}), np.flipud(image))


def test_rotate_90_is_numpy_rot90_and_0_is_identity():
    rotated = run("rotate", SQUARE, {"angle_deg": 90.0, "border": "reflect", "fill": 0})
    np.testing.assert_array_equal(rotated, np.rot90(SQUARE))  # counter-clockwise
    same = run("rotate", RGB, {"angle_deg": 0.0, "border": "reflect", "fill": 0})
    np.testing.assert_array_equal(same, RGB)


def test_random_resized_crop_box_inside_and_scaled_back():
    for seed in range(10):
        out, params = apply("random_resized_crop", RGB, seed, scale=[0.2, 0.5])
        assert out.shape == RGB.shape
        x, y, w, h = params["x"], params["y"], params["w"], params["h"]
        assert x >= 0 and x + w <= 64 and y >= 0 and y + h <= 48
        assert 0.15 <= w * h / (64 * 48) <= 0.55
        expected = cv2.resize(RGB[y:y + h, x:x + w], (64, 48), interpolation=cv2.INTER_LINEAR)
        np.testing.assert_array_equal(out, expected)


def test_affine_zero_params_is_identity():
    for image in kinds().values():
        np.testing.assert_array_equal(run("affine", image, ZERO_AFFINE), image)


def test_affine_translate_shifts_by_fraction_of_size():
    out = run("affine", RGB, {**ZERO_AFFINE, "translate_x": 0.25, "translate_y": -0.125, "fill": 7})
    np.testing.assert_array_equal(out[:-6, 16:], RGB[6:, :-16])  # 0.25 x 64 right, 6 px up
    assert (out[:, :16] == 7).all() and (out[-6:] == 7).all()


def test_affine_rotation_matches_rotate_and_shear_moves_point():
    params = {**ZERO_AFFINE, "rotate_deg": 90.0}
    np.testing.assert_array_equal(run("affine", SQUARE, params), np.rot90(SQUARE))
    dot = np.zeros((41, 41), np.uint8)
    dot[30, 20] = 255  # 10 rows below the centre (20, 20)
    sheared = run("affine", dot, {**ZERO_AFFINE, "shear_x_deg": 45.0})
    assert np.unravel_index(np.argmax(sheared), sheared.shape) == (30, 30)
    zoomed = run("affine", dot, {**ZERO_AFFINE, "scale": 2.0, "interpolation": "nearest"})
    assert zoomed[40, 20] == 255


def test_perspective_pure_shift_and_sampled_corners_in_range():
    params = {"corners_px": [[5, 3]] * 4, "interpolation": "linear", "border": "constant", "fill": 0}
    out = run("perspective", RGB, params)
    np.testing.assert_array_equal(out[3:, 5:], RGB[:-3, :-5])
    assert (out[:3] == 0).all()
    for seed in range(5):
        _, drawn = apply("perspective", RGB, seed, distortion=[0.05, 0.1])
        moves = np.abs(np.array(drawn["corners_px"], float)) / [64, 48]
        assert ((moves >= 0.05 - 1e-6) & (moves <= 0.1 + 1e-6)).all()


def test_elastic_field_strength_and_zero_alpha_identity():
    dx, dy = displacement_field(100, 120, alpha=10.0, sigma=8.0, seed=4)
    assert dx.shape == (100, 120) and 5.0 < np.abs(dx).max() <= 10.0 + 1e-4
    assert np.abs(np.diff(dx, axis=1)).max() < 2.0  # smooth: neighbours move together
    params = {"alpha": 0.0, "sigma": 8.0, "field_seed": 1, "interpolation": "linear",
              "border": "reflect", "fill": 0}
    np.testing.assert_array_equal(run("elastic", RGB, params), RGB)
    a = run("elastic", RGB, {**params, "alpha": 20.0})
    b = run("elastic", RGB, {**params, "alpha": 20.0, "field_seed": 2})
    assert not np.array_equal(a, RGB) and not np.array_equal(a, b)


def test_random_crop_is_the_reported_box_and_pads_when_small():
    places = set()
    for seed in range(12):
        out, params = apply("random_crop", RGB, seed, height=20, width=30)
        x, y = params["x"], params["y"]
        np.testing.assert_array_equal(out, RGB[y:y + 20, x:x + 30])
        places.add((x, y))
    assert len(places) > 5
    big, _ = apply("random_crop", RGB, 0, height=50, width=64, border="constant", fill=9)
    assert big.shape == (50, 64, 3) and (big[0] == 9).all() and (big[-1] == 9).all()


def test_center_crop_is_centred():
    out, _ = apply("center_crop", RGB, 0, height=20, width=30)
    np.testing.assert_array_equal(out, RGB[14:34, 17:47])


@pytest.mark.parametrize("border,mode", [("reflect", "reflect"), ("replicate", "edge")])
def test_pad_matches_numpy(border, mode):
    out, _ = apply("pad", RGB, 0, top=3, bottom=0, left=2, right=70, border=border)
    np.testing.assert_array_equal(out, np.pad(RGB, ((3, 0), (2, 70), (0, 0)), mode=mode))


def test_pad_constant_fills_with_value():
    out, _ = apply("pad", kinds()["l16"], 0, top=2, right=1, border="constant", fill=60000)
    assert out.shape == (50, 65) and (out[:2] == 60000).all() and (out[:, -1] == 60000).all()


def test_resize_shape_identity_and_area_mean():
    out, _ = apply("resize", RGB, 0, height=10, width=7)
    assert out.shape == (10, 7, 3)
    same, _ = apply("resize", RGB, 0, height=48, width=64)
    np.testing.assert_array_equal(same, RGB)
    blocks = np.kron(np.arange(16, dtype=np.uint8).reshape(4, 4) * 10, np.ones((2, 2), np.uint8))
    half, _ = apply("resize", blocks, 0, height=4, width=4, interpolation="area")
    np.testing.assert_array_equal(half, np.arange(16, dtype=np.uint8).reshape(4, 4) * 10)


@pytest.mark.parametrize(("step", "key"), [
    ('transform = "resize"\nheight = 65535\nwidth = 65535', "width"),
    ('transform = "center_crop"\nheight = 10000\nwidth = 9000', "width"),
    ('transform = "random_crop"\nheight = 9000\nwidth = 10000', "width"),
    ('transform = "pad"\ntop = 10000\nbottom = 10000\nleft = 10000\nright = 10000', "top"),
    ('transform = "pad"\ntop = [0, 100]\nleft = [0, 10000]\nright = [0, 9000]\nbottom = [0, 9000]', "left"),
])
def test_outputs_over_the_reader_pixel_limit_are_refused_at_recipe_time(step, key):
    from augment_cli.errors import RecipeError
    from augment_cli.recipe import parse_recipe

    over = rf"key '{key}': .*over the 89,478,485-pixel limit images are read with"
    with pytest.raises(RecipeError, match=over):
        parse_recipe(f"[[image]]\n{step}\n", "r.toml")


def test_the_output_limit_is_the_readers_limit():
    from PIL import Image

    from augment_cli.modalities.image import header, limits

    assert limits.MAX_PIXELS == Image.MAX_IMAGE_PIXELS == header.MAX_PIXELS


def test_pad_and_crop_refuse_per_file_before_allocating(tmp_path, write_recipe, run_cli):
    """Padding that fits a 1x1 image but not this one fails the file, not the run (the
    output used to be written, then refused as a bomb by verify and the next run)."""
    from augment_cli.errors import SampleError
    from augment_cli.modalities.image.transforms import geometry_ops
    from conftest import save

    sides = {"top": 4700, "bottom": 4700, "left": 4700, "right": 4700, "border": "constant", "fill": 0}
    with pytest.raises(SampleError, match=r"^pad: an output of 9540x9540 pixels is over the 89,478,485"):
        geometry_ops.pad(np.zeros((140, 140, 3), np.uint8), sides)
    thin = np.zeros((1, 90_000), np.uint8)  # a 1 x 90,000 strip and a 9,000-high box across it
    padded_first = (r"a 100x9000 crop of this 90000x1 image pads it first: "
                    r"an output of 90000x9000 pixels is over")
    box = {"height": 9000, "width": 100, "x": 0, "y": 0, "border": "constant", "fill": 0}
    with pytest.raises(SampleError, match=padded_first):
        geometry_ops.crop(thin, box)
    save(tmp_path / "src" / "cat" / "a.png", smooth_rgb(140, 140))
    recipe = write_recipe('[[image]]\ntransform = "pad"\n'
                          'top = 4700\nbottom = 4700\nleft = 4700\nright = 4700\n')
    result = run_cli("expand", tmp_path / "src", "--recipe", recipe, "--copies", 1, "--out", tmp_path / "out",
                     "--workers", 1)
    assert result.exit_code == 1
    refused = "Error: cat/a.png: pad: an output of 9540x9540 pixels is over the 89,478,485-pixel limit"
    assert refused in result.stderr
    assert not (tmp_path / "out" / "cat").exists() or not list((tmp_path / "out" / "cat").iterdir())


# The transforms these tests pin down (tests/test_registry.py fails while a
# registered transform is named in no module's BEHAVIOUR).
BEHAVIOUR = {
    "image/affine": (test_affine_zero_params_is_identity, test_affine_translate_shifts_by_fraction_of_size,
                     test_affine_rotation_matches_rotate_and_shear_moves_point),
    "image/center_crop": test_center_crop_is_centred,
    "image/elastic": test_elastic_field_strength_and_zero_alpha_identity,
    "image/hflip": test_hflip_equals_numpy_fliplr,
    "image/pad": (test_pad_matches_numpy, test_pad_constant_fills_with_value),
    "image/perspective": test_perspective_pure_shift_and_sampled_corners_in_range,
    "image/random_crop": test_random_crop_is_the_reported_box_and_pads_when_small,
    "image/random_resized_crop": test_random_resized_crop_box_inside_and_scaled_back,
    "image/resize": test_resize_shape_identity_and_area_mean,
    "image/rotate": test_rotate_90_is_numpy_rot90_and_0_is_identity,
    "image/vflip": test_vflip_equals_numpy_flipud,
}


PERSPECTIVE = {"corners_px": [[5.0, -3.0], [-6.0, 4.0], [3.0, 5.0], [-4.0, -6.0]],
               "interpolation": "linear", "fill": 7}


@pytest.mark.parametrize("border", ["reflect", "constant", "replicate"])
@pytest.mark.parametrize("kind", ["l8", "la8", "rgb8", "rgba8", "rgb16"])
def test_perspective_is_opencvs_warp_within_a_level(border, kind):
    # Reflected and replicated borders are padded first and warped with a
    # constant border no sample reaches (OpenCV's slow border path avoided):
    # within 1 level of the plain warp, on a few values. Constant: exact.
    from augment_cli.modalities.image.transforms.core_ops import BORDERS, by_planes
    from augment_cli.modalities.image.transforms.matrices import perspective_matrix

    image = kinds()[kind]
    height, width = image.shape[:2]
    params = {**PERSPECTIVE, "border": border}
    matrix = perspective_matrix(width, height, params)
    expected = by_planes(image, lambda plane: cv2.warpPerspective(
        plane, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=BORDERS[border],
        borderValue=(7, 7, 7, 7)))
    difference = np.abs(run("perspective", image, params).astype(int) - expected)
    if border == "constant":
        assert difference.max() == 0
    else:
        assert difference.max() <= 1 and (difference > 0).mean() < 0.02


def test_perspective_padding_covers_every_sample_or_is_not_used():
    from augment_cli.modalities.image.transforms.core_ops import _padding
    from augment_cli.modalities.image.transforms.matrices import perspective_matrix

    matrix = perspective_matrix(64, 48, PERSPECTIVE)
    top, bottom, left, right = _padding(np.linalg.inv(matrix), 64, 48, 0)
    inverse = np.linalg.inv(matrix)
    ys, xs = np.mgrid[0:48, 0:64]
    source = inverse @ np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)])
    sx, sy = source[0] / source[2], source[1] / source[2]
    assert sx.min() > -left + 1 and sx.max() < 63 + right - 1
    assert sy.min() > -top + 1 and sy.max() < 47 + bottom - 1
    # a map whose horizon crosses the image (the denominator changes sign): no padding
    assert _padding(np.array([[1.0, 0, 0], [0, 1.0, 0], [0.05, 0, -1.0]]), 64, 48, 0) is None
