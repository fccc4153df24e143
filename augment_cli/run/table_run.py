"""expand_tables(): the run for a table dataset (layouts/table.py).

Order of work, as for files: check options, recipe and every table's columns
(exit 2 before DIR is touched) -> claim and lock DIR -> held-out tables
copied unchanged -> each table to augment read streaming, cut into chunks of
rows, each chunk a ChunkJob through the same executor as files -> each
finished chunk's part file recorded in the index -> the parts joined into
DIR/<table name>, written atomically -> errors.csv -> run state complete.

Memory stays flat: rows are read one at a time and at most a few chunks are
in flight; parts are joined a block at a time. Output does not depend on
--workers or --chunk-rows (a row's copies depend only on seed, table, row
number and copy). An interrupted run keeps its finished chunks: the next run
reads past them and does only the rest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment_cli import storage
from augment_cli.errors import AugmentError, Interrupted, OutputError
from augment_cli.layouts.table_formats import Record
from augment_cli.outdir import claim, table_output
from augment_cli.outdir.lock import locked
from augment_cli.outdir.manifest import ErrorRow, write_rows
from augment_cli.outdir.statefiles import UNSHARDED, StateFiles, other_shards_running
from augment_cli.outdir.table_index import Chunk, Output, TableIndex
from augment_cli.recipe import Recipe
from augment_cli.recipe.inputs import inputs_digest
from augment_cli.run.engines import Engine, prepare_out
from augment_cli.run.executor import executor_for, run_jobs
from augment_cli.run.interrupts import Terminated, exit_code_for, sigterm_raises
from augment_cli.run.sharding import Shard
from augment_cli.run.table_checks import Prepared, prepare
from augment_cli.run.table_jobs import ChunkJob, ChunkResult, run_chunks

# Rows per chunk: ~0.3 s of EDA work at 4 copies, so a task's round trip
# (~1 ms) is lost in it, a chunk's rows in flight stay a few MB, and 100k rows
# still make 100 tasks for two workers to share evenly. benchmarks/tables.py
# --chunk-sizes 250,1000,4000 measured them alike (within the shared machine's noise).
DEFAULT_CHUNK_ROWS = 1000


class TablesInterrupted(Interrupted):
    def __init__(self, exit_code: int, chunks: int, rows: int):
        AugmentError.__init__(self, f"interrupted after {chunks} finished chunks ({rows} rows); the "
                              "tables in DIR are those of the last finished run")
        self.exit_code = exit_code
        self.hint = "run the same command again to finish: finished chunks are not redone"


def expand_tables(*, summary: Any, source: Path, recipe: Recipe, out: Path, copies: int,
                  workers: int, seed: int, include_originals: bool, overwrite: bool,
                  text_columns: tuple[str, ...], label_column: str | None,
                  chunk_rows: int | None, split: str | None, allow_duplicates: bool = False,
                  engine: Engine | None = None, shard: Shard | None = None) -> Any:
    """Expand every table of `source` into `out`; fills and returns `summary` (an api.Summary).
    `engine`: where the chunks run (run/engines.py; None: the local pool); a Dask
    worker runs a chunk as a pool worker does and writes its part file into DIR
    (a URL DIR: puts it under DIR in the bucket, and the driver moves it into its
    working folder as the chunk is recorded, so the join is the local one).
    `shard`: do only the chunks whose key (table, first row) is part K of M, and
    leave their part files for `augment merge` (outdir/table_merge.py) to join."""
    prepared = prepare(source, recipe, out, copies, text_columns, label_column, split, chunk_rows)
    chunk_rows = chunk_rows or DEFAULT_CHUNK_ROWS
    # The options repair must run with again (the chunk size does not change a byte; but
    # shards must cut a table alike for their chunks to make it up, so theirs record it).
    options = {"text_columns": list(text_columns), "label_column": label_column, "split": split,
               **({"chunk_rows": chunk_rows} if shard else {})}
    state = claim.RunState.of(recipe, seed, copies, include_originals, "table", source,
                              inputs_digest(recipe), distinct=not allow_duplicates, table=options)
    files = StateFiles.of(shard)
    claim.check_claim(out, state, overwrite, files)
    with (engine or Engine()).cluster(workers) as cluster:
        # Chunks carry their rows: workers need not see a URL SRC's local copy (table_source.py).
        prepare_out(out, None if _copy_of_url(source) else source, cluster)
        _run_locked(out, state, overwrite, summary, prepared, cluster,
                    _Settings(recipe, seed, copies, include_originals, chunk_rows, not allow_duplicates,
                              workers, files))
    summary.shard = str(shard) if shard else None
    return summary


def _run_locked(out: Path, state: claim.RunState, overwrite: bool, summary: Any, prepared: list[Prepared],
                cluster: Any, settings: _Settings) -> None:
    files = settings.files
    with locked(out, files.lock) as lock:
        index = TableIndex(out, files.index)
        try:
            run = _TableRun(out, index, summary, settings)
            summary.regenerate_reason = table_output.reset_if_needed(out, state, overwrite, index,
                                                                     files.state)
            if not other_shards_running(out, files):  # their half-written files are not a killed run's
                claim.sweep_temporary_files(out)
            claim.write_state(out, state, files.state)
            run.execute(prepared, lock, cluster)
            claim.write_state(out, state.completed(), files.state)
        finally:
            index.close()


@dataclass(frozen=True)
class _Settings:
    recipe: Recipe
    seed: int
    copies: int
    include_originals: bool
    chunk_rows: int
    distinct: bool
    workers: int
    files: StateFiles = UNSHARDED  # this run's or shard's record (outdir/statefiles.py)

    def mine(self, key: str) -> bool:
        """Whether this run does the chunk or held-out table with this key (all, unsharded)."""
        return self.files.shard is None or self.files.shard.owns(key)


class _TableRun:
    def __init__(self, out: Path, index: TableIndex, summary: Any, settings: _Settings):
        self.out, self.index, self.summary, self.settings = out, index, summary, settings
        self.parts: dict[str, list[str]] = {}      # table -> this run's part names, in row order
        self.errors: dict[str, list[tuple[int, str]]] = {}
        self.failed: dict[str, str] = {}           # table -> why it could not be written
        self.keys: dict[str, str] = {}             # table -> the key its chunks are recorded under
        self.kept: dict[str, int] = {}             # table -> copies kept although they repeat
        self.chunks_done = self.rows_done = 0
        self.remote: Any = None  # a URL DIR the Dask workers put their parts in (storage/location.Remote)

    def execute(self, prepared: list[Prepared], lock: int | None, cluster: Any) -> None:
        mirror = storage.mirror_of(self.out) if cluster is not None else None
        self.remote = mirror.location if mirror is not None else None
        todo = []
        for item in prepared:
            if not item.table.augment:
                self.summary.notes.append(f"{item.table.name}: {item.reason}, copied unchanged")
            if self._unchanged(item):
                continue
            if item.table.augment:
                todo.append(item)
            elif self.settings.mine(item.table.name):
                table_output.copy_unchanged(self.out, item, self.index)
                self.summary.added += 1
        self._run_chunks(todo, lock, cluster)
        for item in todo:
            self._finish(item)
        if self.settings.files.shard is None:  # a shard's DIR is made whole by merge
            self.summary.removed += table_output.remove_gone(self.out, self.index, prepared)
        self.summary.tables_read, self.summary.tables_failed = len(prepared), len(self.failed)
        self._write_errors()

    def _unchanged(self, item: Prepared) -> bool:
        output = self.index.output(item.table.name)
        if output is None or output.key != item.key or not table_output.intact(self.out, output):
            return False
        self.summary.unchanged += 1
        self.errors[item.table.name] = list(output.errors)
        return True

    def _run_chunks(self, todo: list[Prepared], lock: int | None, cluster: Any) -> None:
        workers = cluster.workers if cluster is not None else max(1, self.settings.workers)
        try:
            with sigterm_raises(), executor_for(workers, None, lock, None, cluster) as executor:
                batched = ([job] for job in self._jobs(todo))
                for result in run_jobs(executor, run_chunks, batched, in_flight=workers * 2):
                    self._commit(result)
            self.summary.cluster = dict(getattr(executor, "done_by", {}))
            if cluster is not None and executor.lost_workers():  # type: ignore[attr-defined]
                claim.sweep_temporary_files(self.out)  # a worker killed mid-write left its temporary
        except (KeyboardInterrupt, Terminated, BrokenProcessPool) as stop:
            claim.sweep_temporary_files(self.out)
            if isinstance(stop, BrokenProcessPool):  # killed from outside (OOM): finished chunks kept
                raise OutputError(f"a worker process died unexpectedly (killed by the system, perhaps out "
                                  f"of memory) after {self.chunks_done} finished chunks ({self.rows_done} "
                                  "rows); run the same command again to finish") from None
            raise TablesInterrupted(exit_code_for(stop), self.chunks_done, self.rows_done) from None

    def _jobs(self, todo: list[Prepared]) -> Iterator[ChunkJob]:
        for item in todo:
            name = item.table.name
            self.parts[name], self.errors[name], self.keys[name] = [], [], item.key
            table_output.drop_stale_chunks(self.out, self.index, name, item.key)
            for records in _chunks(item.read(), self.settings.chunk_rows):
                part = table_output.part_name(name, records[0].number)
                self.parts[name].append(part)
                if not self.settings.mine(f"{name}\n{records[0].number}"):
                    continue  # another shard's chunk
                done = self.index.chunk(name, item.key, records[0].number, len(records))
                if done is not None and (self.out / done.part).is_file():
                    self._account(name, done)  # finished by an interrupted run
                    continue
                yield self._job(item, part, records)

    def _job(self, item: Prepared, part: str, records: list[Record]) -> ChunkJob:
        settings = self.settings
        return ChunkJob(str(self.out), item.table.name, part, tuple(records), item.source_format,
                        item.output_format, item.text_columns, settings.copies, settings.include_originals,
                        settings.recipe, settings.seed, settings.distinct, _side_options(settings.recipe),
                        self.remote)

    def _commit(self, result: ChunkResult) -> None:
        name = result.table
        if result.failure is None and self.remote is not None:
            result.failure = _bring_part(self.remote, self.out, result.part)
        if result.failure is not None:
            self.failed[name] = result.failure
            return
        chunk = Chunk(name, self.keys[name], result.first, result.count, result.part, result.rows_read,
                      result.copies, result.originals, tuple(result.errors or ()), result.duplicates_redrawn,
                      result.duplicates_kept)
        self.index.put_chunk(chunk)
        self._account(name, chunk)

    def _account(self, name: str, chunk: Chunk) -> None:
        summary = self.summary
        summary.files_read += chunk.rows_read
        summary.copies_written += chunk.copies
        summary.originals_copied += chunk.originals
        summary.duplicates_redrawn += chunk.redrawn
        summary.duplicates_kept += chunk.kept
        self.kept[name] = self.kept.get(name, 0) + chunk.kept
        self.errors[name].extend(chunk.errors)
        self.chunks_done += 1
        self.rows_done += chunk.count

    def _finish(self, item: Prepared) -> None:
        name = item.table.name
        if name in self.failed:
            self.errors[name].append((0, self.failed[name]))
            return
        if self.settings.files.shard is not None:  # merge joins the parts of every shard
            self.index.put_parts(name, item.key, len(self.parts[name]))
            return
        parts = [self.out / part for part in self.parts[name]]
        sha = table_output.join_parts(self.out, item, parts)
        self.index.put_output(Output(name, item.key, sha, True, tuple(sorted(self.errors[name]))))
        table_output.drop_parts(self.out, self.index, name)
        self.summary.added += 1
        if self.kept.get(name):  # named per table, as files are per file
            self.summary.files_with_duplicates += 1
            self.summary.duplicate_files.append((name, self.kept[name]))

    def _write_errors(self) -> None:
        rows = [ErrorRow(f"{name}:{line}" if line else name, "", "text", reason)
                for name in sorted(self.errors) for line, reason in sorted(self.errors[name])]
        self.summary.failed.extend(rows)
        errors = self.out / self.settings.files.errors
        if rows:
            write_rows(errors, ErrorRow, rows, presorted=True)
        elif errors.exists():
            errors.unlink()


def _copy_of_url(source: Path) -> bool:
    """Whether SRC is the local copy of a URL table SRC (storage/table_source.py)."""
    resolved = str(source.resolve())
    return storage.source_url(resolved) != resolved


def _bring_part(remote: Any, out: Path, part: str) -> str | None:
    """A part a Dask worker put under the URL DIR, moved into the working folder `out` (where
    the join reads it, and a resume on this machine finds it); why it could not be, or None."""
    from augment_cli.storage.copies import stream_to

    target = out / part
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        stream_to(remote, remote.key(part), remote.child_url(part), target)
    except AugmentError as exc:
        return str(exc)
    with contextlib.suppress(Exception):  # one left behind is removed with the others at the end
        remote.fs.rm_file(remote.key(part))
    return None


def _side_options(recipe: Recipe) -> tuple[tuple[str, str], ...]:
    """The storage options a chunk's worker reads the recipe's URL side files with, if any."""
    if not recipe.side_objects:
        return ()
    from augment_cli.storage import sidefiles

    return sidefiles.OPTIONS


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
