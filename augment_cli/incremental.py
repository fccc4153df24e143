"""Decide what a re-run must redo: compare the plan with the previous index.

A source is unchanged when its index entry lists exactly the outputs this
run would write, all of them exist, and the source still has the recorded
size and mtime (or, if those moved, the same SHA-256: a `touch` or a fresh
git checkout does not force regeneration). Everything else is redone:
sources new to the index are "added", known ones "regenerated". Sources gone
from SRC are "removed" with their outputs. When the recipe mixes files of a
label (mixup, cutmix, mosaic), a copy depends on every file of its label, so
a label with any file added, changed or removed is redone whole.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from augment_cli.index import SourceEntry, Stamp
from augment_cli.worker import Job


@dataclass
class Work:
    jobs: list[Job] = field(default_factory=list)
    unchanged: dict[str, SourceEntry] = field(default_factory=dict)
    added: int = 0
    regenerated: int = 0
    removed: int = 0
    obsolete: list[str] = field(default_factory=list)  # previous outputs not written again


def split(jobs: list[Job], previous: dict[str, SourceEntry], source: Path, out: Path) -> Work:
    work = Work()
    planned = {job.sample.relative for job in jobs}
    for job in jobs:
        entry = previous.get(job.sample.relative)
        names = [name for _, name in job.outputs]
        if entry is not None:
            work.obsolete += [r.file_name for r in entry.rows if r.file_name not in names]
        kept = _still_valid(entry, names, source / job.sample.relative, out)
        if kept is not None:
            work.unchanged[job.sample.relative] = kept
            continue
        work.jobs.append(job)
        if entry is None:
            work.added += 1
        else:
            work.regenerated += 1
    for name, entry in previous.items():
        if name not in planned:
            work.removed += 1
            work.obsolete += [row.file_name for row in entry.rows]
    _redo_mixed_labels(work, jobs, previous, planned)
    return work


def _redo_mixed_labels(work: Work, jobs: list[Job], previous: dict[str, SourceEntry],
                       planned: set[str]) -> None:
    """Move the unchanged jobs of a label whose partner set changed back to work."""
    mixing = [job for job in jobs if job.partners]
    stale = {(job.sample.label, job.sample.modality) for job in mixing
             if job.sample.relative not in work.unchanged}
    stale |= {(entry.rows[0].label, entry.rows[0].modality) for name, entry in previous.items()
              if name not in planned and entry.rows}
    for job in mixing:
        if (job.sample.label, job.sample.modality) in stale and job.sample.relative in work.unchanged:
            del work.unchanged[job.sample.relative]
            work.jobs.append(job)
            work.regenerated += 1


def _still_valid(entry: SourceEntry | None, names: list[str], path: Path, out: Path) -> SourceEntry | None:
    """The entry to keep (with a refreshed stamp) if nothing needs redoing."""
    if entry is None or [row.file_name for row in entry.rows] != names:
        return None
    if not all((out / name).is_file() for name in names):
        return None
    try:
        stamp = Stamp.of(path)
        if stamp == entry.stamp:
            return entry
        if hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256:
            return replace(entry, stamp=stamp)
    except OSError:
        pass  # unreadable now: let the worker report it
    return None
