"""Fusion of size-changing warps (run/fusion.py): random_crop, center_crop,
pad and resize in one composed matrix with the warps, integer maps cut
exactly, and later samplers seeing the size a pending run makes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from augment_cli import registry
from augment_cli.annotations.limits import Limits
from augment_cli.annotations.model import Annotated, Object, Targets
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps
from tests.run.test_fusion import (
    MEAN_LEVELS,
    WORST_LEVELS,
    inside_every_step,
    one_by_one,
    random_geometric_chain,
    size_after,
    smooth_photo,
)
from tests.run.test_fusion import fused_run as fused

# cv2.resize against the one warp by resize's matrix (replicated border), in
# levels of the dtype (uint8 and uint16, linear and cubic): OpenCV 5 rounds
# its fixed-point weights and coordinates differently in the two.
RESIZE_LEVELS = 1


def crop(width: int, height: int, out_w: int, out_h: int, rng=None, **border) -> tuple:
    """A random_crop of the sampler's kind (a centred one without `rng`)."""
    params = {"width": out_w, "height": out_h, "border": "reflect", "fill": 0, **border}
    spec = registry.require("image", "random_crop" if rng is not None else "center_crop")
    rng = rng or np.random.default_rng(0)
    return spec.name, spec.sampler(rng, params, {"width": width, "height": height})


def pad(top=3, bottom=5, left=7, right=2, border="reflect", fill=0) -> tuple:
    return "pad", {"top": top, "bottom": bottom, "left": left, "right": right, "border": border, "fill": fill}


def resize(width: int, height: int, interpolation="linear") -> tuple:
    return "resize", {"width": width, "height": height, "interpolation": interpolation}


