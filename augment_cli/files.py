"""Writing files so that a killed run never leaves a truncated one in place."""

from __future__ import annotations

import os
from pathlib import Path

TEMP_PREFIX = ".augment-tmp-"


def atomic_write(path: Path, payload: bytes) -> None:
    """Write to a hidden temporary name beside `path`, then rename over it.

    The rename is atomic on POSIX file systems: a reader (or a re-run after a
    crash) sees the old file or the whole new one, never a part.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        with open(temporary, "wb") as handle:
            handle.write(payload)
        os.replace(temporary, path)
    except BaseException:
        remove_quietly(temporary)
        raise


def remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass

