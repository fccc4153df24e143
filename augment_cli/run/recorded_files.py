"""Files a sampler records by a parameter named *_file (a background noise,
an impulse response), as the manifest writes them and replay reads them.

Samplers pick files by absolute path, which is what the appliers open. The
manifest writes them relative to the recipe file's folder instead, as the
recipe names its folders: the same recipe and seed then give the same
manifest in any checkout, on any machine. Replay resolves them back against
that folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from augment_cli.storage import is_url

FILE_SUFFIX = "_file"
# Cheap test on a row's JSON before walking its records (most rows have none).
MARK = FILE_SUFFIX + '"'


def relative_to(records: list[dict[str, Any]], base: Path) -> list[dict[str, Any]]:
    """Records with every absolute *_file path made relative to `base` (POSIX)."""
    def relative(path: str) -> str:
        if not os.path.isabs(path):
            return path
        return PurePosixPath(*Path(os.path.relpath(path, base)).parts).as_posix()

    return _map_files(records, relative)


def resolved_from(records: list[dict[str, Any]], base: Path) -> list[dict[str, Any]]:
    """Records with every relative *_file path joined onto `base` (a URL stays as it is)."""
    return _map_files(records, lambda path: path if os.path.isabs(path) or is_url(path) else str(base / path))


def _map_files(value: Any, change: Callable[[str], str], key: str = "") -> Any:
    if isinstance(value, dict):
        return {name: _map_files(item, change, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_map_files(item, change, key) for item in value]
    if isinstance(value, str) and key.endswith(FILE_SUFFIX):
        return change(value)
    return value
