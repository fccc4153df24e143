"""manifest.csv (one row per written file) and errors.csv (one per failed source).

Both are plain UTF-8 CSV with standard quoting, rows sorted so the files are
stable under diff, and written atomically.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any, Iterable

from augment_cli.files import atomic_write

MANIFEST_NAME = "manifest.csv"
ERRORS_NAME = "errors.csv"


@dataclass(frozen=True, order=True)
class ManifestRow:
    file_name: str   # relative to DIR
    label: str
    source: str      # relative to SRC
    copy: int        # 0 = the original, copied unchanged
    modality: str
    transforms: str  # JSON list of {"transform", "params"} actually applied


@dataclass(frozen=True, order=True)
class ErrorRow:
    source: str
    label: str
    modality: str
    error: str


def transforms_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def write_rows(path: Path, row_type: type, rows: Iterable[Any]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in fields(row_type)])
    writer.writerows(astuple(row) for row in sorted(rows))
    atomic_write(path, buffer.getvalue().encode("utf-8"))


def read_manifest(path: Path) -> list[ManifestRow]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return [ManifestRow(**{**row, "copy": int(row["copy"])}) for row in reader]
