"""DIR/.augment-index.jsonl: what each source was when its copies were made.

One JSON line per finished source: its size, modification time and SHA-256,
and the manifest rows of its outputs. A run appends a line as each source
finishes (flushed, so a killed run keeps what it finished), and compacts the
file when it ends. A re-run compares SRC against it to redo only what
changed; a torn last line from a killed run is ignored.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from augment_cli.files import write_if_changed
from augment_cli.manifest import ManifestRow, cells

INDEX_NAME = ".augment-index.jsonl"


@dataclass(frozen=True)
class Stamp:
    """Cheap identity of a source file: changed size or mtime means re-check."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> "Stamp":
        info = os.stat(path)
        return cls(info.st_size, info.st_mtime_ns)


@dataclass(frozen=True)
class SourceEntry:
    source: str
    stamp: Stamp
    sha256: str
    rows: tuple[ManifestRow, ...]

    def to_line(self) -> str:
        return json.dumps({"source": self.source, "size": self.stamp.size,
                           "mtime_ns": self.stamp.mtime_ns, "sha256": self.sha256,
                           "rows": [cells(r) for r in self.rows]},
                          ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_line(cls, line: str) -> "SourceEntry":
        data = json.loads(line)
        rows = tuple(ManifestRow(*row) for row in data["rows"])
        return cls(data["source"], Stamp(data["size"], data["mtime_ns"]), data["sha256"], rows)


def read_index(out: Path) -> dict[str, SourceEntry]:
    """Entries by source; later lines win; unreadable lines are skipped."""
    entries: dict[str, SourceEntry] = {}
    try:
        handle = open(out / INDEX_NAME, encoding="utf-8")
    except FileNotFoundError:
        return entries
    with handle:
        for line in handle:
            try:
                entry = SourceEntry.from_line(line)
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a kill, or a hand edit: redo that source
            entries[entry.source] = entry
    return entries


def write_index(out: Path, entries: dict[str, SourceEntry]) -> None:
    text = "".join(entries[source].to_line() for source in sorted(entries))
    write_if_changed(out / INDEX_NAME, text.encode("utf-8"))


class IndexJournal:
    """Append-only writer used during a run."""

    def __init__(self, out: Path):
        self.handle: IO[str] = open(out / INDEX_NAME, "a", encoding="utf-8")

    def append(self, entry: SourceEntry) -> None:
        self.handle.write(entry.to_line())
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()
