"""Toy values in memory for the online Augmenter: a sequence of ints."""

from __future__ import annotations

from typing import Any


def to_data(item: Any) -> tuple[int, ...]:
    return tuple(int(value) for value in item)


def from_data(item: Any, data: tuple[int, ...]) -> dict[str, Any]:
    return {"data": data}
