"""expand(): the whole job as a plain function. The CLI and tests call this.

Order of work: check options and recipe, count the sources (nothing written
yet; see plan.py) -> claim and lock DIR -> walk SRC again, deciding per
source against the index whether it needs work -> run those jobs -> remove
the outputs of sources gone from SRC -> write manifest.csv, errors.csv and
the run state. Usage and recipe problems raise before DIR is touched.

Memory does not grow with the dataset: jobs are made one at a time as the
pool takes them, what each source produced goes to the on-disk index as it
finishes, and the manifest is streamed back from the index in name order.
(A recipe that mixes files of a label keeps each label's file list, and
walks SRC once more to find the labels with a change: see partners.py.)
"""

from __future__ import annotations

import bisect
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from augment_cli import storage
from augment_cli.errors import Interrupted, OutputError, UsageError, WorkerDied
from augment_cli.layouts import Scan, find, get
from augment_cli.outdir import claim, incremental, naming, recovery, verify
from augment_cli.outdir.files import atomic_write
from augment_cli.outdir.index import Index
from augment_cli.outdir.lock import locked
from augment_cli.outdir.manifest import ErrorRow, ManifestRow, manifest_columns, write_rows
from augment_cli.outdir.statefiles import StateFiles, other_shards_running
from augment_cli.plugins import resolve
from augment_cli.recipe import Recipe, load_recipe
from augment_cli.recipe.inputs import inputs_digest
from augment_cli.run.engines import Engine, prepare_out
from augment_cli.run.executor import batches, executor_for, run_jobs
from augment_cli.run.interrupts import Terminated, deferred, exit_code_for, sigterm_raises
from augment_cli.run.jobs import Job, SampleResult, run_batch
from augment_cli.run.partners import shareable
from augment_cli.run.plan import Plan, check_work, make_plan
from augment_cli.run.sharding import Shard, parse_shard
from augment_cli.run.watchdog import DEFAULT_FLOOR, FACTOR, Watchdog

__all__ = ["Plan", "Repair", "Summary", "default_workers", "dry_plan", "expand", "make_plan", "repair"]

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
    layout: str = "folders"      # how SRC was read (layouts.LAYOUTS)
    layout_detected: bool = True  # False when --format named it
    shard: str | None = None      # "K/M" of a --shard run
    cluster: dict = field(default_factory=dict)  # (Dask worker address, pid) -> batches it ran
    duplicates_redrawn: int = 0   # copies drawn again because they repeated (run/distinct.py)
    duplicates_kept: int = 0      # copies that still repeat after every redraw (marked in the manifest)
    # (source, duplicates kept) of the first files with kept duplicates, and how many files have them.
    duplicate_files: list[tuple[str, int]] = field(default_factory=list)
    files_with_duplicates: int = 0
    unit: str = "files"          # what files_read counts ("rows" for tables)
    tables_read: int = 0         # a table run: the tables of SRC (augmented or held out)
    tables_failed: int = 0       # a table run: tables that could not be written (their rows did not fail)
    notes: list[str] = field(default_factory=list)  # e.g. which split of a train/val/test tree ran

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def as_dict(self) -> dict[str, Any]:
        """The summary as one JSON-safe object (`expand --json`, `--summary-json`), for CI to assert on."""
        return {
            "out": str(self.out), "layout": self.layout, "layout_detected": self.layout_detected,
            "exit_code": self.exit_code, "seconds": round(self.seconds, 3),
            "sources": {"read": self.files_read, "failed": len(self.failed), "added": self.added,
                        "regenerated": self.regenerated, "removed": self.removed,
                        "unchanged": self.unchanged},
            **self._table_counts(),
            "copies_written": self.copies_written, "originals_copied": self.originals_copied,
            "skipped": dict(sorted(self.skipped.items())), "unlabelled": len(self.unlabelled),
            "failed": [{"source": row.source, "label": row.label, "modality": row.modality,
                        "error": row.error} for row in self.failed],
            "duplicates": {"redrawn": self.duplicates_redrawn, "kept": self.duplicates_kept,
                           "files_with_kept": self.files_with_duplicates},
            "regenerate_reason": self.regenerate_reason,
            "warnings": list(self.warnings), "notes": list(self.notes),
            "shard": self.shard,
            "dask_workers": [{"address": address, "pid": pid, "batches": batches}
                             for (address, pid), batches in sorted(self.cluster.items())],
        }


    def _table_counts(self) -> dict[str, Any]:
        """A table run's sources are tables, and its examples rows: `sources` counts
        tables (as `added` always did), `rows_read` and `rows_failed` the rows."""
        if self.unit != "rows":
            return {}
        rows_failed = len(self.failed) - self.tables_failed
        return {"sources": {"read": self.tables_read, "failed": self.tables_failed, "added": self.added,
                            "regenerated": self.regenerated, "removed": self.removed,
                            "unchanged": self.unchanged},
                "rows_read": self.files_read, "rows_failed": rows_failed}


