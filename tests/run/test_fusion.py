"""Fusion (run/fusion.py): consecutive warps applied as one matrix, point
operations as one table, with the same records, and replay fusing the same way."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from augment_cli import registry
from augment_cli.annotations.limits import Limits
from augment_cli.annotations.model import Annotated, Object, Targets
from augment_cli.plugins import resolve
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps
from augment_cli.run.fusion import Fuser, composed_warp
from tests.conftest import textured

# Interpolation bound, fused vs step by step, on pixels every step sampled
# from inside its input: one bilinear resampling instead of several.
MEAN_LEVELS = 2.0
WORST_LEVELS = 12
# Source pixels a chain's sample may fall near the edge of and still count as inside.
MARGIN_PX = 3


def smooth_photo(height: int = 120, width: int = 160, channels: int = 3, seed: int = 0) -> np.ndarray:
    """Blurred noise plus gradients: photo-like, with no wrap-around edges."""
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.uniform(0, 255, (height, width, channels)).astype(np.float32), (0, 0), 3)
    y, x = np.mgrid[0:height, 0:width]
    ramp = (x / width * 80 + y / height * 40)[..., None]
    image = np.clip((noise - noise.mean()) * 4 + 100 + ramp, 0, 255)
    return image.astype(np.uint8)


def one_by_one(image, chain):
    for name, params in chain:
        image = steps.apply_one("image", name, image, params)
    return image


def fused_run(data, chain):
    """`data` through `chain` fused, and the longest run that was fused."""
    fuser = Fuser(lambda d, spec, params: steps.apply_one("image", spec.name, d, params))
    longest = 0
    for name, params in chain:
        data = fuser.add(data, registry.require("image", name), params)
        longest = max(longest, len(fuser.run.steps) if fuser.run else 0)
    return fuser.flush(data), longest


def fused(data, chain):
    return fused_run(data, chain)[0]


def specs(chain) -> list:
    return [(registry.require("image", name), params) for name, params in chain]


def size_after(chain, width: int, height: int) -> tuple[int, int]:
    return composed_warp(specs(chain), width, height).size


def random_geometric_chain(rng: np.random.Generator, width: int, height: int, length: int) -> list:
    chain = []
    for _ in range(length):
        kind = rng.choice(["hflip", "vflip", "rotate", "affine", "perspective", "random_resized_crop"])
        if kind in ("hflip", "vflip"):
            chain.append((kind, {}))
        elif kind == "rotate":
            chain.append((kind, {"angle_deg": float(rng.uniform(-20, 20)), "border": "reflect", "fill": 0}))
        elif kind == "affine":
            drawn = {"scale": (0.9, 1.2), "translate_x": (-.05, .05), "translate_y": (-.05, .05),
                     "rotate_deg": (-15, 15), "shear_x_deg": (-8, 8), "shear_y_deg": (-8, 8)}
            params = {key: float(rng.uniform(*span)) for key, span in drawn.items()}
            chain.append((kind, {**params, "interpolation": "linear", "border": "reflect", "fill": 0}))
        elif kind == "perspective":
            corners = (rng.uniform(-0.06, 0.06, (4, 2)) * [width, height]).tolist()
            chain.append((kind, {"corners_px": corners, "interpolation": "linear", "border": "reflect",
                                 "fill": 0}))
        else:
            w = int(rng.integers(width * 3 // 4, width + 1))
            h = int(rng.integers(height * 3 // 4, height + 1))
            x, y = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
            chain.append((kind, {"x": x, "y": y, "w": w, "h": h}))
    return chain


def inside_every_step(chain, width: int, height: int) -> np.ndarray:
    """Output pixels whose sample, in the input of every step, is at least
    MARGIN_PX inside it: where no step's border shows (steps may change the size)."""
    out_w, out_h = size_after(chain, width, height)
    ys, xs = np.mgrid[0:out_h, 0:out_w]
    points = np.stack([xs.ravel(), ys.ravel(), np.ones(xs.size)]).astype(float)
    ok = np.ones(xs.size, bool)
    for k in range(len(chain)):
        # where output pixels sample the input of step k: back through steps k..end
        w, h = size_after(chain[:k], width, height)
        back = np.linalg.inv(composed_warp(specs(chain[k:]), w, h).opencv()) @ points
        x, y = back[0] / back[2], back[1] / back[2]
        ok &= (x >= MARGIN_PX) & (x <= w - 1 - MARGIN_PX) & (y >= MARGIN_PX) & (y <= h - 1 - MARGIN_PX)
    return ok.reshape(out_h, out_w)


