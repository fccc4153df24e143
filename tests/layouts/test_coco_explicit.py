"""COCO `--annotations FILE` on expand, preview and stats; images no JSON lists are
counted as skipped; an input JSON removed from SRC takes its output JSON with it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotation_datasets import PIXEL_ONLY, coco_tree
from augment_cli import api
from augment_cli.commands import stats as stats_module
from augment_cli.layouts.coco import SKIP_UNLISTED
from augment_cli.outdir.verify import verify
from conftest import save, textured


def moved_json(tmp_path: Path) -> tuple[Path, Path]:
    """A COCO tree whose JSON lies where no search looks: SRC/labels/train.json."""
    src = coco_tree(tmp_path / "src")
    target = src / "labels" / "train.json"
    target.parent.mkdir()
    (src / "annotations" / "instances.json").rename(target)
    (src / "annotations").rmdir()
    return src, target


def test_expand_reads_the_json_given_by_annotations_and_writes_it_back_at_its_place(tmp_path, run_cli,
                                                                                    write_recipe):
    src, labels = moved_json(tmp_path)
    out = tmp_path / "out"
    done = run_cli("expand", src, "--format", "coco", "--annotations", labels, "--recipe",
                   write_recipe(PIXEL_ONLY), "--copies", 2, "--out", out, "--workers", 1)
    assert done.exit_code == 0, done.output
    document = json.loads((out / "labels" / "train.json").read_text())
    assert len(document["images"]) == 6 and len(document["annotations"]) == 6
    assert all((out / image["file_name"]).is_file() for image in document["images"])
    assert verify(out) == []


def test_without_source_the_images_resolve_from_the_json_folder(tmp_path, run_cli, write_recipe):
    src = coco_tree(tmp_path / "src")
    listing = src / "images" / "listing.json"  # file_names "im0.png" ... beside it
    (src / "annotations" / "instances.json").rename(listing)
    out = tmp_path / "out"
    done = run_cli("expand", "--annotations", listing, "--recipe", write_recipe(PIXEL_ONLY),
                   "--copies", 1, "--out", out, "--workers", 1)
    assert done.exit_code == 0, done.output
    document = json.loads((out / "listing.json").read_text())
    assert sorted(image["file_name"] for image in document["images"]) == [
        "im0__aug1.png", "im1__aug1.png", "im2__aug1.png"]
    stats = stats_module.collect(None, annotations=listing)
    assert sum(label.files for label in stats.labels.values()) == 3


def test_stats_and_preview_take_annotations(tmp_path, run_cli, write_recipe):
    src, labels = moved_json(tmp_path)
    shown = run_cli("stats", src, "--annotations", labels, "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["labels"]["labels/train.json"]["files"] == 3
    sheet = tmp_path / "preview.png"
    drawn = run_cli("preview", src, "--annotations", labels, "--recipe", write_recipe(PIXEL_ONLY),
                    "--out", sheet, "--copies", 1, "--quiet")
    assert drawn.exit_code == 0, drawn.output
    assert sheet.is_file()


@pytest.mark.parametrize("content, reason", [(None, "no such file"), ("{not json", "not a readable COCO"),
                                             ('{"annotations": []}', "not a readable COCO")])
def test_a_missing_or_unparsable_annotations_file_is_exit_2_before_any_output(tmp_path, run_cli,
                                                                             write_recipe, content, reason):
    src = coco_tree(tmp_path / "src")
    bad = src / "annotations" / "given.json"
    if content is not None:
        bad.write_text(content)
    recipe, out = write_recipe(PIXEL_ONLY), tmp_path / "out"
    for args in (("expand", src, "--recipe", recipe, "--out", out), ("stats", src),
                 ("preview", src, "--recipe", recipe, "--out", tmp_path / "p.png")):
        done = run_cli(*args, "--annotations", bad)
        assert done.exit_code == 2, done.output
        assert "given.json" in done.output and reason in done.output
    assert not out.exists() and not (tmp_path / "p.png").exists()


def test_annotations_with_another_format_or_outside_source_is_exit_2(tmp_path, run_cli, write_recipe):
    src = coco_tree(tmp_path / "src")
    given = src / "annotations" / "instances.json"
    done = run_cli("stats", src, "--format", "yolo", "--annotations", given)
    assert done.exit_code == 2 and "--format yolo" in done.output
    elsewhere = coco_tree(tmp_path / "other")
    done = run_cli("stats", elsewhere / "images", "--annotations", given)
    assert done.exit_code == 2 and "not inside the source folder" in done.output


def test_images_no_json_lists_are_counted_as_skipped(tmp_path, write_recipe):
    src = coco_tree(tmp_path / "src")
    save(src / "images" / "forgotten.png", textured())
    save(src / "extra" / "also.png", textured())
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=tmp_path / "out", copies=1,
                         workers=1)
    assert summary.exit_code == 0 and summary.files_read == 3
    assert summary.skipped[SKIP_UNLISTED] == 2
    assert stats_module.collect(src).skipped[SKIP_UNLISTED] == 2


def test_an_input_json_removed_from_source_removes_its_output_json(tmp_path, write_recipe):
    src = coco_tree(tmp_path / "src")
    whole = json.loads((src / "annotations" / "instances.json").read_text())
    for name, ids in (("a.json", {100, 102}), ("b.json", {101})):
        part = {**whole, "images": [i for i in whole["images"] if i["id"] in ids],
                "annotations": [a for a in whole["annotations"] if a["image_id"] in ids]}
        (src / "annotations" / name).write_text(json.dumps(part))
    (src / "annotations" / "instances.json").unlink()
    out, recipe = tmp_path / "out", write_recipe(PIXEL_ONLY)
    api.expand(source=src, recipe=recipe, out=out, copies=1, workers=1)
    assert (out / "annotations" / "b.json").is_file()
    (src / "annotations" / "b.json").unlink()
    summary = api.expand(source=src, recipe=recipe, out=out, copies=1, workers=1, allow_removals=True)
    assert summary.exit_code == 0 and summary.removed == 1
    assert not (out / "annotations" / "b.json").exists() and (out / "annotations" / "a.json").is_file()
    assert summary.skipped[SKIP_UNLISTED] == 1  # im1.png: b.json listed it
    assert verify(out) == []


def test_no_source_and_no_annotations_is_exit_2(tmp_path, run_cli, write_recipe):
    done = run_cli("expand", "--recipe", write_recipe(PIXEL_ONLY), "--out", tmp_path / "out")
    assert done.exit_code == 2 and "no SOURCE given" in done.output
    assert not (tmp_path / "out").exists()
