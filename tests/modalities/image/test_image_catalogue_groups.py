"""Composition: some_of and shuffle groups, randaugment and trivial_augment."""

from __future__ import annotations

import json

import numpy as np
import pytest

from augment_cli.errors import RecipeError
from augment_cli.modalities.image.transforms.policy import OP_NAMES
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps as pipeline
from catalogue_helpers import apply, kinds, smooth_rgb

RGB = smooth_rgb()
SOME_OF = """
[[image]]
some_of = [ { transform = "hflip" }, { transform = "invert" }, { transform = "vflip" },
            { transform = "equalize", p = 0 } ]
n = %s
"""
SHUFFLE = """
[[image]]
shuffle = [ { transform = "hflip" }, { transform = "invert" }, { transform = "vflip", p = 0.5 } ]
"""


def names(text: str, seed: int) -> list[str]:
    recipe = parse_recipe(text, "r.toml")
    _, records = pipeline.augment(RGB, recipe.steps_for("image"), "image", np.random.SeedSequence(seed))
    return [r["transform"] for r in records]


def test_some_of_applies_n_distinct_members_in_listed_order():
    seen = set()
    for seed in range(30):
        picked = names(SOME_OF % "2", seed)
        assert len(picked) == 2 and len(set(picked)) == 2 and "equalize" not in picked
        assert picked == sorted(picked, key=["hflip", "invert", "vflip"].index)
        seen.add(tuple(picked))
    assert len(seen) == 3
    counts = {len(names(SOME_OF % "[1, 3]", seed)) for seed in range(30)}
    assert counts == {1, 2, 3}


def test_shuffle_applies_every_member_in_random_order_with_own_p():
    orders = [names(SHUFFLE, seed) for seed in range(40)]
    assert all({"hflip", "invert"} <= set(o) for o in orders)
    assert len({tuple(o) for o in orders}) > 3
    with_vflip = sum("vflip" in o for o in orders) / len(orders)
    assert 0.2 < with_vflip < 0.8


def test_groups_replay_exactly():
    recipe = parse_recipe(SOME_OF % "[1, 3]" + SHUFFLE, "r.toml")
    for seed in range(5):
        out, records = pipeline.augment(RGB, recipe.steps_for("image"), "image",
                                        np.random.SeedSequence(seed))
        np.testing.assert_array_equal(pipeline.replay(RGB, json.loads(json.dumps(records)), "image"), out)


@pytest.mark.parametrize("text,message", [
    ("[[image]]\nsome_of = [ { transform = \"hflip\" } ]\n", "missing 'n'"),
    ("[[image]]\nsome_of = [ { transform = \"hflip\" } ]\nn = 2\n", "outside the allowed 1 .. 1"),
    ("[[image]]\nshuffle = [ { transform = \"hflip\" } ]\nn = 1\n", "takes only"),
    ("[[image]]\nshuffle = [ { transform = \"hflip\" } ]\none_of = [ { transform = \"hflip\" } ]\n",
     "one group"),
])
def test_group_errors_name_step_and_key(text, message):
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text, "r.toml")
    assert message in str(caught.value) and "step 1" in str(caught.value)


def test_some_of_n_beyond_members_with_weight_is_refused():
    with pytest.raises(RecipeError, match="members with p > 0"):
        parse_recipe(SOME_OF % "4", "r.toml")


def test_one_of_digest_is_unchanged_by_group_extension():
    recipe = parse_recipe("[[image]]\none_of = [ { transform = \"hflip\" } ]\n", "r.toml")
    assert recipe.steps_for("image")[0].n == 1
    other = parse_recipe(SOME_OF % "1", "r.toml")
    assert recipe.digest != other.digest != parse_recipe(SOME_OF % "2", "r.toml").digest


def test_randaugment_samples_n_ops_at_magnitude_through_their_specs():
    for seed in range(20):
        out, params = apply("randaugment", RGB, seed, n=3, magnitude=30)
        assert len(params["ops"]) == 3
        for op in params["ops"]:
            name, values = op["transform"], op["params"]
            if name == "affine":
                full = {"rotate_deg": 30.0, "shear_x_deg": 16.7, "shear_y_deg": 16.7,
                        "translate_x": 0.45, "translate_y": 0.45}
                moved = {k: abs(values[k]) for k in full if values[k] != 0}
                assert len(moved) == 1 and all(full[k] == v for k, v in moved.items())
            if name == "posterize":
                assert values["bits"] == 4
            if name == "solarize":
                assert values["threshold"] == 0.0


def test_randaugment_magnitude_zero_changes_little():
    for seed in range(10):
        out, params = apply("randaugment", RGB, seed, n=2, magnitude=0)
        tone = {"auto_contrast", "equalize", "solarize"}
        if not tone & {op["transform"] for op in params["ops"]}:
            assert np.abs(out.astype(int) - RGB).max() <= 1, params  # solarize at m=0 inverts all


def test_trivial_augment_one_op_over_all_magnitudes_and_ops():
    magnitudes, ops = set(), set()
    for seed in range(150):
        _, params = apply("trivial_augment", kinds()["rgb16"], seed)
        assert len(params["ops"]) == 1 and 0 <= params["magnitude"] <= 30
        magnitudes.add(params["magnitude"])
        ops.add(params["ops"][0]["transform"])
    assert len(magnitudes) > 20
    assert ops == {"affine", "color_jitter", "sharpen", "posterize", "solarize", "auto_contrast",
                   "equalize"}
    assert len(OP_NAMES) == 13


# The transforms these tests pin down (tests/test_registry.py fails while a
# registered transform is named in no module's BEHAVIOUR).
BEHAVIOUR = {
    "image/randaugment": (test_randaugment_samples_n_ops_at_magnitude_through_their_specs,
                          test_randaugment_magnitude_zero_changes_little),
    "image/trivial_augment": test_trivial_augment_one_op_over_all_magnitudes_and_ops,
}
