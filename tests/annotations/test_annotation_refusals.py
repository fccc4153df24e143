"""Recipe-time refusal: a transform whose geometry is unknown cannot run on
annotated data, and the refusal names the recipe file, step, transform and format."""

from __future__ import annotations

import pytest

from augment_cli import registry
from augment_cli.annotations.refusals import check_annotated, refusals
from augment_cli.errors import RecipeError
from augment_cli.recipe import parse_recipe


@pytest.fixture
def table(monkeypatch) -> dict:
    """A private copy of the transform table with a transform of unknown
    geometry and one that never declared it."""
    registry.specs()
    copy = dict(registry._TABLE)
    monkeypatch.setattr(registry, "_TABLE", copy)

    def sampler(rng, drawn, meta):
        """A test transform."""
        return drawn

    registry.register("test_swirl", modality="image", apply="x:y", geometry=registry.UNKNOWN)(sampler)
    registry.register("test_undeclared", modality="image", apply="x:y")(sampler)
    return copy


RECIPE = """
[[image]]
transform = "rotate"
angle_deg = 10

[[image]]
transform = "test_swirl"

[[image]]
one_of = [{ transform = "hflip" }, { transform = "test_undeclared" }]

[[text]]
transform = "random_swap"
"""


def test_unknown_and_undeclared_geometries_are_refused_naming_step_and_format(table):
    recipe = parse_recipe(RECIPE, "heavy.toml")
    found = [str(problem) for problem in refusals(recipe, "yolo")]
    assert found == [
        "heavy.toml: [[image]] step 2 (test_swirl): key 'transform': test_swirl cannot move yolo "
        "annotations: its geometry is not known, so boxes, masks and keypoints would no longer match "
        "the pixels",
        "heavy.toml: [[image]] step 3 (one_of) option 2 (test_undeclared): key 'transform': "
        "test_undeclared cannot move yolo annotations: its geometry is not known, so boxes, masks and "
        "keypoints would no longer match the pixels",
    ]
    with pytest.raises(RecipeError, match="step 2 \\(test_swirl\\).*cannot move coco annotations") as caught:
        check_annotated(recipe, "coco")
    assert caught.value.exit_code == 2


def test_every_shipped_transform_is_accepted_for_annotated_data():
    lines = []
    for spec in registry.specs("image"):
        required = "".join(f"{p.name} = 1\n" for p in spec.params if p.required)
        lines.append(f'[[image]]\ntransform = "{spec.name}"\n{required}')
    recipe = parse_recipe("\n".join(lines), "every.toml")
    assert refusals(recipe, "coco") == []
    check_annotated(recipe, "masks")
