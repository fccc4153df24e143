"""What CI reads from a run: a run that did nothing fails with one line, the
summary comes as one JSON object, and a split tree expands its training split only."""

from __future__ import annotations

import json
from pathlib import Path

from augment_cli.layouts.splits import split_folders
from tests.conftest import save, textured

AUDIO = '[[audio]]\ntransform = "gain"\n'


def expand(run_cli, src: Path, recipe: Path, out: Path, *extra):
    return run_cli("expand", src, "--recipe", recipe, "--copies", 2, "--out", out, "--workers", 1, *extra)


def test_a_flat_source_is_exit_2_naming_the_unlabelled_files(tmp_path, write_recipe, run_cli):
    save(tmp_path / "flat" / "a.png", textured())
    save(tmp_path / "flat" / "b.png", textured())
    result = expand(run_cli, tmp_path / "flat", write_recipe(), tmp_path / "o")
    assert result.exit_code == 2 and not (tmp_path / "o").exists()
    assert (f"Error: nothing to expand in {tmp_path / 'flat'}: it holds 2 files (2 unlabelled (directly in "
            "the source folder)); files directly in the source folder have no label folder") in result.stderr


def test_an_empty_source_is_exit_2(tmp_path, write_recipe, run_cli):
    (tmp_path / "empty").mkdir()
    result = expand(run_cli, tmp_path / "empty", write_recipe(), tmp_path / "o")
    assert result.exit_code == 2
    assert "nothing to expand" in result.stderr and "holds no files" in result.stderr


def test_an_audio_recipe_on_images_says_which_modalities_were_found(image_tree, tmp_path, write_recipe,
                                                                   run_cli):
    recipe = write_recipe(AUDIO)
    result = expand(run_cli, image_tree, recipe, tmp_path / "o")
    assert result.exit_code == 2
    assert f"it holds 5 files (5 image); {recipe} has [[audio]] steps" in result.stderr
    assert run_cli("expand", image_tree, "-r", recipe, "-o", tmp_path / "o", "--dry-run").exit_code == 2


def test_json_summary_on_stdout_and_in_a_file(image_tree, tmp_path, write_recipe, run_cli):
    report = tmp_path / "summary.json"
    result = expand(run_cli, image_tree, write_recipe(), tmp_path / "o", "--json", "--summary-json", report)
    assert result.exit_code == 0
    found = json.loads(result.stdout)
    assert found == json.loads(report.read_text(encoding="utf-8"))
    assert found["sources"]["read"] == 5 and found["copies_written"] == 10 and found["exit_code"] == 0
    assert found["failed"] == [] and found["layout"] == "folders" and found["skipped"] == {}
    assert set(found["duplicates"]) == {"redrawn", "kept", "files_with_kept"}
    assert isinstance(found["seconds"], float)


def test_json_summary_lists_failed_files(image_tree, tmp_path, write_recipe, run_cli):
    (image_tree / "cat" / "broken.png").write_bytes(b"not a png")
    result = expand(run_cli, image_tree, write_recipe(), tmp_path / "o", "--json")
    found = json.loads(result.stdout)
    assert result.exit_code == 1 and found["exit_code"] == 1 and found["sources"]["failed"] == 1
    assert found["failed"][0]["source"] == "cat/broken.png"


def split_tree(root: Path) -> Path:
    for split, labels in (("train", ("cat", "dog")), ("val", ("cat",)), ("test", ("cat", "dog"))):
        for k, label in enumerate(labels):
            save(root / split / label / f"{split}{k}.png", textured(seed=k))
    return root


def test_a_split_tree_expands_only_its_training_split(tmp_path, write_recipe, run_cli):
    src, out = split_tree(tmp_path / "data"), tmp_path / "o"
    result = expand(run_cli, src, write_recipe(), out, "--json")
    found = json.loads(result.stdout)
    assert result.exit_code == 0 and found["sources"]["read"] == 2
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert names == ["cat/train0__aug1.png", "cat/train0__aug2.png", "dog/train1__aug1.png",
                     "dog/train1__aug2.png"]
    assert found["notes"] == [f"Splits in {src}: test, train, val; reading train/ only (its folders are "
                              "the labels), test, val left out, not copied (--split NAME for another)"]
    assert "left out, not copied" in result.stderr


def test_split_names_another_split_and_refuses_an_unknown_one(tmp_path, write_recipe, run_cli):
    src = split_tree(tmp_path / "data")
    assert expand(run_cli, src, write_recipe(), tmp_path / "v", "--split", "val").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "v").rglob("*.png")) == ["val0__aug1.png", "val0__aug2.png"]
    result = expand(run_cli, src, write_recipe(), tmp_path / "x", "--split", "holdout")
    assert result.exit_code == 2 and "has no folder holdout/; its splits: test, train, val" in result.stderr


def test_split_on_a_plain_class_folder_tree_is_refused(image_tree, tmp_path, write_recipe, run_cli):
    result = expand(run_cli, image_tree, write_recipe(), tmp_path / "o", "--split", "train")
    assert result.exit_code == 2 and "has no split folders" in result.stderr


def test_labels_named_like_splits_need_a_training_split_to_count(tmp_path):
    for name in ("test", "val"):
        (tmp_path / name).mkdir()
    assert split_folders(tmp_path) is None
    (tmp_path / "train").mkdir()
    assert split_folders(tmp_path) == ["test", "train", "val"]
    (tmp_path / "cat").mkdir()
    assert split_folders(tmp_path) is None


def test_stats_and_preview_read_the_training_split_too(tmp_path, write_recipe, run_cli):
    src = split_tree(tmp_path / "data")
    result = run_cli("stats", src, "--json")
    found = json.loads(result.stdout)
    assert sorted(found["labels"]) == ["cat", "dog"] and found["files"] == 2
    assert "reading train/ only" in found["notes"][0]
    result = run_cli("preview", src, "-r", write_recipe(), "-o", tmp_path / "p.png", "--copies", 1)
    assert result.exit_code == 0 and "left out, not copied" in result.stderr
