"""The recipe's [annotations] table: which objects a copy keeps.

Plain Python (no numpy), so the recipe checker can read it in the main
process. The keys are declared as registry Params, so the table is checked
with the same value rules and error style as a transform step's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from augment_cli.registry import Param

PARAMS = (
    Param("min_visibility", "float", 0.0, bounds=(0.0, 1.0), ranged=False,
          help="fraction of an object's area that must stay in the image (0 = keep any sliver)"),
    Param("min_area_px", "float", 0.0, bounds=(0.0, 1e12), ranged=False,
          help="smallest area in pixels an object may keep"),
    Param("min_size_px", "float", 0.0, bounds=(0.0, 1e6), ranged=False,
          help="smallest width and height in pixels of an object's box"),
    Param("mask_fill", "int", 0, bounds=(0, 65535), ranged=False,
          help="value of mask pixels that come from outside the image (background / ignore)"),
)


@dataclass(frozen=True)
class Limits:
    """Validated [annotations] values (defaults: keep every object that stays in the image)."""

    min_visibility: float = 0.0
    min_area_px: float = 0.0
    min_size_px: float = 0.0
    mask_fill: int = 0
