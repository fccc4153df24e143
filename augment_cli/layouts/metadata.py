"""Labels from a metadata file beside the media, as Hugging Face's
imagefolder/audiofolder read them: SRC/metadata.csv, .jsonl or .parquet with a
`file_name` column (relative to SRC) and any other columns (label,
transcription, speaker_id, several label columns...).

The sample's label (for [copies] and --balance) is its `label` value, ""
without one. Every problem is reported, per row or per file, never dropped
in silence: a row without a file_name, a row that cannot be read, two rows for
one file, a row whose file is missing, and a media file with no row are
refused into errors.csv. DIR mirrors SRC with the usual copy names and gets a
metadata file of the same format: one row per written file, every input
column carried unchanged (file_name pointing at the copy), plus the copy's
provenance columns, so `datasets.load_dataset("imagefolder", data_dir=DIR)`
loads every copy with its columns.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment_cli.errors import UsageError
from augment_cli.layouts.base import Sample, Scan, Unannotated
from augment_cli.layouts.table_formats import (
    Record,
    TableFormat,
    encode_rows,
    header_bytes,
    read_csv,
    read_jsonl,
    sniff_csv,
    sniff_jsonl,
)
from augment_cli.layouts.tree import SKIP_UNSUPPORTED, printable, unsafe_name, walk_files
from augment_cli.modalities import modality_of

NAMES = ("metadata.csv", "metadata.jsonl", "metadata.parquet")
KEY = "file_name"
# Appended to each output row: the source file (relative to SRC), the copy
# index (0 = the original) and the transforms applied (JSON), as in manifest.csv.
PROVENANCE = ("augment_source", "augment_copy", "augment_transforms")


@dataclass(frozen=True)
class Listed:
    """One row of the metadata file, by the file it names."""

    line: int
    values: dict[str, Any]


def metadata_file(source: Path) -> Path:
    if not isinstance(source, Path):  # a URL SRC (storage.location.Remote): the object, copied locally
        from augment_cli.storage.copies import top_level_copy

        return top_level_copy(source, NAMES, "metadata files")
    found = [source / name for name in NAMES if (source / name).is_file()]
    if len(found) != 1:
        raise UsageError(f"{source} holds {'no' if not found else 'several'} metadata files "
                         f"({', '.join(NAMES)})", hint="keep exactly one")
    return found[0]


def read_metadata(path: Path) -> tuple[TableFormat, Iterator[Record]]:
    """The file's format and its rows (as dicts), one at a time."""
    if path.suffix == ".csv":
        table = sniff_csv(path)
        return table, (_as_dict(record, table) for record in read_csv(path, table))
    if path.suffix == ".jsonl":
        table = sniff_jsonl(path)
        return table, read_jsonl(path, table)
    from augment_cli.layouts.table_parquet import read_parquet, sniff_parquet

    table = sniff_parquet(path)
    return table, read_parquet(path, table)


def _as_dict(record: Record, table: TableFormat) -> Record:
    if record.error is not None:
        return Record(record.number, record.line, error=record.error)
    return Record(record.number, record.line, dict(zip(table.columns, record.values, strict=True)))


def listing(source: Path, scan: Scan | None = None) -> dict[str, Listed]:
    """file_name -> its row; rows that cannot be used are refused into `scan`."""
    path = metadata_file(source)
    table, records = read_metadata(path)
    if table.columns and KEY not in table.columns:
        raise UsageError(f"{path}: no {KEY!r} column; columns found: {', '.join(table.columns)}",
                         hint="Hugging Face's imagefolder/audiofolder name each row's file in file_name")
    if clash := [name for name in PROVENANCE if name in table.columns]:
        raise UsageError(f"{path} already has a column {clash[0]!r}, which augment appends to every row",
                         hint="is SRC the output of an earlier run? expand the original dataset")
    found: dict[str, Listed] = {}
    refuse = scan.refused.append if scan is not None else (lambda row: None)
    for record in records:
        where = f"{path.name}:{record.line}"
        name = record.values.get(KEY) if record.values is not None else None
        if record.error is not None or not isinstance(name, str) or not name:
            refuse((where, "", "", record.error or f"no {KEY} in this row"))
        elif name in found:
            refuse((where, "", "", f"a second row for {name} (the first is line {found[name].line})"))
        else:
            found[name] = Listed(record.line, record.values)
    return found


class Metadata(Unannotated):
    name = "metadata"

    def detect(self, source: Path) -> bool:
        if not isinstance(source, Path):  # a URL SRC (storage.location.Remote): its top level's listing
            from augment_cli.storage.lookups import is_file

            return any(is_file(source, name) for name in NAMES)
        return source.is_dir() and any((source / name).is_file() for name in NAMES)

    def walk(self, source: Path, follow_links: bool, scan: Scan) -> Iterator[Sample]:
        rows = listing(source, scan)
        own = metadata_file(source).name
        for relative in walk_files(source, follow_links, scan):
            if relative == own:
                continue
            listed = rows.pop(relative, None)
            if (modality := modality_of(relative)) is None:
                scan.skipped[SKIP_UNSUPPORTED] += 1
            elif listed is None:
                scan.refused.append((printable(relative), "", modality, f"has no row in {own}"))
            elif (problem := unsafe_name(relative)) is not None:
                scan.refused.append((printable(relative), _label(listed), modality, problem))
            else:
                yield Sample(relative, _label(listed), modality)
        for name, listed in sorted(rows.items()):
            scan.refused.append((printable(name), _label(listed), modality_of(name) or "",
                                 f"listed in {own} (line {listed.line}) but not found"))

    def finish(self, source: Path, rows: Iterable[Any], out: Path) -> dict[str, bytes]:
        """DIR's metadata file: one row per written file, in the input's format."""
        path = metadata_file(source)
        table, _ = read_metadata(path)
        listed = listing(source)
        out_rows = [{**listed[row.source].values, KEY: row.file_name,
                     **dict(zip(PROVENANCE, (row.source, row.copy, row.transforms), strict=True))}
                    for row in rows if row.source in listed]
        return {path.name: _encode(table, out_rows)}

    def dataset_files(self, rows: Iterable[Any] = ()) -> tuple[str, ...]:
        return NAMES


def _label(listed: Listed) -> str:
    value = listed.values.get("label")
    return "" if value is None else str(value)


def _encode(table: TableFormat, rows: list[dict[str, Any]]) -> bytes:
    if table.kind == "csv":
        output = table.with_columns(PROVENANCE)
        cells = [[str(row[column]) for column in output.columns] for row in rows]
        return header_bytes(output) + encode_rows(cells, output)
    if table.kind == "jsonl":
        return encode_rows(rows, table)
    from augment_cli.layouts.table_parquet import pyarrow, with_provenance

    pa, pq = pyarrow()
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=with_provenance(table, PROVENANCE, "sis")), buffer)
    return buffer.getvalue()


METADATA = Metadata()
