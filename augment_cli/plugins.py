"""Plug-in tables name their parts as "module:attr" strings; this resolves them.

Resolving on first use keeps the main process light: validating a recipe,
printing help or planning a run never imports numpy, OpenCV or librosa,
because the table only holds names until a part is actually called.
"""

from __future__ import annotations

import importlib
from typing import Any

_RESOLVED: dict[str, Any] = {}


def resolve(target: str) -> Any:
    """The object a "module:attr" string names (or the module, without ":attr")."""
    found = _RESOLVED.get(target)
    if found is None:
        module, _, attr = target.partition(":")
        imported = importlib.import_module(module)
        found = _RESOLVED[target] = getattr(imported, attr) if attr else imported
    return found
