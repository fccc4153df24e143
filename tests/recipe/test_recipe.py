"""Recipe checking: every bad recipe exits 2 with file, step and key, and writes nothing."""

from __future__ import annotations

import pytest

from augment_cli.annotations.limits import Limits
from augment_cli.errors import RecipeError
from augment_cli.recipe import GroupStep, parse_recipe
from paths import PROJECT_ROOT

BAD_RECIPES = [
    ("syntax", '[[image]\ntransform = "hflip"\n', ["TOML syntax error", "line 1"]),
    ("unknown transform", '[[image]]\ntransform = "hflop"\n',
     ["[[image]] step 1", "key 'transform'", "unknown image transform 'hflop'", "hflip"]),
    ("unknown parameter",
     '[[image]]\ntransform = "hflip"\n\n[[image]]\ntransform = "rotate"\nangle_deg = 5\nspeed = 3\n',
     ["recipe.toml:7", "[[image]] step 2 (rotate)", "key 'speed'", "unknown parameter", "angle_deg"]),
    ("missing parameter", '[[image]]\ntransform = "rotate"\n',
     ["[[image]] step 1 (rotate)", "key 'angle_deg'", "missing required parameter"]),
    ("missing transform", '[[image]]\np = 0.5\n', ["[[image]] step 1", "missing 'transform'"]),
    ("wrong type", '[[image]]\ntransform = "gaussian_blur"\nsigma = "big"\n',
     ["recipe.toml:3", "key 'sigma'", "expected a number or [low, high], got 'big'"]),
    ("p above 1", '[[image]]\ntransform = "hflip"\np = 1.5\n',
     ["[[image]] step 1 (hflip)", "key 'p'", "outside the allowed 0 .. 1"]),
    ("p negative", '[[image]]\ntransform = "hflip"\np = -0.1\n', ["key 'p'", "outside the allowed"]),
    ("low above high", '[[image]]\ntransform = "rotate"\nangle_deg = [10, -10]\n',
     ["key 'angle_deg'", "range low 10.0 is greater than high -10.0"]),
    ("three values", '[[image]]\ntransform = "rotate"\nangle_deg = [1, 2, 3]\n', ["a range is [low, high]"]),
    ("bad choice", '[[image]]\ntransform = "rotate"\nangle_deg = 5\nborder = "wrap"\n',
     ["key 'border'", "'wrap' is not one of reflect | constant | replicate"]),
    ("bool as number", '[[image]]\ntransform = "gaussian_blur"\nsigma = true\n', ["got True"]),
    ("empty", '# nothing\n', ["the recipe has no steps"]),
    ("unknown top level", '[[images]]\ntransform = "hflip"\n', ["key 'images'", "unknown top-level key"]),
    ("bad output", '[output]\njpeg_quality = 101\n[[image]]\ntransform = "hflip"\n',
     ["[output]", "key 'jpeg_quality'", "outside the allowed 1 .. 100"]),
    ("bad group member", '[[image]]\none_of = [{ transform = "hflip" }, { transform = "nope" }]\n',
     ["[[image]] step 1 (one_of) option 2", "unknown image transform 'nope'"]),
    ("group extra key", '[[image]]\none_of = [{ transform = "hflip" }]\ntransform = "vflip"\n',
     ["(one_of)", "key 'transform'", "takes only 'one_of' and 'p'"]),
    ("steps not tables", 'image = ["hflip"]\n', ["key 'image'", "must be a list of tables"]),
    ("version", 'version = 2\n[[image]]\ntransform = "hflip"\n', ["unsupported recipe version 2"]),
    ("annotations key", '[[image]]\ntransform = "hflip"\n\n[annotations]\nmin_visibilty = 0.3\n',
     ["recipe.toml:5", "[annotations]", "key 'min_visibilty'", "[annotations] takes: min_visibility"]),
    ("annotations value", '[annotations]\nmin_visibility = 1.5\n[[image]]\ntransform = "hflip"\n',
     ["recipe.toml:2", "[annotations]", "key 'min_visibility'", "outside the allowed 0 .. 1"]),
    ("annotations range", '[annotations]\nmin_area_px = [1, 9]\n[[image]]\ntransform = "hflip"\n',
     ["key 'min_area_px'", "expected one number, not a list"]),
    ("annotations not a table", 'annotations = 3\n[[image]]\ntransform = "hflip"\n',
     ["key 'annotations'", "must be a table"]),
]


