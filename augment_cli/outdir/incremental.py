"""Decide, one job at a time, what a re-run must redo (against the index).

A source is unchanged when the index lists exactly the outputs this run
would write, all of them exist, and the source still has the recorded size
and mtime (or, if those moved, the same SHA-256: a `touch` or a fresh git
checkout does not force regeneration). Everything else is redone: sources
new to the index are "added", known ones "regenerated" (their old outputs
are removed first, so the manifest never lists a half-redone source). Sources
the walk no longer meets are "removed" with their outputs at the end. When
the recipe mixes files of a label (mixup, cutmix, mosaic), a copy depends on
every file of its label, so a label with any change is redone whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from augment_cli.errors import AugmentError
from augment_cli.layouts.reading import open_regular
from augment_cli.outdir.claim import remove_outputs
from augment_cli.outdir.index import Index, Known, Stamp
from augment_cli.plugins import resolve
from augment_cli.run.jobs import Job
from augment_cli.storage import is_url

UNCHANGED, ADDED, REGENERATED = "unchanged", "added", "regenerated"


@dataclass
class Tally:
    added: int = 0
    regenerated: int = 0
    removed: int = 0
    unchanged: int = 0
    to_do: int = 0


def jobs_to_run(jobs: Iterable[Job], index: Index, source: Path, out: Path, tally: Tally,
                changing: dict[str, list[str]], stale_labels: set | None = None) -> Iterator[Job]:
    """Yield the jobs that need work; mark the rest seen in the index.

    A job's source goes into `changing` with every file it may touch (its old
    outputs and its new ones) *before* any of them is removed: from then
    until the index commits it again, an interrupted run must remove them
    all (see api._Run.stop_cleanly)."""
    for job in jobs:
        verdict, stamp = decide(job, index, source)
        if verdict == UNCHANGED and stale_labels and (job.sample.label, job.sample.modality) in stale_labels:
            verdict = REGENERATED
        if verdict == UNCHANGED:
            tally.unchanged += 1
            _keep(index, job.sample.relative, stamp)
            continue
        if verdict == ADDED:
            tally.added += 1
            changing[job.sample.relative] = job.names()
        else:
            tally.regenerated += 1
            old = index.names_of(job.sample.relative)
            changing[job.sample.relative] = old + job.names()
            remove_outputs(out, old)
            index.forget(job.sample.relative)
        tally.to_do += 1
        yield job


def decide(job: Job, index: Index, source: Path) -> tuple[str, Stamp | None]:
    """The verdict on one job, and for an unchanged source whose stamp moved
    (same bytes, e.g. after a `touch`) the stamp to record. Reads only."""
    known = index.lookup(job.sample.relative)
    if known is None:
        return ADDED, None
    valid, stamp = _still_valid(known, job, source, Path(job.out_root))
    return (UNCHANGED, stamp) if valid else (REGENERATED, None)


def stale_mixed_labels(jobs: Iterable[Job], index: Index, source: Path) -> set:
    """Labels (with modality) of a mixing recipe that have any change: a
    changed or added source, or one gone from SRC. Unchanged sources are
    marked seen on the way, so the index's unseen ones are then the changed
    and the gone."""
    stale = set()
    for job in jobs:
        verdict, stamp = decide(job, index, source)
        if verdict == UNCHANGED:
            _keep(index, job.sample.relative, stamp)
        else:
            stale.add((job.sample.label, job.sample.modality))
    return stale | {(label, modality) for _, label, modality in index.unseen()}


def remove_unseen(index: Index, out: Path, tally: Tally, taken: Callable[[str], bool],
                  changing: dict[str, list[str]]) -> None:
    """Sources gone from SRC: their outputs and rows go too (listed in
    `changing` meanwhile, as in jobs_to_run), but for a name this run `taken`
    for another source (x.png renamed X.png on a case-insensitive DIR: the
    old name is the new file)."""
    for source, _, _ in index.unseen():
        changing[source] = [name for name in index.names_of(source) if not taken(name)]
        remove_outputs(out, changing[source])
        index.forget(source)
        tally.removed += 1
        del changing[source]


def _keep(index: Index, relative: str, stamp: Stamp | None) -> None:
    if stamp is None:
        index.mark_seen(relative)
    else:
        index.restamp(relative, stamp)


def _still_valid(known: Known, job: Job, source: Path, out: Path) -> tuple[bool, Stamp | None]:
    """Whether the recorded outputs still stand for the source; the new stamp
    when only its size/mtime moved (its bytes hash the same)."""
    names = tuple(job.names())
    if is_url(job.source_root) or is_url(job.out_root):  # a URL SRC or DIR (storage/incremental.py)
        from augment_cli.storage.incremental import still_valid

        return still_valid(known, job, names)
    if known.names != names or not all((out / name).is_file() for name in names):
        return False, None
    recorded, _, annotations = known.sha256.partition(":")
    path = source / job.sample.relative
    try:
        if not _same_annotations(job, source, annotations):
            return False, None
        stamp = Stamp.of(path)
        if stamp == known.stamp:
            return True, None
        with open_regular(path) as (handle, _):  # streamed: no whole-file bytes per source
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if digest == recorded:
            return True, stamp
    except (OSError, AugmentError):
        pass  # unreadable now: let the worker report it
    return False, None


def _same_annotations(job: Job, source: Path, recorded: str) -> bool:
    """Whether an annotated source's labels are what its copies were made from."""
    layout = resolve(job.layout)
    if not layout.annotated:
        return True
    return layout.annotation_digest(source, job.sample) == recorded
