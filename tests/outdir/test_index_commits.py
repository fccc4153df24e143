"""A finished source is recorded in the index whole or not at all: what another
process (a re-run after SIGKILL) finds on disk."""

from __future__ import annotations

import sqlite3

import pytest

from augment_cli.outdir.index import INDEX_NAME, Index, Stamp
from augment_cli.outdir.manifest import ManifestRow


def _put(index: Index, source: str) -> None:
    row = ManifestRow(f"a/{source}", "a", f"a/{source}", 1, "image", "[]", "0" * 64)
    index.put(f"a/{source}", Stamp(1, 1), "f" * 64, [row])


def _on_disk(out) -> set[str]:
    """The sources another connection sees: what a killed run leaves committed."""
    with sqlite3.connect(out / INDEX_NAME) as other:
        return {source for (source,) in other.execute("SELECT source FROM sources")}


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
