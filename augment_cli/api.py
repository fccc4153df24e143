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
from typing import Callable

from augment_cli import outdir
from augment_cli.dataset import Scan, scan
from augment_cli.errors import UsageError
from augment_cli.executor import batches, make_executor, run_jobs
from augment_cli.manifest import (ERRORS_NAME, MANIFEST_NAME, ErrorRow, ManifestRow, SortedSpool,
                                  write_rows, write_sorted)
from augment_cli.media import copy_name, output_extension
from augment_cli.recipe import Recipe, load_recipe
from augment_cli.worker import Job, process_batch

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

    def files_per_label(self) -> dict[str, int]:
        return dict(sorted(Counter(job.sample.label for job in self.jobs).items()))

    def output_names(self) -> list[str]:
        return [name for job in self.jobs for _, name in job.outputs]


@dataclass
class Summary:
    out: Path
    files_read: int = 0
    copies_written: int = 0
    originals_copied: int = 0
    skipped: Counter = field(default_factory=Counter)
    failed: list[ErrorRow] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def expand(*, source: str | Path, recipe: str | Path | Recipe, out: str | Path, copies: int,
           workers: int | None = None, seed: int = 0, include_originals: bool = False,
           overwrite: bool = False, on_progress: Progress | None = None) -> Summary:
    """Write `copies` augmented copies of every file under `source` into `out`."""
    started = time.perf_counter()
    plan = make_plan(source=source, recipe=recipe, out=out, copies=copies, seed=seed,
                     include_originals=include_originals)
    outdir.claim(plan.out, plan.recipe, overwrite=overwrite, keep=set(plan.output_names()))
    state = outdir.RunState.of(plan.recipe, seed, copies, include_originals)
    outdir.write_state(plan.out, state)
    summary = Summary(plan.out, skipped=plan.skipped.copy(), failed=list(plan.refused),
                      unlabelled=plan.scan.unlabelled)
    rows = SortedSpool()  # sorted runs on disk past 10k rows: flat memory
    try:
        for result in _run(plan, workers, on_progress):
            if result.ok:
                summary.files_read += 1
                summary.copies_written += sum(1 for row in result.rows if row.copy > 0)
                rows.add(result.rows)
            else:
                summary.failed.append(ErrorRow(result.sample.relative, result.sample.label,
                                               result.sample.modality, result.error))
        summary.originals_copied = rows.count - summary.copies_written
        _write_reports(plan.out, rows, summary.failed)
    finally:
        rows.close()
    outdir.write_state(plan.out, state.completed())
    summary.seconds = time.perf_counter() - started
    return summary


def make_plan(*, source: str | Path, recipe: str | Path | Recipe, out: str | Path, copies: int,
              seed: int = 0, include_originals: bool = False) -> Plan:
    """Check everything and name every output; writes nothing."""
    source, out = Path(source), Path(out)
    _check_paths(source, out)
    if copies < 1:
        raise UsageError("--copies must be at least 1")
    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    plan = Plan(source, out, recipe, scan(source))
    plan.skipped.update(plan.scan.skipped)
    first = 0 if include_originals else 1
    taken: dict[str, str] = {}
    for sample in plan.scan.samples:
        if not recipe.steps_for(sample.modality):
            plan.skipped[f"no [[{sample.modality}]] steps in the recipe"] += 1
            continue
        extension = output_extension(sample.relative, recipe.output.format)
        outputs = tuple((k, copy_name(sample.relative, k, extension)) for k in range(first, copies + 1))
        clash = next((taken[n.casefold()] for _, n in outputs if n.casefold() in taken), None)
        if clash:
            plan.refused.append(ErrorRow(sample.relative, sample.label, sample.modality,
                                         f"its output names collide with those of {clash}; rename one"))
            continue
        taken.update((n.casefold(), sample.relative) for _, n in outputs)
        plan.jobs.append(Job(str(source), str(out), sample, outputs, recipe, seed))
    return plan


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _run(plan: Plan, workers: int | None, on_progress: Progress | None):
    workers = max(1, min(workers or default_workers(), len(plan.jobs)))
    total = len(plan.jobs)
    with make_executor(workers) as executor:
        for done, result in enumerate(run_jobs(executor, process_batch, batches(plan.jobs, workers),
                                               in_flight=workers * 4), 1):
            if on_progress:
                on_progress(done, total)
            yield result


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


def _write_reports(out: Path, rows: SortedSpool, failed: list[ErrorRow]) -> None:
    write_sorted(out / MANIFEST_NAME, ManifestRow, rows.sorted_tuples())
    errors = out / ERRORS_NAME
    if failed:
        write_rows(errors, ErrorRow, failed)
    elif errors.exists():
        errors.unlink()
