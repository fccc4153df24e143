"""What the main process sends a worker for a table (ChunkJob) and gets back.

A chunk is a run of consecutive rows of one table. Like jobs.py, this module
imports nothing heavy: `run_chunks`, the picklable entry point the executor
calls, imports the worker inside the worker process only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from augment_cli.layouts.table_formats import Record, TableFormat
from augment_cli.recipe.model import Recipe

# The provenance columns appended to every output row: the source row's
# number (1-based, data rows only), the copy index (0 = the original) and
# the transforms applied with their parameters (JSON), as manifest.csv has them.
PROVENANCE = ("augment_source_row", "augment_copy", "augment_transforms")


@dataclass(frozen=True)
class ChunkJob:
    out_root: str
    table: str                   # the table's name: part of every row's seed key
    part: str                    # DIR-relative name of the part file this chunk writes
    records: tuple[Record, ...]
    source_format: TableFormat
    output_format: TableFormat   # the source's, with PROVENANCE appended
    text_columns: tuple[str, ...]
    copies: int
    include_originals: bool
    recipe: Recipe
    seed: int
    distinct: bool = True  # redraw a copy that repeats its row or an earlier copy (run/distinct.py)
    # --storage-option pairs for the recipe's side files in object storage (storage/sidefiles.py)
    storage: tuple[tuple[str, str], ...] = ()
    # A URL DIR on Dask (storage/location.Remote): the part is written there, under the same
    # name, for the driver to bring into its working folder (run/table_run.py); None: out_root
    out_remote: Any = None

    @property
    def first(self) -> int:
        return self.records[0].number


@dataclass
class ChunkResult:
    """What a chunk made; names its chunk, not the job (its rows need not travel back)."""

    table: str
    first: int
    count: int
    part: str
    rows_read: int = 0
    copies: int = 0
    originals: int = 0
    errors: list[tuple[int, str]] | None = None  # (1-based line, reason) per failed row
    failure: str | None = None   # the chunk as a whole could not be written
    duplicates_redrawn: int = 0  # copies drawn again because they repeated (run/distinct.py)
    duplicates_kept: int = 0     # copies that still repeat after every redraw (marked in their row)


def run_chunks(jobs: list[ChunkJob]) -> list[ChunkResult]:
    from augment_cli.run.table_worker import process_chunk

    return [process_chunk(job) for job in jobs]
