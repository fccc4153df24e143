"""Exact cases of how annotations move: the moves, box rule, keypoints, flip_idx.

Where a map sends pixel edges to pixel edges (flips, quarter turns, crops,
pad, integer resizes) the moved annotations and masks are exact, so these
tests compare with numpy's own flips, rotations and slices to the last bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from augment_cli import registry
from augment_cli.annotations.apply import apply_annotated, moved_targets
from augment_cli.annotations.limits import Limits
from augment_cli.annotations.model import Annotated, Object, Targets
from augment_cli.annotations.moves import PointMap, Warp
from augment_cli.annotations.polygons import area, clip
from augment_cli.annotations.transform import move_targets
from augment_cli.errors import SampleError
from augment_cli.plugins import resolve
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps

WIDTH, HEIGHT = 40, 30


def semantic() -> np.ndarray:
    """A mask no flip or turn leaves unchanged."""
    return (np.arange(WIDTH * HEIGHT).reshape(HEIGHT, WIDTH) % 7).astype(np.uint8)


def one(obj: Object, mask: np.ndarray | None = None, flip_idx=None, size=(WIDTH, HEIGHT)) -> Annotated:
    width, height = size
    return Annotated(np.zeros((height, width, 3), np.uint8), Targets([obj], mask, flip_idx), Limits())


def sampled(name: str, data: Annotated, seed: int = 7, **values) -> dict:
    """The params `name` samples for `data` with these recipe values over its defaults."""
    spec = registry.require("image", name)
    rng = np.random.default_rng(seed)
    drawn = registry.draw(rng, spec, _defaults(name) | values)
    return spec.sampler(rng, drawn, steps.meta_of("image", data.image))


def moved(name: str, data: Annotated, **values) -> Annotated:
    return steps.apply_one("image", name, data, sampled(name, data, **values))


BOX = np.array([3.0, 4.0, 10.0, 12.0])
KEYPOINTS = np.array([[4.5, 5.5, 2.0], [9.0, 11.0, 2.0], [6.0, 8.0, 1.0]])


def test_hflip_and_vflip_are_exact():
    data = one(Object(1, box=BOX, keypoints=KEYPOINTS), semantic())
    out = moved("hflip", data)
    assert np.array_equal(out.targets.objects[0].box, [WIDTH - 10, 4, WIDTH - 3, 12])
    assert np.array_equal(out.targets.objects[0].keypoints[:, 0], WIDTH - KEYPOINTS[:, 0])
    assert np.array_equal(out.targets.mask, semantic()[:, ::-1])
    out = moved("vflip", data)
    assert np.array_equal(out.targets.objects[0].box, [3, HEIGHT - 12, 10, HEIGHT - 4])
    assert np.array_equal(out.targets.mask, semantic()[::-1])


@pytest.mark.parametrize("angle, turns", [(90, 1), (180, 2), (-90, -1)])
def test_a_quarter_turn_of_a_square_is_numpys_rot90(angle, turns):
    side = 24
    mask = (np.arange(side * side).reshape(side, side) % 5).astype(np.uint8)
    data = one(Object(1, box=np.array([0.0, 0.0, 1.0, 1.0]), mask=mask == 3), mask, size=(side, side))
    out = moved("rotate", data, angle_deg=angle)
    assert np.array_equal(out.targets.mask, np.rot90(mask, turns))
    assert np.array_equal(out.targets.objects[0].mask, np.rot90(mask == 3, turns))
    # the top-left pixel, turned counter-clockwise by 90, is the bottom-left one
    expected = {1: [0, side - 1, 1, side], 2: [side - 1, side - 1, side, side], -1: [side - 1, 0, side, 1]}
    assert np.allclose(out.targets.objects[0].box, expected[turns], atol=1e-9)


def test_crop_and_pad_shift_exactly_and_pad_fills_the_mask():
    data = one(Object(1, box=BOX, keypoints=KEYPOINTS), semantic())
    out = steps.apply_one("image", "random_crop", data, {"height": 20, "width": 25, "x": 2, "y": 3,
                                                           "border": "reflect", "fill": 0})
    assert np.array_equal(out.targets.objects[0].box, BOX - [2, 3, 2, 3])
    assert np.array_equal(out.targets.mask, semantic()[3:23, 2:27])
    padded = Annotated(data.image, data.targets, Limits(mask_fill=255))
    out = moved("pad", padded, top=2, left=5)
    assert np.array_equal(out.targets.objects[0].box, BOX + [5, 2, 5, 2])
    assert np.array_equal(out.targets.mask, np.pad(semantic(), ((2, 0), (5, 0)), constant_values=255))


def test_a_crop_larger_than_the_image_pads_it_centred_first():
    data = one(Object(1, box=BOX), semantic())
    out = moved("center_crop", data, height=HEIGHT + 10, width=WIDTH + 6)
    assert np.array_equal(out.targets.objects[0].box, BOX + [3, 5, 3, 5])
    assert out.targets.mask.shape == out.image.shape[:2] == (HEIGHT + 10, WIDTH + 6)


def test_resize_by_two_doubles_coordinates_and_repeats_mask_pixels():
    data = one(Object(1, box=BOX, keypoints=KEYPOINTS), semantic())
    out = moved("resize", data, height=2 * HEIGHT, width=2 * WIDTH)
    assert np.array_equal(out.targets.objects[0].box, 2 * BOX)
    assert np.array_equal(out.targets.objects[0].keypoints[:, :2], 2 * KEYPOINTS[:, :2])
    assert np.array_equal(out.targets.mask, semantic().repeat(2, axis=0).repeat(2, axis=1))


def test_masks_gain_no_values_and_take_the_recipes_fill():
    data = Annotated(np.zeros((HEIGHT, WIDTH), np.uint16), Targets([], semantic().astype(np.uint16)),
                     Limits(mask_fill=300))
    for name, values in [("rotate", {"angle_deg": 33.0}), ("perspective", {}), ("elastic", {})]:
        out = moved(name, data, **values)
        assert out.targets.mask.dtype == np.uint16
        assert set(np.unique(out.targets.mask)) <= set(range(7)) | {300}, name
    assert 300 in moved("rotate", data, angle_deg=33.0).targets.mask


def _defaults(name: str) -> dict:
    spec = registry.require("image", name)
    return {p.name: p.default for p in spec.params if not p.required}


def test_keypoints_that_leave_become_invisible_clamped_and_keep_their_count():
    data = one(Object(1, box=BOX, keypoints=KEYPOINTS))
    out = moved("pad", data, top=0, left=0)  # identity first: nothing leaves
    assert np.array_equal(out.targets.objects[0].keypoints, KEYPOINTS)
    out = steps.apply_one("image", "random_crop", data, {"height": 10, "width": 20, "x": 5, "y": 0,
                                                           "border": "reflect", "fill": 0})
    keypoints = out.targets.objects[0].keypoints
    assert keypoints.shape == KEYPOINTS.shape
    assert keypoints[0].tolist() == [0.0, 5.5, 0.0]       # left of the crop: clamped, v = 0
    assert keypoints[1].tolist() == [4.0, 10.0, 0.0]      # below it: clamped, v = 0
    assert keypoints[2].tolist() == [1.0, 8.0, 1.0]       # inside: moved, v kept


@pytest.mark.parametrize("name, params, mirrors", [
    ("hflip", {}, True), ("vflip", {}, True), ("rotate", {"angle_deg": 180.0}, False),
    ("affine", {"shear_x_deg": 60.0, "shear_y_deg": 60.0, "border": "constant"}, True),
    ("affine", {"rotate_deg": 20.0, "scale": 1.0}, False),
])
def test_a_mirroring_map_permutes_keypoints_by_flip_idx(name, params, mirrors):
    keypoints = np.array([[15.5, 10.5, 2.0], [24.5, 10.5, 2.0], [20.5, 20.5, 2.0]])
    flip_idx = (1, 0, 2)
    data = one(Object(1, box=np.array([10.0, 5.0, 30.0, 25.0]), keypoints=keypoints), flip_idx=flip_idx)
    values = sampled(name, data, **params)
    out = steps.apply_one("image", name, data, values)
    spec = registry.require("image", name)
    unpermuted = moved_targets(spec, one(Object(1, box=data.targets.objects[0].box, keypoints=keypoints)),
                               values).objects[0].keypoints
    expected = unpermuted[list(flip_idx)] if mirrors else unpermuted
    assert np.array_equal(out.targets.objects[0].keypoints, expected)


def test_an_object_wholly_outside_is_dropped_and_counted():
    objects = [Object(1, box=np.array([30.0, 2.0, 38.0, 8.0])), Object(2, box=BOX)]
    data = Annotated(np.zeros((HEIGHT, WIDTH), np.uint8), Targets(objects, dropped=1), Limits())
    out = steps.apply_one("image", "random_crop", data, {"height": 20, "width": 20, "x": 0, "y": 0,
                                                           "border": "reflect", "fill": 0})
    assert [o.category for o in out.targets.objects] == [2]
    assert out.targets.dropped == 2


def test_a_rotated_box_is_the_tight_box_of_its_polygon_else_of_its_corners():
    square = np.array([[10.0, 5.0], [20.0, 5.0], [20.0, 15.0], [10.0, 15.0]])
    diamond = np.array([[15.0, 5.0], [20.0, 10.0], [15.0, 15.0], [10.0, 10.0]])
    box = np.array([10.0, 5.0, 20.0, 15.0])
    with_polygon = one(Object(1, box=box, polygons=[diamond]))
    box_only = one(Object(1, box=box))
    turned = moved("rotate", with_polygon, angle_deg=45.0, border="constant").targets.objects[0]
    corners = moved("rotate", box_only, angle_deg=45.0, border="constant").targets.objects[0]
    # the diamond turned by 45 degrees is an axis-aligned square of side 5 * sqrt(2)
    side = turned.box[2:] - turned.box[:2]
    assert np.allclose(side, 5 * np.sqrt(2))
    assert np.allclose(corners.box[2:] - corners.box[:2], 10 * np.sqrt(2))
    assert area(square) == 100.0


def test_sutherland_hodgman_clips_a_concave_polygon_to_its_inside_area():
    ell = np.array([[0, 0], [4, 0], [4, 1], [1, 1], [1, 4], [0, 4]], dtype=float)
    # what is left: the foot [0.5, 4] x [0.5, 1] and the upright [0.5, 1] x [1, 4]
    assert area(clip(ell, (0.5, 0.5, 10, 10))) == pytest.approx(3.5 * 0.5 + 0.5 * 3)
    assert len(clip(ell, (5, 5, 9, 9))) == 0
    assert area(clip(ell, (-1, -1, 9, 9))) == area(ell) == 7.0


def test_the_warp_of_a_transform_is_the_matrix_its_applier_uses():
    """A single lit pixel, warped by the applier with nearest sampling, lands
    where the declared geometry sends that pixel's centre."""
    params = {"scale": 1.1, "translate_x": 0.05, "translate_y": -0.1, "rotate_deg": 23.0,
              "shear_x_deg": 7.0, "shear_y_deg": -4.0, "interpolation": "nearest",
              "border": "constant", "fill": 0}
    spec = registry.require("image", "affine")
    (warp,) = resolve(spec.geometry)(params, 64, 48)
    image = np.zeros((48, 64), np.uint8)
    image[20, 30] = 255
    out = spec.apply_function()(image, params)
    rows, columns = np.nonzero(out)
    landed = np.array([columns.mean() + 0.5, rows.mean() + 0.5])
    assert np.hypot(*(warp.points(np.array([[30.5, 20.5]]))[0] - landed)) <= 0.75


