"""Finished sources are committed to the index together, at least every
COMMIT_SECONDS: what another process (a re-run after SIGKILL) finds on disk."""

from __future__ import annotations

import sqlite3

import pytest

from augment_cli.outdir import index as index_module
from augment_cli.outdir.index import INDEX_NAME, Index, Stamp
from augment_cli.outdir.manifest import ManifestRow


def _put(index: Index, source: str) -> None:
    row = ManifestRow(f"a/{source}", "a", f"a/{source}", 1, "image", "[]", "0" * 64)
    index.put(f"a/{source}", Stamp(1, 1), "f" * 64, [row])


def _on_disk(out) -> set[str]:
    """The sources another connection sees: what a killed run leaves committed."""
    with sqlite3.connect(out / INDEX_NAME) as other:
        return {source for (source,) in other.execute("SELECT source FROM sources")}


def test_a_source_finished_longer_ago_than_the_commit_interval_is_on_disk(tmp_path, monkeypatch):
    now = [100.0]
    monkeypatch.setattr(index_module.time, "monotonic", lambda: now[0])
    index = Index(tmp_path)
    _put(index, "first.png")
    _put(index, "second.png")
    assert _on_disk(tmp_path) == set()  # within the interval: one commit for both, later
    now[0] += index_module.COMMIT_SECONDS
    _put(index, "third.png")
    assert _on_disk(tmp_path) == {"a/first.png", "a/second.png", "a/third.png"}
    _put(index, "fourth.png")
    assert "a/fourth.png" not in _on_disk(tmp_path)
    assert index.committed("a/fourth.png")  # this run already counts it as done
    index.close()
    assert "a/fourth.png" in _on_disk(tmp_path)


def test_a_source_whose_rows_cannot_be_recorded_leaves_nothing_and_keeps_the_others(tmp_path):
    index = Index(tmp_path)
    _put(index, "kept.png")
    good = ManifestRow("a/bad_1.png", "a", "a/bad.png", 1, "image", "[]", "0" * 64)
    unbindable = ManifestRow("a/bad_2.png", "a", "a/bad.png", 2, "image", object(), "0" * 64)
    with pytest.raises(sqlite3.Error):
        index.put("a/bad.png", Stamp(1, 1), "f" * 64, [good, unbindable])
    assert not index.committed("a/bad.png")
    assert index.source_of("a/bad_1.png") is None  # its first row is gone with it
    assert index.committed("a/kept.png")
    index.close()
    assert _on_disk(tmp_path) == {"a/kept.png"}
