"""Toy transforms: `shift` adds a drawn integer to every value, `flip` reverses them."""

from __future__ import annotations

from typing import Any

from augment_cli.registry import Param, register

OPS = "augment_cli.modalities.toy.transforms.core"


def meta(data: tuple[int, ...]) -> dict[str, Any]:
    return {"count": len(data)}


@register("shift", modality="toy", apply=f"{OPS}:apply_shift",
          params=(Param("by", "int", [1, 9], bounds=(-100, 100), help="added to every value"),))
def shift(rng, drawn, meta):
    """Add one drawn integer to every value."""
    return {"by": drawn["by"]}


@register("flip", modality="toy", apply=f"{OPS}:apply_flip", fixed=True)
def flip(rng, drawn, meta):
    """Reverse the order of the values."""
    return {}


def apply_shift(data: tuple[int, ...], params: dict[str, Any]) -> tuple[int, ...]:
    return tuple(value + params["by"] for value in data)


def apply_flip(data: tuple[int, ...], params: dict[str, Any]) -> tuple[int, ...]:
    return data[::-1]
