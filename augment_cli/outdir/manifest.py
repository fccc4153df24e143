"""manifest.csv (one row per written file) and errors.csv (one per failed source).

Both are plain UTF-8 CSV with standard quoting, rows sorted so the files are
stable under diff, written atomically, and safe to open in a spreadsheet.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from augment_cli.outdir.files import replace_via_temporary

MANIFEST_NAME = "manifest.csv"
ERRORS_NAME = "errors.csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, order=True)
class ManifestRow:
    file_name: str   # relative to DIR
    label: str
    source: str      # relative to SRC
    copy: int        # 0 = the original, copied unchanged
    modality: str
    transforms: str  # JSON list of {"transform", "params"} actually applied
    sha256: str      # of the written file, for `augment verify`


@dataclass(frozen=True, order=True)
class ErrorRow:
    source: str
    label: str
    modality: str
    error: str


def cells(row: Any) -> tuple:
    """A row's values in column order (dataclasses.astuple deep-copies: slow)."""
    return tuple(getattr(row, name) for name in row.__dataclass_fields__)


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


def write_rows(path: Path, row_type: type, rows: Iterable[Any], presorted: bool = False) -> None:
    """Write rows as CSV, sorted unless `presorted` (then streamed: any number
    of rows in flat memory). An identical existing file is left untouched."""
    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([f.name for f in fields(row_type)])
            ordered = rows if presorted else sorted(rows)
            writer.writerows([spreadsheet_safe(cell) for cell in cells(row)] for row in ordered)

    replace_via_temporary(path, write, keep_identical=True)


def read_manifest(path: Path) -> list[ManifestRow]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows: Iterable[dict[str, Any]] = ({key: unescape(value) for key, value in row.items()}
                                          for row in reader)
        return [ManifestRow(**{**row, "copy": int(row["copy"])}) for row in rows]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
