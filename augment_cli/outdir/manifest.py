"""manifest.csv (one row per written file) and errors.csv (one per failed source).

Both are plain UTF-8 CSV with standard quoting, rows sorted so the files are
stable under diff, written atomically, and safe to open in a spreadsheet.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from augment_cli.errors import printable
from augment_cli.outdir.files import replace_via_temporary

MANIFEST_NAME = "manifest.csv"
ERRORS_NAME = "errors.csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Python's csv reader refuses a cell over 128 KiB by default, and write_rows
# writes bigger ones (a long text's transforms cell: every edit recorded). Read
# what is written: the largest limit a C long holds on every platform.
FIELD_LIMIT = 2**31 - 1
# A manifest row that cannot be read: (line number, reason, its cells).
BadRow = Callable[[int, str, list[str]], None]


@dataclass(frozen=True, order=True)
class ManifestRow:
    file_name: str   # relative to DIR
    label: str
    source: str      # relative to SRC
    copy: int        # 0 = the original, copied unchanged
    modality: str
    transforms: str  # JSON list of {"transform", "params"} actually applied
    sha256: str      # of the written file, for `augment verify`
    # Annotated layouts only (yolo, coco, voc, masks): the annotation file
    # written with the image, and the objects the copy kept and dropped.
    annotations: str = ""
    objects: int | None = None
    dropped: int | None = None


COLUMNS = ("file_name", "label", "source", "copy", "modality", "transforms", "sha256")
ANNOTATION_COLUMNS = ("annotations", "objects", "dropped")


def manifest_columns(annotated: bool) -> tuple[str, ...]:
    """The manifest's columns: a class-folder manifest stays as it always was."""
    return COLUMNS + ANNOTATION_COLUMNS if annotated else COLUMNS


@dataclass(frozen=True, order=True)
class ErrorRow:
    """One failed source, as errors.csv and stderr report it. Every cell is
    printable: a name refused for its control characters is shown escaped
    (csv quotes a newline but not a lone carriage return)."""

    source: str
    label: str
    modality: str
    error: str

    def __post_init__(self) -> None:
        for name in ("source", "label", "error"):
            object.__setattr__(self, name, printable(getattr(self, name)))


def cells(row: Any, columns: tuple[str, ...] | None = None) -> tuple:
    """A row's values in column order (dataclasses.astuple deep-copies: slow)."""
    return tuple(getattr(row, name) for name in columns or row.__dataclass_fields__)


def transforms_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def spreadsheet_safe(cell: Any) -> Any:
    """Neutralise a cell a spreadsheet would run as a formula (OWASP CSV
    injection guidance): prefix it with an apostrophe. Plain numbers such as
    a "-1" label are left alone. A cell that already starts with an
    apostrophe gets one more, so `read_manifest` can always strip exactly one."""
    if isinstance(cell, str) and (cell.startswith("'") or
                                  (cell.startswith(FORMULA_STARTS) and not _is_number(cell))):
        return "'" + cell
    return cell


def unescape(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def write_rows(path: Path, row_type: type, rows: Iterable[Any], presorted: bool = False,
               columns: tuple[str, ...] | None = None) -> None:
    """Write rows as CSV, sorted unless `presorted` (then streamed: any number
    of rows in flat memory). An identical existing file is left untouched.
    `columns`: which of the row type's fields to write (default: all, but a
    ManifestRow's annotation columns only when asked for)."""
    names = columns or (COLUMNS if row_type is ManifestRow else tuple(f.name for f in fields(row_type)))

    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            ordered = rows if presorted else sorted(rows)
            writer.writerows([spreadsheet_safe(cell) for cell in cells(row, names)] for row in ordered)

    replace_via_temporary(path, write, keep_identical=True)


def read_manifest(path: Path, on_bad_row: BadRow | None = None) -> list[ManifestRow]:
    """The rows of a manifest.csv, in file order.

    A row that cannot be a ManifestRow (a hand edit, a truncated copy: too few
    or too many cells, a copy that is not an integer) raises ValueError naming
    its line, or, given `on_bad_row`, is handed to it and skipped.
    """
    with open(path, newline="", encoding="utf-8") as handle, _field_limit():
        reader = csv.reader(handle)
        header = next(reader, None)
        columns = list(manifest_columns(header is not None and len(header) > len(COLUMNS)))
        if header is None or sorted(header) != sorted(columns):
            raise ValueError(f"{path.name}:1: expected the columns {','.join(COLUMNS)} "
                             f"(and {','.join(ANNOTATION_COLUMNS)} for an annotated dataset)")
        order = [header.index(name) for name in columns]
        return list(_rows(reader, order, path.name, on_bad_row))


def _rows(reader: Any, order: list[int], name: str, on_bad_row: BadRow | None) -> Iterator[ManifestRow]:
    line = reader.line_num + 1
    try:
        for found in reader:
            if found:  # a blank line holds no row (as csv.DictReader reads it)
                try:
                    yield _manifest_row(found, order)
                except ValueError as exc:
                    if on_bad_row is None:
                        raise ValueError(f"{name}:{line}: {exc}") from None
                    on_bad_row(line, str(exc), found)
            line = reader.line_num + 1  # where the next row starts (a cell may span lines)
    except csv.Error as exc:  # broken quoting, a NUL byte: nothing after it can be trusted
        raise ValueError(f"{name}:{line}: {exc}") from None


def _manifest_row(found: list[str], order: list[int]) -> ManifestRow:
    if len(found) != len(order):
        raise ValueError(f"expected {len(order)} cells, found {len(found)}")
    values = [unescape(found[k]) for k in order]
    file_name, label, source, copy, modality, transforms, sha256 = values[:len(COLUMNS)]
    number = _integer("copy", copy)
    if len(values) == len(COLUMNS):
        return ManifestRow(file_name, label, source, number, modality, transforms, sha256)
    annotations, objects, dropped = values[len(COLUMNS):]
    return ManifestRow(file_name, label, source, number, modality, transforms, sha256, annotations,
                       _integer("objects", objects, empty=True), _integer("dropped", dropped, empty=True))


def _integer(column: str, text: str, empty: bool = False) -> Any:
    if empty and text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{column} {text!r} is not an integer") from None


@contextmanager
def _field_limit() -> Iterator[None]:
    """Raise csv's cell limit while reading (it is process-wide: put it back)."""
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