def sizes_chain(rng: np.random.Generator, width: int, height: int, length: int) -> list:
    """Random warps, crops inside the image and resizes, after a pad at times
    (a pad joins only a run that has not moved the frame: fused_ops.FRAMED)."""
    chain = [pad(*(int(v) for v in rng.integers(0, 9, 4)))] if rng.random() < 0.4 else []
    while len(chain) < length:
        w, h = size_after(chain, width, height)
        kind = rng.choice(["warp", "crop", "resize"])
        if kind == "warp":
            chain += random_geometric_chain(rng, w, h, 1)
        elif kind == "crop":
            out_w, out_h = int(rng.integers(w * 7 // 10, w + 1)), int(rng.integers(h * 7 // 10, h + 1))
            chain.append(crop(w, h, out_w, out_h, rng if rng.random() < 0.5 else None))
        else:
            out_w, out_h = (max(8, int(side * rng.uniform(0.6, 1.5))) for side in (w, h))
            chain.append(resize(out_w, out_h))  # linear, as every warp of these chains
    return chain


@pytest.mark.parametrize("seed", range(16))
def test_a_random_chain_with_crops_resizes_and_pads_fused_agrees_within_interpolation(seed):
    rng = np.random.default_rng(1000 + seed)
    image = smooth_photo(seed=seed)
    height, width = image.shape[:2]
    chain = sizes_chain(rng, width, height, int(rng.integers(2, 6)))
    out, longest = fused(image, chain)
    plain = one_by_one(image, chain)
    assert longest == len(chain), "every step of these chains joins the one run"
    assert out.shape == plain.shape and out.dtype == plain.dtype
    inside = inside_every_step(chain, width, height)
    assert inside.mean() > 0.2, "the chain should leave an interior to compare"
    difference = np.abs(out.astype(int) - plain.astype(int))[inside]
    assert difference.mean() < MEAN_LEVELS
    assert difference.max() <= WORST_LEVELS


def integer_chain(rng: np.random.Generator, width: int, height: int, length: int) -> list:
    """Flips, crops (inside, or larger than the image: they pad) and pads,
    every border kind: products that are integer maps."""
    border = {"border": str(rng.choice(["reflect", "constant", "replicate"])), "fill": int(rng.integers(256))}
    chain: list = []
    while len(chain) < length:
        w, h = size_after(chain, width, height)
        kind = rng.choice(["hflip", "vflip", "crop", "pad"])
        if kind in ("hflip", "vflip"):
            chain.append((str(kind), {}))
        elif kind == "crop":
            out_w, out_h = (int(rng.integers(side // 2, side * 3 // 2)) for side in (w, h))
            chain.append(crop(w, h, out_w, out_h, rng if rng.random() < 0.5 else None, **border))
        else:
            chain.append(pad(*(int(v) for v in rng.integers(0, 12, 4)), **border))
    return chain


@pytest.mark.parametrize("channels,dtype", [(3, np.uint8), (4, np.uint8), (1, np.uint8), (2, np.uint16)])
def test_an_integer_map_of_crops_flips_and_pads_is_the_step_by_step_bytes(channels, dtype):
    rng = np.random.default_rng(channels)
    image = smooth_photo(37, 53, channels=max(channels, 3), seed=channels)[..., :channels].astype(dtype) * (
        257 if dtype == np.uint16 else 1)
    image = image[..., 0] if channels == 1 else image
    fused_runs = 0
    for _ in range(40):
        chain = integer_chain(rng, 53, 37, int(rng.integers(2, 6)))
        out, longest = fused(image, chain)
        plain = one_by_one(image, chain)
        assert out.shape == plain.shape and out.dtype == plain.dtype, chain
        assert np.array_equal(out, plain), chain
        fused_runs += longest > 1
    assert fused_runs > 20


def test_a_crop_then_flip_is_a_slice_and_a_flip_not_a_warp(monkeypatch):
    from augment_cli.modalities.image.transforms import fused_ops

    def no_warp(*args, **kwargs):
        raise AssertionError("an integer map must not be interpolated")

    monkeypatch.setattr(fused_ops, "warp_affine", no_warp)
    monkeypatch.setattr(fused_ops, "warp_perspective", no_warp)
    image = smooth_photo()
    chain = [pad(4, 0, 0, 6, "constant", 9), crop(166, 124, 100, 80, np.random.default_rng(3)), ("hflip", {})]
    x, y = chain[1][1]["x"], chain[1][1]["y"]
    padded = cv2.copyMakeBorder(image, 4, 0, 0, 6, cv2.BORDER_CONSTANT, value=(9, 9, 9, 9))
    out, longest = fused(image, chain)
    assert longest == 3 and np.array_equal(out, cv2.flip(padded[y : y + 80, x : x + 100], 1))


def test_a_run_of_integer_steps_only_is_applied_step_by_step_not_composed(monkeypatch):
    """Each of them is a view, a flip or a border already: composing them saves no
    pixel work (run/fusion.py _Run.exact). A run with a resampling step is composed."""
    from augment_cli.run import fusion

    composed = []
    real = fusion._fused_warp
    monkeypatch.setattr(fusion, "_fused_warp", lambda data, run: composed.append(run) or real(data, run))
    image = smooth_photo()
    integer = [pad(4, 0, 0, 6), crop(166, 124, 100, 80, np.random.default_rng(3)), ("hflip", {})]
    out, longest = fused(image, integer)
    assert longest == 3 and composed == [] and np.array_equal(out, one_by_one(image, integer))
    fused(image, [*integer, ("rotate", {"angle_deg": 5.0, "border": "reflect", "fill": 0})])
    assert len(composed) == 1


@pytest.mark.parametrize("interpolation", ["linear", "cubic"])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_a_fused_resize_is_cv2_resize_within_a_level(interpolation, dtype):
    """resize after a flip: one warp by the product, which samples as
    cv2.resize does (x_src = (x + 0.5) * in / out - 0.5, edges repeated),
    up and down, both axes."""
    image = smooth_photo(seed=5).astype(dtype) * (257 if dtype == np.uint16 else 1)
    flag = getattr(cv2, f"INTER_{interpolation.upper()}")
    for out_w, out_h in [(75, 37), (320, 240), (97, 180), (161, 119), (413, 59)]:
        out, longest = fused(image, [("hflip", {}), resize(out_w, out_h, interpolation)])
        expected = cv2.resize(cv2.flip(image, 1), (out_w, out_h), interpolation=flag)
        assert longest == 2 and out.shape == expected.shape
        assert np.abs(out.astype(int) - expected.astype(int)).max() <= RESIZE_LEVELS, (out_w, out_h)


def test_inside_a_crop_a_fused_resize_reads_the_neighbours_the_crop_cut_off():
    """Where cv2.resize of a crop repeats the crop's edge, the one warp
    samples the source's real pixels beyond it; elsewhere they agree."""
    image = smooth_photo(seed=5)
    box = crop(160, 120, 150, 111, np.random.default_rng(2))
    x, y = box[1]["x"], box[1]["y"]
    out, longest = fused(image, [box, resize(300, 222)])
    expected = cv2.resize(image[y : y + 111, x : x + 150], (300, 222), interpolation=cv2.INTER_LINEAR)
    difference = np.abs(out.astype(int) - expected.astype(int))
    assert longest == 2 and difference[1:-1, 1:-1].max() <= RESIZE_LEVELS
    assert difference.max() > RESIZE_LEVELS  # the outer ring: half a source pixel beyond the crop


@pytest.mark.parametrize("interpolation", ["area", "nearest"])
def test_a_resize_a_warp_cannot_reproduce_ends_the_run(interpolation):
    """warpAffine reads INTER_AREA as bilinear (no averaging when shrinking)
    and cv2.resize's nearest rounds differently: such a resize is its own step."""
    image = smooth_photo()
    chain = [("hflip", {}), resize(61, 43, interpolation), ("vflip", {})]
    out, longest = fused(image, chain)
    assert longest == 1 and np.array_equal(out, one_by_one(image, chain))


def test_steps_that_disagree_on_borders_or_meet_a_moved_frame_are_not_fused():
    image = smooth_photo()
    turned = ("rotate", {"angle_deg": 10.0, "border": "reflect", "fill": 0})
    for chain in ([turned, pad(border="constant")],  # the pad's fill is not the rotation's border
                  [crop(160, 120, 100, 80), pad()],  # the pad would show what the crop cut off
                  [resize(200, 150), pad()],  # the pad would reflect the source, not the resized image
                  [pad(border="constant"), resize(200, 150)],  # a constant fill would darken the edges
                  [turned, crop(160, 120, 200, 90)]):  # the crop pads a turned image
        out, longest = fused(image, chain)
        assert longest == 1 and np.array_equal(out, one_by_one(image, chain)), chain


def test_a_pad_fuses_with_what_follows_it_when_their_borders_agree():
    """pad, rotate and crop with one constant fill are one warp; the resize
    after them is not (its edges would mix in the fill): it starts the next run."""
    image = smooth_photo()
    turned = ("rotate", {"angle_deg": 12.0, "border": "constant", "fill": 0})
    chain = [pad(10, 10, 10, 10, "constant", 0), turned, crop(180, 140, 150, 110), resize(100, 80)]
    out, longest = fused(image, chain)
    assert longest == 3
    plain = one_by_one(image, chain)
    assert out.shape == plain.shape and np.abs(out.astype(int) - plain.astype(int)).mean() < MEAN_LEVELS


SIZES_RECIPE = """
[[image]]
transform = "pad"
top = 12
left = 9
border = "constant"
[[image]]
transform = "rotate"
angle_deg = [-10, 10]
border = "constant"
[[image]]
transform = "center_crop"
width = 150
height = 110
[[image]]
transform = "random_crop"
width = 120
height = 90
[[image]]
transform = "resize"
width = 96
height = 96
[[image]]
transform = "perspective"
[[image]]
transform = "random_resized_crop"
[[image]]
transform = "brightness_contrast"
"""


def test_samplers_see_the_size_a_pending_run_makes_so_records_do_not_change():
    """random_crop, perspective and random_resized_crop draw from the size:
    fused, their input is not made yet, yet they draw what they draw unfused."""
    image = smooth_photo()
    recipe = parse_recipe(SIZES_RECIPE, "sizes.toml").steps_for("image")
    for copy in range(6):
        out, records = steps.augment(image, recipe, "image", np.random.SeedSequence(copy))
        plain, same = steps.augment(image, recipe, "image", np.random.SeedSequence(copy), fuse=False)
        assert records == same
        assert out.shape == plain.shape == (96, 96, 3)
        assert not np.array_equal(out, plain)
        assert np.array_equal(steps.replay(image, records, "image"), out)


ALTERNATING_RECIPE = """
[[image]]
transform = "center_crop"
width = 140
height = 100
[[image]]
transform = "gaussian_blur"
[[image]]
transform = "resize"
width = 90
height = 70
[[image]]
transform = "equalize"
[[image]]
transform = "pad"
top = 3
right = 4
"""


def test_a_recipe_with_no_two_fusible_steps_in_a_row_makes_the_unfused_bytes():
    image = smooth_photo()
    recipe = parse_recipe(ALTERNATING_RECIPE, "apart.toml").steps_for("image")
    for copy in range(3):
        out, records = steps.augment(image, recipe, "image", np.random.SeedSequence(copy))
        plain, same = steps.augment(image, recipe, "image", np.random.SeedSequence(copy), fuse=False)
        assert records == same and out.tobytes() == plain.tobytes() and out.shape == plain.shape


def scene(width: int = 160, height: int = 120) -> Annotated:
    """One object well inside any crop these tests make, with a mask."""
    square = np.array([[60.0, 40], [100, 42], [98, 80], [58, 78]])
    keypoints = np.array([[70.0, 50, 2], [90, 70, 2]])
    mask = np.zeros((height, width), np.uint8)
    mask[40:80, 58:100] = 1
    obj = Object(1, box=np.array([58.0, 40, 100, 80]), polygons=[square], keypoints=keypoints)
    return Annotated(smooth_photo(height, width), Targets([obj], mask), Limits())


def annotated_chain(rng: np.random.Generator) -> list:
    """Crops that keep the object whole, resizes, flips, a rotation, a leading pad."""
    chain = [pad(*(int(v) for v in rng.integers(0, 9, 4)))]
    for kind in rng.permutation(["crop", "resize", "hflip", "rotate", "vflip"]):
        w, h = size_after(chain, 160, 120)
        if kind == "crop":
            chain.append(crop(w, h, w - int(rng.integers(0, 30)), h - int(rng.integers(0, 20)), rng))
        elif kind == "resize":
            chain.append(resize(int(w * rng.uniform(0.7, 1.4)), int(h * rng.uniform(0.7, 1.4))))
        elif kind == "rotate":
            chain.append(("rotate", {"angle_deg": float(rng.uniform(-8, 8)), "border": "reflect", "fill": 0}))
        else:
            chain.append((str(kind), {}))
    return chain


@pytest.mark.parametrize("seed", range(8))
def test_annotations_ride_the_fused_matrix_through_crops_resizes_and_pads(seed):
    chain = annotated_chain(np.random.default_rng(200 + seed))
    one = scene()
    for name, params in chain:
        one = steps.apply_one("image", name, one, params)
    together, longest = fused(scene(), chain)
    assert longest == len(chain)
    (a,), (b,) = one.targets.objects, together.targets.objects
    np.testing.assert_allclose(b.polygons[0], a.polygons[0], atol=1e-6)
    np.testing.assert_allclose(b.keypoints, a.keypoints, atol=1e-6)
    np.testing.assert_allclose(b.box, a.box, atol=1e-6)
    assert together.targets.mask.shape == together.image.shape[:2] == one.image.shape[:2]
    # nearest-neighbour once instead of once per step: the object's area agrees to its outline
    assert abs(int(together.targets.mask.sum()) - int(one.targets.mask.sum())) <= 0.1 * one.targets.mask.sum()


def test_annotations_through_an_integer_map_are_the_step_by_step_ones_exactly():
    # a flip, a pad (a flip keeps the frame), a crop, a flip
    chain = [("hflip", {}), pad(5, 0, 9, 3, "constant", 0),
             crop(172, 125, 130, 100, np.random.default_rng(1)), ("vflip", {})]
    one = scene()
    for name, params in chain:
        one = steps.apply_one("image", name, one, params)
    together, longest = fused(scene(), chain)
    assert longest == len(chain)
    assert np.array_equal(together.image, one.image)
    assert np.array_equal(together.targets.mask, one.targets.mask)
    (a,), (b,) = one.targets.objects, together.targets.objects
    np.testing.assert_allclose(b.polygons[0], a.polygons[0], atol=1e-9)
    np.testing.assert_allclose(b.box, a.box, atol=1e-9)
