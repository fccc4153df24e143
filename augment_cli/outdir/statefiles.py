"""The names of the files in DIR that record a run: one set per run or shard.

An unsharded run keeps its record in .augment-run.json, .augment-index.sqlite,
.augment-lock, manifest.csv and errors.csv. Shard K of M keeps its own set
under names no other shard uses (.augment-shard-K-of-M.run.json, ...), so
shards can run at once on one shared DIR, each holding its own lock, or in
separate jobs whose DIRs are copied into one: the files never overwrite each
other's. `augment merge` (outdir/merge.py) turns the shards' sets into the
unsharded one.
"""

from __future__ import annotations

import fcntl
import os
import re
from dataclasses import dataclass
from pathlib import Path

from augment_cli.run.sharding import Shard

STATE_NAME = ".augment-run.json"
SHARD_PREFIX = ".augment-shard-"
_SHARD_FILE = re.compile(re.escape(SHARD_PREFIX) + r"(\d+)-of-(\d+)\.")
# SQLite's own files beside a database while it is open (or after a kill).
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class StateFiles:
    state: str = STATE_NAME
    index: str = ".augment-index.sqlite"
    lock: str = ".augment-lock"
    manifest: str = "manifest.csv"
    errors: str = "errors.csv"
    shard: Shard | None = None

    @classmethod
    def of(cls, shard: Shard | None) -> StateFiles:
        if shard is None:
            return UNSHARDED
        stem = f"{SHARD_PREFIX}{shard.index}-of-{shard.count}."
        return cls(stem + "run.json", stem + "index.sqlite", stem + "lock", stem + "manifest.csv",
                   stem + "errors.csv", shard)

    def index_files(self) -> tuple[str, ...]:
        return tuple(self.index + suffix for suffix in SQLITE_SUFFIXES)

    def names(self) -> tuple[str, ...]:
        """Every file of this set that may be in DIR."""
        return (self.manifest, self.errors, self.state, self.lock, *self.index_files())


UNSHARDED = StateFiles()


def shards_in(out: Path) -> dict[Shard, list[str]]:
    """The shards that left any file in DIR, with the names of those files."""
    found: dict[Shard, list[str]] = {}
    try:
        names = sorted(os.listdir(out))
    except OSError:
        return found
    for name in names:
        match = _SHARD_FILE.match(name)
        if match is not None and 1 <= int(match[1]) <= int(match[2]):
            found.setdefault(Shard(int(match[1]), int(match[2])), []).append(name)
    return found


def is_shard_file(name: str) -> bool:
    return _SHARD_FILE.match(name) is not None


def lock_is_held(path: Path) -> bool:
    """Whether a run holds the lock file at `path` now (asked without waiting;
    a missing file is free). Opened read-only: it is never created here."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops the lock just taken
    return False


def other_shards_running(out: Path, files: StateFiles) -> bool:
    """Whether any other shard holds its lock in DIR: its half-written files
    must not be swept away as a killed run's."""
    return any(lock_is_held(out / StateFiles.of(shard).lock)
               for shard in shards_in(out) if shard != files.shard)
