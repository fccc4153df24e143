"""Writing files so that a killed run never leaves a truncated one in place.

Every file goes to a hidden temporary name beside its target (`temporary_name`)
and is renamed over it by `replace_via_temporary`: the one place that owns the
write-then-rename, for media files and reports alike.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

from augment_cli.errors import UsageError

TEMP_PREFIX = ".augment-tmp-"
NOT_REGULAR_HINT = "remove it (or choose another --out): augment writes this file itself"
# Longest file name (bytes) of Linux and macOS file systems (ext4, XFS, btrfs,
# APFS); asking pathconf per file would cost a system call per write.
NAME_MAX = 255


def temporary_name(path: Path) -> Path:
    """A hidden name beside `path` that no other process picks and that fits NAME_MAX.

    It carries TEMP_PREFIX (so `sweep_temporary_files` and `verify` find it)
    and the pid (so two processes never share one). A target name too long to
    take the prefix is replaced by its SHA-256: a legal 255-byte name still
    gets a temporary name.
    """
    prefix = f"{TEMP_PREFIX}{os.getpid()}-"
    name = path.name
    encoded = os.fsencode(name)
    if len(prefix) + len(encoded) > NAME_MAX:
        name = hashlib.sha256(encoded).hexdigest()
    return path.with_name(prefix + name)


def replace_via_temporary(path: Path, write: Callable[[Path], None], keep_identical: bool = False) -> None:
    """Call `write(temporary)`, then rename the temporary file over `path`.

    The rename is atomic on POSIX file systems: a reader (or a re-run after a
    crash) sees the old file or the whole new one, never a part. Whatever goes
    wrong (an error, Ctrl-C), the temporary file is removed. With
    `keep_identical`, an existing file with the same bytes is left untouched
    (its mtime too) and the temporary file dropped.
    """
    temporary = temporary_name(path)
    try:
        write(temporary)
        if keep_identical and path.exists() and filecmp.cmp(temporary, path, shallow=False):
            remove_quietly(temporary)
        else:
            os.replace(temporary, path)
    except BaseException:
        remove_quietly(temporary)
        raise


def atomic_write(path: Path, payload: bytes | memoryview, make_folder: bool = True) -> None:
    """Write `payload` to `path` through a temporary name (see replace_via_temporary).

    A caller writing many files into one folder makes it once and passes
    make_folder=False. Plain os.open/os.write: open()'s buffered file object
    costs three more system calls per file, and a run writes many files.
    """
    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
    data = memoryview(payload).cast("B")
    replace_via_temporary(path, lambda temporary: _write_all(temporary, data))


def _write_all(path: Path, data: memoryview) -> None:
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        while data:  # os.write may write less than asked (signals, pipes, quotas)
            data = data[os.write(handle, data):]
    finally:
        os.close(handle)


def remove_quietly(path: Path) -> None:
    path.unlink(missing_ok=True)


def check_regular(path: Path) -> None:
    """UsageError unless `path` is absent or a regular file.

    DIR's own files (lock, run state, index, reports) are written in place or
    opened by SQLite, which follow a symlink: one planted there would have its
    target overwritten. Checked with lstat, so the link itself is seen.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise UsageError(f"{path} is {_kind(mode)}, not a regular file", hint=NOT_REGULAR_HINT)


def open_state_file(path: Path, flags: int) -> int:
    """os.open a state file of DIR, refusing a symlink (O_NOFOLLOW: no race
    between a check and the open) and anything but a regular file (a FIFO
    would block: O_NONBLOCK, cleared once it is known to be a file)."""
    try:
        handle = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o666)
    except OSError:
        if os.path.islink(path):
            raise UsageError(f"{path} is a symlink, not a regular file", hint=NOT_REGULAR_HINT) from None
        raise
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        raise UsageError(f"{path} is {_kind(mode)}, not a regular file", hint=NOT_REGULAR_HINT)
    os.set_blocking(handle, True)
    return handle


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISLNK, "a symlink"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
             (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a device or special file")
