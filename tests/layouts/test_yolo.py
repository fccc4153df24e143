"""The yolo layout: Ultralytics trees read, expanded and written back (detect, segment, pose)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from annotation_datasets import BOXES, PIXEL_ONLY, yolo_tree
from augment_cli import api, layouts
from augment_cli.layouts.yolo import label_path
from augment_cli.outdir.verify import verify


def manifest(out: Path) -> list[dict[str, str]]:
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def numbers(text: str) -> list[float]:
    """Every value of a label file, line after line."""
    return [float(v) for line in text.splitlines() for v in line.split()]


@pytest.mark.parametrize("kind", ["detect", "segment", "pose"])
def test_labels_travel_with_every_copy_and_background_stays_background(tmp_path, write_recipe, kind):
    src, out = yolo_tree(tmp_path / "src", kind), tmp_path / "out"
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=2, workers=1,
                         include_originals=True)
    assert summary.exit_code == 0 and summary.files_read == 3 and summary.layout == "yolo"
    for i, boxes in BOXES.items():
        source_label = src / "labels" / "train" / f"im{i}.txt"
        for name in (f"im{i}.png", f"im{i}__aug1.png", f"im{i}__aug2.png"):
            written = (out / "labels" / "train" / name).with_suffix(".txt").read_text()
            if not boxes:
                assert written == ""  # a background image gets an empty label file
                continue
            assert numbers(written) == pytest.approx(numbers(source_label.read_text()), abs=1e-6)
    rows = {row["file_name"]: row for row in manifest(out)}
    assert rows["images/train/im1__aug1.png"]["annotations"] == "labels/train/im1__aug1.txt"
    assert [rows[f"images/train/im{i}__aug2.png"]["objects"] for i in range(3)] == ["1", "2", "0"]
    assert {row["dropped"] for row in rows.values()} == {"0"}
    assert verify(out) == []


def test_data_yaml_is_copied_with_its_splits_pointing_into_dir(tmp_path, write_recipe):
    src, out = yolo_tree(tmp_path / "src", "pose"), tmp_path / "out"
    api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1)
    written = yaml.safe_load((out / "data.yaml").read_text())
    assert "path" not in written  # splits resolve from DIR/data.yaml's own folder
    assert written["train"] == "images/train" and written["names"] == {0: "cat", 1: "dog"}
    assert written["kpt_shape"] == [2, 3] and written["flip_idx"] == [1, 0]


def test_roboflow_and_absolute_split_paths_are_made_to_point_into_dir(tmp_path, write_recipe):
    src, out = yolo_tree(tmp_path / "src"), tmp_path / "out"
    config = (src / "data.yaml").read_text()
    (src / "data.yaml").write_text(config.replace("train: images/train", "train: ../images/train")
                                   .replace("val: images/train", f"val: {src / 'images' / 'train'}"))
    api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1)
    written = yaml.safe_load((out / "data.yaml").read_text())
    assert (written["train"], written["val"]) == ("images/train", "images/train")


def test_written_yolo_loads_with_supervision_with_the_manifests_object_counts(tmp_path, write_recipe):
    import supervision as sv

    src, out = yolo_tree(tmp_path / "src"), tmp_path / "out"
    api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=2, workers=1)
    dataset = sv.DetectionDataset.from_yolo(images_directory_path=str(out / "images" / "train"),
                                            annotations_directory_path=str(out / "labels" / "train"),
                                            data_yaml_path=str(out / "data.yaml"))
    assert len(dataset) == 6 and dataset.classes == ["cat", "dog"]
    counts = {Path(row["file_name"]).name: int(row["objects"]) for row in manifest(out)}
    for path, _, detections in dataset:
        assert len(detections) == counts[Path(path).name]
        if counts[Path(path).name]:
            x0, y0, x1, y1 = detections.xyxy[0]
            assert (x0, y0, x1, y1) == pytest.approx(BOXES[int(Path(path).name[2])][0][1:], abs=0.01)


@pytest.mark.parametrize(("line", "reason"), [
    ("7 0.5 0.5 0.2 0.2", "labels/train/im0.txt:1: class id 7 is not one of the names in data.yaml (0, 1)"),
    ("0 0.1 0.1 0.5 0.1 0.5", "labels/train/im0.txt:1: a polygon needs an even number of coordinates"),
    ("0 0.5 abc 0.2 0.2", "labels/train/im0.txt:1: 'abc' is not a number"),
    ("0 1.5 1.5 0.2 0.2", "labels/train/im0.txt:1: the box lies wholly outside the 64x48 image"),
])
def test_a_malformed_label_fails_its_image_only(tmp_path, write_recipe, run_cli, line, reason):
    src, out = yolo_tree(tmp_path / "src"), tmp_path / "out"
    (src / "labels" / "train" / "im0.txt").write_text(line + "\n")
    result = run_cli("expand", src, "--recipe", write_recipe(PIXEL_ONLY), "--copies", "1", "--out", out,
                     "--workers", "1")
    assert result.exit_code == 1 and reason in result.stderr
    assert reason in (out / "errors.csv").read_text()
    assert not (out / "images" / "train" / "im0__aug1.png").exists()
    assert not (out / "labels" / "train" / "im0__aug1.txt").exists()
    assert (out / "images" / "train" / "im1__aug1.png").is_file() and verify(out) == []


def test_a_label_file_with_no_image_is_reported(tmp_path, write_recipe):
    src, out = yolo_tree(tmp_path / "src"), tmp_path / "out"
    (src / "labels" / "train" / "orphan.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (src / "labels" / "train" / "classes.txt").write_text("cat\ndog\n")  # LabelImg's: not a label file
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1)
    assert summary.exit_code == 1 and summary.files_read == 3
    assert summary.skipped == {"class list beside the labels (data.yaml's names are used)": 1}
    assert [(row.source, row.error.split(" (")[0]) for row in summary.failed] == [
        ("labels/train/orphan.txt", "a label file with no image")]


def test_labels_are_found_where_ultralytics_looks():
    assert label_path("images/train/a.jpg") == "labels/train/a.txt"
    assert label_path("train/images/a.b.png") == "train/labels/a.b.txt"
    assert label_path("images/x/images/y/a.jpg") == "images/x/labels/y/a.txt"  # the last images/


def test_a_yolo_tree_is_detected_and_a_tree_of_two_formats_asks_which(tmp_path):
    src = yolo_tree(tmp_path / "src")
    assert layouts.find(src) == "yolo"
    (src / "masks").mkdir()  # images/ + masks/ is also a mask dataset
    with pytest.raises(layouts.UsageError, match=r"looks like several dataset formats \(yolo, masks\)"):
        layouts.find(src)
    assert layouts.find(src, "yolo") == "yolo"


def _with_val_split(src: Path) -> Path:
    """The tree with a val split: the train images and labels again under val/."""
    for kind in ("images", "labels"):
        for path in sorted((src / kind / "train").iterdir()):
            (src / kind / "val").mkdir(parents=True, exist_ok=True)
            (src / kind / "val" / path.name).write_bytes(path.read_bytes())
    (src / "data.yaml").write_text((src / "data.yaml").read_text() + "val: images/val\n")
    return src


def test_only_the_training_split_is_expanded_the_others_are_copied_unchanged(tmp_path, write_recipe,
                                                                              run_cli):
    src, out = _with_val_split(yolo_tree(tmp_path / "src")), tmp_path / "out"
    result = run_cli("expand", src, "--recipe", write_recipe(PIXEL_ONLY), "--out", out, "--copies", "2",
                     "--workers", "1")
    assert result.exit_code == 0 and "val copied unchanged" in result.stderr
    val = sorted(p.name for p in (out / "images" / "val").iterdir())
    assert val == ["im0.png", "im1.png", "im2.png"]  # originals only: a val split is never augmented
    for name in val:
        assert (out / "images" / "val" / name).read_bytes() == (src / "images" / "val" / name).read_bytes()
        label, source_label = Path(name).with_suffix(".txt").name, src / "labels" / "val" / name
        expected = numbers(source_label.with_suffix(".txt").read_text()) if source_label.with_suffix(
            ".txt").exists() else []  # a background image: an empty label file
        assert numbers((out / "labels" / "val" / label).read_text()) == pytest.approx(expected, abs=1e-6)
    assert len(list((out / "images" / "train").iterdir())) == 6  # 3 sources x 2 copies
    assert yaml.safe_load((out / "data.yaml").read_text())["val"] == "images/val"
    assert verify(out) == []


def test_split_names_the_split_to_expand_and_an_unknown_one_exits_2(tmp_path, write_recipe, run_cli):
    src, out = _with_val_split(yolo_tree(tmp_path / "src")), tmp_path / "out"
    recipe = write_recipe(PIXEL_ONLY)
    chosen = run_cli("expand", src, "--recipe", recipe, "--out", out, "--copies", "1", "--workers", "1",
                     "--split", "val")
    assert chosen.exit_code == 0 and "val expanded; train copied unchanged" in chosen.stderr
    assert sorted(p.name for p in (out / "images" / "train").iterdir()) == ["im0.png", "im1.png", "im2.png"]
    assert len(list((out / "images" / "val").iterdir())) == 3 and verify(out) == []
    missing = run_cli("expand", src, "--recipe", recipe, "--out", tmp_path / "none", "--split", "test")
    assert missing.exit_code == 2 and "no split test; its splits: train, val" in missing.stderr
    assert not (tmp_path / "none").exists()


def test_a_data_yaml_without_names_exits_2_before_any_output(tmp_path, write_recipe, run_cli):
    src, out = yolo_tree(tmp_path / "src"), tmp_path / "out"
    (src / "data.yaml").write_text("train: images/train\n")
    result = run_cli("expand", src, "--recipe", write_recipe(PIXEL_ONLY), "--out", out)
    assert result.exit_code == 2 and "has no 'names'" in result.stderr and not out.exists()


def test_workers_resume_and_incremental_runs_keep_labels_right(tmp_path, write_recipe):
    from conftest import tree_bytes

    src, recipe = yolo_tree(tmp_path / "src"), write_recipe(PIXEL_ONLY)
    one, two = tmp_path / "one", tmp_path / "two"
    api.expand(source=src, recipe=recipe, out=one, copies=2, workers=1)
    api.expand(source=src, recipe=recipe, out=two, copies=2, workers=2)
    assert tree_bytes(one) == tree_bytes(two)
    again = api.expand(source=src, recipe=recipe, out=one, copies=2, workers=1)
    assert again.unchanged == 3 and again.files_read == 0
    (src / "labels" / "train" / "im2.txt").write_text("1 0.5 0.5 0.25 0.25\n")  # background gets a box
    edited = api.expand(source=src, recipe=recipe, out=one, copies=2, workers=1)
    assert edited.regenerated == 1 and edited.unchanged == 2
    assert numbers((one / "labels" / "train" / "im2__aug1.txt").read_text()) == [1, 0.5, 0.5, 0.25, 0.25]
    (one / "labels" / "train" / "im0__aug1.txt").unlink()  # a lost label: its copy is redone
    resumed = api.expand(source=src, recipe=recipe, out=one, copies=2, workers=1)
    assert resumed.regenerated == 1 and (one / "labels" / "train" / "im0__aug1.txt").is_file()
    assert verify(one) == []


def test_an_image_is_never_left_without_its_label_file(tmp_path, write_recipe):
    src, out, recipe = yolo_tree(tmp_path / "src"), tmp_path / "out", write_recipe(PIXEL_ONLY)
    api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1)
    (src / "labels" / "train" / "im0.txt").write_text("1 0.5 0.5 0.5 0.5\n")  # im0 is redone
    (out / "labels" / "train" / "im0__aug2.txt").unlink()
    (out / "labels" / "train" / "im0__aug2.txt").mkdir()  # ... and its second label cannot be written
    summary = api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1)
    assert summary.exit_code == 1 and "cannot write labels/train/im0__aug2.txt" in summary.failed[0].error
    assert not list((out / "images" / "train").glob("im0__aug*"))  # neither copy, nor its label
    assert not (out / "labels" / "train" / "im0__aug1.txt").exists()
    assert (out / "images" / "train" / "im1__aug1.png").is_file()


def test_copies_of_an_annotated_image_are_distinct_with_their_labels(tmp_path, write_recipe):
    src, out = yolo_tree(tmp_path / "src"), tmp_path / "out"
    recipe = write_recipe('[[image]]\ntransform = "gaussian_blur"\np = 0.5\n')  # half the draws repeat
    summary = api.expand(source=src, recipe=recipe, out=out, copies=3, workers=1)
    assert summary.exit_code == 0
    rows = manifest(out)
    for i in range(3):
        hashes = [row["sha256"] for row in rows if row["source"] == f"images/train/im{i}.png"]
        assert len(set(hashes)) == 3  # redrawn rather than repeated
    assert all(row["transforms"] != "[]" for row in rows)
    assert verify(out) == []
