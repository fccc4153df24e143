"""A table run (run/table_run.py) with a URL SRC or DIR.

A URL SRC's tables are read from local copies (storage/table_source.py). A
URL DIR is a working folder (storage/workdir.py) the table run writes as a
local DIR: its part files, its joined tables, its index. Once the lock object
is held, the tables DIR's index records are brought into the working folder
(streamed; only those that differ from what this machine last saw), so the
run's checks (`intact`: the recorded SHA-256) are the ones on disk; when the
run ends, whatever happens, every table its index records that DIR does not
hold as written is uploaded (streamed: s3fs sends a big file as a multipart
upload, which S3 makes visible whole when it completes, or not at all), and
then the index and run record are put back. On Dask (`--executor dask`), each
worker puts its chunk's part under DIR/.augment-parts/ in the bucket and the
driver moves it into the working folder as it records the chunk
(run/table_run.py); what is left there at the end is removed. Part files are
not sent back to DIR: a resume on this machine keeps its finished chunks, one
on another machine redoes them. The lease is renewed by a thread while the run
lasts (a table run has no per-source checkpoint to renew it at).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from augment_cli.errors import OutputError
from augment_cli.outdir.statefiles import StateFiles, is_shard_file
from augment_cli.outdir.table_output import PARTS, sha256_of
from augment_cli.storage import lease as leases
from augment_cli.storage.copies import stream_to, urls_in_messages
from augment_cli.storage.location import Remote, storage_error
from augment_cli.storage.workdir import WorkingCopy

SYNCED = ".augment-synced.json"  # table name -> the ETag and SHA-256 of DIR's object as last seen here


def expand(run: Callable[..., Any], source: Path, destination: Remote | None, out: Any,
           options: dict[str, Any]) -> Any:
    """api.expand of a (local copy of a) table SRC into a local or URL DIR."""
    engine = options.get("engine")
    if destination is None:
        with urls_in_messages():
            return run(source=source, out=out, **options)
    copy = WorkingCopy(destination, StateFiles(), ())
    with copy.registered(), urls_in_messages(), copy.leased(options.get("overwrite", False)), \
            _renewed(copy):
        tables = _Tables(copy)
        try:
            tables.bring_in()
            summary = run(source=source, out=copy.folder, **options)
        finally:
            if engine is not None and engine.dask:
                tables.drop_worker_parts()
            if not copy.lease.lost:  # type: ignore[union-attr]
                tables.send_out()
    summary.out = destination
    return summary


class _Tables:
    """The output tables of a URL DIR and their copies in the working folder."""

    def __init__(self, copy: WorkingCopy):
        self.copy, self.folder, self.location = copy, copy.folder, copy.location
        self.synced: dict[str, dict[str, str]] = {}

    def bring_in(self) -> None:
        """The working folder as DIR stands: its recorded tables (fetched where they differ), its
        parts only if DIR holds the run they belong to; nothing else."""
        if self.copy.files.state not in self.copy.fetched:  # DIR holds no run: nothing to keep here
            self._clear(keep=())
            return
        self.synced = _read_json(self.folder / SYNCED)
        objects = self._objects()
        recorded = _recorded(self.folder / self.copy.files.index)
        for name in recorded:
            local, seen = self.folder / name, self.synced.get(name, {})
            etag = objects.get(name)
            if etag is None:
                local.unlink(missing_ok=True)  # gone from DIR: the run writes it again
                self.synced.pop(name, None)
            elif seen.get("etag") != etag or not local.is_file():
                stream_to(self.location, self.location.key(name), self.location.child_url(name), local)
                self.synced[name] = {"etag": etag, "sha256": sha256_of(local)}
        self._clear(keep=(*recorded, PARTS, SYNCED))
        self._save()

    def send_out(self) -> None:
        """Every table the index records, into DIR where DIR's object is not what was written."""
        recorded = _recorded(self.folder / self.copy.files.index)
        objects = self._objects()
        for name, sha in recorded.items():
            seen, local = self.synced.get(name, {}), self.folder / name
            if local.is_file() and (seen.get("sha256") != sha or objects.get(name) != seen.get("etag")):
                self._put(name, local, sha)
        self.synced = {name: seen for name, seen in self.synced.items() if name in recorded}
        self._save()

    def drop_worker_parts(self) -> None:
        """Remove what Dask workers put under DIR's parts prefix and the run did not move into
        the working folder (a chunk of an interrupted run, a task Dask ran twice)."""
        with contextlib.suppress(Exception):  # none there (FileNotFoundError), or left to the next run
            self.location.fs.rm(self.location.key(PARTS), recursive=True)

    def _put(self, name: str, local: Path, sha: str) -> None:
        key = self.location.key(name)
        try:
            self.location.fs.put_file(str(local), key)
            etag = _etag(self.location.fs.info(key))
        except Exception as exc:
            raise storage_error(self.location.child_url(name), exc, "cannot write") from None
        self.synced[name] = {"etag": etag, "sha256": sha}

    def _objects(self) -> dict[str, str]:
        """DIR's top-level objects and their ETags (one listing)."""
        try:
            listed = self.location.fs.ls(self.location.root, detail=True)
        except FileNotFoundError:
            return {}
        except Exception as exc:
            raise storage_error(self.location.url, exc, "cannot list") from None
        return {item["name"].rstrip("/").rsplit("/", 1)[-1]: _etag(item) for item in listed
                if item.get("type") != "directory"}

    def _clear(self, keep: tuple[str, ...]) -> None:
        kept = {*keep, *self.copy.names, leases.LOCK_NAME}
        for entry in self.folder.iterdir():
            if entry.name in kept or is_shard_file(entry.name):  # other runs' records, for the claim checks
                continue
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

    def _save(self) -> None:
        (self.folder / SYNCED).write_text(json.dumps(self.synced, sort_keys=True), encoding="utf-8")


def _etag(info: dict[str, Any]) -> str:
    return str(info.get("ETag") or info.get("etag") or f"{info.get('size')}-{info.get('created', '')}")


def _recorded(index: Path) -> dict[str, str]:
    """name -> SHA-256 of every table a table run's index records as written (none: {})."""
    if not index.is_file():
        return {}
    try:
        with contextlib.closing(sqlite3.connect(f"file:{index}?mode=ro", uri=True)) as db:
            return dict(db.execute("SELECT name, sha256 FROM table_outputs ORDER BY name"))
    except sqlite3.Error:
        return {}  # no table run's index (or a damaged one, which the run starts afresh)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        return found if isinstance(found, dict) else {}
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def _renewed(copy: WorkingCopy) -> Iterator[None]:
    """Renew the lease every quarter of it while the body runs; an error at the end if it was lost."""
    stop = threading.Event()
    lost: list[OutputError] = []

    def renew() -> None:
        while not stop.wait(leases.LEASE_SECONDS / 4):
            try:
                copy.lease.renew()  # type: ignore[union-attr]
            except OutputError as exc:
                lost.append(exc)
                return
            except Exception:  # a failed renewal is retried at the next tick
                continue

    thread = threading.Thread(target=renew, name="augment-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
    if lost:
        raise lost[0]
