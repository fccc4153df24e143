"""What the main process sends a worker (Job) and gets back (SampleResult).

Kept apart from worker.py so the main process never imports what the work
itself needs (numpy, OpenCV, the transforms): on a 2-core machine every
tenth of a second the main process spends importing is taken from the
workers. `run_batch` is the picklable entry point the pool calls; it
imports the worker inside the worker process only.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from augment_cli.layouts import DEFAULT, LAYOUTS
from augment_cli.layouts.base import Sample
from augment_cli.outdir.index import Stamp
from augment_cli.outdir.manifest import ManifestRow
from augment_cli.plugins import resolve
from augment_cli.recipe.model import Recipe
from augment_cli.storage import is_url


@dataclass(frozen=True)
class Job:
    source_root: str
    out_root: str
    sample: Sample
    outputs: tuple[tuple[int, str], ...]  # (copy index, DIR-relative name); 0 = original
    recipe: Recipe
    seed: int
    # Sorted paths of the files of this sample's label (itself included), set
    # only when the recipe mixes files; the plan shares one tuple per label.
    partners: tuple[str, ...] = ()
    layout: str = LAYOUTS[DEFAULT]  # the "module:attr" of the layout: the worker resolves it
    distinct: bool = True  # redraw a copy that repeats the source or an earlier copy (run/distinct.py)
    # --storage-option pairs when source_root or out_root is a URL: each worker builds its own
    # filesystem from them (storage/location.py); () for local paths.
    storage: tuple[tuple[str, str], ...] = ()

    def names(self) -> list[str]:
        """Every file this job writes: each copy's media, then what copies carry beside it."""
        media = [name for _, name in self.outputs]
        companion_names = resolve(self.layout).companion_names
        return media + [extra for name in media for extra in companion_names(name)]


@dataclass
class SampleResult:
    sample: Sample
    rows: list[ManifestRow] = field(default_factory=list)
    companions: list[str] = field(default_factory=list)  # files written beside the media (layout's)
    error: str | None = None
    stamp: Stamp | None = None  # the source's size and mtime, taken before reading it
    sha256: str = ""            # of the source bytes that were read
    duplicates: tuple[int, int] = (0, 0)  # (copies redrawn to be distinct, duplicates kept)


def run_batch(jobs: list[Job]) -> list[SampleResult]:
    """Several jobs per task keeps inter-process overhead low for small files.
    Each job is announced to the watchdog (if the pool has one) once the code
    it needs is imported."""
    from augment_cli.run import watchdog
    from augment_cli.run.worker import process_sample, warm

    results = []
    with _reading_ahead(jobs):  # URL sources: fetched a few at a time, concurrently
        for job in jobs:
            warm(job)
            watchdog.started(job.sample.relative)
            results.append(process_sample(job))
    watchdog.idle()
    return results


def _reading_ahead(jobs: list[Job]) -> AbstractContextManager:
    """storage/worker.py's read-ahead for a batch with URL sources; nothing for local files."""
    if not any(is_url(job.source_root) for job in jobs):
        return nullcontext()
    from augment_cli.storage.worker import reading_ahead

    return reading_ahead(jobs)
