"""manifest.csv (one row per written file) and errors.csv (one per failed source).

Both are plain UTF-8 CSV with standard quoting, rows sorted so the files are
stable under diff, and written atomically.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import pickle
import tempfile
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from augment_cli.files import atomic_write, atomic_writer

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


class SortedSpool:
    """Rows of any number of outputs with flat memory: past `limit` rows the
    buffer is sorted and spilled to a temporary file (a sorted run), and
    `sorted_tuples` merges the runs. Same order as sorted(rows), so the
    manifest is byte-identical to one sorted in memory."""

    def __init__(self, limit: int = 10_000, chunk: int = 1_000):
        self.limit, self.chunk, self.count = limit, chunk, 0
        self._rows: list[Any] = []
        self._runs: list[IO[bytes]] = []

    def add(self, rows: Iterable[Any]) -> None:
        before = len(self._rows)
        self._rows.extend(rows)
        self.count += len(self._rows) - before
        if len(self._rows) >= self.limit:
            self._spill()

    def sorted_tuples(self) -> Iterator[tuple]:
        rows = sorted(self._rows)
        return heapq.merge(*(_read_run(run) for run in self._runs), (astuple(r) for r in rows))

    def close(self) -> None:
        for run in self._runs:
            run.close()
        self._runs, self._rows = [], []

    def _spill(self) -> None:
        self._rows.sort()
        run = tempfile.TemporaryFile(prefix="augment-manifest-")
        for start in range(0, len(self._rows), self.chunk):
            pickle.dump([astuple(r) for r in self._rows[start : start + self.chunk]], run)
        run.seek(0)
        self._runs.append(run)
        self._rows = []


def _read_run(run: IO[bytes]) -> Iterator[tuple]:
    while True:
        try:
            yield from pickle.load(run)
        except EOFError:
            return


def write_sorted(path: Path, row_type: type, rows: Iterable[tuple]) -> None:
    """Stream rows already in order (tuples of row_type's fields) to a CSV
    file, atomically: the file appears whole or not at all."""
    with atomic_writer(path) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow([f.name for f in fields(row_type)])
        writer.writerows(rows)
        text.flush()
        text.detach()


def read_manifest(path: Path) -> list[ManifestRow]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return [ManifestRow(**{**row, "copy": int(row["copy"])}) for row in reader]
