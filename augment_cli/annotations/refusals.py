"""Recipe-time refusal of transforms annotations cannot follow.

Plain Python over the registry (no numpy): the plan calls it in the main
process, before any output, for a run whose layout carries annotations.
"""

from __future__ import annotations

from augment_cli import registry
from augment_cli.errors import RecipeError
from augment_cli.recipe.model import GroupStep, Recipe, TransformStep

# Annotations live on images; another modality's steps never meet them.
ANNOTATED_MODALITY = "image"


def refusals(recipe: Recipe, format_name: str) -> list[RecipeError]:
    """One RecipeError per image step whose transform's geometry is unknown
    (or undeclared), naming the recipe file, the step, the transform and the
    format; empty when every step keeps `format_name` annotations consistent."""
    found = []
    for member in _image_members(recipe):
        geometry = registry.require(ANNOTATED_MODALITY, member.transform).geometry
        if geometry in (None, registry.UNKNOWN):
            reason = (f"{member.transform} cannot move {format_name} annotations: its geometry is not "
                      f"known, so boxes, masks and keypoints would no longer match the pixels")
            found.append(RecipeError(reason, recipe=recipe.path, step=member.where, key="transform"))
    return found


def check_annotated(recipe: Recipe, format_name: str) -> None:
    """Raise the first of `refusals` (a RecipeError: exit 2 before any output)."""
    problems = refusals(recipe, format_name)
    if problems:
        raise problems[0]


def _image_members(recipe: Recipe) -> list[TransformStep]:
    members: list[TransformStep] = []
    for step in recipe.steps_for(ANNOTATED_MODALITY):
        members += step.members if isinstance(step, GroupStep) else (step,)
    return members
