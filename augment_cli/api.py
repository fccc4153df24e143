"""expand(): the whole job as a plain function. The CLI and tests call this.

Order of work: check options and recipe, count the sources (nothing written
yet; see plan.py) -> claim and lock DIR -> walk SRC again, deciding per
source against the index whether it needs work -> run those jobs -> remove
the outputs of sources gone from SRC -> write manifest.csv, errors.csv and
the run state. Usage and recipe problems raise before DIR is touched.

Memory does not grow with the dataset: jobs are made one at a time as the
pool takes them, what each source produced goes to the on-disk index as it
finishes, and the manifest is streamed back from the index in name order.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from augment_cli import incremental, outdir
from augment_cli.errors import Interrupted, OutputError, WorkerDied
from augment_cli.executor import batches, executor_for, run_jobs
from augment_cli.index import Index
from augment_cli.interrupts import Terminated, exit_code_for, sigterm_raises
from augment_cli.jobs import Job, SampleResult, run_batch
from augment_cli.lock import locked
from augment_cli.manifest import ERRORS_NAME, MANIFEST_NAME, ErrorRow, ManifestRow, write_rows
from augment_cli.partners import shareable
from augment_cli.plan import Plan, make_plan  # noqa: F401 (make_plan is part of the API)
from augment_cli.recipe import Recipe

Progress = Callable[[int, int], None]


@dataclass
class Summary:
    out: Path
    files_read: int = 0
    copies_written: int = 0
    originals_copied: int = 0
    skipped: Counter = field(default_factory=Counter)
    failed: list[ErrorRow] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    added: int = 0
    regenerated: int = 0
    removed: int = 0
    unchanged: int = 0
    regenerate_reason: str | None = None  # why nothing of the previous run was kept
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def expand(*, source: str | Path, recipe: str | Path | Recipe, out: str | Path, copies: int,
           workers: int | None = None, seed: int = 0, include_originals: bool = False,
           overwrite: bool = False, follow_links: bool = False,
           on_progress: Progress | None = None, balance: bool = False,
           max_copies: int | None = None) -> Summary:
    """Write `copies` augmented copies of every file under `source` into `out`
    (per label with the recipe's [copies] or `balance`; see balance.py).

    A re-run into the same `out` redoes only sources that were added,
    changed or left unfinished, and removes the outputs of deleted sources.
    """
    started = time.perf_counter()
    plan = make_plan(source=source, recipe=recipe, out=out, copies=copies, seed=seed,
                     include_originals=include_originals, follow_links=follow_links,
                     balance=balance, max_copies=max_copies)
    state = outdir.RunState.of(plan.recipe, seed, copies, include_originals)
    outdir.check_claim(plan.out, state, overwrite)
    with _writing(plan.out):
        plan.out.mkdir(parents=True, exist_ok=True)
        with locked(plan.out):
            index = Index(plan.out)
            try:
                summary = _expand_locked(plan, state, index, workers, overwrite, on_progress)
            finally:
                index.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _expand_locked(plan: Plan, state: outdir.RunState, index: Index, workers: int | None,
                   overwrite: bool, on_progress: Progress | None) -> Summary:
    out = plan.out
    outdir.sweep_temporary_files(out)
    summary = Summary(out, skipped=plan.skipped.copy(), unlabelled=plan.scan.unlabelled,
                      warnings=plan.warnings)
    summary.regenerate_reason = outdir.reset_if_needed(out, state, overwrite, index)
    outdir.write_state(out, state)
    index.begin_run()
    tally = incremental.Tally()
    running: dict[str, list[str]] = {}  # source -> its output names, while the pool has it
    jobs = _jobs_to_run(plan, index, tally)
    try:
        _run(jobs, plan.total, workers, index, summary, running, on_progress, shareable(plan.partners))
        incremental.remove_unseen(index, out, tally)
    except (KeyboardInterrupt, Terminated, BrokenProcessPool) as stop:
        _stop_cleanly(running, index, summary, plan)
        done, total = summary.files_read + len(summary.failed), tally.to_do
        if isinstance(stop, BrokenProcessPool):
            # A worker was killed from outside (the kernel's OOM killer, a
            # crash in a native codec): keep what finished, as after Ctrl-C.
            raise WorkerDied(done, total) from None
        raise Interrupted(exit_code_for(stop), done, total) from None
    _count(summary, tally)
    _write_reports(out, index, summary.failed + plan.refused)
    summary.failed += plan.refused
    outdir.write_state(out, state.completed())
    return summary


def _jobs_to_run(plan: Plan, index: Index, tally: incremental.Tally) -> Iterator[Job]:
    jobs: Iterable[Job] = plan.iter_jobs(index.claim_names)
    stale = None
    if plan.partners:  # mixing: a label with any change is redone whole
        listed = list(jobs)
        stale = incremental.stale_mixed_labels(listed, index, plan.source, plan.out)
        jobs = listed
    return incremental.jobs_to_run(jobs, index, plan.source, plan.out, tally, stale)


def _run(jobs: Iterator[Job], total: int, workers: int | None, index: Index, summary: Summary,
         running: dict, on_progress: Progress | None, shared: dict) -> None:
    """Run the jobs; record each finished source in the index as it comes."""
    workers = max(1, min(workers or default_workers(), max(total, 1)))
    with sigterm_raises(), executor_for(workers, shared) as executor:
        results = run_jobs(executor, run_batch, batches(_tracked(jobs, running), workers, total),
                           in_flight=workers * 4)
        for done, result in enumerate(results, 1):
            running.pop(result.sample.relative, None)
            _record(result, index, summary)
            if on_progress:
                on_progress(done, total)


def _tracked(jobs: Iterator[Job], running: dict) -> Iterator[Job]:
    """Remember which sources were handed to the pool and not finished yet
    (at most the in-flight batches: memory stays flat)."""
    for job in jobs:
        running[job.sample.relative] = [name for _, name in job.outputs]
        yield job


def _record(result: SampleResult, index: Index, summary: Summary) -> None:
    sample = result.sample
    if result.error is not None:
        summary.failed.append(ErrorRow(sample.relative, sample.label, sample.modality, result.error))
        return
    assert result.stamp is not None  # taken before the source is read
    summary.files_read += 1
    summary.copies_written += sum(1 for row in result.rows if row.copy > 0)
    summary.originals_copied += sum(1 for row in result.rows if row.copy == 0)
    index.put(sample.relative, result.stamp, result.sha256, result.rows)


def _stop_cleanly(running: dict, index: Index, summary: Summary, plan: Plan) -> None:
    """After an interruption: drop every output of sources handed to the pool
    but not finished (a worker may have written some of their copies), then
    write a manifest that matches the files on disk exactly."""
    for names in running.values():
        outdir.remove_outputs(plan.out, names)
    outdir.sweep_temporary_files(plan.out)
    _write_reports(plan.out, index, summary.failed + plan.refused)


def _count(summary: Summary, tally: incremental.Tally) -> None:
    summary.added, summary.regenerated = tally.added, tally.regenerated
    summary.removed, summary.unchanged = tally.removed, tally.unchanged


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """A file-system failure on DIR itself (read-only, disk full) is one clear
    error, not a traceback; per-file failures are reported by the workers."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or out
        raise OutputError(f"cannot write to {where}: {exc.strerror or exc}") from None
    except sqlite3.Error as exc:
        raise OutputError(f"cannot write the run index in {out}: {exc}") from None


def _write_reports(out: Path, index: Index, failed: list[ErrorRow]) -> None:
    index.commit()
    write_rows(out / MANIFEST_NAME, ManifestRow, index.manifest_rows(), presorted=True)
    errors = out / ERRORS_NAME
    if failed:
        write_rows(errors, ErrorRow, failed)
    elif errors.exists():
        errors.unlink()
