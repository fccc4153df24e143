"""The manifest written through sorted runs on disk (SortedSpool) is
byte-identical to the one sorted in memory, however small the runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from augment_cli import api, manifest
from augment_cli.manifest import ManifestRow, SortedSpool, write_rows, write_sorted


def _rows(count: int) -> list[ManifestRow]:
    rng = np.random.default_rng(3)
    names = ["a", "b,c", 'q"uote', "é ü", "z"]
    rows = []
    for i in rng.permutation(count):
        label = names[i % len(names)]
        source = f"{label}/img{i % 97:03d}.jpg"
        copy = int(i % 4)
        rows.append(ManifestRow(f"{label}/img{i % 97:03d}__aug{i}.jpg", label, source, copy,
                                "image", json.dumps([{"transform": "hflip", "params": {}}])))
    return rows


@pytest.mark.parametrize("limit", [1, 7, 100, 10_000])
def test_spilled_manifest_is_byte_identical(tmp_path, limit):
    rows = _rows(1_000)
    write_rows(tmp_path / "memory.csv", ManifestRow, rows)
    spool = SortedSpool(limit=limit, chunk=3)
    for start in range(0, len(rows), 13):  # results arrive in batches, in any order
        spool.add(rows[start : start + 13])
    assert spool.count == len(rows)
    write_sorted(tmp_path / "spooled.csv", ManifestRow, spool.sorted_tuples())
    spool.close()
    assert (tmp_path / "spooled.csv").read_bytes() == (tmp_path / "memory.csv").read_bytes()


def test_expand_with_tiny_runs_writes_the_same_manifest(tmp_path, monkeypatch):
    from PIL import Image

    for index in range(12):
        target = tmp_path / "src" / f"label{index % 3}" / f"i{index}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 6), (index * 20, 0, 0)).save(target)
    recipe = tmp_path / "r.toml"
    recipe.write_text('[[image]]\ntransform = "hflip"\np = 0.5\n')
    options = dict(source=tmp_path / "src", recipe=recipe, copies=3, workers=1)
    api.expand(**options, out=tmp_path / "memory")
    monkeypatch.setattr(api, "SortedSpool", lambda: SortedSpool(limit=2, chunk=1))
    summary = api.expand(**options, out=tmp_path / "spooled")
    assert summary.copies_written == 36
    assert ((tmp_path / "spooled" / manifest.MANIFEST_NAME).read_bytes()
            == (tmp_path / "memory" / manifest.MANIFEST_NAME).read_bytes())
