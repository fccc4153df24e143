"""Writing files so that a killed run never leaves a truncated one in place."""

from __future__ import annotations

import os
from pathlib import Path

TEMP_PREFIX = ".augment-tmp-"


def atomic_write(path: Path, payload: bytes | memoryview, make_folder: bool = True) -> None:
    """Write to a hidden temporary name beside `path`, then rename over it.

    The rename is atomic on POSIX file systems: a reader (or a re-run after a
    crash) sees the old file or the whole new one, never a part. A caller
    writing many files into one folder makes it once and passes
    make_folder=False. Plain os.open/os.write: open()'s buffered file object
    costs three more system calls per file, and a run writes many files.
    """
    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{path.name}")
    try:
        _write_all(temporary, memoryview(payload).cast("B"))
        os.replace(temporary, path)
    except BaseException:
        remove_quietly(temporary)
        raise


def _write_all(path: Path, data: memoryview) -> None:
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        while data:  # os.write may write less than asked (signals, pipes, quotas)
            data = data[os.write(handle, data):]
    finally:
        os.close(handle)


def remove_quietly(path: Path) -> None:
    path.unlink(missing_ok=True)