def test_an_elastic_point_map_inverts_its_remap():
    spec = registry.require("image", "elastic")
    params = sampled("elastic", one(Object(1), size=(64, 48)))
    (point_map,) = resolve(spec.geometry)(params, 64, 48)
    assert isinstance(point_map, PointMap)
    sources = np.array([[10.5, 10.5], [32.0, 24.0], [50.25, 40.75]])
    forward = point_map.points(sources)
    back = point_map._backward(forward - 0.5) + 0.5
    assert np.abs(back - sources).max() < 1e-3


def test_warp_converts_between_pixel_centres_and_corners():
    flip_in_centres = np.array([[-1.0, 0, WIDTH - 1], [0, 1, 0], [0, 0, 1]])
    warp = Warp.from_opencv(flip_in_centres, (WIDTH, HEIGHT))
    assert np.allclose(warp.points(np.array([[0.0, 0.0], [WIDTH, 3.0]])), [[WIDTH, 0.0], [0.0, 3.0]])
    assert np.allclose(warp.opencv(), flip_in_centres)
    assert warp.mirrors and warp.affine


def test_pixel_only_transforms_leave_targets_as_they_are():
    data = one(Object(1, box=BOX, keypoints=KEYPOINTS), semantic())
    for spec in registry.specs("image"):
        if spec.geometry == registry.PIXELS:
            assert moved_targets(spec, data, {}) is data.targets, spec.name


