"""What a table run has finished, in DIR's run index (.augment-index.sqlite).

Two tables of their own beside the per-file index's: `table_chunks` holds
each finished chunk of rows (its part file, counts and per-row errors), so a
re-run after an interruption redoes only the chunks that did not finish;
`table_outputs` holds each written table (its SHA-256, what it was made
from), so a re-run of an unchanged table does nothing and `verify` can check
it. A chunk or output belongs to a `key`: the source table's size, mtime and
the options that shape its rows; another key means it is redone.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from augment_cli.outdir.index import INDEX_NAME
from augment_cli.outdir.statefiles import SQLITE_SUFFIXES

SCHEMA = """
CREATE TABLE IF NOT EXISTS table_chunks (
    name TEXT, key TEXT, first INTEGER, count INTEGER, part TEXT, rows_read INTEGER,
    copies INTEGER, originals INTEGER, errors TEXT, redrawn INTEGER, kept INTEGER,
    PRIMARY KEY (name, first));
CREATE TABLE IF NOT EXISTS table_outputs (
    name TEXT PRIMARY KEY, key TEXT, sha256 TEXT, augmented INTEGER, errors TEXT);
CREATE TABLE IF NOT EXISTS table_parts (name TEXT PRIMARY KEY, key TEXT, parts INTEGER);
"""


@dataclass(frozen=True)
class Chunk:
    """One finished chunk of a table: rows `first`..`first + count - 1` (data row numbers)."""

    name: str
    key: str
    first: int
    count: int
    part: str                            # DIR-relative name of its part file
    rows_read: int = 0                   # rows that made outputs
    copies: int = 0                      # augmented rows written
    originals: int = 0                   # copy-0 rows written (--include-originals)
    errors: tuple[tuple[int, str], ...] = ()  # (1-based line, reason) of rows that failed
    redrawn: int = 0                     # copies drawn again to be distinct (run/distinct.py)
    kept: int = 0                        # copies that repeat after every redraw


@dataclass(frozen=True)
class Output:
    name: str
    key: str
    sha256: str
    augmented: bool  # False: a held-out split copied unchanged
    errors: tuple[tuple[int, str], ...] = ()  # its rows' errors, reported again by a re-run that keeps it


class TableIndex:
    def __init__(self, out: Path, name: str = INDEX_NAME):
        """Open DIR's index; a damaged one (a power cut: synchronous=OFF) is
        started afresh, which only means every chunk and table is redone."""
        try:
            self.db = self._open(out / name)
        except sqlite3.DatabaseError:
            for suffix in SQLITE_SUFFIXES:
                (out / (name + suffix)).unlink(missing_ok=True)
            self.db = self._open(out / name)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        db.execute("PRAGMA synchronous=OFF")  # as outdir/index.py: a killed process loses nothing
        db.executescript(SCHEMA)
        columns = [row[1] for row in db.execute("PRAGMA table_info(table_chunks)")]
        if "kept" not in columns:  # chunks of a version that did not count duplicates: redone
            db.execute("DROP TABLE table_chunks")
            db.executescript(SCHEMA)
        db.execute("SELECT count(*) FROM table_outputs").fetchone()  # fails here if damaged
        return db

    def close(self) -> None:
        self.db.commit()
        self.db.close()

    def chunk(self, name: str, key: str, first: int, count: int) -> Chunk | None:
        found = self.db.execute("SELECT * FROM table_chunks WHERE name = ? AND first = ?",
                                (name, first)).fetchone()
        if found is None:
            return None
        chunk = _chunk(found)
        return chunk if chunk.key == key and chunk.count == count else None

    def put_chunk(self, chunk: Chunk) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO table_chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (chunk.name, chunk.key, chunk.first, chunk.count, chunk.part, chunk.rows_read,
                             chunk.copies, chunk.originals, json.dumps(chunk.errors), chunk.redrawn,
                             chunk.kept))

    def chunks(self, name: str) -> Iterator[Chunk]:
        """A table's finished chunks in row order."""
        rows = self.db.execute("SELECT * FROM table_chunks WHERE name = ? ORDER BY first", (name,))
        return (_chunk(row) for row in rows.fetchall())

    def forget_chunks(self, name: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM table_chunks WHERE name = ?", (name,))

    def output(self, name: str) -> Output | None:
        found = self.db.execute("SELECT * FROM table_outputs WHERE name = ?", (name,)).fetchone()
        return None if found is None else _output(found)

    def put_output(self, output: Output) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO table_outputs VALUES (?, ?, ?, ?, ?)",
                            (output.name, output.key, output.sha256, int(output.augmented),
                             json.dumps(output.errors)))

    def outputs(self) -> list[Output]:
        return [_output(row) for row in self.db.execute("SELECT * FROM table_outputs ORDER BY name")]

    def forget_output(self, name: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM table_outputs WHERE name = ?", (name,))

    def put_parts(self, name: str, key: str, parts: int) -> None:
        """A shard (--shard K/M) read the whole table: it has `parts` chunks, some of them this shard's."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO table_parts VALUES (?, ?, ?)", (name, key, parts))

    def all_parts(self) -> dict[str, tuple[str, int]]:
        """Table -> (key, chunks) as put_parts recorded them."""
        return {name: (key, parts) for name, key, parts in self.db.execute("SELECT * FROM table_parts")}

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM table_chunks")
            self.db.execute("DELETE FROM table_outputs")
            self.db.execute("DELETE FROM table_parts")


def _chunk(row: tuple) -> Chunk:
    name, key, first, count, part, rows_read, copies, originals, errors, redrawn, kept = row
    return Chunk(name, key, first, count, part, rows_read, copies, originals,
                 tuple((line, reason) for line, reason in json.loads(errors)), redrawn, kept)


def _output(row: tuple) -> Output:
    name, key, sha256, augmented, errors = row
    return Output(name, key, sha256, bool(augmented), tuple((line, why) for line, why in json.loads(errors)))


def recorded_outputs(out: Path) -> list[Output] | None:
    """The tables a run recorded in DIR, or None when DIR has no table index (for verify)."""
    if not (out / INDEX_NAME).is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{out / INDEX_NAME}?mode=ro", uri=True)
        try:
            return [_output(row) for row in db.execute("SELECT * FROM table_outputs ORDER BY name")]
        finally:
            db.close()
    except sqlite3.Error:
        return None
