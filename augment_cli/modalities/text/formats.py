"""Text copies keep their source's extension (always written as UTF-8)."""

from __future__ import annotations

from typing import Any


def output_extension(suffix: str, output: Any) -> str:
    return suffix