def test_a_transform_of_unknown_geometry_refuses_annotated_data():
    spec = registry.require("image", "hflip")
    unknown = type(spec)(**{**spec.__dict__, "geometry": registry.UNKNOWN})
    with pytest.raises(SampleError, match="hflip: its geometry is not known"):
        apply_annotated(unknown, one(Object(1, box=BOX)), {})


def test_move_targets_leaves_its_input_untouched():
    obj = Object(1, box=BOX.copy(), polygons=[np.array([[3.0, 4.0], [10.0, 4.0], [10.0, 12.0]])],
                 keypoints=KEYPOINTS.copy())
    targets = Targets([obj], semantic())
    warp = Warp(np.array([[-1.0, 0, WIDTH], [0, 1, 0], [0, 0, 1]]), (WIDTH, HEIGHT))
    move_targets(targets, warp, 0)
    assert np.array_equal(obj.box, BOX) and np.array_equal(obj.keypoints, KEYPOINTS)
    assert np.array_equal(targets.mask, semantic())


def test_an_object_mask_warped_in_its_own_box_is_the_full_warp():
    """Per-object masks are warped only around the object: the same pixels as
    warping the whole mask, but for nearest-neighbour ties on exact half pixels."""
    rng = np.random.default_rng(0)
    differing = total = 0
    for case in range(120):
        name = ("affine", "perspective", "rotate", "random_resized_crop")[case % 4]
        mask = np.zeros((73, 97), bool)
        x, y = rng.integers(0, 85), rng.integers(0, 60)
        mask[y:y + rng.integers(1, 20), x:x + rng.integers(1, 20)] = True
        data = one(Object(1, mask=mask), size=(97, 73))
        params = sampled(name, data, case, **({"angle_deg": (-40.0, 40.0)} if name == "rotate" else {}))
        (warp,) = resolve(registry.require("image", name).geometry)(params, 97, 73)
        fast = moved_targets(registry.require("image", name), data, params).objects
        full = warp.warp_mask(mask.astype(np.uint8), 0) > 0
        got = fast[0].mask if fast else np.zeros_like(full)
        differing += int((got != full).sum())
        total += int(full.sum())
    assert differing <= 0.002 * total


