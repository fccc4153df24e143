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
from pathlib import Path
from typing import Any

from augment_cli.errors import SampleError
from augment_cli.layouts.table_formats import Record, encode_rows
from augment_cli.modalities import codec_for
from augment_cli.outdir.files import atomic_write, replace_via_temporary
from augment_cli.outdir.manifest import transforms_json
from augment_cli.run.seeding import copy_seed
from augment_cli.run.steps import Record as Applied
from augment_cli.run.steps import augment
from augment_cli.run.table_jobs import PROVENANCE, ChunkJob, ChunkResult


def process_chunk(job: ChunkJob) -> ChunkResult:
    result = ChunkResult(job.table, job.first, len(job.records), job.part, errors=[])
    rows: list[Any] = []
    for record in job.records:
        try:
            made = _row_copies(job, record)
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
    try:
        _write_part(job, rows)
    except OSError as exc:
        result.failure = f"cannot write {job.part}: {exc.strerror or exc}"
    return result


def _row_copies(job: ChunkJob, record: Record) -> list[Any]:
    """The rows one source row makes: its original (if asked), then copies 1..N."""
    if record.error is not None:
        raise SampleError(record.error)
    codec = codec_for("text")
    decoded = {column: codec.decode(_text_of(job, record, column).encode("utf-8"))
               for column in job.text_columns}
    steps = job.recipe.steps_for("text")
    made = [_with_provenance(job, record.values, record.number, 0, "[]")] if job.include_originals else []
    for copy in range(1, job.copies + 1):
        values = copying.copy(record.values)
        applied: dict[str, list[Applied]] = {}
        for column in job.text_columns:
            source = decoded[column]
            data, applied[column] = augment(source.data, steps, "text",
                                            copy_seed(job.seed, f"{job.table}\n{record.number}", copy))
            _set(job, values, column, codec.encode(data, source, ".txt", job.recipe.output).decode("utf-8"))
        cell = (transforms_json(applied[job.text_columns[0]]) if len(job.text_columns) == 1
                else transforms_json([{"column": column, "applied": applied[column]}
                                      for column in job.text_columns]))
        made.append(_with_provenance(job, values, record.number, copy, cell))
    return made


def _text_of(job: ChunkJob, record: Record, column: str) -> str:
    """The cell to augment; SampleError when it is missing, null, not text or empty."""
    if job.source_format.kind == "csv":
        value = record.values[job.source_format.columns.index(column)]
    elif column not in record.values:
        raise SampleError(f"no key {column!r}")
    else:
        value = record.values[column]
    if value is None:
        raise SampleError(f"the text in {column!r} is null")
    if not isinstance(value, str):
        raise SampleError(f"the value in {column!r} is a {type(value).__name__}, not text")
    if not value.strip():
        raise SampleError(f"the text in {column!r} is empty")
    return value


def _set(job: ChunkJob, values: Any, column: str, text: str) -> None:
    if job.source_format.kind == "csv":
        values[job.source_format.columns.index(column)] = text
    else:
        values[column] = text


def _with_provenance(job: ChunkJob, values: Any, number: int, copy: int, transforms: str) -> Any:
    """The row with the provenance columns appended (CSV cells are text; the others keep ints)."""
    if job.source_format.kind == "csv":
        return [*values, str(number), str(copy), transforms]
    return {**values, **dict(zip(PROVENANCE, (number, copy, transforms), strict=True))}


def _write_part(job: ChunkJob, rows: list[Any]) -> None:
    target = Path(job.out_root) / job.part
    target.parent.mkdir(parents=True, exist_ok=True)
    if job.output_format.kind == "parquet":
        from augment_cli.layouts.table_parquet import write_parquet

        replace_via_temporary(target, lambda temporary: write_parquet(temporary, rows,
                                                                       job.output_format.schema))
    else:
        atomic_write(target, encode_rows(rows, job.output_format), make_folder=False)
