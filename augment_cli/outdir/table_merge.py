"""`augment merge DIR` for a table run's shards (`--shard K/M` on a table SRC).

A table is sharded by its chunks: chunk (table, first row) is part K of M by
run/sharding.part_of, so one big train.csv, the usual table dataset, is spread
over every shard (a hash of the table's name would give it to one shard
whole). Every shard reads each table through, does its own chunks and
records, in its own index, its chunks and how many chunks the table has; a
held-out table is copied by the shard its name hashes to. Merging checks that
every shard cut each table alike and that every chunk is there, then joins
the parts in row order into DIR/<table> exactly as an unsharded run does, so
the table is byte for byte the unsharded run's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from augment_cli.errors import UsageError
from augment_cli.outdir import claim, table_output
from augment_cli.outdir.manifest import ErrorRow, write_rows
from augment_cli.outdir.statefiles import UNSHARDED, StateFiles
from augment_cli.outdir.table_index import Output, TableIndex
from augment_cli.run.sharding import Shard


def join_table_shards(out: Path, count: int, state: claim.RunState) -> tuple[int, int]:
    """Every shard's chunks into DIR's index, each table joined; (tables, rows failed)."""
    claim.sweep_temporary_files(out)  # every shard is over: what is half-written is a killed run's
    index = TableIndex(out)
    try:
        index.clear()
        planned = _absorb(out, count, index)
        errors: dict[str, list[tuple[int, str]]] = {}
        joins = []  # every table checked before any is written: a refused merge changes nothing
        for item in _prepared(out, state):
            name = item.table.name
            if not item.table.augment:
                _held_out(index, name, errors)
                continue
            joins.append((item, _chunks_of(out, index, name, planned.get(name), count)))
        for item, chunks in joins:
            name = item.table.name
            errors[name] = sorted(error for chunk in chunks for error in chunk.errors)
            sha = table_output.join_parts(out, item, [out / chunk.part for chunk in chunks])
            index.put_output(Output(name, item.key, sha, True, tuple(errors[name])))
        for item, _ in joins:  # the parts go once every table is joined
            table_output.drop_parts(out, index, item.table.name)
        failed = _write_errors(out, errors)
        # The unsharded run's record: the chunk size shards share changes no byte, and it has none.
        options = {key: value for key, value in (state.table or {}).items() if key != "chunk_rows"}
        claim.write_state(out, replace(state, table=options))
    finally:
        index.close()
    return len(errors), failed


def _absorb(out: Path, count: int, index: TableIndex) -> dict[str, list[tuple[str, int]]]:
    """Copy every shard's chunks and held-out tables into `index`; table -> each shard's (key, chunks)."""
    planned: dict[str, list[tuple[str, int]]] = {}
    for k in range(1, count + 1):
        shard = TableIndex(out, StateFiles.of(Shard(k, count)).index)
        try:
            for output in shard.outputs():
                index.put_output(output)
            for name, plan in shard.all_parts().items():
                planned.setdefault(name, []).append(plan)
                for chunk in shard.chunks(name):
                    index.put_chunk(chunk)
        finally:
            shard.close()
    return planned


def _prepared(out: Path, state: claim.RunState) -> list[Any]:
    """The tables of SRC as the shards read them (their formats: a joined table's header)."""
    from augment_cli.recipe import load_recipe
    from augment_cli.run.table_checks import prepare

    options = state.table or {}
    recipe = load_recipe(state.recipe_path)
    return prepare(Path(state.src), recipe, out, state.copies, tuple(options["text_columns"]),
                   options["label_column"], options["split"], options.get("chunk_rows"))


def _held_out(index: TableIndex, name: str, errors: dict[str, list[tuple[int, str]]]) -> None:
    if index.output(name) is None:
        raise UsageError(f"no shard copied the held-out table {name}",
                         hint="run the shards again with the same SRC")
    errors[name] = []


def _chunks_of(out: Path, index: TableIndex, name: str, plans: list[tuple[str, int]] | None,
               count: int) -> list:
    """A table's chunks in row order, once every shard has read it alike and every chunk is there."""
    if plans is None or len(plans) != count:
        raise UsageError(f"table {name} was not finished by every shard ({len(plans or [])} of {count})",
                         hint="run the shards that failed again: they resume")
    if len(set(plans)) != 1:
        raise UsageError(f"the shards read different versions of table {name} (its size or modification "
                         "time differ, or its options)", hint="run every shard on the same SRC")
    key, parts = plans[0]
    chunks = [chunk for chunk in index.chunks(name) if chunk.key == key]
    expected = 1
    for chunk in chunks:
        if chunk.first != expected:
            break
        expected += chunk.count
    whole = expected == 1 + sum(chunk.count for chunk in chunks)
    if len(chunks) != parts or not whole or not all((out / chunk.part).is_file() for chunk in chunks):
        raise UsageError(f"chunks of table {name} are missing from the shards ({len(chunks)} of {parts})",
                         hint="run the shards again: they resume")
    return chunks


def _write_errors(out: Path, errors: dict[str, list[tuple[int, str]]]) -> int:
    rows = [ErrorRow(f"{name}:{line}" if line else name, "", "text", reason)
            for name in sorted(errors) for line, reason in errors[name]]
    path = out / UNSHARDED.errors
    if rows:
        write_rows(path, ErrorRow, rows, presorted=True)
    else:
        path.unlink(missing_ok=True)
    return len(rows)
