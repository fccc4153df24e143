"""Checking one recipe value against its Param; shared by steps and [output].

Each checker returns the normalised value (ranges become tuples) or raises
ValueError with a reason a user can act on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from augment_cli.plugins import resolve
from augment_cli.registry import NUMBER_KINDS, Param


def check_value(param: Param, value: Any, base: Path | None = None) -> Any:
    """`base` is the recipe file's folder, which relative folder values start from."""
    if param.kind == "folder":
        return _check_folder(param, value, base or Path("."))
    if param.kind in NUMBER_KINDS:
        return _check_number_or_range(param, value)
    if param.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {_show(value)}")
        return value
    if param.kind == "choice":
        return _check_choice(param, value)
    if param.kind == "path":
        if not isinstance(value, str):
            raise ValueError(f"expected a file path string, got {_show(value)}")
        return value
    if param.kind == "str":
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected a non-empty string, got {_show(value)}")
        if param.validator:
            resolve(param.validator)(value)
        return value
    raise AssertionError(f"unknown parameter kind {param.kind}")


def _check_folder(param: Param, value: Any, base: Path) -> str:
    """A folder named relative to the recipe file -> its absolute path; what it
    must hold is the param's `validator` (e.g. readable recordings)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a folder path (a string), got {_show(value)}")
    folder = (base / value).resolve()
    if not folder.is_dir():
        raise ValueError(f"folder not found: {folder}")
    if param.validator:
        resolve(param.validator)(folder)
    return folder.as_posix()


def _check_number_or_range(param: Param, value: Any) -> Any:
    if isinstance(value, list):
        if not param.ranged:
            raise ValueError(f"expected one {_kind_name(param).split()[-1]}, not a list")
        if len(value) != 2:
            raise ValueError(f"a range is [low, high], got {len(value)} values")
        low, high = (_check_number(param, v) for v in value)
        if low > high:
            raise ValueError(f"range low {low} is greater than high {high}")
        return (low, high)
    return _check_number(param, value)


def _check_number(param: Param, value: Any) -> float | int:
    ok_types = (int,) if param.kind == "int" else (int, float)
    if isinstance(value, bool) or not isinstance(value, ok_types):
        expected = _kind_name(param) + (" or [low, high]" if param.ranged else "")
        raise ValueError(f"expected {expected}, got {_show(value)}")
    if value != value:  # NaN never compares equal to itself
        raise ValueError("NaN is not a valid value")
    if param.bounds and not param.bounds[0] <= value <= param.bounds[1]:
        raise ValueError(f"{value} is outside the allowed {param.allowed_text()}")
    return float(value) if param.kind == "float" else value


def _check_choice(param: Param, value: Any) -> Any:
    options = value if isinstance(value, list) else [value]
    if not options:
        raise ValueError("an empty list gives nothing to choose from")
    for option in options:
        if option not in param.choices:
            raise ValueError(f"{_show(option)} is not one of {param.allowed_text()}")
    return tuple(options) if isinstance(value, list) else value


def _kind_name(param: Param) -> str:
    return "an integer" if param.kind == "int" else "a number"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
