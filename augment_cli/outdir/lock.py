"""One run per output folder at a time: DIR/.augment-lock.

The lock is an flock() on the file, which the kernel releases when the
holder dies, however it dies: a lock left by a killed run is simply free, so
staleness needs no guessing from pids. The holder is the open file, shared
by the main process and its pool workers (they inherit the descriptor): the
lock is free only when all of them are gone, so no worker of a killed run
can still be writing when the next run starts (run/lifetime.py). The file names the holder for the
message a second run prints. It is never deleted: deleting it would let a
waiting run lock the old inode while a third locks a new file.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from augment_cli.errors import UsageError
from augment_cli.outdir.files import open_state_file

LOCK_NAME = ".augment-lock"


@contextmanager
def locked(out: Path, name: str = LOCK_NAME) -> Iterator[int]:
    """Hold DIR's lock (`name`: a shard's own, see statefiles.py); yields
    its file descriptor, which the run's worker
    processes inherit, so the lock stays taken until the last of them is
    gone too (see run/lifetime.py)."""
    path = out / name
    # Never through a symlink planted as DIR/.augment-lock: it would truncate its target.
    with os.fdopen(open_state_file(path, os.O_RDWR | os.O_CREAT), "r+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise UsageError(f"--out {out} is in use by another augment run ({holder})",
                             hint="wait for it to finish, or choose another --out") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}, started "
                     f"{time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        yield handle.fileno()

