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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from augment_cli.index import Index, Known, Stamp
from augment_cli.jobs import Job
from augment_cli.outdir import remove_outputs

UNCHANGED, ADDED, REGENERATED = "unchanged", "added", "regenerated"


@dataclass
class Tally:
    added: int = 0
    regenerated: int = 0
    removed: int = 0
    unchanged: int = 0
    to_do: int = 0


def jobs_to_run(jobs: Iterable[Job], index: Index, source: Path, out: Path, tally: Tally,
                stale_labels: set | None = None) -> Iterator[Job]:
    """Yield the jobs that need work; mark the rest seen in the index."""
    for job in jobs:
        verdict = decide(job, index, source, out)
        if verdict == UNCHANGED and stale_labels and (job.sample.label, job.sample.modality) in stale_labels:
            verdict = REGENERATED
        if verdict == UNCHANGED:
            tally.unchanged += 1
            continue
        if verdict == ADDED:
            tally.added += 1
        else:
            tally.regenerated += 1
            remove_outputs(out, index.names_of(job.sample.relative))
            index.forget(job.sample.relative)
        tally.to_do += 1
        yield job


def decide(job: Job, index: Index, source: Path, out: Path) -> str:
    known = index.lookup(job.sample.relative)
    if known is None:
        return ADDED
    if _still_valid(known, job, source / job.sample.relative, out, index):
        return UNCHANGED
    return REGENERATED


def stale_mixed_labels(jobs: list[Job], index: Index, source: Path, out: Path) -> set:
    """Labels (with modality) of a mixing recipe that have any change."""
    stale = {(job.sample.label, job.sample.modality) for job in jobs
             if decide(job, index, source, out) != UNCHANGED}
    return stale | {(label, modality) for _, label, modality in index.unseen()}


def remove_unseen(index: Index, out: Path, tally: Tally) -> None:
    """Sources gone from SRC: their outputs and rows go too."""
    for source, _, _ in index.unseen():
        remove_outputs(out, index.names_of(source))
        index.forget(source)
        tally.removed += 1


def _still_valid(known: Known, job: Job, path: Path, out: Path, index: Index) -> bool:
    names = tuple(name for _, name in job.outputs)
    if known.names != names or not all((out / name).is_file() for name in names):
        return False
    try:
        stamp = Stamp.of(path)
        if stamp == known.stamp:
            index.mark_seen(job.sample.relative)
            return True
        with open(path, "rb") as handle:  # streamed: no whole-file bytes per source
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if digest == known.sha256:
            index.restamp(job.sample.relative, stamp)
            return True
    except OSError:
        pass  # unreadable now: let the worker report it
    return False