@pytest.mark.parametrize("name,text,expected", BAD_RECIPES, ids=[c[0] for c in BAD_RECIPES])
def test_bad_recipe_exits_2_naming_where_and_writes_nothing(name, text, expected, image_tree, write_recipe,
                                                            run_cli, tmp_path):
    recipe = write_recipe(text)
    out = tmp_path / "out"
    result = run_cli("expand", image_tree, "--recipe", recipe, "--out", out)
    assert result.exit_code == 2
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and message[0].startswith(f"Error: {recipe}")
    for fragment in expected:
        assert fragment in message[0]
    assert "Traceback" not in result.output
    assert not out.exists()
    assert run_cli("validate", recipe).exit_code == 2


def test_missing_recipe_file(image_tree, run_cli, tmp_path):
    result = run_cli("expand", image_tree, "--recipe", tmp_path / "nope.toml", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "nope.toml: file not found" in result.stderr


def test_valid_recipe_fills_defaults_and_keeps_ranges():
    recipe = parse_recipe('[[image]]\ntransform = "rotate"\nangle_deg = [-5, 5]\np = 0.3\n', "r.toml")
    (step,) = recipe.steps_for("image")
    assert step.p == 0.3
    assert step.values_dict() == {"angle_deg": (-5.0, 5.0), "border": "reflect", "fill": 0}


def test_one_of_group_and_digest_ignores_comments():
    text = '[[image]]\np = 0.8\none_of = [{ transform = "hflip", p = 0.9 }, { transform = "vflip" }]\n'
    recipe = parse_recipe(text, "r.toml")
    (group,) = recipe.steps_for("image")
    assert isinstance(group, GroupStep) and [m.transform for m in group.members] == ["hflip", "vflip"]
    assert parse_recipe("# a comment\n" + text, "other.toml").digest == recipe.digest
    assert parse_recipe(text.replace("0.8", "0.7"), "r.toml").digest != recipe.digest


def test_annotations_table_sets_the_limits_and_only_then_the_digest():
    steps = '[[image]]\ntransform = "hflip"\n'
    plain = parse_recipe(steps, "r.toml")
    assert plain.annotations == Limits()
    assert parse_recipe(steps + "[annotations]\nmin_visibility = 0.0\n", "r.toml").digest == plain.digest
    text = steps + "[annotations]\nmin_visibility = 0.25\nmin_area_px = 4\nmin_size_px = 2\nmask_fill = 255\n"
    limited = parse_recipe(text, "r.toml")
    assert limited.annotations == Limits(min_visibility=0.25, min_area_px=4.0, min_size_px=2.0, mask_fill=255)
    assert limited.digest != plain.digest


def test_group_member_error_points_at_member_line():
    text = ('[[image]]\np = 0.8\none_of = [\n  { transform = "hflip" },\n'
            '  { transform = "vflip", p = 3 },\n]\n')
    expected = r"r.toml:5: \[\[image\]\] step 1 \(one_of\) option 2 \(vflip\): key 'p'"
    with pytest.raises(RecipeError, match=expected):
        parse_recipe(text, "r.toml")


def test_one_of_without_any_weight_is_refused():
    with pytest.raises(RecipeError, match="none can be picked"):
        parse_recipe('[[image]]\none_of = [{ transform = "hflip", p = 0 }]\n', "r.toml")


def test_shipped_recipes_validate(run_cli):

    recipes = sorted((PROJECT_ROOT / "recipes").glob("*.toml"))
    assert recipes
    for recipe in recipes:
        assert run_cli("validate", recipe).exit_code == 0, recipe


@pytest.mark.parametrize("shape", ["tables", "inline"])
def test_validation_is_linear_in_the_number_of_steps(shape):
    """Line lookups used to rescan the file per step: 4,000 [[image]] tables took 6.7-18 s,
    8,000 inline group steps about 18 s; now well under a second each (the bound is loose
    for a shared machine)."""
    import time

    if shape == "tables":
        text = "".join(f'[[image]]\ntransform = "rotate"\nangle_deg = [-{k % 30}, 10]\np = 0.5\n\n'
                       for k in range(4000))
    else:
        group = '  { one_of = [{ transform = "hflip" }, { transform = "vflip" }] },\n'
        text = "image = [\n" + group * 8000 + "]\n"
    started = time.perf_counter()
    recipe = parse_recipe(text, "many.toml")
    assert len(recipe.steps_for("image")) == (4000 if shape == "tables" else 8000)
    assert time.perf_counter() - started < 4.0


def test_line_numbers_point_at_the_right_step_among_many():
    text = '[[image]]\ntransform = "hflip"\n\n' * 300 + '[[image]]\ntransform = "rotate"\nangle = 5\n'
    where = r"^recipe.toml:903: \[\[image\]\] step 301 \(rotate\): key 'angle'"
    with pytest.raises(RecipeError, match=where):
        parse_recipe(text, "recipe.toml")
