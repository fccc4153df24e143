"""process_chunk(job) -> ChunkResult: every copy of a chunk of table rows.

Runs in a worker process (or in-process for --workers 1). Each text cell
goes through the text codec and the recipe's [[text]] steps exactly as a
.txt file would, with the random stream of (seed, table, row number, copy):
the same row gets the same copies whatever the chunk size or worker. With
several text columns (sentence pairs) every column of a copy uses that one
stream, so both sentences get the same operations, unless the recipe's
[output] column_streams = "each" gives each column its own. A row that cannot be
augmented is a per-row error; the chunk's other rows go on. The chunk's
rows are written to its part file atomically (for a URL DIR on Dask, put as
one object under DIR, job.out_remote); it never raises.
"""

from __future__ import annotations

import copy as copying
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from augment_cli.errors import SampleError, UsageError
from augment_cli.layouts.table_formats import Record, encode_rows, text_cell, text_slots
from augment_cli.modalities import codec_for
from augment_cli.outdir.files import atomic_write, replace_via_temporary
from augment_cli.recipe.model import Step
from augment_cli.run.distinct import DistinctCopies, marked
from augment_cli.run.outcomes import distinct_copies_at_most
from augment_cli.run.seeding import source_seeds
from augment_cli.run.steps import augment
from augment_cli.run.table_jobs import PROVENANCE, ChunkJob, ChunkResult


def process_chunk(job: ChunkJob) -> ChunkResult:
    result = ChunkResult(job.table, job.first, len(job.records), job.part, errors=[])
    rows: list[Any] = []
    slots = text_slots(job.source_format, job.text_columns)  # once a chunk, with the steps
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
        if job.out_remote is not None:
            _upload_part(job, rows)
        else:
            _write_part(job, rows, Path(job.out_root))
    except OSError as exc:
        result.failure = f"cannot write {job.part}: {exc.strerror or exc}"
    except UsageError as exc:  # the bucket refused the part: the message names its URL and why
        result.failure = str(exc)
    return result


_Cells = tuple[tuple[str, Any, "_Cell"], ...]  # (column, slot, cell) per text column


def _row_copies(job: ChunkJob, record: Record, slots: tuple[Any, ...], steps: tuple[Step, ...],
                most: int | None) -> tuple[list[Any], DistinctCopies]:
    """The rows one source row makes: its original (if asked), then copies 1..N."""
    made = [_with_provenance(job, record.values, record.number, 0, "[]")] if job.include_originals else []
    drawn, distinct = row_copies(job, record, slots, steps, most)
    for copy, restored, applied, repeats in drawn:
        values = copying.copy(record.values)
        for slot, data in zip(slots, restored, strict=True):
            values[slot] = data
        made.append(_with_provenance(job, values, record.number, copy, _transforms_cell(applied, repeats)))
    return made, distinct


Drawn = tuple[int, tuple[str, ...], list[dict[str, Any]], "int | None"]  # copy, cells, applied, repeats


def row_copies(job: ChunkJob, record: Record, slots: tuple[Any, ...], steps: tuple[Step, ...],
               most: int | None) -> tuple[list[Drawn], DistinctCopies]:
    """Copies 1..N of a source row (`augment preview` shows these): each copy's
    text cells as written, what each column applied and the copy it repeats (or
    None); each distinct from the row's text and its earlier copies where the
    recipe can make it so (run/distinct.py; all text columns of a copy compared as one)."""
    if record.error is not None:
        raise SampleError(record.error)
    cells = tuple((column, slot, _Cell.of(text_cell(record, column, slot)))
                  for column, slot in zip(job.text_columns, slots, strict=True))
    distinct = DistinctCopies(tuple(cell.data for _, _, cell in cells), job.distinct, most)
    draw = partial(_draw, _column_seeds(job, record.number), cells, steps)
    drawn: list[Drawn] = []
    for copy in range(1, job.copies + 1):
        texts, applied, repeats = distinct.make(copy, partial(draw, copy))
        restored = tuple(cell.restore(data) for (_, _, cell), data in zip(cells, texts, strict=True))
        drawn.append((copy, restored, applied, repeats))
    return drawn, distinct


def _column_seeds(job: ChunkJob, number: int) -> tuple[Callable[[int, int], Any], ...]:
    """Each text column's streams: one for all of them (the recipe's [output]
    column_streams = "shared", the default: a sentence pair gets the same
    operations), or with several columns and "each", one per column, keyed by
    its name too. One column has the row's stream either way."""
    key = f"{job.table}\n{number}"
    if job.recipe.output.column_streams == "shared" or len(job.text_columns) == 1:
        return (source_seeds(job.seed, key),) * len(job.text_columns)
    return tuple(source_seeds(job.seed, f"{key}\n{column}") for column in job.text_columns)


def _draw(seeds: tuple[Callable[[int, int], Any], ...], cells: _Cells, steps: tuple[Step, ...], copy: int,
          attempt: int) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """Draw `attempt` of a copy (0: the first, the bytes of --allow-duplicates):
    each text column with its stream; (texts, what each column applied)."""
    texts, applied = [], []
    for (column, _, cell), streams in zip(cells, seeds, strict=True):
        data, records = augment(cell.data, steps, "text", streams(copy, attempt))
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


def _with_provenance(job: ChunkJob, values: Any, number: int, copy: int, transforms: str) -> Any:
    """The row with the provenance columns appended (CSV cells are text; the others keep ints)."""
    if job.source_format.kind == "csv":
        return [*values, str(number), str(copy), transforms]
    row = dict(values)
    row[PROVENANCE[0]], row[PROVENANCE[1]], row[PROVENANCE[2]] = number, copy, transforms
    return row


def _upload_part(job: ChunkJob, rows: list[Any]) -> None:
    """The part written as on disk (a temporary folder), then put as one object under the URL
    DIR: S3 makes an object visible whole or not at all, so a re-run task puts the same bytes."""
    from augment_cli.storage.location import storage_error

    remote = job.out_remote
    with tempfile.TemporaryDirectory(prefix="augment-part-") as folder:
        _write_part(job, rows, Path(folder))
        try:
            remote.fs.put_file(str(Path(folder) / job.part), remote.key(job.part))
        except Exception as exc:
            raise storage_error(remote.child_url(job.part), exc, "cannot write") from None


def _write_part(job: ChunkJob, rows: list[Any], root: Path) -> None:
    target = root / job.part
    target.parent.mkdir(parents=True, exist_ok=True)
    if job.output_format.kind == "parquet":
        from augment_cli.layouts.table_parquet import write_parquet

        replace_via_temporary(target, lambda temporary: write_parquet(temporary, rows,
                                                                       job.output_format.schema))
    else:
        atomic_write(target, encode_rows(rows, job.output_format), make_folder=False)
