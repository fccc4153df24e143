"""DIR/.augment-index.sqlite: what each source was when its copies were made.

Per source: size, modification time, SHA-256 and its output names; per
output: its manifest row. A run commits each source as it finishes, so a
killed run keeps what it finished; a re-run looks sources up here to redo
only what changed. Nothing of it is held in memory: the manifest is read
back in file-name order by SQLite, so a run's memory does not grow with the
dataset. (SQLite's BINARY order is UTF-8 byte order, which is code-point
order: the same order as Python's sorted().)
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from augment_cli.outdir.manifest import ManifestRow, cells

INDEX_NAME = ".augment-index.sqlite"
COMMIT_EVERY = 1000
# SQLite's own files beside the database while it is open (or after a kill).
INDEX_FILES = (INDEX_NAME, INDEX_NAME + "-wal", INDEX_NAME + "-shm", INDEX_NAME + "-journal")
SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    source TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha256 TEXT, names TEXT,
    seen INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS rows (
    file_name TEXT PRIMARY KEY, label TEXT, source TEXT, copy INTEGER, modality TEXT,
    transforms TEXT, sha256 TEXT, annotations TEXT DEFAULT '', objects INTEGER, dropped INTEGER);
CREATE INDEX IF NOT EXISTS rows_by_source ON rows (source);
CREATE TABLE IF NOT EXISTS planned (key TEXT PRIMARY KEY, source TEXT);
"""


