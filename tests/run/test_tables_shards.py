"""Tables with `--shard K/M` and `augment merge` (run/table_run.py, outdir/table_merge.py):
chunks are sharded by their key, and the merged DIR is byte for byte the unsharded run's."""

from __future__ import annotations

import pytest
from test_tables import HOSTILE, expand, read_csv, write_csv

from augment_cli.errors import UsageError
from augment_cli.outdir.merge import merge
from augment_cli.outdir.verify import verify
from conftest import tree_bytes

ROWS = [*HOSTILE, *((f"Sentence {i} says a small dog ran in the park", str(i)) for i in range(30))]


def _source(root):
    write_csv(root / "train.csv", ROWS)
    write_csv(root / "test.csv", ROWS[:3])  # held out: copied by one shard
    (root / "more.jsonl").write_text('{"text": "A valid line of text here", "label": 1}\n{not json}\n'
                                     '{"text": "Another valid line of text", "label": 2}\n', encoding="utf-8")
    return root


def test_merged_shards_of_a_table_run_are_the_unsharded_run_byte_for_byte(tmp_path, run_cli):
    src = _source(tmp_path / "src")
    clean, out = tmp_path / "clean", tmp_path / "out"
    expand(src, clean, copies=2, chunk_rows=3)
    done = [expand(src, out, copies=2, chunk_rows=3, shard=f"{k}/3") for k in (1, 2, 3)]
    assert sum(summary.files_read for summary in done) == len(ROWS) + 2  # each good row by one shard
    assert all(summary.files_read < len(ROWS) for summary in done)      # the big table is spread
    assert not (out / "train.csv").exists()  # joined by merge, not by a shard
    result = run_cli("merge", out)
    assert result.exit_code == 0, result.stderr
    assert tree_bytes(out) == tree_bytes(clean) and verify(out) == []
    assert [row[0] for row in read_csv(out / "errors.csv")[1:]] == ["more.jsonl:2"]
    again = expand(src, out, copies=2, chunk_rows=3)  # an unsharded re-run takes DIR as its own
    assert again.unchanged == 3 and again.copies_written == 0 and tree_bytes(out) == tree_bytes(clean)


def test_merge_refuses_shards_that_cut_tables_differently_or_are_missing(tmp_path):
    src = _source(tmp_path / "src")
    out = tmp_path / "out"
    expand(src, out, copies=2, chunk_rows=3, shard="1/2")
    with pytest.raises(UsageError, match="shard 2/2 is missing"):
        merge(out)
    expand(src, out, copies=2, chunk_rows=5, shard="2/2")
    with pytest.raises(UsageError, match="shard 2/2 in .* was made with other table options"):
        merge(out)
    assert not (out / "train.csv").exists()


def test_merge_refuses_a_table_whose_chunk_is_missing_and_leaves_it_unwritten(tmp_path):
    src = _source(tmp_path / "src")
    out = tmp_path / "out"
    for k in (1, 2):
        expand(src, out, copies=2, chunk_rows=3, shard=f"{k}/2")
    part = sorted((out / ".augment-parts" / "train.csv").iterdir())[0]
    part.unlink()
    with pytest.raises(UsageError, match="chunks of table train.csv are missing from the shards"):
        merge(out)
    assert not (out / "train.csv").exists() and not (out / "more.jsonl").exists()
    # the refused merge changed nothing: the shard run again redoes its chunk, and the merge succeeds
    expand(src, out, copies=2, chunk_rows=3, shard="1/2")
    expand(src, out, copies=2, chunk_rows=3, shard="2/2")
    merge(out)
    expand(src, tmp_path / "clean", copies=2, chunk_rows=3)
    assert tree_bytes(out) == tree_bytes(tmp_path / "clean")
