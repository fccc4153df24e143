"""Everything a table run checks before DIR is touched (exit 2 on any problem).

Options that only make sense for files are refused, the recipe must have
[[text]] steps, and every table to augment must hold each --text-column
(and an asked-for --label-column) and no column named like a provenance
column; `prepare` returns what the run needs to read and write each table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from augment_cli.errors import UsageError
from augment_cli.layouts.table import TableFile, check_source, is_held_out, tables_of
from augment_cli.layouts.table_formats import (
    Record,
    TableFormat,
    has_key,
    read_csv,
    read_jsonl,
    sniff_csv,
    sniff_jsonl,
)
from augment_cli.outdir.claim import OWN_FILES
from augment_cli.recipe import Recipe
from augment_cli.run.table_jobs import PROVENANCE


@dataclass(frozen=True)
class Prepared:
    """One table of SRC, checked: how to read it and write its output."""

    table: TableFile
    source_format: TableFormat
    output_format: TableFormat
    text_columns: tuple[str, ...]
    key: str       # what its output is made from (outdir/table_index.py)
    reason: str    # why it is copied unchanged ("" when augmented)

    def read(self) -> Iterator[Record]:
        path, kind = self.table.path, self.source_format.kind
        if kind == "csv":
            return read_csv(path, self.source_format)
        if kind == "jsonl":
            return read_jsonl(path, self.source_format)
        from augment_cli.layouts.table_parquet import read_parquet

        return read_parquet(path, self.source_format)

    def label_of(self, record: Record, column: str) -> str:
        """A row's value in `column` as text ("" when it has none)."""
        values = record.values
        if values is None:
            return ""
        if self.source_format.kind == "csv":
            columns = self.source_format.columns
            return str(values[columns.index(column)]) if column in columns else ""
        value = values.get(column) if isinstance(values, dict) else None
        return "" if value is None else str(value)


def prepare(source: Path, recipe: Recipe, out: Path, copies: int, text_columns: tuple[str, ...],
            label_column: str | None, split: str | None, chunk_rows: int | None) -> list[Prepared]:
    _check_paths(source, out)
    if copies < 1 or (chunk_rows is not None and chunk_rows < 1):
        raise UsageError("--copies and --chunk-rows must be at least 1")
    if recipe.copies:
        raise UsageError(f"the [copies] table of {recipe.path} sets copies per label, which tables "
                         "do not support yet", hint="use --copies")
    if not recipe.steps_for("text"):
        raise UsageError(f"{recipe.path} has no [[text]] steps: nothing to do to a table's text")
    columns = tuple(dict.fromkeys(text_columns or ("text",)))
    tables = tables_of(source, split)
    for table in tables:
        if table.name.casefold() in {name.casefold() for name in OWN_FILES}:
            raise UsageError(f"table {table.name} has the name of augment's own {table.name} in --out",
                             hint="rename the table")
    return checked_tables(tables, columns, label_column, split, {"text": columns, "copies": copies},
                          recipe.output.text_encoding)


def checked_tables(tables: list[TableFile], columns: tuple[str, ...], label_column: str | None,
                   split: str | None, options: dict | None = None, encoding: str = "utf-8") -> list[Prepared]:
    """Each table sniffed and, if augmented, its columns checked (`options`: what
    else its output is made from; `augment stats` reads tables with none)."""
    return [_prepared(table, columns, label_column, split, options or {}, encoding) for table in tables]


def describe(source: Path, recipe: Recipe, out: Path, copies: int, include_originals: bool,
             text_columns: tuple[str, ...], label_column: str | None, split: str | None,
             chunk_rows: int | None) -> list[str]:
    """The lines of a table run's --dry-run plan; reads every table once, writes nothing."""
    lines = [f"Plan for {source} -> {out} (nothing written)"]
    for item in prepare(source, recipe, out, copies, text_columns, label_column, split, chunk_rows):
        if not item.table.augment:
            lines.append(f"  {item.table.name}: {item.reason}, copied unchanged")
            continue
        rows = bad = 0
        for record in item.read():
            rows, bad = rows + 1, bad + (record.error is not None)
        made = (rows - bad) * (copies + int(include_originals))
        each = f"{copies} copies of each" + (", and the original" if include_originals else "")
        lines.append(f"  {item.table.name}: {rows} rows -> {made} rows ({each}; text: "
                     f"{', '.join(item.text_columns)})" + (f"; {bad} rows cannot be read" if bad else ""))
    return lines


def _prepared(table: TableFile, columns: tuple[str, ...], label_column: str | None, split: str | None,
              options: dict, encoding: str) -> Prepared:
    source_format = _sniff(table, encoding)
    info = table.path.stat()
    key = json.dumps([info.st_size, info.st_mtime_ns, table.augment, options], sort_keys=True)
    if not table.augment:
        reason = (f"not the split --split {split} names" if split is not None else
                  "a held-out split (its name says test/val/dev)" if is_held_out(table.name) else "")
        return Prepared(table, source_format, source_format, columns, key, reason)
    _check_columns(table, source_format, columns, label_column)
    output_format = source_format.with_columns(PROVENANCE)
    if source_format.kind == "parquet":
        from augment_cli.layouts.table_parquet import with_provenance

        output_format = replace(output_format, schema=with_provenance(source_format, PROVENANCE))
    return Prepared(table, source_format, output_format, columns, key, "")


def _sniff(table: TableFile, encoding: str) -> TableFormat:
    """The table's format; a CSV/TSV without a BOM is read in the recipe's text_encoding."""
    if table.kind == "csv":
        return sniff_csv(table.path, encoding)
    if table.kind == "jsonl":
        return sniff_jsonl(table.path)
    from augment_cli.layouts.table_parquet import sniff_parquet

    return sniff_parquet(table.path)


def _check_columns(table: TableFile, found: TableFormat, columns: tuple[str, ...],
                   label_column: str | None) -> None:
    wanted = [(column, "--text-column") for column in columns]
    if label_column is not None:
        wanted.append((label_column, "--label-column"))
    for column, option in wanted:
        present = (has_key(table.path, column, found) if found.kind == "jsonl"
                   else column in found.columns)
        if not present:
            listed = ", ".join(found.columns) if found.columns else _first_keys(table, found)
            raise UsageError(f"{table.path}: no column {column!r} ({option}); columns found: {listed}")
    clash = [name for name in PROVENANCE if name in found.columns]
    if clash:
        raise UsageError(f"{table.path} already has a column {clash[0]!r}, which augment appends to "
                         "every row", hint="rename that column")


def _first_keys(table: TableFile, found: TableFormat) -> str:
    """The keys of the first JSON object of a JSON Lines file (what the columns are)."""
    for record in read_jsonl(table.path, found):
        if record.values is not None:
            return ", ".join(record.values) or "none"
    return "none (no line holds a JSON object)"


def _check_paths(source: Path, out: Path) -> None:
    check_source(source)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a folder")
    if source.is_dir():
        real_source, real_out = source.resolve(), out.resolve()
        if real_out == real_source or real_source in real_out.parents:
            raise UsageError(f"--out {out} is inside the source folder {source}",
                             hint="choose a folder outside it")