@dataclass(frozen=True)
class Stamp:
    """Cheap identity of a source file: changed size or mtime means re-check."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Stamp:
        info = os.stat(path)
        return cls(info.st_size, info.st_mtime_ns)


@dataclass(frozen=True)
class Known:
    """What the index says about one source."""

    stamp: Stamp
    sha256: str
    names: tuple[str, ...]


class Index:
    def __init__(self, out: Path, check: bool = False, name: str = INDEX_NAME):
        """Open DIR's index (`name`: a shard's own, see statefiles.py).
        `check`: run SQLite's quick_check first (the last
        run did not finish: a power cut with synchronous=OFF may have damaged
        any page). A damaged index is started afresh and `damaged` set, so the
        caller can rebuild it (outdir/recovery.py)."""
        # Python's default transactions: statements between two commits are
        # one transaction, so marking thousands of sources costs one commit.
        self.uncommitted = 0
        self.folds = False  # see begin_run
        self.damaged = False
        try:
            self.db = self._open(out / name)
            if check and self.db.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                self.db.close()
                raise sqlite3.DatabaseError("quick_check found damage")
        except sqlite3.DatabaseError:
            self.damaged = True
            for suffix in ("", "-wal", "-shm", "-journal"):
                (out / (name + suffix)).unlink(missing_ok=True)
            self.db = self._open(out / name)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path)
        # No fsync per commit: a killed process loses nothing committed (the
        # OS has it); only a power cut could, and a damaged index is rebuilt.
        # A rollback journal, not WAL, keeps the files as small as the data.
        db.execute("PRAGMA journal_mode=TRUNCATE")
        db.execute("PRAGMA synchronous=OFF")
        db.executescript(SCHEMA)
        db.execute("SELECT count(*) FROM sources").fetchone()  # fails here if damaged
        _add_annotation_columns(db)
        return db

    def commit(self) -> None:
        self.db.commit()
        self.uncommitted = 0

    def close(self) -> None:
        self.db.commit()
        self.db.close()

    def lookup(self, source: str) -> Known | None:
        found = self.db.execute("SELECT size, mtime_ns, sha256, names FROM sources WHERE source = ?",
                                (source,)).fetchone()
        if found is None:
            return None
        return Known(Stamp(found[0], found[1]), found[2], tuple(found[3].split("\n")))

    def put(self, source: str, stamp: Stamp, sha256: str, rows: list[ManifestRow],
            companions: list[str] | tuple[str, ...] = ()) -> None:
        """A finished source: its rows, and every name it wrote (media, then companions)."""
        with self.db:
            self._delete(source)
            names = [row.file_name for row in rows] + list(companions)
            self.db.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, 1)",
                            (source, stamp.size, stamp.mtime_ns, sha256, "\n".join(names)))
            self.db.executemany("INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", map(cells, rows))

    def committed(self, source: str) -> bool:
        """Whether this run has put (or kept) the source: begin_run clears the mark."""
        found = self.db.execute("SELECT seen FROM sources WHERE source = ?", (source,)).fetchone()
        return found is not None and found[0] == 1

    def restamp(self, source: str, stamp: Stamp) -> None:
        self.db.execute("UPDATE sources SET size = ?, mtime_ns = ?, seen = 1 WHERE source = ?",
                        (stamp.size, stamp.mtime_ns, source))
        self._pending()

    def source_of(self, file_name: str) -> str | None:
        """The source whose manifest row names `file_name`."""
        found = self.db.execute("SELECT source FROM rows WHERE file_name = ?", (file_name,)).fetchone()
        return found[0] if found else None

    def invalidate(self, source: str) -> None:
        """Make the next run regenerate a source (its outputs are damaged): no
        stamp or hash of a real file matches these."""
        with self.db:
            self.db.execute("UPDATE sources SET size = -1, mtime_ns = -1, sha256 = '' WHERE source = ?",
                            (source,))

    def forget(self, source: str) -> None:
        with self.db:
            self._delete(source)

    def _delete(self, source: str) -> None:
        self.db.execute("DELETE FROM rows WHERE source = ?", (source,))
        self.db.execute("DELETE FROM sources WHERE source = ?", (source,))

    def begin_run(self, folds: bool = False) -> None:
        """Nothing is seen yet; no output name is taken yet. `folds`: output
        names are compared casefolded (a case-insensitive DIR), so the
        previous run's names are keyed that way for previous_owner."""
        with self.db:
            self.db.execute("UPDATE sources SET seen = 0")
            self.db.execute("DELETE FROM planned")
            self.db.execute("DROP TABLE IF EXISTS temp.owners")
        self.folds = folds
        if folds:
            self.db.execute("CREATE TEMP TABLE owners (key TEXT PRIMARY KEY, source TEXT)")
            recorded = self.db.execute("SELECT source, names FROM sources")  # streamed
            self.db.executemany("INSERT OR IGNORE INTO owners VALUES (?, ?)",
                                ((name.casefold(), source) for source, names in recorded
                                 if names for name in names.split("\n")))
            self.commit()

    def mark_seen(self, source: str) -> None:
        self.db.execute("UPDATE sources SET seen = 1 WHERE source = ?", (source,))
        self._pending()

    def _pending(self) -> None:
        """Commit every so often: a long transaction keeps its dirty pages in memory."""
        self.uncommitted += 1
        if self.uncommitted >= COMMIT_EVERY:
            self.commit()

    def planned_holder(self, keys: list[str]) -> str | None:
        """The source this run reserved one of the name keys for, if any."""
        for key in keys:
            holder = self.db.execute("SELECT source FROM planned WHERE key = ?", (key,)).fetchone()
            if holder is not None:
                return holder[0]
        return None

    def plan_names(self, source: str, keys: list[str]) -> None:
        self.db.executemany("INSERT INTO planned VALUES (?, ?)", ((key, source) for key in keys))
        self._pending()

    def previous_owner(self, source: str, keys: list[str]) -> str | None:
        """Another source whose recorded outputs have one of these name keys."""
        query = ("SELECT source FROM owners WHERE key = ?" if self.folds
                 else "SELECT source FROM rows WHERE file_name = ?")
        for key in keys:
            found = self.db.execute(query, (key,)).fetchone()
            if found is not None and found[0] != source:
                return found[0]
        return None

    def unseen(self) -> Iterator[tuple[str, str, str]]:
        """(source, label, modality) of sources this run did not meet: gone from SRC."""
        return iter(self.db.execute(
            "SELECT s.source, r.label, r.modality FROM sources s LEFT JOIN rows r "
            "ON r.file_name = (SELECT file_name FROM rows WHERE source = s.source LIMIT 1) "
            "WHERE s.seen = 0").fetchall())

    def has_sources(self) -> bool:
        return self.db.execute("SELECT 1 FROM sources LIMIT 1").fetchone() is not None

    def sources(self) -> Iterator[str]:
        """Every source the index knows, streamed in name order."""
        return (source for (source,) in self.db.execute("SELECT source FROM sources ORDER BY source"))

    def names_of(self, source: str) -> list[str]:
        """Every file the source wrote (its manifest rows' files and their companions)."""
        found = self.db.execute("SELECT names FROM sources WHERE source = ?", (source,)).fetchone()
        return found[0].split("\n") if found and found[0] else []

    def all_names(self) -> Iterator[str]:
        return (name for (names,) in self.db.execute("SELECT names FROM sources") if names
                for name in names.split("\n"))

    def manifest_rows(self) -> Iterator[ManifestRow]:
        cursor = self.db.execute("SELECT file_name, label, source, copy, modality, transforms, sha256, "
                                 "annotations, objects, dropped FROM rows ORDER BY file_name")
        return (ManifestRow(*row) for row in cursor)

    def absorb(self, other: Path) -> None:
        """Add every source and row of another index (a shard's: see outdir/merge.py).
        sqlite3.IntegrityError if both hold one source or output name."""
        self.db.commit()
        self.db.execute("ATTACH DATABASE ? AS other", (str(other),))
        try:
            with self.db:
                self.db.execute("INSERT INTO sources SELECT source, size, mtime_ns, sha256, names, 1 "
                                "FROM other.sources")
                self.db.execute("INSERT INTO rows SELECT * FROM other.rows")
        finally:
            self.db.execute("DETACH DATABASE other")

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM rows")
            self.db.execute("DELETE FROM sources")
            self.db.execute("DELETE FROM planned")


def _add_annotation_columns(db: sqlite3.Connection) -> None:
    """An index written before annotated layouts lacks their columns: added
    in place, so a re-run into an older DIR keeps what it finished."""
    present = {row[1] for row in db.execute("PRAGMA table_info(rows)")}
    for column, kind in (("annotations", "TEXT DEFAULT ''"), ("objects", "INTEGER"), ("dropped", "INTEGER")):
        if column not in present:
            db.execute(f"ALTER TABLE rows ADD COLUMN {column} {kind}")
    db.commit()
