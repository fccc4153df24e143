"""`augment merge DIR`: the shards of one run (`--shard K/M`) made into the unsharded run.

Each shard left its outputs and its own record in DIR (outdir/statefiles.py),
run at the same time on one shared DIR or in separate jobs whose DIRs were
copied into one. Merging checks that all M shards are there, finished, and
made by the same tool version, recipe, seed and options; then, holding DIR's
lock and every shard's, it joins their indexes into DIR's, writes
manifest.csv and errors.csv from them (sorted as an unsharded run writes
them: byte for byte the same), the layout's dataset-level files and the run
record, and removes the shards' files. DIR is then an ordinary finished run:
`augment verify` passes and an unsharded re-run takes it as its own.
"""

from __future__ import annotations

import csv
import sqlite3
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment_cli import layouts
from augment_cli.errors import OutputError, UsageError
from augment_cli.outdir import claim
from augment_cli.outdir.files import atomic_write, remove_quietly
from augment_cli.outdir.index import Index
from augment_cli.outdir.lock import locked
from augment_cli.outdir.manifest import ErrorRow, ManifestRow, manifest_columns, unescape, write_rows
from augment_cli.outdir.statefiles import UNSHARDED, StateFiles, shards_in
from augment_cli.outdir.table_merge import join_table_shards
from augment_cli.run.sharding import Shard


@dataclass
class Merged:
    out: Path
    shards: int = 0
    sources: int = 0
    files: int = 0
    failed: int = 0


def merge(out: Path, source: Any = None) -> Merged:
    """Merge DIR's shards; a UsageError (nothing written) when they do not make one run.
    `source`: SRC as the layout's dataset files read it (None: the recorded path; a URL
    SRC's storage.location.Remote for storage/merge.py)."""
    found = shards_in(out)
    if not out.is_dir() or not found:
        raise UsageError(f"{out} holds no shards to merge",
                         hint="write them with: augment expand ... --shard K/M --out DIR")
    count = _one_split(out, found)
    states = [_finished_state(out, Shard(k, count)) for k in range(1, count + 1)]
    for k, state in enumerate(states[1:], 2):
        if states[0].table != state.table:
            raise UsageError(f"shard {k}/{count} in {out} was made with other table options than shard "
                             f"1/{count} ({state.table} against {states[0].table})",
                             hint="run every shard with the same --text-column, --label-column, --split "
                                  "and --chunk-rows")
        if states[0].differences(state):
            raise UsageError(f"shard {k}/{count} in {out} was made by another run than shard 1/{count}: "
                             f"{'; '.join(states[0].differences(state))}",
                             hint="run every shard with the same augment version, recipe, seed and options")
    result = Merged(out, shards=count)
    try:
        with ExitStack() as held:
            held.enter_context(locked(out, UNSHARDED.lock))
            for k in range(1, count + 1):  # a shard still running holds its lock: refused here
                held.enter_context(locked(out, StateFiles.of(Shard(k, count)).lock))
            if states[0].layout == "table":  # a table's shards hold chunks: joined into tables
                result.sources, result.failed = join_table_shards(out, count, states[0])
                result.files = result.sources
            else:
                _join(out, count, states[0], result, source)
    except sqlite3.Error as exc:
        raise OutputError(f"cannot merge the shards' indexes in {out}: {exc}") from None
    for names in found.values():
        for name in names:
            remove_quietly(out / name)
    return result


def _one_split(out: Path, found: dict[Shard, list[str]]) -> int:
    counts = sorted({shard.count for shard in found})
    if len(counts) > 1:
        raise UsageError(f"{out} holds shards of different splits (M = {', '.join(map(str, counts))})",
                         hint="merge only the shards of one run: remove the others' .augment-shard-* files")
    return counts[0]


def _finished_state(out: Path, shard: Shard) -> claim.RunState:
    files = StateFiles.of(shard)
    state = claim.read_state(out, files.state)
    if state is None or not (out / files.index).is_file():
        raise UsageError(f"shard {shard} is missing from {out} (no {files.state} and {files.index})",
                         hint=f"run it (augment expand ... --shard {shard}) or copy its output folder in")
    if not state.complete:
        raise UsageError(f"shard {shard} in {out} did not finish", hint="run it again: it resumes")
    return state


def _join(out: Path, count: int, state: claim.RunState, result: Merged, source: Any = None) -> None:
    """Every shard's index into DIR's, then the files an unsharded run writes at its end."""
    claim.sweep_temporary_files(out)  # every shard is over: what is half-written is a killed run's
    index = Index(out)
    try:
        index.clear()
        failed: list[ErrorRow] = []
        for k in range(1, count + 1):
            files = StateFiles.of(Shard(k, count))
            try:
                index.absorb(out / files.index)
            except sqlite3.IntegrityError:
                raise UsageError(f"shards of {out} overlap (shard {k}/{count} has a source or output "
                                 "another shard has too)",
                                 hint="they were not made from one SRC: run them again into an empty --out"
                                 ) from None
            failed += _read_errors(out / files.errors)
        index.commit()
        layout = layouts.get(state.layout, state.annotations)
        write_rows(out / UNSHARDED.manifest, ManifestRow, index.manifest_rows(), presorted=True,
                   columns=manifest_columns(layout.annotated))
        errors = out / UNSHARDED.errors
        if failed:
            write_rows(errors, ErrorRow, failed)
        else:
            remove_quietly(errors)
        read_from = source if source is not None else Path(state.src)
        for name, content in sorted(layout.finish(read_from, index.manifest_rows(), out).items()):
            atomic_write(out / name, content)
        result.sources = sum(1 for _ in index.sources())
        result.files = sum(1 for _ in index.manifest_rows())
        result.failed = len(failed)
        claim.write_state(out, state)
    finally:
        index.close()


def _read_errors(path: Path) -> list[ErrorRow]:
    """A shard's errors.csv (none: no failures)."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        return []
    return [ErrorRow(*(unescape(cell) for cell in row)) for row in rows[1:] if row]