def test_points_sent_to_infinity_show_nowhere():
    """A strong perspective can send points behind the camera (w = 0)."""
    vanish = Warp(np.array([[1.0, 0, 0], [0, 1.0, 0], [-0.1, 0, 1.0]]), (WIDTH, HEIGHT))
    obj = Object(1, box=np.array([8.0, 2.0, 12.0, 6.0]), keypoints=np.array([[10.0, 4.0, 2.0]]))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = move_targets(Targets([obj]), vanish, 0)
    assert out.objects == [] and out.dropped == 1
    keypoints = Object(1, keypoints=np.array([[10.0, 4.0, 2.0], [2.0, 4.0, 2.0]]))
    with np.errstate(divide="ignore", invalid="ignore"):
        (moved,) = move_targets(Targets([keypoints]), vanish, 0).objects
    assert np.isfinite(moved.keypoints).all() and moved.keypoints[0, 2] == 0 and moved.keypoints[1, 2] == 2


def test_the_strongest_perspective_keeps_every_annotation_finite_and_in_the_image():
    """distortion 0.5 can fold the image through the horizon: what is left of
    each object is still a finite box, polygon and keypoints inside the image."""
    from annotation_scenes import Scene

    scene = Scene()
    recipe = parse_recipe('[[image]]\ntransform = "perspective"\ndistortion = 0.5\n', "p.toml")
    for seed in range(60):
        out, _ = steps.augment(scene.annotated(), recipe.steps_for("image"), "image",
                               np.random.SeedSequence(seed))
        for obj in out.targets.objects:
            assert 0 < obj.visibility <= 1 + 1e-9
            for points in [obj.box.reshape(2, 2), obj.keypoints[:, :2] if obj.keypoints is not None
                           else np.zeros((0, 2)), *obj.polygons]:
                assert np.isfinite(points).all()
                assert (points >= 0).all() and (points <= (scene.width, scene.height)).all()
