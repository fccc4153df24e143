"""expand(): the whole job as a plain function. The CLI and tests call this.

Order of work: check options and recipe (nothing written yet) -> walk SRC ->
plan every output name -> claim DIR -> run the jobs -> write manifest.csv,
errors.csv and the run state. Usage and recipe problems raise before DIR is
touched.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Callable, Iterator

from augment_cli import incremental, outdir
from augment_cli.balance import CopyPlan, copies_per_sample
from augment_cli.dataset import Scan, scan
from augment_cli.errors import Interrupted, OutputError, UsageError, WorkerDied
from augment_cli.executor import batches, executor_for, run_jobs
from augment_cli.index import IndexJournal, SourceEntry, write_index
from augment_cli.interrupts import Terminated, exit_code_for, sigterm_raises
from augment_cli.lock import locked
from augment_cli.manifest import ERRORS_NAME, MANIFEST_NAME, ErrorRow, ManifestRow, write_rows
from augment_cli.media import copy_name, output_extension
from augment_cli.partners import label_groups, uses_partners
from augment_cli.recipe import Recipe, load_recipe
from augment_cli.worker import Job, SampleResult, process_batch

Progress = Callable[[int, int], None]


@dataclass
class Plan:
    """What a run will do; `--dry-run` prints this and stops."""

    source: Path
    out: Path
    recipe: Recipe
    scan: Scan
    jobs: list[Job] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    refused: list[ErrorRow] = field(default_factory=list)
    copies: CopyPlan | None = None  # copies per file, per label
    warnings: list[str] = field(default_factory=list)

    def files_per_label(self) -> dict[str, int]:
        return dict(sorted(Counter(job.sample.label for job in self.jobs).items()))

    def output_names(self) -> list[str]:
        return [name for job in self.jobs for _, name in job.outputs]

    def outputs_per_label(self) -> dict[str, int]:
        return dict(sorted(Counter(job.sample.label for job in self.jobs
                                   for _ in job.outputs).items()))


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
            summary = _expand_locked(plan, state, workers, overwrite, on_progress)
    summary.seconds = time.perf_counter() - started
    return summary


def _expand_locked(plan: Plan, state: outdir.RunState, workers: int | None, overwrite: bool,
                   on_progress: Progress | None) -> Summary:
    out = plan.out
    outdir.sweep_temporary_files(out)
    previous, summary_reason = outdir.previous_entries(out, state, overwrite)
    work = incremental.split(plan.jobs, previous, plan.source, out)
    outdir.remove_outputs(out, work.obsolete)
    write_index(out, work.unchanged)
    outdir.write_state(out, state)
    summary = Summary(out, skipped=plan.skipped.copy(), failed=list(plan.refused),
                      unlabelled=plan.scan.unlabelled, added=work.added,
                      regenerated=work.regenerated, removed=work.removed,
                      unchanged=len(work.unchanged), regenerate_reason=summary_reason,
                      warnings=plan.warnings)
    entries = dict(work.unchanged)
    try:
        _run(work.jobs, workers, entries, summary, out, on_progress)
    except (KeyboardInterrupt, Terminated) as stop:
        _stop_cleanly(work.jobs, entries, summary, out)
        raise Interrupted(exit_code_for(stop), len(entries) - len(work.unchanged),
                          len(work.jobs)) from None
    except BrokenProcessPool:
        # A worker was killed from outside (the kernel's OOM killer, a crash
        # in a native codec): keep what finished, as after Ctrl-C.
        _stop_cleanly(work.jobs, entries, summary, out)
        raise WorkerDied(len(entries) - len(work.unchanged), len(work.jobs)) from None
    _write_reports(out, entries, summary.failed)
    outdir.write_state(out, state.completed())
    return summary


def _run(jobs: list[Job], workers: int | None, entries: dict[str, SourceEntry], summary: Summary,
         out: Path, on_progress: Progress | None) -> None:
    """Run the jobs; record each finished source in `entries` and the journal."""
    workers = max(1, min(workers or default_workers(), len(jobs)))
    journal = IndexJournal(out)
    try:
        with sigterm_raises(), executor_for(workers) as executor:
            results = run_jobs(executor, process_batch, batches(jobs, workers), in_flight=workers * 4)
            for done, result in enumerate(results, 1):
                _record(result, entries, summary, journal)
                if on_progress:
                    on_progress(done, len(jobs))
    finally:
        journal.close()


def _record(result: SampleResult, entries: dict[str, SourceEntry], summary: Summary,
            journal: IndexJournal) -> None:
    sample = result.sample
    if result.ok:
        summary.files_read += 1
        summary.copies_written += sum(1 for row in result.rows if row.copy > 0)
        summary.originals_copied += sum(1 for row in result.rows if row.copy == 0)
        entry = SourceEntry(sample.relative, result.stamp, result.sha256, tuple(result.rows))
        entries[sample.relative] = entry
        journal.append(entry)
    else:
        summary.failed.append(ErrorRow(sample.relative, sample.label, sample.modality, result.error))


def _stop_cleanly(jobs: list[Job], entries: dict[str, SourceEntry], summary: Summary, out: Path) -> None:
    """After an interruption: drop every output of unfinished sources (a worker
    may have written some of their copies), then write a manifest that
    matches the files on disk exactly."""
    unfinished = [name for job in jobs if job.sample.relative not in entries
                  for _, name in job.outputs]
    outdir.remove_outputs(out, unfinished)
    outdir.sweep_temporary_files(out)
    _write_reports(out, entries, summary.failed)


def make_plan(*, source: str | Path, recipe: str | Path | Recipe, out: str | Path, copies: int,
              seed: int = 0, include_originals: bool = False, follow_links: bool = False,
              balance: bool = False, max_copies: int | None = None) -> Plan:
    """Check everything and name every output; writes nothing."""
    source, out = Path(source), Path(out)
    _check_paths(source, out)
    if copies < 1 or (max_copies is not None and max_copies < 1):
        raise UsageError("--copies and --max-copies must be at least 1")
    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    if balance and recipe.copies:
        raise UsageError(f"--balance and the [copies] table of {recipe.path} both set copies per label",
                         hint="use one: drop --balance, or the [copies] table")
    plan = Plan(source, out, recipe, scan(source, follow_links))
    plan.skipped.update(plan.scan.skipped)
    plan.refused += [ErrorRow(*refused) for refused in plan.scan.refused]
    samples = [s for s in plan.scan.samples if recipe.steps_for(s.modality)]
    for sample in sorted(set(plan.scan.samples) - set(samples)):
        plan.skipped[f"no [[{sample.modality}]] steps in the recipe"] += 1
    plan.copies = _copy_plan(plan, samples, copies, include_originals, balance, max_copies)
    first = 0 if include_originals else 1
    taken: dict[str, str] = {}
    partners = label_groups(samples) if uses_partners(recipe) else {}
    per_file = {label: iter(counts) for label, counts in plan.copies.per_file.items()}
    for sample in samples:
        count = next(per_file[sample.label])
        extension = output_extension(sample.relative, recipe.output.format,
                                     recipe.output.audio_format)
        outputs = tuple((k, copy_name(sample.relative, k, extension)) for k in range(first, count + 1))
        clash = next((taken[n.casefold()] for _, n in outputs if n.casefold() in taken), None)
        if clash:
            plan.refused.append(ErrorRow(sample.relative, sample.label, sample.modality,
                                         f"its output names collide with those of {clash}; rename one"))
            continue
        taken.update((n.casefold(), sample.relative) for _, n in outputs)
        plan.jobs.append(Job(str(source), str(out), sample, outputs, recipe, seed,
                             partners.get((sample.label, sample.modality), ())))
    return plan


def _copy_plan(plan: Plan, samples: list, copies: int, include_originals: bool, balance: bool,
               max_copies: int | None) -> CopyPlan:
    """Copies per file for each label, and the warnings a user should see."""
    counts = Counter(s.label for s in samples)
    wanted = plan.recipe.copies_per_label()
    for label in sorted(set(wanted) - set(counts)):
        plan.warnings.append(f"[copies] in {plan.recipe.path} names label {label!r}, "
                             "which has no files in the source folder")
    result = copies_per_sample(dict(sorted(counts.items())), copies, include_originals=include_originals,
                               max_copies=max_copies, balance=balance, per_label=wanted)
    for label, missing in result.short.items():
        plan.warnings.append(f"label {label!r} stays {missing} files short of {result.target}: "
                             f"--max-copies {max_copies} caps its files")
    return result


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _check_paths(source: Path, out: Path) -> None:
    if not source.is_dir():
        raise UsageError(f"source folder not found: {source}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    real_source, real_out = source.resolve(), out.resolve()
    if real_out == real_source or real_source in real_out.parents:
        raise UsageError(f"--out {out} is inside the source folder {source}",
                         hint="the outputs would be read as sources on the next run; "
                              "choose a folder outside it")


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """A file-system failure on DIR itself (read-only, disk full) is one clear
    error, not a traceback; per-file failures are reported by the workers."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or out
        raise OutputError(f"cannot write to {where}: {exc.strerror or exc}") from None


def _write_reports(out: Path, entries: dict[str, SourceEntry], failed: list[ErrorRow]) -> None:
    rows = [row for entry in entries.values() for row in entry.rows]
    write_rows(out / MANIFEST_NAME, ManifestRow, rows)
    write_index(out, entries)
    errors = out / ERRORS_NAME
    if failed:
        write_rows(errors, ErrorRow, failed)
    elif errors.exists():
        errors.unlink()
