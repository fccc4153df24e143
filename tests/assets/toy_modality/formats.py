"""Toy copies keep their source's extension."""

from __future__ import annotations

from typing import Any


def output_extension(suffix: str, output: Any) -> str:
    return suffix
