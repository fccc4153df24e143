"""Label-preservation warnings: recipe steps that can move a copy out of its class.

Driven by the `label_risk` each transform declares in the registry (for
example vflip, turns past 90 degrees, crops to under half the area, channel
shuffle): `augment preview` prints one warning per such step, so a user sees
it before expanding. A risk is a warning, not an error: a vertical flip is
right for cells or satellite tiles and wrong for digits; only the user knows
which data the recipe is for.
"""

from __future__ import annotations

from augment_cli import registry
from augment_cli.recipe import Recipe
from augment_cli.recipe.model import GroupStep, TransformStep


def label_risks(recipe: Recipe) -> list[str]:
    """One line per step that can break labels on some data, in recipe order."""
    found = []
    for modality, steps in recipe.steps:
        for step in steps:
            if step.p <= 0:
                continue
            members = step.members if isinstance(step, GroupStep) else (step,)
            found += [line for member in members if (line := _risk(modality, member)) is not None]
    return found


def _risk(modality: str, step: TransformStep) -> str | None:
    spec = registry.require(modality, step.transform)
    if spec.label_risk is None or step.p <= 0:
        return None
    reason = spec.label_risk(step.values_dict())
    if reason is None:
        return None
    return f"{step.where} can change labels: it {reason}"
