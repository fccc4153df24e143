"""process_chunk(job) -> ChunkResult: every copy of a chunk of table rows.

Runs in a worker process (or in-process for --workers 1). Each text cell
goes through the text codec and the recipe's [[text]] steps exactly as a
.txt file would, with the random stream of (seed, table, row number, copy):
the same row gets the same copies whatever the chunk size or worker. With
several text columns (sentence pairs) every column of a copy uses that one
stream, so both sentences get the same operations. A row that cannot be
augmented is a per-row error; the chunk's other rows go on. The chunk's
rows are written to its part file atomically; it never raises.
"""

from __future__ import annotations

import copy as copying
import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from augment_cli.errors import SampleError
from augment_cli.layouts.table_formats import Record, encode_rows
from augment_cli.modalities import codec_for
from augment_cli.outdir.files import atomic_write, replace_via_temporary
from augment_cli.recipe.model import Step
from augment_cli.run.distinct import DistinctCopies, marked
from augment_cli.run.outcomes import distinct_copies_at_most
from augment_cli.run.seeding import copy_seed
from augment_cli.run.steps import augment
from augment_cli.run.table_jobs import PROVENANCE, ChunkJob, ChunkResult


def process_chunk(job: ChunkJob) -> ChunkResult:
    result = ChunkResult(job.table, job.first, len(job.records), job.part, errors=[])
    rows: list[Any] = []
    # Where each text column sits in a row (a CSV row's index, a JSON key), and the steps: once a chunk.
    slots = tuple(job.source_format.columns.index(column) if job.source_format.kind == "csv" else column
                  for column in job.text_columns)
    steps = job.recipe.steps_for("text")
    if job.recipe.side_objects:  # a synonyms file in object storage (storage/sidefiles.py)
        from augment_cli.storage.sidefiles import serve

        serve(job.recipe.side_objects, job.storage)
    most = distinct_copies_at_most(job.recipe, "text") if job.distinct else None
    for record in job.records:
        try:
            made, distinct = _row_copies(job, record, slots, steps, most)
        except SampleError as exc:
            result.errors.append((record.line, str(exc)))  # type: ignore[union-attr]
            continue
        except Exception as exc:  # one bad row must not take the chunk down
            result.errors.append((record.line, f"unexpected {type(exc).__name__}: {exc}"))  # type: ignore[union-attr]
            continue
        rows += made
        result.rows_read += 1
        result.originals += int(job.include_originals)
        result.copies += job.copies
        result.duplicates_redrawn += distinct.redrawn
        result.duplicates_kept += distinct.kept
    try:
        _write_part(job, rows)
    except OSError as exc:
        result.failure = f"cannot write {job.part}: {exc.strerror or exc}"
    return result


_Cells = tuple[tuple[str, Any, "_Cell"], ...]  # (column, slot, cell) per text column


def _row_copies(job: ChunkJob, record: Record, slots: tuple[Any, ...], steps: tuple[Step, ...],
                most: int | None) -> tuple[list[Any], DistinctCopies]:
    """The rows one source row makes: its original (if asked), then copies 1..N,
    each distinct from the row's text and its earlier copies where the recipe
    can make it so (run/distinct.py; all text columns of a copy compared as one)."""
    if record.error is not None:
        raise SampleError(record.error)
    cells = tuple((column, slot, _Cell.of(_text_of(record, column, slot)))
                  for column, slot in zip(job.text_columns, slots, strict=True))
    made = [_with_provenance(job, record.values, record.number, 0, "[]")] if job.include_originals else []
    distinct = DistinctCopies(tuple(cell.data for _, _, cell in cells), job.distinct, most)
    draw = partial(_draw, job.seed, f"{job.table}\n{record.number}", cells, steps)
    for copy in range(1, job.copies + 1):
        texts, applied, repeats = distinct.make(copy, partial(draw, copy))
        values = copying.copy(record.values)
        for (_, slot, cell), data in zip(cells, texts, strict=True):
            values[slot] = cell.restore(data)
        made.append(_with_provenance(job, values, record.number, copy, _transforms_cell(applied, repeats)))
    return made, distinct


def _draw(seed: int, key: str, cells: _Cells, steps: tuple[Step, ...], copy: int,
          attempt: int) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """Draw `attempt` of a copy (0: the first, the bytes of --allow-duplicates):
    every text column with that one stream; (texts, what each column applied)."""
    texts, applied = [], []
    for column, _, cell in cells:
        data, records = augment(cell.data, steps, "text", copy_seed(seed, key, copy, attempt))
        texts.append(data)
        applied.append({"column": column, "applied": records})
    return tuple(texts), applied


def _transforms_cell(applied: list[dict[str, Any]], repeats: int | None) -> str:
    """One column's records as manifest.csv has them, or per column for several;
    a kept duplicate ends with {"duplicate_of": k}, as in manifest.csv."""
    records = applied[0]["applied"] if len(applied) == 1 else applied
    return _TRANSFORMS(marked(records, repeats))


# manifest.transforms_json's format, with one encoder made once: json.dumps
# with options builds a new encoder per call, a tenth of a copy's time here.
_TRANSFORMS = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


@dataclass(frozen=True)
class _Cell:
    """A text cell as transforms see it. A plain cell is passed as it is; one
    with carriage returns or a leading BOM goes through the text codec, as a
    .txt file would (line endings normalised, and put back)."""

    data: str
    decoded: Any = None

    @classmethod
    def of(cls, text: str) -> _Cell:
        if "\r" not in text and not text.startswith("\ufeff"):
            return cls(text)
        decoded = codec_for("text").decode(text.encode("utf-8"))
        return cls(decoded.data, decoded)

    def restore(self, data: str) -> str:
        if self.decoded is None:
            return data
        return codec_for("text").encode(data, self.decoded, ".txt", None).decode("utf-8")


def _text_of(record: Record, column: str, slot: Any) -> str:
    """The cell to augment; SampleError when it is missing, null, not text or empty."""
    if isinstance(slot, str) and slot not in record.values:
        raise SampleError(f"no key {column!r}")
    value = record.values[slot]
    if value is None:
        raise SampleError(f"the text in {column!r} is null")
    if not isinstance(value, str):
        raise SampleError(f"the value in {column!r} is a {type(value).__name__}, not text")
    if not value.strip():
        raise SampleError(f"the text in {column!r} is empty")
    return value


def _with_provenance(job: ChunkJob, values: Any, number: int, copy: int, transforms: str) -> Any:
    """The row with the provenance columns appended (CSV cells are text; the others keep ints)."""
    if job.source_format.kind == "csv":
        return [*values, str(number), str(copy), transforms]
    row = dict(values)
    row[PROVENANCE[0]], row[PROVENANCE[1]], row[PROVENANCE[2]] = number, copy, transforms
    return row


def _write_part(job: ChunkJob, rows: list[Any]) -> None:
    target = Path(job.out_root) / job.part
    target.parent.mkdir(parents=True, exist_ok=True)
    if job.output_format.kind == "parquet":
        from augment_cli.layouts.table_parquet import write_parquet

        replace_via_temporary(target, lambda temporary: write_parquet(temporary, rows,
                                                                       job.output_format.schema))
    else:
        atomic_write(target, encode_rows(rows, job.output_format), make_folder=False)