def expand(*, source: str | Path | None, recipe: str | Path | Recipe, out: str | Path, copies: int,
           workers: int | None = None, seed: int = 0, include_originals: bool = False,
           overwrite: bool = False, follow_links: bool = False,
           on_progress: Progress | None = None, balance: bool = False,
           max_copies: int | None = None, layout: str | None = None,
           allow_removals: bool = False, allow_many_copies: bool = False,
           force_workers: bool = False, file_timeout: float | None = None,
           allow_duplicates: bool = False, split: str | None = None,
           engine: Engine | None = None, shard: str | Shard | None = None,
           text_columns: tuple[str, ...] = ("text",), label_column: str | None = None,
           chunk_rows: int | None = None, annotations: str | Path | None = None,
           storage_options: list[str] | tuple[str, ...] | None = None) -> Summary:
    """Write `copies` augmented copies of every file under `source` into `out`
    (per label with the recipe's [copies] or `balance`; see balance.py).

    A re-run into the same `out` redoes only sources that were added,
    changed or left unfinished, and removes the outputs of deleted sources.
    `layout` names how SRC is laid out (layouts.LAYOUTS); None detects it.
    Another SRC than the one DIR was made from is refused unless `overwrite`;
    removing the outputs of many sources gone from SRC needs `allow_removals`
    (see outdir/claim.py). More than 10,000 copies of one file
    (balance.MAX_COPIES_PER_FILE) is a UsageError unless `allow_many_copies`.
    `workers` above the usable cores is lowered to them (with a warning)
    unless `force_workers`. `file_timeout`: the floor of the per-file limit
    of the watchdog (watchdog.py; None: 60 s, 0: none). A copy that repeats
    its source or an earlier copy is redrawn unless `allow_duplicates`
    (run/distinct.py). `split` names the split of a train/val/test SRC to
    expand (None: the training split; layouts/splits.py). `engine`: where the
    batches run (run/engines.py; None: the local pool). `shard` ("K/M"): do
    only part K of M, with state of its own (run/sharding.py, `augment merge`).
    `annotations`: a COCO JSON to read (--annotations FILE; `source` None: its folder).

    A table dataset (layouts/table.py) is expanded row by row instead:
    `text_columns`, `label_column`, `chunk_rows` and `split` (the table to
    expand) apply to it (see run/table_run.py).

    `source` and `out` may be fsspec URLs (s3://bucket/prefix ...), reached
    with `storage_options` ("key=value" strings) and the protocol's own
    configuration: see storage/runs.py and docs/object-storage.md.
    """
    if storage.is_url(source) or storage.is_url(out) or storage.is_url(annotations) or storage_options:
        from augment_cli.storage import runs  # (storage options alone: the recipe's side files)

        return runs.expand(expand, source=source, out=out, storage_options=storage_options,
                           recipe=recipe, copies=copies, workers=workers, seed=seed,
                           include_originals=include_originals, overwrite=overwrite,
                           follow_links=follow_links, on_progress=on_progress, balance=balance,
                           max_copies=max_copies, layout=layout, allow_removals=allow_removals,
                           allow_many_copies=allow_many_copies, force_workers=force_workers,
                           file_timeout=file_timeout, allow_duplicates=allow_duplicates, split=split,
                           engine=engine, shard=shard, text_columns=text_columns,
                           label_column=label_column, chunk_rows=chunk_rows, annotations=annotations)
    started = time.perf_counter()
    # a COCO JSON (--annotations): files; a URL SRC (storage.location.Remote): class folders
    table = source if annotations is None and isinstance(source, str | Path) else None
    if table is not None and (runner := getattr(get(find(Path(table), layout)), "runner", None)) is not None:
        summary = _expand_rows(runner, source=table, recipe=recipe, out=out, copies=copies, workers=workers,
                               seed=seed, include_originals=include_originals, overwrite=overwrite,
                               force_workers=force_workers, text_columns=text_columns,
                               label_column=label_column, chunk_rows=chunk_rows, split=split,
                               balance=balance, max_copies=max_copies, allow_duplicates=allow_duplicates,
                               engine=engine, shard=parse_shard(shard) if isinstance(shard, str) else shard)
        summary.layout_detected, summary.seconds = layout is None, time.perf_counter() - started
        return summary
    engine = engine or Engine()
    shard = parse_shard(shard) if isinstance(shard, str) else shard
    files = StateFiles.of(shard)
    plan = make_plan(source=source, recipe=recipe, out=out, copies=copies, seed=seed,
                     include_originals=include_originals, follow_links=follow_links,
                     balance=balance, max_copies=max_copies, layout=layout,
                     allow_many_copies=allow_many_copies, allow_duplicates=allow_duplicates,
                     split=split, require_work=False, annotations=annotations)
    # a re-run whose SRC emptied meets the removal guard instead
    if claim.read_state(plan.out, files.state) is None:
        check_work(plan)
    workers, capped = usable_workers(workers, force_workers)
    plan.warnings.extend(capped)
    state = claim.RunState.of(plan.recipe, seed, copies, include_originals, plan.layout_name,
                              plan.source, inputs_digest(plan.recipe), distinct=plan.distinct,
                              balance=balance, max_copies=max_copies, follow_links=follow_links,
                              annotations=plan.annotations)
    claim.check_claim(plan.out, state, overwrite, files)
    with _writing(plan.out), engine.cluster(workers) as cluster:
        prepare_out(plan.out, plan.source, cluster)
        with locked(plan.out, files.lock) as lock, _leased(plan.out, overwrite):
            index = _open_index(plan, state, overwrite, files)
            try:
                if not (overwrite or allow_removals):
                    claim.check_removals(plan.out, plan.source, index, files)
                run = _Run(plan, index, lock, file_timeout, files, cluster, engine)
                summary = run.execute(state, workers, overwrite, on_progress)
            finally:
                index.close()
    summary.layout, summary.layout_detected = plan.layout_name, layout is None and annotations is None
    summary.shard = str(shard) if shard else None
    summary.seconds = time.perf_counter() - started
    return summary