@pytest.mark.parametrize("seed", range(12))
def test_a_random_geometric_chain_fused_agrees_with_step_by_step_within_interpolation(seed):
    rng = np.random.default_rng(seed)
    image = smooth_photo(seed=seed)
    height, width = image.shape[:2]
    chain = random_geometric_chain(rng, width, height, int(rng.integers(2, 6)))
    inside = inside_every_step(chain, width, height)
    assert inside.mean() > 0.2, "the chain should leave an interior to compare"
    difference = np.abs(fused(image, chain).astype(int) - one_by_one(image, chain).astype(int))[inside]
    assert difference.mean() < MEAN_LEVELS
    assert difference.max() <= WORST_LEVELS


def test_flips_fuse_to_an_exact_flip_or_copy():
    image = textured(37, 53)
    chain = [("hflip", {}), ("vflip", {}), ("hflip", {})]
    assert np.array_equal(fused(image, chain), cv2.flip(image, 0))
    twice = fused(image, [("hflip", {}), ("hflip", {})])
    assert np.array_equal(twice, image) and twice is not image


LUT_PARAMS = {
    "brightness_contrast": lambda rng: {"brightness": float(rng.uniform(-.3, .3)),
                                        "contrast": float(rng.uniform(-.3, .5))},
    "gamma": lambda rng: {"gamma": float(rng.uniform(0.5, 2))},
    "posterize": lambda rng: {"bits": int(rng.integers(2, 9))},
    "solarize": lambda rng: {"threshold": float(rng.uniform(0.4, 1))},
    "invert": lambda rng: {},
}


@pytest.mark.parametrize("channels,dtype", [(3, np.uint8), (4, np.uint8), (1, np.uint8), (1, np.uint16),
                                            (2, np.uint16)])
def test_a_point_operation_chain_is_exactly_its_operations_one_by_one(channels, dtype):
    rng = np.random.default_rng(channels)
    shape = (31, 47) if channels == 1 else (31, 47, channels)
    image = rng.integers(0, np.iinfo(dtype).max + 1, shape, dtype=np.int64).astype(dtype)
    for _ in range(6):
        names = rng.choice(list(LUT_PARAMS), size=int(rng.integers(2, 6)))
        chain = [(str(name), LUT_PARAMS[str(name)](rng)) for name in names]
        out = fused(image, chain)
        assert out.dtype == dtype and np.array_equal(out, one_by_one(image, chain))


def test_a_steps_table_is_what_its_applier_does():
    """The declared `lut` of every point operation is its applier, level by level."""
    for spec in registry.specs("image"):
        if spec.lut is None:
            continue
        for dtype in (np.uint8, np.uint16):
            levels = np.arange(np.iinfo(dtype).max + 1).astype(dtype)
            params = LUT_PARAMS[spec.name](np.random.default_rng(1))
            table = resolve(spec.lut)(params, dtype)
            assert np.array_equal(table, spec.apply_function()(levels[None, :], params)[0]), spec.name


def annotated_scene(width: int, height: int) -> Annotated:
    square = np.array([[60.0, 40], [100, 42], [98, 80], [58, 78]])
    keypoints = np.array([[70.0, 50, 2], [90, 70, 2]])
    obj = Object(1, box=np.array([58.0, 40, 100, 80]), polygons=[square], keypoints=keypoints)
    return Annotated(smooth_photo(height, width), Targets([obj]), Limits())


@pytest.mark.parametrize("seed", range(6))
def test_annotations_through_the_fused_matrix_equal_annotations_through_the_steps(seed):
    rng = np.random.default_rng(100 + seed)
    width, height = 160, 120
    chain = random_geometric_chain(rng, width, height, int(rng.integers(2, 5)))
    one = annotated_scene(width, height)
    for name, params in chain:
        one = steps.apply_one("image", name, one, params)
    together = fused(annotated_scene(width, height), chain)
    (a,), (b,) = one.targets.objects, together.targets.objects
    np.testing.assert_allclose(b.polygons[0], a.polygons[0], atol=1e-6)
    np.testing.assert_allclose(b.keypoints, a.keypoints, atol=1e-6)
    np.testing.assert_allclose(b.box, a.box, atol=1e-6)


