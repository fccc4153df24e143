"""Label-preservation warnings: steps that can move copies out of their class are named."""

from __future__ import annotations

import pytest

from augment_cli.commands.label_risks import label_risks
from augment_cli.recipe import load_recipe, parse_recipe
from conftest import FLIPS
from paths import PROJECT_ROOT

RISKY = """
[[image]]
p = 0.8
one_of = [ { transform = "hflip" }, { transform = "vflip" }, { transform = "rotate", angle_deg = 180 } ]

[[image]]
transform = "random_resized_crop"
scale = [0.4, 1.0]

[[image]]
transform = "channel_shuffle"
p = 0.2

[[image]]
transform = "affine"
rotate_deg = [-120, 120]
"""


def test_each_label_breaking_step_is_named_with_its_reason():
    found = label_risks(parse_recipe(RISKY, "risky.toml"))
    assert len(found) == 5
    vflip, half_turn, crop, shuffle, affine = found
    assert vflip.startswith("[[image]] step 1 (one_of) option 2 (vflip) can change labels") and "6" in vflip
    assert "option 3 (rotate)" in half_turn and "180 degrees" in half_turn
    assert "step 2 (random_resized_crop)" in crop and "40%" in crop
    assert "step 3 (channel_shuffle)" in shuffle and "colour" in shuffle
    assert "step 4 (affine)" in affine and "120 degrees" in affine


@pytest.mark.parametrize("text", [
    FLIPS,                                                            # hflip, +-20 degrees
    '[[image]]\ntransform = "random_resized_crop"\nscale = [0.5, 1.0]\n',  # keeps half: allowed
    '[[image]]\ntransform = "rotate"\nangle_deg = 90\n',               # a quarter turn: allowed
    '[[image]]\ntransform = "vflip"\np = 0\n',                         # never runs
    '[[image]]\np = 0\none_of = [ { transform = "vflip" } ]\n',
])
def test_label_safe_steps_give_no_warning(text):
    assert label_risks(parse_recipe(text, "safe.toml")) == []


@pytest.mark.parametrize("name", ["light", "heavy", "photos", "digits-and-text-images", "catalogue"])
def test_shipped_image_recipes_are_label_safe(name):
    assert label_risks(load_recipe(PROJECT_ROOT / "recipes" / f"{name}.toml")) == []


def test_flips_recipe_warns_about_its_vertical_flip():
    found = label_risks(load_recipe(PROJECT_ROOT / "recipes" / "flips.toml"))
    assert [line.split(" can ")[0] for line in found] == ["[[image]] step 2 (vflip)"]


def test_preview_prints_the_warning_before_expanding(image_tree, write_recipe, run_cli, tmp_path):
    risky = write_recipe('[[image]]\ntransform = "vflip"\np = 0.5\n')
    result = run_cli("preview", image_tree, "-r", risky, "--out", tmp_path / "p.png", "--samples", 1,
                     "--copies", 1)
    assert result.exit_code == 0, result.output
    assert "Warning: [[image]] step 1 (vflip) can change labels: it mirrors top-bottom" in result.stderr
    quiet = run_cli("preview", image_tree, "-r", risky, "--out", tmp_path / "q.png", "--samples", 1,
                    "--copies", 1, "--quiet")
    assert quiet.exit_code == 0 and "Warning" not in quiet.stderr
    safe = run_cli("preview", image_tree, "-r", write_recipe(), "--out", tmp_path / "s.png",
                   "--samples", 1, "--copies", 1)
    assert safe.exit_code == 0 and "can change labels" not in safe.stderr
