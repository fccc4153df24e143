"""Output names are claimed as DIR's file system compares them; adding a
source never evicts another's outputs."""

from __future__ import annotations

import os

import pytest
from test_incremental import outputs_with_mtimes

from augment_cli.outdir import naming
from augment_cli.outdir.lock import LOCK_NAME
from augment_cli.run import plan as plan_module
from conftest import save, textured
from test_expand_cli import read_rows


@pytest.fixture
def case_insensitive(monkeypatch):
    """DIR behaves as on a macOS or Windows volume (asked of naming.folds_case)."""
    monkeypatch.setattr(naming, "folds_case", lambda folder: True)
    monkeypatch.setattr(plan_module, "folds_case", lambda folder: True)


def expand(run_cli, src, recipe, out, *extra):
    return run_cli("expand", src, "--recipe", recipe, "--copies", 1, "--out", out, "--workers", 1, *extra)


def test_folds_case_asks_the_file_system_and_writes_nothing(tmp_path):
    assert naming.folds_case(tmp_path / "not" / "made" / "yet") is False  # ext4 under pytest's tmp
    assert not (tmp_path / "not").exists()
    (tmp_path / LOCK_NAME).write_text("")
    assert naming.folds_case(tmp_path) is False
    # A swapped-case name that opens the same file is what a case-insensitive volume shows.
    os.link(tmp_path / LOCK_NAME, tmp_path / LOCK_NAME.swapcase())
    assert naming.folds_case(tmp_path) is True


def test_a_case_variant_added_on_a_case_sensitive_dir_keeps_both(tmp_path, write_recipe, run_cli):
    src, out, recipe = tmp_path / "src", tmp_path / "out", write_recipe()
    save(src / "a" / "x.png", textured(seed=1))
    assert expand(run_cli, src, recipe, out).exit_code == 0
    before = outputs_with_mtimes(out)
    save(src / "a" / "X.png", textured(seed=2))
    result = expand(run_cli, src, recipe, out)
    assert result.exit_code == 0, result.output
    assert "1 added, 0 regenerated, 0 removed, 1 unchanged" in result.stderr
    after = outputs_with_mtimes(out)
    assert after["a/x__aug1.png"] == before["a/x__aug1.png"]
    assert {r["source"] for r in read_rows(out)} == {"a/X.png", "a/x.png"}


def test_on_a_case_insensitive_dir_the_newcomer_alone_is_reported(tmp_path, write_recipe, run_cli,
                                                                  case_insensitive):
    src, out, recipe = tmp_path / "src", tmp_path / "out", write_recipe()
    save(src / "a" / "x.png", textured(seed=1))
    assert expand(run_cli, src, recipe, out).exit_code == 0
    before = outputs_with_mtimes(out)
    save(src / "a" / "X.png", textured(seed=2))  # sorts first, yet x.png keeps its names
    result = expand(run_cli, src, recipe, out)
    assert result.exit_code == 1
    assert "Error: a/X.png: its output names collide with those of a/x.png" in result.stderr
    assert "0 removed, 1 unchanged" in result.stderr
    assert outputs_with_mtimes(out) == before
    assert [r["source"] for r in read_rows(out)] == ["a/x.png"]
    assert (out / "errors.csv").read_text().count("collide") == 1


def test_two_new_case_variants_the_first_in_walk_order_wins(tmp_path, write_recipe, run_cli,
                                                            case_insensitive):
    src, out, recipe = tmp_path / "src", tmp_path / "out", write_recipe()
    save(src / "cat" / "A.png", textured(seed=1))
    save(src / "cat" / "a.png", textured(seed=2))
    plan = expand(run_cli, src, recipe, out, "--dry-run")
    assert "refused cat/a.png: its output names collide with those of cat/A.png" in plan.stdout
    result = expand(run_cli, src, recipe, out)
    assert result.exit_code == 1
    assert "Error: cat/a.png: its output names collide with those of cat/A.png" in result.stderr
    assert [r["source"] for r in read_rows(out)] == ["cat/A.png"]


def test_a_rename_to_a_case_variant_keeps_the_new_file(tmp_path, write_recipe, run_cli, case_insensitive):
    src, out, recipe = tmp_path / "src", tmp_path / "out", write_recipe()
    save(src / "a" / "x.png", textured(seed=1))
    save(src / "b" / "y.png", textured(seed=3))
    assert expand(run_cli, src, recipe, out).exit_code == 0
    (src / "a" / "x.png").rename(src / "a" / "X.png")
    result = expand(run_cli, src, recipe, out)
    assert result.exit_code == 0 and "1 added, 0 regenerated, 1 removed" in result.stderr
    # On a real case-insensitive volume a/x__aug1.png IS a/X__aug1.png, just written: not removed.
    assert (out / "a" / "x__aug1.png").exists()
    assert [r["source"] for r in read_rows(out)] == ["a/X.png", "b/y.png"]


def test_an_added_source_with_an_existing_output_name_does_not_evict_it(tmp_path, write_recipe, run_cli):
    # cat/x.png's copy 1 is named cat/x__aug1.png: the name of another source's original.
    src, out, recipe = tmp_path / "src", tmp_path / "out", write_recipe()
    save(src / "cat" / "x__aug1.png", textured(seed=1))
    assert expand(run_cli, src, recipe, out, "--include-originals").exit_code == 0
    before = outputs_with_mtimes(out)
    save(src / "cat" / "x.png", textured(seed=2))  # sorts before x__aug1.png
    result = expand(run_cli, src, recipe, out, "--include-originals")
    assert result.exit_code == 1
    assert "Error: cat/x.png: its output names collide with those of cat/x__aug1.png" in result.stderr
    assert outputs_with_mtimes(out) == before
