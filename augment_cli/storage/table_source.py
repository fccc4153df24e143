"""A table SRC given as a URL: one table object, or a prefix holding only tables.

The table readers (layouts/table_formats.py, pyarrow) sniff a table, check
its columns and read it again, row by row, so each table object is copied to
local disk once, streamed (memory stays flat whatever the table's size), into
$AUGMENT_CACHE_DIR/sources/<hash of the URL>/<table name>, and the run reads
that folder as a local table SRC. A copy takes its object's size and
last-modified time (os.utime), so the key a table's chunks and output are
recorded under (run/table_checks.py: size, mtime, options) is the object's
on every machine, and a copy already there with that stamp is not fetched
again. Each copy is written under a temporary name and renamed: a killed run
never leaves half a table to be read. The run record names the URL
(storage.SOURCES), and messages name the objects (storage/copies.py).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from augment_cli import storage
from augment_cli.errors import UsageError
from augment_cli.layouts.table_formats import kind_of
from augment_cli.storage.copies import COPIES, stream_to
from augment_cli.storage.location import Remote, storage_error
from augment_cli.storage.walk import mtime_ns
from augment_cli.storage.workdir import cache_base

Listed = list[tuple[str, int, int]]  # (table name, size, mtime_ns)


def tables_in(location: Remote) -> Listed | None:
    """The tables a URL SRC is (one object, or a prefix holding tables and nothing else, as a
    local table folder is detected), sorted by name; None when it is not a table SRC."""
    fs = location.fs
    try:
        info = fs.info(location.root)
    except FileNotFoundError:
        return None
    except Exception as exc:
        raise storage_error(location.url, exc, "cannot read") from None
    if info.get("type") != "directory":
        name = location.url.rsplit("/", 1)[-1]
        if kind_of(Path(name)) is None:
            raise UsageError(f"{location.url} is one object, not a table (.csv, .tsv, .jsonl, .ndjson, "
                             ".parquet) or a prefix", hint="a URL SRC is a prefix (a folder) or a table")
        return [(name, int(info.get("size") or 0), mtime_ns(info))]
    entries = [entry for entry in _entries(location) if not entry[0].startswith(".")]
    if not entries or any(folder or kind_of(Path(name)) is None or name.lower().startswith("metadata.")
                          for name, folder, _ in entries):
        return None
    return sorted((name, int(item.get("size") or 0), mtime_ns(item)) for name, _, item in entries)


def _entries(location: Remote) -> list[tuple[str, bool, dict[str, Any]]]:
    own = location.root.rstrip("/")
    listed = location.fs.ls(location.root, detail=True)
    return [(item["name"].rstrip("/").rsplit("/", 1)[-1], item.get("type") == "directory", item)
            for item in listed if item["name"].rstrip("/") != own]


def staged(location: Remote, tables: Listed, single: bool) -> Path:
    """The local table SRC standing for `location`: the folder of copies, or (one object) its copy."""
    folder = cache_base() / "sources" / hashlib.sha256(location.url.encode()).hexdigest()[:24]
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {name for name, _, _ in tables}
    for stale in folder.iterdir():  # tables gone from SRC, and what a killed copy left
        if stale.name not in wanted and stale.is_file():
            stale.unlink(missing_ok=True)
    base = location.url.rsplit("/", 1)[0] if single else location.url
    for name, size, mtime in tables:
        target = folder / name
        if not _current(target, size, mtime):
            url = f"{base}/{name}"
            stream_to(location, location.fs._strip_protocol(url), url, target, mtime)
        COPIES[str(target)] = f"{base}/{name}"
    COPIES[str(folder)] = base
    return folder / tables[0][0] if single else folder


def _current(target: Path, size: int, mtime: int) -> bool:
    try:
        info = target.stat()
    except OSError:
        return False
    return info.st_size == size and info.st_mtime_ns == mtime


@contextlib.contextmanager
def recorded_as(local: Path, url: str) -> Iterator[None]:
    """The run record names `url` where the run reads `local` (claim.RunState.of)."""
    key = str(local.resolve())
    storage.SOURCES[key] = url
    try:
        yield
    finally:
        storage.SOURCES.pop(key, None)
