"""A run index damaged by an unclean end is checked, and rebuilt from manifest.csv."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3

from test_incremental import outputs_with_mtimes

from augment_cli.outdir.claim import STATE_NAME
from augment_cli.outdir.index import INDEX_NAME
from augment_cli.outdir.verify import verify
from conftest import save, textured, tree_bytes

PAGE_NOISE = b"\xa5" * 4096


def expand(run_cli, src, recipe, out, *extra):
    return run_cli("expand", src, "--recipe", recipe, "--copies", 2, "--out", out, "--workers", 1, *extra)


def damage_as_a_power_cut_would(out, table="rows"):
    """The last run did not finish, and one page of the index (not the sources
    table) holds garbage: what synchronous=OFF allows after a power cut."""
    state = json.loads((out / STATE_NAME).read_text())
    (out / STATE_NAME).write_text(json.dumps({**state, "complete": False}))
    path = out / INDEX_NAME
    with sqlite3.connect(path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        assert root != db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'sources'").fetchone()[0]
    db.close()
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(PAGE_NOISE[:page_size])


def test_a_page_damaged_outside_sources_is_rebuilt_from_the_manifest(image_tree, write_recipe, run_cli,
                                                                     tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    assert expand(run_cli, image_tree, recipe, out).exit_code == 0
    before, files = outputs_with_mtimes(out), tree_bytes(out)
    damage_as_a_power_cut_would(out)
    result = expand(run_cli, image_tree, recipe, out)
    assert result.exit_code == 0, result.output
    assert "rebuilt from manifest.csv: 5 of 5 sources kept" in result.stderr
    assert "0 added, 0 regenerated, 0 removed, 5 unchanged" in result.stderr
    assert outputs_with_mtimes(out) == before  # nothing redone
    assert tree_bytes(out) == files and verify(out) == []
    again = expand(run_cli, image_tree, recipe, out)  # the rebuilt index is a working one
    assert again.exit_code == 0 and "5 unchanged" in again.stderr and "Warning" not in again.stderr


def test_sources_changed_or_outputs_lost_since_the_manifest_are_redone(image_tree, write_recipe,
                                                                       run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    assert expand(run_cli, image_tree, recipe, out).exit_code == 0
    save(image_tree / "cat" / "b.png", textured(seed=77))          # edited after the manifest
    (out / "dog" / "e__aug1.png").write_bytes(b"half written")     # an output that is not what it says
    damage_as_a_power_cut_would(out, table="rows_by_source")
    result = expand(run_cli, image_tree, recipe, out)
    assert result.exit_code == 0, result.output
    assert "3 of 5 sources kept" in result.stderr and "Read 2 files" in result.stderr
    fresh = tmp_path / "fresh"
    assert expand(run_cli, image_tree, recipe, fresh).exit_code == 0
    assert tree_bytes(out) == tree_bytes(fresh)


def test_without_a_manifest_a_damaged_index_starts_afresh(image_tree, write_recipe, run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    assert expand(run_cli, image_tree, recipe, out).exit_code == 0
    damage_as_a_power_cut_would(out)
    os.remove(out / "manifest.csv")
    result = expand(run_cli, image_tree, recipe, out)
    assert result.exit_code == 0, result.output
    assert "0 of 0 sources kept" in result.stderr and "Read 5 files, wrote 10 copies" in result.stderr
    assert verify(out) == []


def test_a_damaged_index_does_not_disarm_the_removal_check(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    assert expand(run_cli, image_tree, write_recipe(), out).exit_code == 0
    damage_as_a_power_cut_would(out)
    before = tree_bytes(out)
    edited = write_recipe('[[image]]\ntransform = "vflip"\n')  # not rebuilt: everything is redone
    for label in ("cat", "dog"):
        shutil.rmtree(image_tree / label)
    result = expand(run_cli, image_tree, edited, out)
    assert result.exit_code == 2 and "5 of the 5 sources" in result.stderr
    assert tree_bytes(out) == before