GEOMETRY_RECIPE = """
[[image]]
transform = "hflip"
p = 0.5
[[image]]
transform = "affine"
rotate_deg = [-15, 15]
shear_x_deg = [-8, 8]
[[image]]
transform = "perspective"
[[image]]
transform = "random_resized_crop"
[[image]]
transform = "brightness_contrast"
[[image]]
transform = "gamma"
"""


def test_replay_of_the_records_reproduces_the_fused_output_byte_for_byte():
    image = smooth_photo()
    recipe = parse_recipe(GEOMETRY_RECIPE, "geometry.toml").steps_for("image")
    for copy in range(4):
        out, records = steps.augment(image, recipe, "image", np.random.SeedSequence(copy))
        plain, same_records = steps.augment(image, recipe, "image", np.random.SeedSequence(copy), fuse=False)
        assert records == same_records  # sampling and records do not depend on fusion
        assert not np.array_equal(out, plain)  # ... but the pixels were fused
        assert np.array_equal(steps.replay(image, records, "image"), out)
        assert np.array_equal(steps.replay(image, records, "image", fuse=False), plain)


def test_steps_that_are_not_consecutive_or_disagree_on_borders_are_not_fused():
    image = smooth_photo()
    apart = [("hflip", {}), ("gaussian_blur", {"sigma": 1.0, "kernel": 3}),
             ("rotate", {"angle_deg": 10.0, "border": "reflect", "fill": 0})]
    assert np.array_equal(fused(image, apart), one_by_one(image, apart))
    borders = [("rotate", {"angle_deg": 10.0, "border": "constant", "fill": 0}),
               ("rotate", {"angle_deg": -4.0, "border": "reflect", "fill": 0})]
    assert np.array_equal(fused(image, borders), one_by_one(image, borders))


def test_a_fill_no_border_reads_does_not_end_a_run():
    image = smooth_photo()
    chain = [("rotate", {"angle_deg": 10.0, "border": "reflect", "fill": 0}),
             ("rotate", {"angle_deg": -4.0, "border": "reflect", "fill": 9})]
    same_fill = [chain[0], ("rotate", {**chain[1][1], "fill": 0})]
    assert np.array_equal(fused(image, chain), fused(image, same_fill))
    assert not np.array_equal(fused(image, chain), one_by_one(image, chain))


def test_no_fuse_and_the_recipe_key_give_the_step_by_step_bytes(image_tree, tmp_path, write_recipe, run_cli):
    from tests.conftest import tree_bytes

    recipe = write_recipe(GEOMETRY_RECIPE)
    keyed = write_recipe("[output]\nfuse = false\n" + GEOMETRY_RECIPE, name="keyed.toml")
    outs = {}
    for name, args in {"fused": (recipe,), "flag": (recipe, "--no-fuse"), "key": (keyed,)}.items():
        out = tmp_path / name
        result = run_cli("expand", image_tree, "--recipe", *args[:1], *args[1:], "--out", out,
                         "--copies", "2", "--workers", "1")
        assert result.exit_code == 0, result.output
        outs[name] = {k: v for k, v in tree_bytes(out).items() if not k.endswith((".csv", ".json"))}
    assert outs["flag"] == outs["key"]
    assert outs["flag"] != outs["fused"]


def test_online_augmenter_honours_the_recipe_fuse_key():
    from augment_cli import Augmenter
    from augment_cli.recipe.model import unfused

    image = smooth_photo()
    recipe = parse_recipe(GEOMETRY_RECIPE, "geometry.toml")
    fused_copy = Augmenter(recipe).image(image, seed=3)
    plain_copy = Augmenter(unfused(recipe)).image(image, seed=3)
    assert fused_copy.params == plain_copy.params
    assert np.array_equal(fused_copy.data, steps.replay(image, fused_copy.params, "image"))
    assert np.array_equal(plain_copy.data, steps.replay(image, plain_copy.params, "image", fuse=False))
    assert not np.array_equal(fused_copy.data, plain_copy.data)
