"""The layout seam: the layout table, detection, and a toy layout (tests/assets/toy_layout.py)
plugged in with one table entry, end to end through plan, worker, index, manifest and verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from augment_cli import api, layouts
from augment_cli.errors import UsageError
from augment_cli.outdir.verify import verify
from conftest import save, textured, tree_bytes
from paths import ASSETS


@pytest.fixture
def listed(monkeypatch, tmp_path: Path) -> Path:
    """The toy layout in the table (importable by spawned workers too), and a SRC in it."""
    monkeypatch.syspath_prepend(str(ASSETS))
    monkeypatch.setitem(layouts.LAYOUTS, "listed", "toy_layout:LISTED")
    src = tmp_path / "src"
    for i in range(3):
        save(src / f"img{i}.png", textured(seed=i))
    (src / "labels.txt").write_text("img0.png cat\nimg1.png dog\nimg2.png cat\nmissing.png dog\n")
    return src


def test_a_plain_tree_is_read_as_class_folders(image_tree):
    assert layouts.find(image_tree) == "folders"


def test_an_unknown_layout_name_is_a_usage_error(image_tree):
    known = "table, metadata, folders, yolo, coco, voc, masks"
    with pytest.raises(UsageError, match=f"unknown dataset format 'nope'; known: {known}"):
        layouts.find(image_tree, "nope")


def test_two_layouts_that_both_detect_a_tree_ask_which(listed, monkeypatch):
    monkeypatch.setitem(layouts.LAYOUTS, "listed-too", "toy_layout:LISTED")
    with pytest.raises(UsageError, match="looks like several dataset formats"):
        layouts.find(listed)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_layout_plugged_in_by_one_entry_runs_end_to_end(listed, write_recipe, tmp_path, workers):
    out = tmp_path / f"out{workers}"
    summary = api.expand(source=listed, recipe=write_recipe(), out=out, copies=2, workers=workers)
    assert summary.exit_code == 0 and summary.files_read == 3 and summary.copies_written == 6
    assert summary.skipped == {"not listed media": 1}
    for k in (1, 2):
        assert (out / "dog" / f"img1__aug{k}.png").is_file()
        assert (out / "dog" / f"img1__aug{k}.png.label").read_text() == "dog\n"
    listing = (out / "labels.txt").read_text().splitlines()
    assert listing[0] == "cat/img0__aug1.png cat" and len(listing) == 6
    assert '"layout": "listed"' in (out / ".augment-run.json").read_text()
    assert verify(out) == []


def test_a_plugged_in_layout_is_worker_independent_incremental_and_verified(listed, write_recipe, tmp_path):
    recipe = write_recipe()
    one, two = tmp_path / "one", tmp_path / "two"
    api.expand(source=listed, recipe=recipe, out=one, copies=2, workers=1)
    api.expand(source=listed, recipe=recipe, out=two, copies=2, workers=2)
    assert tree_bytes(one) == tree_bytes(two)
    again = api.expand(source=listed, recipe=recipe, out=one, copies=2, workers=1)
    assert again.unchanged == 3 and again.files_read == 0
    (listed / "labels.txt").write_text("img0.png cat\nimg2.png cat\n")  # img1 leaves the dataset
    pruned = api.expand(source=listed, recipe=recipe, out=one, copies=2, workers=1)
    assert pruned.removed == 1
    assert not [p for p in (one / "dog").rglob("*") if p.is_file()]  # media and companions gone
    assert "dog" not in (one / "labels.txt").read_text() and verify(one) == []
    (one / "cat" / "img0__aug1.png.label").unlink()
    assert verify(one) == ["cat/img0__aug1.png.label: missing"]


def test_format_on_the_command_line_reaches_every_command(listed, write_recipe, run_cli, tmp_path):
    recipe, out = write_recipe(), tmp_path / "out"
    result = run_cli("expand", str(listed), "--recipe", str(recipe), "--copies", "1", "--out", str(out),
                     "--workers", "1", "--format", "listed")
    assert result.exit_code == 0 and "Layout: listed (from --format)" in result.stderr
    assert '"layout": "listed"' in (out / ".augment-run.json").read_text()
    assert run_cli("verify", str(out), "--format", "listed").exit_code == 0
    wrong = run_cli("verify", str(out), "--format", "folders")
    assert wrong.exit_code == 2 and "written from a 'listed' dataset, not 'folders'" in wrong.stderr
    stats = run_cli("stats", str(listed), "--format", "listed", "--json")
    assert stats.exit_code == 0 and '"cat"' in stats.stdout and '"dog"' in stats.stdout


def test_an_unknown_format_on_the_command_line_exits_2_before_any_output(image_tree, write_recipe,
                                                                         run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("expand", str(image_tree), "--recipe", str(write_recipe()), "--out", str(out),
                     "--format", "yolov9")
    assert result.exit_code == 2 and "unknown dataset format 'yolov9'" in result.stderr
    assert not out.exists()


def test_the_summary_says_which_layout_was_detected(image_tree, write_recipe, run_cli, tmp_path):
    result = run_cli("expand", str(image_tree), "--recipe", str(write_recipe()), "--copies", "1",
                     "--out", str(tmp_path / "out"), "--workers", "1")
    assert result.exit_code == 0 and "Layout: folders (detected)" in result.stderr
