"""A URL DIR's run state, kept in a local working copy while a run holds DIR.

The index is SQLite, which needs a file system, not a bucket. So a run into
a URL DIR works on a local folder (the cache folder of that URL,
`working_folder`): the state objects (.augment-run.json,
.augment-index.sqlite, manifest.csv, errors.csv and the layout's dataset
files such as metadata.csv) are fetched from DIR into it once the lock is
held, api.expand runs with that folder as its `out` (everything that records
the run works as on disk), and they are put back into DIR, each as one PUT,
at every checkpoint (the index and run record) and at the end (all of them,
also after an interruption). DIR stays the truth: a second machine resumes
or incrementally re-runs from what the first put there, its own cache
folder being overwritten. The outputs never pass through the working copy:
workers write them to DIR themselves (Job.out_root is the URL).

While the run lasts, the working folder is registered (`storage.mirror_of`), so the
few places that touch outputs from the main process (removing a changed or
deleted source's outputs, checking they exist) reach DIR instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from augment_cli.errors import UsageError
from augment_cli.outdir.files import atomic_write
from augment_cli.outdir.statefiles import STATE_NAME, StateFiles, is_shard_file
from augment_cli.storage import MIRRORS, objects
from augment_cli.storage.lease import LOCK_NAME, Lease, new_lease
from augment_cli.storage.location import Remote, storage_error
from augment_cli.storage.walk import folder_names, walk_names

CHECKPOINT_SECONDS = 30.0


def cache_base() -> Path:
    """$AUGMENT_CACHE_DIR, else $XDG_CACHE_HOME/augment, else ~/.cache/augment."""
    return Path(os.environ.get("AUGMENT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "augment"))


def working_folder(location: Remote, shard: object = None) -> Path:
    """The local folder standing for a URL DIR: the cache folder / dirs / a hash of the URL
    (and of the shard: shards of one DIR may run at once on one machine)."""
    digest = hashlib.sha256(location.url.encode()).hexdigest()[:24]
    return cache_base() / "dirs" / (f"{digest}-shard-{shard}".replace("/", "-of-") if shard else digest)


class WorkingCopy:
    """A URL DIR and its local working folder, for one run."""

    def __init__(self, location: Remote, files: StateFiles, dataset_files: tuple[str, ...],
                 layout: Any = None):
        """`layout`: an annotated layout whose dataset files are named by DIR's rows (a COCO JSON
        per input JSON): they join `names` once the manifest is fetched, and again at the end."""
        self.location, self.files, self.layout = location, files, layout
        self.folder = working_folder(location, files.shard)
        self.names = (files.state, files.index, files.manifest, files.errors, *dataset_files)
        self.lease: Lease | None = None
        self.fetched: dict[str, bytes] = {}  # name -> SHA-256 of what DIR held: a no-op re-run puts nothing
        self.outputs: sqlite3.Connection | None = None  # DIR's objects at the start (a disk-backed set)
        self._last = 0.0

    @contextlib.contextmanager
    def registered(self) -> Iterator[WorkingCopy]:
        from augment_cli.storage.copies import COPIES

        self.folder.mkdir(parents=True, exist_ok=True)
        MIRRORS[self.folder] = self
        COPIES[str(self.folder)] = self.location.url  # messages name DIR by its URL
        try:
            yield self
        finally:
            MIRRORS.pop(self.folder, None)
            COPIES.pop(str(self.folder), None)

    def fetch(self, overwrite: bool) -> None:
        """Replace the working folder's state with DIR's; UsageError for a DIR
        that holds objects but no run record (not made by augment) unless `overwrite`."""
        self.fetched = {}
        found_state = self._fetch_names(self.names)
        self._fetch_names(self._named_by_rows())
        for suffix in ("-wal", "-shm", "-journal"):
            (self.folder / (self.files.index + suffix)).unlink(missing_ok=True)
        found_state |= self._fetch_other_records()
        if not (found_state or overwrite) and self._holds_objects():
            raise UsageError(f"--out {self.location.url} is not empty and was not made by augment",
                             hint="choose an empty prefix, or pass --overwrite to write into it")

    def _fetch_names(self, names: Iterable[str]) -> bool:
        """Each name's object into the working folder (a name DIR lacks is removed there);
        whether the run record was among them."""
        fs = self.location.fs
        found_state = False
        for name in names:
            local = self.folder / name
            try:
                payload = fs.cat_file(self.location.key(name))
            except FileNotFoundError:
                local.unlink(missing_ok=True)
                continue
            except Exception as exc:
                raise storage_error(self.location.url, exc, "cannot read") from None
            found_state |= name == self.files.state
            atomic_write(local, payload)
            self.fetched[name] = hashlib.sha256(payload).digest()
        return found_state

    def _named_by_rows(self) -> tuple[str, ...]:
        """The layout's dataset files its working manifest's rows name, added to `names`."""
        if self.layout is None or not (self.folder / self.files.manifest).is_file():
            return ()
        from augment_cli.outdir.manifest import read_manifest

        try:
            rows = read_manifest(self.folder / self.files.manifest)
        except (OSError, ValueError):  # a damaged manifest: the run rebuilds it (outdir/recovery.py)
            return ()
        extra = tuple(name for name in self.layout.dataset_files(rows) if name not in self.names)
        self.names = (*self.names, *extra)
        return extra

    def _fetch_other_records(self) -> bool:
        """The other run records DIR holds (the unsharded run's, other shards'), read-only, so the
        claim checks (outdir/claim.py) see what they see on disk; whether DIR holds any of them
        or another shard's objects."""
        own = set(self.names)
        for stale in self.folder.iterdir():
            if stale.name not in own and (stale.name == STATE_NAME or is_shard_file(stale.name)):
                stale.unlink(missing_ok=True)
        top = folder_names(self.location, "")
        records = [name for name in top if name not in own and (name == STATE_NAME or (
            is_shard_file(name) and name.endswith(".run.json")))]
        for name in records:
            try:
                atomic_write(self.folder / name, self.location.fs.cat_file(self.location.key(name)))
            except FileNotFoundError:
                continue
            except Exception as exc:
                raise storage_error(self.location.url, exc, "cannot read") from None
        # A shard's objects (even a lock: it is starting) mean DIR is augment's, as on disk.
        return bool(records) or any(is_shard_file(name) and name != self.files.lock for name in top)

    def _holds_objects(self) -> bool:
        own_locks = (LOCK_NAME, self.files.lock)
        return next((name for name in walk_names(self.location, hidden=True) if name not in own_locks),
                    None) is not None

    @contextlib.contextmanager
    def leased(self, overwrite: bool) -> Iterator[None]:
        """Hold DIR's lock object; fetch the state again under it (another run may have
        finished since the first look); put everything back on the way out, whatever happens."""
        self.lease = new_lease(self.location, self.files.lock)
        self.lease.acquire()
        try:
            self.fetch(overwrite)
            self._list_outputs()
            try:
                yield
            finally:
                if not self.lease.lost:  # else DIR's state is the other run's now
                    self.put_all()
        finally:
            if self.outputs is not None:
                self.outputs.close()
            self.lease.release()

    def _list_outputs(self) -> None:
        """DIR's objects, listed once (streamed into a temporary SQLite table that
        spills to disk): whether a kept source's outputs still exist is then asked
        locally, not with a request per output."""
        self.outputs = sqlite3.connect("")
        self.outputs.execute("CREATE TABLE names (name TEXT PRIMARY KEY)")
        self.outputs.executemany("INSERT OR IGNORE INTO names VALUES (?)",
                                 ((name,) for name in walk_names(self.location, hidden=True)))

    def exist(self, names: Iterable[str]) -> bool:
        """Whether every name was an object of DIR when the run started (or was written since)."""
        wanted = list(names)
        if self.outputs is None:
            return objects.exists_all(self.location, wanted)
        for name in wanted:
            if self.outputs.execute("SELECT 1 FROM names WHERE name = ?", (name,)).fetchone() is None:
                return False
        return True

    def remove(self, names: list[str]) -> None:
        objects.remove(self.location, names)
        if self.outputs is not None:
            self.outputs.executemany("DELETE FROM names WHERE name = ?", ((name,) for name in names))

    def checkpoint(self, index: object, force: bool = False) -> None:
        """Every CHECKPOINT_SECONDS: the committed index and the run record into DIR, and the
        lease renewed, so a run killed outright can be resumed from another machine."""
        now = time.monotonic()
        if not force and now - self._last < CHECKPOINT_SECONDS:
            return
        self._last = now
        index.commit()  # type: ignore[attr-defined]
        self.put((self.files.index, self.files.state))
        if self.lease is not None:
            self.lease.renew()

    def put_all(self) -> None:
        """Every state and dataset file into DIR (the dataset files the rows name now, too)."""
        self._named_by_rows()
        self.put(self.names)

    def put(self, names: Iterable[str]) -> None:
        """Each named state file into DIR as one PUT; one the working folder no longer has is
        removed from DIR (errors.csv after a clean re-run)."""
        blobs, gone = {}, []
        for name in names:
            local = self.folder / name
            if local.is_file():
                payload = local.read_bytes()
                if self.fetched.get(name) != (digest := hashlib.sha256(payload).digest()):
                    blobs[name] = payload
                    self.fetched[name] = digest
            elif self.fetched.pop(name, None) is not None:
                gone.append(name)
        try:
            objects.put_many(self.location, blobs)
            objects.remove(self.location, gone)
        except Exception as exc:
            raise storage_error(self.location.url, exc, "cannot write") from None