def dry_plan(*, source: str | Path | None, out: str | Path,
             storage_options: list[str] | tuple[str, ...] | None = None, **options: Any) -> Plan:
    """make_plan for --dry-run, also with a URL SRC or DIR (nothing is read from a URL DIR)."""
    if storage.is_url(source) or storage.is_url(out) or storage.is_url(options.get("annotations")) \
            or storage_options:
        from augment_cli.storage import runs

        return runs.dry_plan(make_plan, source=source, out=out, storage_options=storage_options, **options)
    return make_plan(source=source, out=out, **options)


def table_plan(*, source: str | Path | None, recipe: str | Path | Recipe, out: str | Path, copies: int,
               layout: str | None = None, include_originals: bool = False, balance: bool = False,
               max_copies: int | None = None, annotations: str | Path | None = None,
               storage_options: list[str] | tuple[str, ...] | None = None,
               **options: Any) -> list[str] | None:
    """The --dry-run plan of a table dataset (every table checked, its rows counted), None for other
    layouts. `options`: the table options of `expand`; the file options are not used."""
    if annotations is not None or source is None:  # a COCO JSON (--annotations): files
        return None
    if storage.is_url(source) or storage.is_url(out):
        from augment_cli.storage import runs

        return runs.table_plan(table_plan, source=source, out=out, storage_options=storage_options,
                               recipe=recipe, copies=copies, layout=layout,
                               include_originals=include_originals, balance=balance,
                               max_copies=max_copies, **options)
    runner = getattr(get(find(Path(source), layout)), "runner", None)
    if runner is None:
        return None
    if balance or max_copies is not None:
        raise UsageError("--balance and --max-copies are for files per label; tables take --copies")
    from augment_cli.run.table_checks import describe

    loaded = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    return describe(Path(source), loaded, Path(out), copies, include_originals,
                    options.get("text_columns", ("text",)), options.get("label_column"),
                    options.get("split"), options.get("chunk_rows"))


