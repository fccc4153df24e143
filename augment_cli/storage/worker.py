"""The worker's side of a URL SRC or DIR (run/worker.py): read sources, write outputs.

Sources of one batch are fetched a few at a time, concurrently
(objects.fetch_many: BATCH objects in flight), so small objects do not each
wait out a round trip; memory holds at most BATCH sources ahead. An annotated
layout's per-image label files (Layout.label_files) are fetched with their
sources, and the layout reads them from here (storage/lookups.py). A source's
outputs are collected (one source's copies) and sent together once all are
made, each object one PUT: a failure part-way removes the ones sent.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from augment_cli.errors import SampleError
from augment_cli.outdir.index import Stamp
from augment_cli.plugins import resolve
from augment_cli.run.jobs import Job
from augment_cli.storage import is_url
from augment_cli.storage.location import Remote
from augment_cli.storage.objects import BATCH, fetch_many, put_many, remove

_AHEAD: dict[tuple[str, str], tuple[Stamp, bytes] | OSError] = {}
_QUEUE: list[Job] = []
# The label files (annotated layouts) of the source being processed, fetched with it.
_LABELS: dict[tuple[str, str], tuple[Stamp, bytes] | OSError] = {}


@contextlib.contextmanager
def reading_ahead(jobs: list[Job]) -> Iterator[None]:
    """Let read_object fetch this batch's URL sources ahead, BATCH at a time, each with
    its label files; the layouts' questions about SRC are remembered for the batch."""
    from augment_cli.storage.lookups import remembered

    _QUEUE[:] = [job for job in jobs if is_url(job.source_root)]
    try:
        with remembered():
            yield
    finally:
        _QUEUE.clear()
        _AHEAD.clear()
        _LABELS.clear()


def read_object(job: Job) -> tuple[Stamp, bytes]:
    """The stamp and bytes of a job's source object; SampleError if unreadable."""
    key = (job.source_root, job.sample.relative)
    if key not in _AHEAD:
        _fetch_next(job)
    found = _AHEAD.pop(key, None)
    if found is None:  # not part of the batch (a direct call): fetch it alone
        found = fetch_many(_location(job.source_root, job), [job.sample.relative])[job.sample.relative]
    _LABELS.clear()
    for name in _label_files(job):
        if (label := _AHEAD.pop((job.source_root, name), None)) is not None:
            _LABELS[(job.source_root, name)] = label
    if isinstance(found, OSError):
        raise SampleError(f"cannot read object: {found.strerror or found}") from None
    return found


def fetched_label(url: str, relative: str) -> tuple[Stamp, bytes] | OSError | None:
    """A label file fetched with the source being processed, or None (not fetched: read it)."""
    return _LABELS.get((url, relative))


def _fetch_next(job: Job) -> None:
    """Fetch `job` and the next jobs of the batch after it (same SRC), BATCH in all, with
    the label files each one's layout reads."""
    queue = _QUEUE
    start = next((i for i, queued in enumerate(queue) if queued is job), None)
    wanted = [job] if start is None else [q for q in queue[start:start + BATCH]
                                          if q.source_root == job.source_root]
    location = _location(job.source_root, job)
    names = [name for q in wanted for name in (q.sample.relative, *_label_files(q))]
    for relative, found in fetch_many(location, names).items():
        _AHEAD[(job.source_root, relative)] = found


def _label_files(job: Job) -> tuple[str, ...]:
    from augment_cli.layouts import DEFAULT, LAYOUTS

    if job.layout == LAYOUTS[DEFAULT]:
        return ()
    return getattr(resolve(job.layout), "label_files", lambda relative: ())(job.sample.relative)


def _location(url: str, job: Job) -> Remote:
    return Remote(url, job.storage)


class ObjectWriter:
    """run/worker._Writer for a URL DIR: the same calls, objects instead of files."""

    def __init__(self, job: Job):
        self.location = _location(job.out_root, job)
        self.pending: dict[str, bytes] = {}
        self.sent: list[str] = []

    def folder_of(self, name: str) -> Path:
        if ".." in name.split("/"):
            raise SampleError(f"output folder of {name} would be outside the output folder")
        return Path(".")  # objects need no folder; write() uses the DIR-relative name

    def write(self, target: Path, name: str, blob: bytes) -> None:
        self.pending[name] = bytes(blob)

    def flush(self) -> None:
        names = list(self.pending)
        try:
            put_many(self.location, self.pending)
        except Exception as exc:
            self.sent = names  # some may be in place: remove_written takes them all away
            raise SampleError(f"cannot write to {self.location.url}: {type(exc).__name__}: {exc}") from None
        self.sent, self.pending = names, {}

    def remove_written(self) -> None:
        self.pending = {}
        if self.sent:
            with contextlib.suppress(Exception):
                remove(self.location, self.sent)


def probe_problem(source: str, out: str, options: tuple, local_problem) -> str | None:
    """What a Dask worker cannot do with a URL SRC or DIR (list SRC, write and remove an
    object in DIR), or None; local paths are left to `local_problem` (run/cluster.py)."""
    from augment_cli.errors import UsageError
    from augment_cli.storage.location import storage_error

    try:
        if is_url(source):
            location = Remote(source, options)
            location.fs.ls(location.root, detail=False)
        if is_url(out):
            location = Remote(out, options)
            trial = location.key(f".augment-probe-{os.getpid()}")
            location.fs.pipe_file(trial, b"augment")
            location.fs.rm_file(trial)
    except UsageError as exc:
        return str(exc)
    except Exception as exc:
        return str(storage_error(location.url, exc, "cannot use"))
    local_source = source if source and not is_url(source) else None
    local_out = out if not is_url(out) else None
    if local_source is None and local_out is None:
        return None
    return local_problem(local_source or "/", local_out or tempfile.gettempdir())
