"""Parquet tables through pyarrow, the optional `parquet` extra.

Rows are read a record batch at a time (flat memory) as Python dicts, and
written back with the input's own schema plus the provenance columns, so
every value keeps its Arrow type. Without pyarrow, a UsageError says how to
install it (exit 2, before any output).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from augment_cli.errors import UsageError
from augment_cli.layouts.table_formats import Record, TableFormat

BATCH_ROWS = 4096
GROUP_ROWS = 16384  # rows per row group of an output table


def pyarrow() -> tuple[ModuleType, ModuleType]:
    """(pyarrow, pyarrow.parquet), or a UsageError naming the extra to install."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("Parquet tables need pyarrow, which is not installed",
                         hint='install it with: pip install "augment-cli[parquet]"') from None
    return pa, pq


def sniff_parquet(path: Path) -> TableFormat:
    pa, pq = pyarrow()
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        raise UsageError(f"{path}: cannot be read as Parquet ({exc})") from None
    return TableFormat("parquet", tuple(schema.names), schema=schema)


def read_parquet(path: Path, table: TableFormat) -> Iterator[Record]:
    """One Record per row; Parquet has no lines, so `line` is the row number."""
    _, pq = pyarrow()
    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS):
        for values in batch.to_pylist():
            number += 1
            yield Record(number, number, values)


def with_provenance(table: TableFormat, names: tuple[str, ...], kinds: str = "iis") -> Any:
    """The output schema: the input's, then the provenance columns, each an
    int64 ("i") or a string ("s") as `kinds` says."""
    pa, _ = pyarrow()
    schema = table.schema
    for name, kind in zip(names, kinds, strict=True):
        schema = schema.append(pa.field(name, pa.int64() if kind == "i" else pa.string()))
    return schema


def write_parquet(path: Path, rows: list[dict[str, Any]], schema: Any) -> None:
    """One Parquet file of `rows` (dicts) with `schema`."""
    pa, pq = pyarrow()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def concatenate(parts: list[Path], target: Path, schema: Any) -> None:
    """The parts' rows, in order, as one Parquet file, a batch at a time.

    Row groups hold GROUP_ROWS rows each whatever the parts were, so the
    file's bytes do not depend on the chunk size that made the parts."""
    pa, pq = pyarrow()
    pending = schema.empty_table()
    with pq.ParquetWriter(target, schema) as writer:
        for part in parts:
            for batch in pq.ParquetFile(part).iter_batches(batch_size=BATCH_ROWS):
                pending = pa.concat_tables([pending, pa.Table.from_batches([batch], schema=schema)])
                while pending.num_rows >= GROUP_ROWS:
                    writer.write_table(pending.slice(0, GROUP_ROWS), row_group_size=GROUP_ROWS)
                    pending = pending.slice(GROUP_ROWS)
        if pending.num_rows or not parts:
            writer.write_table(pending, row_group_size=GROUP_ROWS)