def _expand_rows(runner: str, *, source: str | Path, recipe: str | Path | Recipe, out: str | Path,
                 workers: int | None, force_workers: bool, balance: bool, max_copies: int | None,
                 **options: Any) -> Summary:
    """A layout whose examples are rows, not files (tables): its own runner does the run."""
    if balance or max_copies is not None:
        raise UsageError("--balance and --max-copies are for files per label; tables take --copies")
    loaded = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    count, capped = usable_workers(workers, force_workers)
    summary = Summary(Path(out), warnings=capped, layout="table", unit="rows")
    with _writing(Path(out)):
        return resolve(runner)(summary=summary, source=Path(source), recipe=loaded, out=Path(out),
                               workers=count, **options)


@dataclass
class Repair:
    """What `verify --repair` did: strays removed, sources regenerated, the run's summary."""

    strays_removed: int
    sources_regenerated: int
    summary: Summary | None


def repair(out: str | Path, *, layout: str | None = None, workers: int | None = None,
           on_progress: Progress | None = None) -> Repair:
    """Make DIR what a clean run writes: remove stray and half-written files,
    and regenerate the sources whose outputs are missing, changed or do not
    decode, by running the recorded expand again (.augment-run.json) with
    those sources marked stale. Nothing else is redone, so the result is
    byte-identical to a clean run."""
    out = Path(out)
    state = claim.read_state(out)
    if state is None or not state.src:
        raise UsageError(f"{out} has no run record naming its source folder: cannot repair it",
                         hint="run the expand command that made it again, with --overwrite")
    found = verify.problems(out, layout)
    strays = [problem.output for problem in found if problem.kind == verify.STRAY]
    damaged = sorted({problem.output for problem in found if problem.kind == verify.DAMAGED})
    with _writing(out), locked(out):
        for name in strays:
            (out / name).unlink(missing_ok=True)
        index = Index(out)
        try:
            stale = sorted({source for name in damaged if (source := index.source_of(name)) is not None})
            for source in stale:
                index.invalidate(source)
        finally:
            index.close()
    if not found:
        return Repair(0, 0, None)
    summary = expand(source=state.src, recipe=state.recipe_path, out=out, copies=state.copies,
                     seed=state.seed, include_originals=state.include_originals, layout=state.layout,
                     allow_duplicates=not state.distinct, balance=state.balance, max_copies=state.max_copies,
                     follow_links=state.follow_links, allow_many_copies=True, workers=workers,
                     on_progress=on_progress, **_table_options(state),
                     annotations=Path(state.src) / state.annotations if state.annotations else None)
    return Repair(len(strays), len(stale), summary)


def _table_options(state: claim.RunState) -> dict[str, Any]:
    """The recorded options of a table run (text and label columns, split) for `expand`."""
    if not state.table:
        return {}
    return {"text_columns": tuple(state.table["text_columns"]), "label_column": state.table["label_column"],
            "split": state.table["split"]}


