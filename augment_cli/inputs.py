"""Reading the small files that configure a run: a recipe, a user synonym table.

Such a path is whatever a user (or a recipe from elsewhere) wrote, so it may
name `/dev/zero`, a named pipe or a 40 GB log. `read_bounded` reads regular
files only, up to a limit, and never blocks opening a FIFO: each is refused
with a reason instead of filling memory or hanging the run.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_RECIPE_BYTES = 1024 * 1024  # recipes are a few KB; 1 MiB is thousands of steps
MAX_SIDE_FILE_BYTES = 16 * 1024 * 1024  # a synonym table of a few hundred thousand entries

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    Raises ValueError (not a regular file, over the limit) or OSError (cannot
    open or read). O_NONBLOCK makes opening a FIFO return at once instead of
    waiting for a writer; it changes nothing for a regular file.
    """
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise ValueError(f"is {kind}, not a regular file")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)  # the size is checked on what is read: files grow
    finally:
        os.close(handle)
    if len(data) > limit:
        raise ValueError(f"is larger than the {_size(limit)} limit")
    return data


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit:,} bytes"
