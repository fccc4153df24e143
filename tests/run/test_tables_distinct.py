"""Distinct copies for tables (run/distinct.py through run/table_worker.py):
a row's copy that repeats the row's text or an earlier copy of it is redrawn;
what cannot be made distinct is kept, marked and counted; --allow-duplicates
writes the bytes of runs before copies were made distinct."""

from __future__ import annotations

import hashlib
import json

import pytest
from test_tables import EDA, PROVENANCE, expand, read_csv, write_csv

from augment_cli.errors import Interrupted
from augment_cli.run import table_worker
from conftest import tree_bytes

# Short rows give EDA few outcomes: "what is love" repeats a copy at 6 copies.
ROWS = [("what is love", "a"), ("hi there", "b"),
        ("A fairly ordinary sentence about the weather today", "c")]
# SHA-256 of DIR/train.csv for ROWS, copies=6, seed 0, as written before
# copies were made distinct (and so by --allow-duplicates now).
BEFORE_DISTINCT = "93c36e9819a89b52a82ba143a5fe7b145fc903c7447a1c54d7ca5f2bd6a3a7d7"


def test_copies_of_a_row_repeat_neither_it_nor_each_other_unless_kept_and_marked(tmp_path):
    src = write_csv(tmp_path / "src" / "train.csv", ROWS)
    summary = expand(src, tmp_path / "out", copies=6)
    header, *rows = read_csv(tmp_path / "out" / "train.csv")
    assert header[-3:] == PROVENANCE and len(rows) == 18
    kept = 0
    for number, (text, _) in enumerate(ROWS, 1):
        copies = [row for row in rows if row[3] == str(number)]
        seen = {text: 0}
        for row in copies:
            applied = json.loads(row[5])
            if row[0] in seen:  # only a copy the recipe could not make distinct, marked with what it repeats
                assert applied[-1] == {"duplicate_of": seen[row[0]]}
                kept += 1
            else:
                assert all("duplicate_of" not in entry for entry in applied)
                seen[row[0]] = int(row[4])
    assert summary.duplicates_redrawn > 0 and summary.duplicates_kept == kept == 1
    assert summary.duplicate_files == [("train.csv", 1)]
    assert summary.as_dict()["duplicates"] == {"redrawn": summary.duplicates_redrawn, "kept": 1,
                                               "files_with_kept": 1}


def test_allow_duplicates_writes_the_bytes_of_runs_before_distinct_copies(tmp_path):
    src = write_csv(tmp_path / "src" / "train.csv", ROWS)
    summary = expand(src, tmp_path / "dup", copies=6, allow_duplicates=True)
    written = (tmp_path / "dup" / "train.csv").read_bytes()
    assert hashlib.sha256(written).hexdigest() == BEFORE_DISTINCT
    assert summary.duplicates_redrawn == summary.duplicates_kept == 0
    # A distinct run changes only the copies that repeated: every other row is the same.
    expand(src, tmp_path / "distinct", copies=6)
    before = read_csv(tmp_path / "dup" / "train.csv")
    after = read_csv(tmp_path / "distinct" / "train.csv")
    repeated = {i for i, row in enumerate(before) if any(row[0] == other[0] and row[3] == other[3]
                                                           for other in before[:i]) or row[0] in
                dict(ROWS) and row[4] != "0"}
    assert 0 < len(repeated) < len(before) - 1
    assert all(before[i] == after[i] for i in range(len(before)) if i not in repeated)


def test_a_resumed_run_counts_the_duplicates_of_chunks_an_interrupted_run_finished(tmp_path, monkeypatch):
    src = write_csv(tmp_path / "src" / "train.csv", ROWS)
    clean = expand(src, tmp_path / "clean", copies=6, chunk_rows=1)
    real = table_worker.process_chunk

    def stop_at_last(job):  # the chunk of row 1 (with the kept duplicate) finishes first
        if job.first == 3:
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(table_worker, "process_chunk", stop_at_last)
    with pytest.raises(Interrupted):
        expand(src, tmp_path / "out", copies=6, chunk_rows=1)
    monkeypatch.setattr(table_worker, "process_chunk", real)
    resumed = expand(src, tmp_path / "out", copies=6, chunk_rows=1)
    assert (resumed.duplicates_redrawn, resumed.duplicates_kept) == (clean.duplicates_redrawn, 1)
    assert resumed.duplicate_files == [("train.csv", 1)]
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "clean")


def test_the_summary_names_the_table_and_where_its_kept_duplicates_are_marked(tmp_path, run_cli):
    src = write_csv(tmp_path / "src" / "train.csv", ROWS)
    result = run_cli("expand", src, "--recipe", EDA, "--copies", 6, "--out", tmp_path / "out",
                     "--workers", 1)
    assert result.exit_code == 0
    assert ("Warning: train.csv: 1 of its copies repeat the row or another copy after every redraw "
            "(kept; marked duplicate_of in its augment_transforms column)") in result.stderr
    assert "copies redrawn to be distinct, 1 kept" in result.stderr