class _Run:
    """One locked run into DIR: what it has done so far, in one place."""

    def __init__(self, plan: Plan, index: Index, lock: int | None = None,
                 file_timeout: float | None = None, files: StateFiles | None = None,
                 cluster: Any = None, engine: Engine | None = None):
        self.plan, self.index, self.out = plan, index, plan.out
        self.lock, self.file_timeout = lock, file_timeout  # the DIR lock's descriptor: workers hold it too
        self.files = files or StateFiles()
        self.cluster, self.engine = cluster, engine or Engine()  # cluster: run.cluster.Cluster or None
        self.summary = Summary(plan.out, skipped=plan.skipped.copy(), unlabelled=plan.scan.unlabelled,
                               warnings=plan.warnings, notes=plan.notes)
        self.shard = files.shard if files else None
        self.refused = [row for row in plan.refused if self._mine(row.source)]  # could not be planned
        self.tally = incremental.Tally()
        # source -> every file it may touch, from before the first of them is
        # removed or written until the index has committed the source again
        # (at most the in-flight batches: memory stays flat).
        self.running: dict[str, list[str]] = {}
        self.earlier_files: set[str] = set()  # set by execute

    def execute(self, state: claim.RunState, workers: int | None, overwrite: bool,
                on_progress: Progress | None) -> Summary:
        self._sweep()
        # What DIR's last run wrote from its rows (a COCO JSON per input JSON): one
        # whose input is gone from SRC is stale once this run's rows are final.
        if self.plan.layout.annotated:  # class folders and tables: the same names every run
            self.earlier_files = set(self.plan.layout.dataset_files(self.index.manifest_rows()))
        self.summary.regenerate_reason = claim.reset_if_needed(self.out, state, overwrite, self.index,
                                                               self.files)
        claim.write_state(self.out, state, self.files.state)
        claims = naming.NameClaims(self.index, self.plan.source, naming.folds_case(self.out))
        self.index.begin_run(claims.folds)
        try:
            self._pool(workers, on_progress, claims)
            incremental.remove_unseen(self.index, self.out, self.tally, claims.taken, self.running)
        except (KeyboardInterrupt, Terminated, BrokenProcessPool) as stop:
            self._stop_cleanly()
            # Against every source of SRC, not the ones queued so far: those kept unchanged count as done.
            done = self.summary.files_read + len(self.summary.failed) + self.tally.unchanged
            total = self.plan.total
            if isinstance(stop, BrokenProcessPool):
                # A worker was killed from outside (the kernel's OOM killer, a
                # crash in a native codec): keep what finished, as after Ctrl-C.
                raise WorkerDied(done, total) from None
            raise Interrupted(exit_code_for(stop), done, total) from None
        self._count()
        self._write_reports()
        self.summary.failed += self.refused
        claim.write_state(self.out, state.completed(), self.files.state)
        return self.summary

    def _sweep(self) -> None:
        """Remove the half-written files a killed run left; not while another
        shard runs in DIR: they could be its files being written."""
        if self.shard is None or not other_shards_running(self.out, self.files):
            claim.sweep_temporary_files(self.out)

    def _pool(self, workers: int | None, on_progress: Progress | None, claims: naming.NameClaims) -> None:
        """Run the jobs; record each finished source in the index as it comes."""
        total = self._total()
        workers = self.cluster.workers if self.cluster else workers or default_workers()
        workers = max(1, min(workers, max(total, 1)))
        watchdog = self._watchdog(workers)
        shared = shareable(self.plan.partners)
        jobs = batches(self._jobs(claims), workers, total, least=self.engine.least_batch,
                       size=self.engine.batch_size)
        with sigterm_raises(), executor_for(workers, shared, self.lock, watchdog, self.cluster) as executor:
            results = run_jobs(executor, run_batch, jobs, in_flight=workers * 4, watchdog=watchdog)
            mirror = storage.mirror_of(self.out)  # a URL DIR: its state goes back at checkpoints
            for done, result in enumerate(results, 1):
                self._finish(result)
                if mirror is not None:
                    mirror.checkpoint(self.index)
                if on_progress:
                    on_progress(done, total)
        self.summary.cluster = dict(getattr(executor, "done_by", {}))
        lost = self.cluster is not None and executor.lost_workers()  # type: ignore[attr-defined]
        if lost or (watchdog is not None and watchdog.stopped):
            self._sweep()  # what the killed workers were writing

    def _total(self) -> int:
        """Sources this run (or shard) plans: a shard counts its own (one more walk)."""
        plan, shard = self.plan, self.shard
        if shard is None:
            return plan.total
        return sum(1 for sample in plan.layout.walk(plan.source, plan.follow_links, Scan())
                   if plan.recipe.steps_for(sample.modality) and shard.owns(sample.relative))

    def _watchdog(self, workers: int) -> Watchdog | None:
        """The per-file deadline, which needs worker processes to kill."""
        floor = DEFAULT_FLOOR if self.file_timeout is None else self.file_timeout
        if floor <= 0:
            return None
        if self.cluster is not None:
            if self.file_timeout:
                self.summary.warnings.append("--file-timeout needs the local pool: Dask tasks are not timed")
            return None
        if workers <= 1:
            if self.file_timeout:
                self.summary.warnings.append(
                    "--file-timeout needs worker processes: with one worker (--workers 1, or a single "
                    "file) files run in this process and are not timed")
            return None
        return Watchdog(floor, key=_source_of, failure=_stopped)

    def _jobs(self, claims: naming.NameClaims) -> Iterator[Job]:
        """The planned jobs that need work (against the index); a source that
        cannot be planned goes to `refused`."""
        plan, stale = self.plan, None
        if plan.partners:  # mixing: a label with any change is redone whole
            unclaimed = (job for job in plan.iter_work(_no_claim)
                         if isinstance(job, Job) and self._mine(job.sample.relative))
            stale = incremental.stale_mixed_labels(unclaimed, self.index, plan.source)
        planned = self._planned(plan.iter_work(claims))
        return incremental.jobs_to_run(planned, self.index, plan.source, self.out, self.tally,
                                       self.running, stale)

    def _mine(self, source: str) -> bool:
        """Whether this run does the source: always, unless it is a shard that does not own it."""
        return self.shard is None or self.shard.owns(source)

    def _planned(self, work: Iterator[Job | ErrorRow]) -> Iterator[Job]:
        """Every shard claims the names of all sources (so collisions are
        refused as an unsharded run refuses them) but keeps only its own."""
        for item in work:
            if not self._mine(item.source if isinstance(item, ErrorRow) else item.sample.relative):
                continue
            if isinstance(item, ErrorRow):
                self.refused.append(item)
            else:
                yield item

    def _finish(self, result: SampleResult) -> None:
        """Commit a finished source and stop tracking it, as one step: Ctrl-C
        and SIGTERM wait until both are done (interrupts.deferred), so the
        source is either committed and untracked (kept) or still in `running`
        and not committed (removed by _stop_cleanly). A failed source's copies
        are gone already, unless the watchdog stopped its worker mid-way:
        removed here."""
        with deferred():
            if result.error is not None:
                claim.remove_outputs(self.out, self.running[result.sample.relative])
            self._record(result)
            del self.running[result.sample.relative]

    def _record(self, result: SampleResult) -> None:
        sample, summary = result.sample, self.summary
        if result.error is not None:
            summary.failed.append(ErrorRow(sample.relative, sample.label, sample.modality, result.error))
            return
        assert result.stamp is not None  # taken before the source is read
        summary.files_read += 1
        summary.copies_written += sum(1 for row in result.rows if row.copy > 0)
        summary.originals_copied += sum(1 for row in result.rows if row.copy == 0)
        _count_duplicates(summary, sample.relative, *result.duplicates)
        self.index.put(sample.relative, result.stamp, result.sha256, result.rows, result.companions)

    def _stop_cleanly(self) -> None:
        """After an interruption: drop every file and the index entry of each
        source part-way through its change (a worker may have written some of
        its copies; its old outputs may be half removed), then write a
        manifest that matches the files on disk exactly. A source the index
        committed in this run is finished: it stays."""
        for source, names in self.running.items():
            if not self.index.committed(source):
                claim.remove_outputs(self.out, names + self.index.names_of(source))
                self.index.forget(source)
        self._sweep()
        self._write_reports()

    def _count(self) -> None:
        summary, tally = self.summary, self.tally
        summary.added, summary.regenerated = tally.added, tally.regenerated
        summary.removed, summary.unchanged = tally.removed, tally.unchanged

    def _write_reports(self) -> None:
        """manifest.csv from the index, errors.csv, then the layout's dataset-level files
        (a shard writes its partial manifest and errors; `augment merge` the rest)."""
        out, index, layout = self.out, self.index, self.plan.layout
        index.commit()
        write_rows(out / self.files.manifest, ManifestRow, index.manifest_rows(), presorted=True,
                   columns=manifest_columns(layout.annotated))
        errors, failed = out / self.files.errors, self.summary.failed + self.refused
        if failed:
            write_rows(errors, ErrorRow, failed)
        elif errors.exists():
            errors.unlink()
        if self.shard is not None:
            return
        files = layout.finish(self.plan.source, index.manifest_rows(), out)
        for name, content in sorted(files.items()):
            if not ((out / name).is_file() and (out / name).read_bytes() == content):  # a no-op re-run
                atomic_write(out / name, content)                                     # touches nothing
        for name in (set(layout.dataset_files()) | self.earlier_files) - set(files):  # written before, stale
            (out / name).unlink(missing_ok=True)


