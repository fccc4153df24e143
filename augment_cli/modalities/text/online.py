"""Text in memory for the online Augmenter: a str."""

from __future__ import annotations

from typing import Any

from augment_cli.errors import UsageError


def to_data(item: Any) -> str:
    if not isinstance(item, str):
        raise UsageError(f"text must be a str, got {type(item).__name__}")
    return item


def from_data(item: Any, data: str) -> dict[str, Any]:
    return {"data": data}
