"""Text datasets that are tables: one row per example in a CSV, TSV, JSON
Lines (.jsonl/.ndjson) or Parquet file, or a folder of them (train.csv +
test.csv, as `datasets` dumps them).

SRC is a table file, or a folder holding only tables (no sub-folders):
detected as such. A table whose name says test, val, valid, validation or dev
is a held-out split: copied to DIR unchanged, never augmented, unless
`--split NAME` names it (then only that split is expanded and the others are
copied unchanged). The rows themselves are read by table_formats.py and
table_parquet.py, and expanded in chunks by run/table_run.py: the run is not
one job per file, so `runner` names the function that replaces it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment_cli.errors import UsageError
from augment_cli.layouts.base import Sample, Scan, Unannotated
from augment_cli.layouts.table_formats import TABLE_SUFFIXES, kind_of

HELD_OUT = ("test", "val", "valid", "validation", "dev")


@dataclass(frozen=True)
class TableFile:
    """One table of SRC; `name` is its file name, which its output keeps."""

    name: str
    path: Path
    kind: str       # "csv", "jsonl" or "parquet"
    augment: bool   # False: copied unchanged (a held-out split, or not the --split asked for)


def split_words(name: str) -> list[str]:
    """The words of a table's name: "imdb_test-00000.parquet" -> imdb, test, 00000."""
    stem = name.split(".", 1)[0].lower()
    return [word for word in re.split(r"[^0-9a-z]+", stem) if word]


def is_held_out(name: str) -> bool:
    return any(word in HELD_OUT for word in split_words(name))


def check_source(source: Path) -> None:
    """The one check that a table SRC is there: a table file or a folder of
    tables (layouts.check_source is the one for every other layout)."""
    if not source.exists():
        raise UsageError(f"source not found: {source}")
    if not (source.is_file() or source.is_dir()):
        raise UsageError(f"the source {source} is neither a table file nor a folder of tables")


def tables_of(source: Path, split: str | None = None) -> list[TableFile]:
    """SRC's tables in name order, each marked to augment or to copy; UsageError if there are none
    or `split` names none of them. SRC has passed check_source."""
    paths = [source] if source.is_file() else _listed(source)
    if not paths:
        raise UsageError(f"{source} holds no table (.csv, .tsv, .jsonl, .ndjson, .parquet)")
    names = [path.name for path in paths]
    if split is not None and not any(_names_split(name, split) for name in names):
        raise UsageError(f"--split {split!r} names none of the tables in {source} ({', '.join(names)})")
    return [TableFile(path.name, path, kind, _augmented(path.name, split))
            for path in paths if (kind := kind_of(path)) is not None]


def _listed(folder: Path) -> list[Path]:
    return sorted((Path(entry.path) for entry in os.scandir(folder)
                   if entry.is_file() and not entry.name.startswith(".") and kind_of(Path(entry.name))),
                  key=lambda path: path.name)


def _names_split(name: str, split: str) -> bool:
    return split.lower() in (name.split(".", 1)[0].lower(), *split_words(name))


def _augmented(name: str, split: str | None) -> bool:
    return _names_split(name, split) if split is not None else not is_held_out(name)


class Tables(Unannotated):
    """The table layout. Its rows are not files, so the per-file parts of
    `base.Layout` have nothing to say: walk yields no samples, and the run
    goes to `runner` instead (see api.expand)."""

    name = "table"
    runner = "augment_cli.run.table_run:expand_tables"

    def detect(self, source: Path) -> bool:
        """A table file, or a folder holding tables and nothing else (no sub-folders)."""
        if not isinstance(source, Path):  # a URL SRC (storage.location.Remote)
            from augment_cli.storage.table_source import tables_in

            return tables_in(source) is not None
        if source.is_file():
            return source.suffix.lower() in TABLE_SUFFIXES
        try:
            entries = [entry for entry in os.scandir(source) if not entry.name.startswith(".")]
        except OSError:
            return False
        return bool(entries) and all(entry.is_file() and kind_of(Path(entry.name)) is not None
                                     and not entry.name.lower().startswith("metadata.")
                                     for entry in entries)

    def walk(self, source: Path, follow_links: bool, scan: Scan) -> Iterator[Sample]:
        return iter(())

    def output_name(self, sample: Sample, copy: int, extension: str) -> str:
        return sample.relative

    def finish(self, source: Path, rows: Iterable[Any], out: Path) -> dict[str, bytes]:
        return {}

    def dataset_files(self, rows: Iterable[Any] = ()) -> tuple[str, ...]:
        return ()


TABLES = Tables()
