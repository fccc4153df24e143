"""Claiming DIR: another SRC, or a SRC that lost most of its files, never wipes it."""

from __future__ import annotations

import json
import shutil

from augment_cli.outdir.claim import STATE_NAME, too_many_gone
from conftest import tree_bytes


def expand(run_cli, src, recipe, out, *extra):
    return run_cli("expand", src, "--recipe", recipe, "--copies", 2, "--out", out, "--workers", 1, *extra)


def first_run(run_cli, src, recipe, out):
    assert expand(run_cli, src, recipe, out).exit_code == 0
    return tree_bytes(out)


def test_the_run_state_records_src_resolved(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    first_run(run_cli, image_tree / "cat" / "..", write_recipe(), out)
    assert json.loads((out / STATE_NAME).read_text())["src"] == str(image_tree)


def test_another_src_is_refused_before_any_output_unless_overwrite(image_tree, write_recipe, run_cli,
                                                                    tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    before = first_run(run_cli, image_tree, recipe, out)
    other = tmp_path / "val"
    shutil.copytree(image_tree / "dog", other / "dog")  # a real dataset, overlapping names
    result = expand(run_cli, other, recipe, out)
    assert result.exit_code == 2
    assert f"--out {out} was made from another source folder ({image_tree})" in result.stderr
    assert tree_bytes(out) == before
    replaced = expand(run_cli, other, recipe, out, "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert not [p for p in (out / "cat").rglob("*") if p.is_file()]


def test_an_empty_src_never_empties_dir(image_tree, write_recipe, run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    before = first_run(run_cli, image_tree, recipe, out)
    for label in ("cat", "dog"):  # the share is not mounted: its mount point is an empty folder
        shutil.rmtree(image_tree / label)
    result = expand(run_cli, image_tree, recipe, out)
    assert result.exit_code == 2
    assert f"5 of the 5 sources --out {out} was made from are gone from {image_tree}" in result.stderr
    assert "--allow-removals" in result.stderr
    assert tree_bytes(out) == before
    emptied = expand(run_cli, image_tree, recipe, out, "--allow-removals")
    assert emptied.exit_code == 0 and "5 removed" in emptied.stderr


def test_removing_a_large_share_needs_allow_removals(image_tree, write_recipe, run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    before = first_run(run_cli, image_tree, recipe, out)
    (image_tree / "cat" / "a.jpg").unlink()
    (image_tree / "dog" / "d.jpg").unlink()
    refused = expand(run_cli, image_tree, recipe, out)
    assert refused.exit_code == 2 and "2 of the 5 sources" in refused.stderr
    assert tree_bytes(out) == before
    allowed = expand(run_cli, image_tree, recipe, out, "--allow-removals")
    assert allowed.exit_code == 0 and "2 removed, 3 unchanged" in allowed.stderr


def test_the_threshold_lets_ordinary_deletions_through():
    assert not too_many_gone(0, 0) and not too_many_gone(0, 5)
    assert not too_many_gone(1, 2)              # one file is always free
    assert not too_many_gone(10, 100)           # 10 % is free
    assert too_many_gone(11, 100) and too_many_gone(2, 5)
    assert too_many_gone(1, 1) and too_many_gone(3, 3)   # all of them: never without a flag


def test_a_project_moved_whole_stays_incremental(image_tree, write_recipe, run_cli, tmp_path):
    project = tmp_path / "project"
    src, recipe = project / "src", project / "recipe.toml"
    shutil.move(image_tree, src)
    shutil.move(write_recipe(), recipe)
    first_run(run_cli, src, recipe, project / "out")
    moved = shutil.move(project, tmp_path / "elsewhere")  # SRC, recipe and DIR together
    result = expand(run_cli, moved / "src", moved / "recipe.toml", moved / "out")
    assert result.exit_code == 0, result.output
    assert "0 removed, 5 unchanged" in result.stderr
    only_dir = shutil.move(moved / "out", tmp_path / "out-alone")  # DIR moved, SRC where it was
    assert "5 unchanged" in expand(run_cli, moved / "src", moved / "recipe.toml", only_dir).stderr
    only_src = shutil.move(moved / "src", tmp_path / "src-alone")  # SRC moved on its own: refused
    refused = expand(run_cli, only_src, moved / "recipe.toml", only_dir)
    assert refused.exit_code == 2 and "made from another source folder" in refused.stderr


def test_a_state_from_before_src_was_recorded_is_still_read(image_tree, write_recipe, run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    first_run(run_cli, image_tree, recipe, out)
    state = json.loads((out / STATE_NAME).read_text())
    del state["src"]
    (out / STATE_NAME).write_text(json.dumps(state))
    result = expand(run_cli, image_tree, recipe, out)
    assert result.exit_code == 0 and "5 unchanged" in result.stderr
    assert json.loads((out / STATE_NAME).read_text())["src"] == str(image_tree)
