"""`augment stats` of a table: rows per label, words, and the rows expand would refuse.

It reads the tables `expand` would augment (a held-out split is named in a
note, not counted, unless `--split NAME` names it), row by row as the run
does, with the run's own column checks: a text column missing from a table
is exit 2 naming the columns found. A row that cannot be read, or whose text
cell is missing, null, not text or empty, is listed as unreadable with its
table and line, as it would be in the run's errors.csv.
"""

from __future__ import annotations

from pathlib import Path

from augment_cli.commands.stats import LabelStats, Stats
from augment_cli.errors import SampleError
from augment_cli.layouts.table import check_source, tables_of
from augment_cli.layouts.table_formats import Record, text_cell, text_slots
from augment_cli.run.table_checks import Prepared, checked_tables

FORMAT_NAMES = {"csv": "CSV", "jsonl": "JSONL", "parquet": "Parquet"}


def table_stats(source: Path, text_columns: tuple[str, ...], label_column: str | None,
                split: str | None) -> Stats:
    check_source(source)
    columns = tuple(dict.fromkeys(text_columns or ("text",)))
    stats = Stats(str(source), unit="rows")
    for table in checked_tables(tables_of(source, split), columns, label_column, split):
        if table.table.augment:
            _count(stats, table, label_column or "label")
        else:
            stats.notes.append(f"{table.table.name}: {table.reason}, not counted (expand copies it "
                               "unchanged; --split NAME counts the table named NAME)")
    stats.labels = dict(sorted(stats.labels.items()))
    return stats


def _count(stats: Stats, table: Prepared, label_column: str) -> None:
    name = FORMAT_NAMES[table.source_format.kind]
    if name == "CSV" and table.source_format.delimiter == "\t":
        name = "TSV"
    slots = text_slots(table.source_format, table.text_columns)
    for record in table.read():
        label = stats.labels.setdefault(table.label_of(record, label_column), LabelStats())
        label.files += 1
        label.modalities["text"] += 1
        try:
            texts = _texts(record, table.text_columns, slots)
        except SampleError as exc:
            label.unreadable += 1
            stats.unreadable.append((f"{table.table.name}:{record.line}", str(exc)))
            continue
        label.formats[name] += 1
        label.bytes += sum(len(text.encode("utf-8")) for text in texts)
        label.totals["words"] += sum(len(text.split()) for text in texts)


def _texts(record: Record, columns: tuple[str, ...], slots: tuple) -> list[str]:
    if record.error is not None:
        raise SampleError(record.error)
    return [text_cell(record, column, slot) for column, slot in zip(columns, slots, strict=True)]
