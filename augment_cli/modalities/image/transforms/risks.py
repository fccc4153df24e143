"""Label risks of image transforms: what a step can do to some datasets' labels.

Each function takes a step's validated values (ranges as (low, high)) and
returns None or a phrase for `augment preview`'s warning. They are declared on
the transforms with `register(..., label_risk=...)`; the thresholds come from
the effectiveness benchmark (benchmarks/effectiveness/), where recipes with
these steps lost 9-29 points on digit images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from augment_cli.registry import span

TURN_LIMIT_DEG = 90      # past a quarter turn, a 6 reads as a 9 and text is upside down
CROP_LIMIT = 0.5         # crops keeping under half the area can cut the object out


# Declared risks are dataclasses, not closures: a TransformSpec goes to the
# workers, so everything it holds must pickle.
@dataclass(frozen=True)
class Always:
    """A risk that holds whatever the values."""

    reason: str

    def __call__(self, values: dict[str, Any]) -> str:
        return self.reason


@dataclass(frozen=True)
class LargeTurn:
    """The step can turn an image past TURN_LIMIT_DEG (through its `key` range)."""

    key: str

    def __call__(self, values: dict[str, Any]) -> str | None:
        widest = max(abs(float(v)) for v in span(values[self.key]))
        if widest <= TURN_LIMIT_DEG:
            return None
        return (f"turns up to {widest:g} degrees: upside down a 6 reads as a 9 and text, faces "
                "and scenes are no longer what they were")


def heavy_crop(values: dict[str, Any]) -> str | None:
    low = float(span(values["scale"])[0])
    if low >= CROP_LIMIT:
        return None
    return (f"keeps as little as {low:.0%} of the image: the object that gives the label "
            "may be cut out")
