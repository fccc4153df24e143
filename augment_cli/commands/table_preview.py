"""`augment preview` of a table: a few rows and their copies, as `expand` makes them.

The rows come from the first table of SRC that a run would augment (a held-out
split is never previewed), spread over its labels among the first
SCANNED_ROWS rows; each row's copies are made by the table worker's own
row_copies with the run's random streams, so copy k here is copy k of
`expand --seed` for that row. The text renderer draws them (a word diff on
stdout and an HTML page); with several text columns each column is a row of
its own on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from augment_cli import modalities
from augment_cli.commands.label_risks import label_risks
from augment_cli.errors import SampleError, UsageError
from augment_cli.layouts import Sample
from augment_cli.layouts.table_formats import Record, text_slots
from augment_cli.recipe import Recipe
from augment_cli.run.distinct import marked
from augment_cli.run.outcomes import distinct_copies_at_most
from augment_cli.run.table_checks import Prepared, prepare
from augment_cli.run.table_jobs import ChunkJob
from augment_cli.run.table_worker import row_copies

# Rows read to find rows of several labels: a preview stays a glance at a large table.
SCANNED_ROWS = 10_000


def preview_table(source: Path, recipe: Recipe, out: Path, samples: int, copies: int, seed: int,
                  text_columns: tuple[str, ...], label_column: str | None, split: str | None,
                  context: Any, result: Any) -> None:
    """Fill `result` (commands.preview.PreviewResult) with the preview of a table SRC."""
    from augment_cli.commands.preview import PreviewRow

    prepared = prepare(source, recipe, out.parent, copies, text_columns, label_column, split, None)
    table = next((item for item in prepared if item.table.augment), None)
    if table is None:
        raise UsageError(f"every table in {source} is a held-out split: nothing to preview",
                         hint="--split NAME previews the table named NAME")
    result.label_risks = label_risks(recipe)
    result.notes += [f"{item.table.name}: {item.reason}, not previewed" for item in prepared
                     if not item.table.augment]
    job = ChunkJob("", table.table.name, "", (), table.source_format, table.output_format,
                   table.text_columns, copies, False, recipe, seed)
    rows: list[Any] = []
    for record in picked_rows(table, samples, label_column or "label"):
        rows += _preview_rows(job, record, PreviewRow)
    result.failed = [(row.sample.relative, row.error) for row in rows if row.error]
    files, text = modalities.part("text", "preview").render(rows, context)
    result.files += files
    result.text += text


def picked_rows(table: Prepared, samples: int, label_column: str) -> list[Record]:
    """Up to `samples` rows, taken label by label in turn (rows in table order
    within a label) from the first SCANNED_ROWS rows."""
    by_label: dict[str, list[Record]] = {}
    for record in islice(table.read(), SCANNED_ROWS):
        by_label.setdefault(table.label_of(record, label_column), []).append(record)
    picked: list[Record] = []
    queues = [iter(rows) for rows in by_label.values()]
    while queues and len(picked) < samples:
        queues = [queue for queue in queues if _take(queue, picked, samples)]
    return sorted(picked, key=lambda record: record.number)


def _take(queue: Iterator[Record], picked: list[Record], samples: int) -> bool:
    if len(picked) >= samples:
        return False
    record = next(queue, None)
    if record is None:
        return False
    picked.append(record)
    return True


def _preview_rows(job: ChunkJob, record: Record, row_type: Any) -> list[Any]:
    """One preview row per text column of a table row (its line names it)."""
    where = f"{job.table}:{record.line}"
    names = [where] if len(job.text_columns) == 1 else [f"{where} [{c}]" for c in job.text_columns]
    slots = text_slots(job.source_format, job.text_columns)
    try:
        drawn, _ = row_copies(job, record, slots, job.recipe.steps_for("text"),
                              distinct_copies_at_most(job.recipe, "text"))
    except SampleError as exc:
        return [row_type(Sample(names[0], "", "text"), error=str(exc))]
    rows = []
    for k, (name, slot) in enumerate(zip(names, slots, strict=True)):
        row = row_type(Sample(name, "", "text"), decoded=_Shown(record.values[slot]))
        row.copies = [(copy, cells[k], _column(applied, k, repeats))
                      for copy, cells, applied, repeats in drawn]
        rows.append(row)
    return rows


def _column(applied: list[dict[str, Any]], k: int, repeats: int | None) -> list[dict[str, Any]]:
    return marked(applied[k]["applied"], repeats)


class _Shown:
    """A row's text as the text renderer takes a decoded source (`.data`)."""

    def __init__(self, data: str):
        self.data = data
