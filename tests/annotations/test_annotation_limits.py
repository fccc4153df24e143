"""The recipe's [annotations] limits: which objects a finished copy keeps.

Objects are cut by a known crop, so each one's remaining share, area and
size are known exactly; the limits remove exactly those below them and
count them in Targets.dropped. Plain (non-annotated) data is untouched.
"""

from __future__ import annotations

import numpy as np
import pytest

from augment_cli.annotations.limits import Limits
from augment_cli.annotations.model import Annotated, Object, Targets
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps

# A 100 x 100 image cut to its left 50 columns (random_crop has one place to put it).
CROP = '[[image]]\ntransform = "random_crop"\nheight = 100\nwidth = 50\n'
WIDE = Object(1, box=np.array([40.0, 0.0, 60.0, 10.0]))     # half stays: 10 x 10
SLIVER = Object(2, box=np.array([48.0, 20.0, 68.0, 30.0]))  # 10 % stays: 2 x 10
INSIDE = Object(3, box=np.array([0.0, 40.0, 30.0, 43.0]))   # all stays: 30 x 3
GONE = Object(4, box=np.array([70.0, 70.0, 90.0, 90.0]))    # none stays


def run(limits_text: str, dropped: int = 0) -> Targets:
    recipe = parse_recipe(CROP + limits_text, "limits.toml")
    data = Annotated(np.zeros((100, 100, 3), np.uint8),
                     Targets([WIDE, SLIVER, INSIDE, GONE], dropped=dropped), recipe.annotations)
    out, _ = steps.augment(data, recipe.steps_for("image"), "image", np.random.SeedSequence(0))
    return out.targets


def categories(targets: Targets) -> list[int]:
    return [o.category for o in targets.objects]


def test_by_default_any_sliver_is_kept_and_only_what_left_is_dropped():
    targets = run("", dropped=2)
    assert categories(targets) == [1, 2, 3]
    assert [round(o.visibility, 6) for o in targets.objects] == [0.5, 0.1, 1.0]
    assert targets.dropped == 2 + 1


@pytest.mark.parametrize("table, kept", [
    ("min_visibility = 0.5", [1, 3]),
    ("min_visibility = 0.51", [3]),
    ("min_area_px = 90", [1, 3]),
    ("min_area_px = 100.5", []),
    ("min_size_px = 3", [1, 3]),
    ("min_size_px = 3.5", [1]),
    ("min_size_px = 2", [1, 2, 3]),
    ("min_visibility = 0.05\nmin_size_px = 2.5", [1, 3]),
])
def test_objects_below_a_limit_are_removed_and_counted(table, kept):
    targets = run(f"[annotations]\n{table}\n")
    assert categories(targets) == kept
    assert targets.dropped == 4 - len(kept)


def test_visibility_is_the_share_left_after_every_step():
    """Two crops each halving an object leave a quarter of it."""
    text = CROP + '[[image]]\ntransform = "random_crop"\nheight = 100\nwidth = 25\n'
    recipe = parse_recipe(text + "[annotations]\nmin_visibility = 0.3\n", "limits.toml")
    quarter = Object(1, box=np.array([0.0, 0.0, 100.0, 10.0]))  # 50 then 25 of 100 columns stay
    data = Annotated(np.zeros((100, 100), np.uint8), Targets([quarter]), recipe.annotations)
    out, _ = steps.augment(data, recipe.steps_for("image"), "image", np.random.SeedSequence(0))
    assert out.targets.objects == [] and out.targets.dropped == 1
    again = steps.replay(data, steps.augment(data, recipe.steps_for("image"), "image",
                                             np.random.SeedSequence(0))[1], "image")
    assert again.targets.dropped == 1


def test_the_area_of_a_polygon_object_is_its_polygons():
    triangle = Object(1, polygons=[np.array([[0.0, 0.0], [40.0, 0.0], [0.0, 40.0]])],
                      box=np.array([0.0, 0.0, 40.0, 40.0]))
    for threshold, kept in ((800, 1), (801, 0)):
        recipe = parse_recipe('[[image]]\ntransform = "hflip"\n'
                              f"[annotations]\nmin_area_px = {threshold}\n", "limits.toml")
        data = Annotated(np.zeros((50, 50), np.uint8), Targets([triangle]), recipe.annotations)
        out, _ = steps.augment(data, recipe.steps_for("image"), "image", np.random.SeedSequence(0))
        assert len(out.targets.objects) == kept


def test_limits_default_to_keeping_everything():
    assert Limits() == parse_recipe('[[image]]\ntransform = "hflip"\n', "r.toml").annotations
