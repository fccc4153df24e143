"""Reading a source file that may have changed since the walk saw it.

The walk checks each entry's type, but a file can be swapped afterwards
(time of check vs time of use): a named pipe put in a source's place would
block a read forever, a device (/dev/zero) would never end. So a source is
opened without blocking and the *opened* file is checked: anything but a
regular file is refused with an OSError the callers report per file.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"),
         (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


class NotRegularFile(OSError):
    """The path is (now) a named pipe, a device, a folder or a socket."""


@contextmanager
def open_regular(path: str | Path) -> Iterator[tuple[io.BufferedReader, os.stat_result]]:
    """The opened file and its fstat; NotRegularFile if it is not a regular file.

    O_NONBLOCK makes opening a pipe return at once instead of waiting for a
    writer; on a regular file it changes nothing."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(handle)
    except OSError:
        os.close(handle)
        raise
    if not stat.S_ISREG(info.st_mode):
        os.close(handle)
        kind = next((name for test, name in KINDS if test(info.st_mode)), "not a regular file")
        raise NotRegularFile(0, f"not a regular file ({kind})", str(path))
    with os.fdopen(handle, "rb") as opened:
        yield opened, info


def read_regular(path: str | Path) -> tuple[os.stat_result, bytes]:
    """fstat of the opened file (taken before reading), and its bytes."""
    with open_regular(path) as (handle, info):
        return info, handle.read()
