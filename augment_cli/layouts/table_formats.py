"""Reading and writing CSV, TSV and JSON Lines tables row by row, as they were.

A reader learns how a file is written (`TableFormat`: delimiter, quoting,
line endings, byte-order mark; for JSON Lines its separators) and yields
`Record`s one at a time, so a table of any length is read in flat memory.
`encode_rows` writes rows back in that same format. Values are never
reinterpreted: a CSV cell is the string that was read, a JSON value the one
`json` parsed (ints stay ints, 2**53+1 stays exact, key order kept; no
per-column schema). A row that cannot be read is a Record with an `error`
and its 1-based line number; the rows after it go on.

Parquet lives in table_parquet.py (it needs the optional pyarrow).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from augment_cli.errors import SampleError, UsageError

CSV_SUFFIXES = (".csv", ".tsv")
JSON_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet",)
TABLE_SUFFIXES = CSV_SUFFIXES + JSON_SUFFIXES + PARQUET_SUFFIXES
DELIMITERS = (",", ";", "|", "\t")
# csv refuses cells over 128 KiB by default; a long review is a legal cell.
FIELD_LIMIT = 2**31 - 1
# What errors="surrogateescape" makes of a byte the encoding cannot decode.
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class TableFormat:
    """How one table file is written, so its rows can be written back alike."""

    kind: str                        # "csv", "jsonl" or "parquet"
    columns: tuple[str, ...] = ()    # CSV header / Parquet schema names; () for JSON Lines
    delimiter: str = ","
    quote_all: bool = False          # every header field was quoted: quote every cell
    newline: str = "\n"              # "\n" or "\r\n", as the first line ends
    bom: bool = False                # the file starts with a UTF-8 byte-order mark
    encoding: str = "utf-8"
    compact: bool = True             # JSON Lines written {"a":1} (False: {"a": 1})
    schema: Any = None               # Parquet: the pyarrow schema of the input

    def with_columns(self, extra: tuple[str, ...]) -> TableFormat:
        return replace(self, columns=self.columns + extra)


class Record(NamedTuple):
    """One row as read: `number` counts data rows from 1 (the row's key),
    `line` is the 1-based line of the file it starts on. A NamedTuple: a
    chunk's thousand rows cross to a worker at a quarter of a dataclass's
    pickling cost."""

    number: int
    line: int
    values: Any = None   # list[str] (CSV), dict (JSON Lines, Parquet)
    error: str | None = None


def kind_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSON_SUFFIXES:
        return "jsonl"
    return "parquet" if suffix in PARQUET_SUFFIXES else None


def _first_line(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.readline()


def sniff_csv(path: Path, encoding: str = "utf-8") -> TableFormat:
    """The format of a CSV/TSV file from its header line; UsageError if it has none."""
    first = _first_line(path)
    bom = first.startswith(codecs.BOM_UTF8)
    header = first[len(codecs.BOM_UTF8):] if bom else first
    text = header.decode("utf-8" if bom else encoding, errors="replace").rstrip("\r\n")
    if not text.strip():
        raise UsageError(f"{path}: no header line (the first line names the columns)")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _delimiter(text)
    newline = "\r\n" if header.endswith(b"\r\n") else "\n"
    columns = next(csv.reader([text], delimiter=delimiter))
    quote_all = all(field.startswith('"') for field in text.split(delimiter))
    if len(set(columns)) != len(columns):
        raise UsageError(f"{path}: the header names a column twice ({', '.join(columns)})")
    return TableFormat("csv", tuple(columns), delimiter, quote_all, newline, bom, encoding)


def _delimiter(header: str) -> str:
    """The candidate that occurs most often outside quotes in the header (',' on a tie or none)."""
    outside, quoted = [], False
    for character in header:
        if character == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(character)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def read_csv(path: Path, table: TableFormat) -> Iterator[Record]:
    """The data rows of a CSV/TSV file after its header, one Record each.

    Bytes that are not valid in the encoding become lone surrogates, so the
    row holding them is reported, not the whole file."""
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        with open(path, encoding="utf-8-sig" if table.bom else table.encoding, errors="surrogateescape",
                  newline="") as handle:
            reader = csv.reader(handle, delimiter=table.delimiter, strict=True)
            next(reader, None)  # the header, read by sniff_csv
            number = 0
            while True:
                line = reader.line_num + 1  # line_num counts the physical lines read so far
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:  # broken quoting: nothing after it can be trusted
                    yield Record(number + 1, line, error=f"cannot be read as CSV ({exc}); "
                                 "the rest of the file is not read")
                    return
                if not values:
                    continue  # a blank line holds no row (as csv.DictReader reads it)
                number += 1
                yield Record(number, line, values, _csv_problem(values, table))
    finally:
        csv.field_size_limit(previous)


def _csv_problem(values: list[str], table: TableFormat) -> str | None:
    if len(values) != len(table.columns):
        return f"expected {len(table.columns)} fields, found {len(values)}"
    return next((_undecodable(value, table.encoding) for value in values if _has_surrogate(value)), None)


def _has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def _undecodable(text: str, encoding: str) -> str:
    byte = next(ord(c) - 0xDC00 for c in text if "\udc80" <= c <= "\udcff")
    return f"not valid {encoding} (byte 0x{byte:02x})"


def sniff_jsonl(path: Path) -> TableFormat:
    first = _first_line(path)
    bom = first.startswith(codecs.BOM_UTF8)
    newline = "\r\n" if first.endswith(b"\r\n") else "\n"
    return TableFormat("jsonl", newline=newline, bom=bom, compact=b'": ' not in first and b'", ' not in first)


def read_jsonl(path: Path, table: TableFormat) -> Iterator[Record]:
    """One Record per non-blank line: the parsed object, or why it is not one."""
    number = 0
    with open(path, "rb") as handle:
        for line, raw in enumerate(handle, 1):
            if line == 1 and table.bom:
                raw = raw[len(codecs.BOM_UTF8):]
            if not raw.strip():
                continue
            number += 1
            try:
                values = json.loads(raw)
            except UnicodeDecodeError as exc:
                yield Record(number, line, error=f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})")
                continue
            except ValueError as exc:
                yield Record(number, line, error=f"not valid JSON ({exc})")
                continue
            error = None if isinstance(values, dict) else f"a JSON {type(values).__name__}, not an object"
            yield Record(number, line, values if error is None else None, error)


def has_key(path: Path, key: str, table: TableFormat) -> bool:
    """Whether any line of a JSON Lines file holds `key` (a byte search first:
    a million lines are checked in well under a second)."""
    needle = json.dumps(key, ensure_ascii=False).encode("utf-8")
    with open(path, "rb") as handle:
        for raw in handle:
            if needle in raw or (b"\\u" in raw):  # an escaped key still counts
                try:
                    values = json.loads(raw.lstrip(codecs.BOM_UTF8))
                except ValueError:
                    continue
                if isinstance(values, dict) and key in values:
                    return True
    return False


def encode_rows(rows: list[Any], table: TableFormat) -> bytes:
    """Rows (lists for CSV, dicts for JSON Lines) as the bytes of lines in `table`'s format."""
    if table.kind == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=table.delimiter, lineterminator=table.newline,
                            quoting=csv.QUOTE_ALL if table.quote_all else csv.QUOTE_MINIMAL)
        writer.writerows(rows)
        return buffer.getvalue().encode(table.encoding, errors="surrogateescape")
    separators = (",", ":") if table.compact else (", ", ": ")
    lines = [json.dumps(row, ensure_ascii=False, separators=separators) + table.newline for row in rows]
    return "".join(lines).encode("utf-8")


def header_bytes(table: TableFormat) -> bytes:
    """What the output file starts with: its BOM and, for CSV, the header line."""
    bom = codecs.BOM_UTF8 if table.bom else b""
    return bom + (encode_rows([list(table.columns)], table) if table.kind == "csv" else b"")


def text_cell(record: Record, column: str, slot: Any) -> str:
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


def text_slots(table: TableFormat, columns: tuple[str, ...]) -> tuple[Any, ...]:
    """Where each text column sits in a row: a CSV row's index, a JSON key."""
    return tuple(table.columns.index(column) if table.kind == "csv" else column for column in columns)