SHOWN_DUPLICATE_FILES = 5


def _count_duplicates(summary: Summary, source: str, redrawn: int, kept: int) -> None:
    """Add a source's redrawn and kept duplicates. The files named are the
    first few in name order, whatever order the workers finish in; memory stays flat."""
    summary.duplicates_redrawn += redrawn
    summary.duplicates_kept += kept
    if kept:
        summary.files_with_duplicates += 1
        bisect.insort(summary.duplicate_files, (source, kept))
        del summary.duplicate_files[SHOWN_DUPLICATE_FILES:]


def _open_index(plan: Plan, state: claim.RunState, overwrite: bool, files: StateFiles) -> Index:
    """DIR's (or the shard's) index: checked if the last run did not finish,
    rebuilt from the manifest if damaged and its outputs may be kept (a
    warning says so)."""
    previous = None if overwrite else claim.read_state(plan.out, files.state)
    index, damage = recovery.open_index(plan.out, plan.source, plan.layout,
                                        unclean=previous is not None and not previous.complete,
                                        reusable=previous is not None and not previous.differences(state),
                                        files=files)
    if damage:
        plan.warnings.append(damage)
    return index


def _source_of(job: Job) -> str:
    return job.sample.relative


def _stopped(job: Job, seconds: float, limit: float) -> SampleResult:
    """The result of a source the watchdog stopped."""
    error = (f"stopped after {seconds:.1f} s: over its time limit of {limit:.1f} s "
             f"(the larger of --file-timeout and {FACTOR}x the median time per file)")
    return SampleResult(job.sample, error=error)


def _no_claim(source: str, keys: list[str]) -> None:
    """A Claim that reserves nothing: for a look at the jobs before the real pass."""
    return None


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity, e.g. under taskset or a container's cpuset)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def usable_workers(workers: int | None, force: bool) -> tuple[int, list[str]]:
    """The worker count to start, and a warning when the asked one was lowered.

    Each worker is a process of its own (~60 MB): more than the cores only
    adds memory and contention, and `--workers 1000` would start 1000."""
    cores = default_workers()
    if workers is None:
        return cores, []
    if workers <= cores or force:
        return workers, []
    return cores, [f"--workers {workers} is more than the {cores} usable cores: using {cores} "
                   f"(pass --force-workers to start {workers})"]


def _leased(out: Path, overwrite: bool) -> Any:
    """A URL DIR's lock object, its state fetched under it and put back at the end
    (storage/workdir.py); nothing for a local DIR, which `locked` holds alone."""
    mirror = storage.mirror_of(out)
    return mirror.leased(overwrite) if mirror is not None else nullcontext()


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
