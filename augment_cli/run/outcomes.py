"""How many distinct copies a recipe can make of one file, where that is finite.

Only steps of `fixed` transforms (their sampler draws nothing of its own,
registry.TransformSpec.fixed) have a countable set of results: one per
combination of the values their ranges and lists can take (an int range
[4, 8] is 5 values, a float range is unbounded). A step that may not fire
can also leave the data unchanged. The count is an upper bound (two
different steps may give the same picture), so the warning it drives is
never wrong when it speaks: `hflip` alone can make one distinct copy.
"""

from __future__ import annotations

import math
from typing import Any

from augment_cli import registry
from augment_cli.recipe.model import Recipe, Step, TransformStep

# (results other than the unchanged input, whether the input can come out unchanged)
Outcomes = tuple[int, bool]


def distinct_copies_at_most(recipe: Recipe, modality: str) -> int | None:
    """The most distinct copies (none equal to the source) the modality's
    steps can make of one file; None when unbounded or not countable."""
    total, unchanged = 1, True
    for step in recipe.steps_for(modality):
        counted = _step(step, modality)
        if counted is None:
            return None
        results, can_skip = counted
        total *= results + can_skip
        unchanged = unchanged and can_skip
    return total - unchanged


def _step(step: Step, modality: str) -> Outcomes | None:
    may_skip = step.p < 1
    if isinstance(step, TransformStep):
        results = _transform(step, modality)
        return None if results is None else (results, may_skip)
    members = [_transform(member, modality) for member in step.members]
    if any(results is None for results in members):
        return None
    counts = [int(results) for results in members if results is not None]
    if step.kind == "one_of":
        return sum(counts), may_skip
    # some_of / shuffle: each member applied or not; shuffle also orders them.
    subsets = math.prod(count + 1 for count in counts)
    orders = math.factorial(len(counts)) if step.kind == "shuffle" else 1
    low = step.n[0] if isinstance(step.n, tuple) else step.n
    can_skip = may_skip or step.kind == "shuffle" or low == 0
    return subsets * orders - 1, can_skip


def _transform(step: TransformStep, modality: str) -> int | None:
    spec = registry.get(modality, step.transform)
    if spec is None or not spec.fixed:
        return None
    results = 1
    for param in spec.params:
        count = _values(param, step.values_dict().get(param.name))
        if count is None:
            return None
        results *= count
    return results


def _values(param: registry.Param, value: Any) -> int | None:
    """How many values a recipe value can take when drawn (None: unbounded)."""
    if not isinstance(value, tuple):
        return 1
    if param.kind == "choice":
        return len(set(value))
    low, high = value
    if low == high:
        return 1
    if param.kind == "int":
        return int(high) - int(low) + 1
    return None


def duplicate_warning(recipe: Recipe, modality: str, copies: int) -> str | None:
    """The warning for a recipe that cannot make `copies` distinct copies of a file."""
    most = distinct_copies_at_most(recipe, modality)
    if most is None or most >= copies:
        return None
    return (f"the [[{modality}]] steps of {recipe.path} can make at most {most} distinct "
            f"cop{'y' if most == 1 else 'ies'} of a file, fewer than the {copies} asked for: the "
            "rest repeat one (kept and marked duplicate_of in manifest.csv); add steps with ranges, "
            "or ask for fewer copies")
