"""The coco layout: COCO JSONs read, expanded and written back, checked with pycocotools."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from annotation_datasets import BOXES, HEIGHT, PIXEL_ONLY, WIDTH, coco_tree
from augment_cli import api, layouts
from augment_cli.outdir.verify import verify
from conftest import tree_bytes


def written(out: Path) -> dict:
    return json.loads((out / "annotations" / "instances.json").read_text())


def test_one_coco_file_per_input_with_new_ids_provenance_and_kept_blocks(tmp_path, write_recipe):
    src, out = coco_tree(tmp_path / "src"), tmp_path / "out"
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=2, workers=1)
    assert summary.exit_code == 0 and summary.files_read == 3 and summary.layout == "coco"
    document, source = written(out), json.loads((src / "annotations" / "instances.json").read_text())
    assert document["info"] == source["info"] and document["licenses"] == source["licenses"]
    assert document["categories"] == source["categories"]
    assert [image["id"] for image in document["images"]] == list(range(1, 7))
    assert [ann["id"] for ann in document["annotations"]] == list(range(1, 7))  # 3 objects x 2 copies
    first = document["images"][0]
    assert first["file_name"] == "images/im0__aug1.png" and (out / first["file_name"]).is_file()
    assert first["augment"] == {"source_image_id": 100, "copy": 1} and first["license"] == 1
    by_image = {image["id"]: image for image in document["images"]}
    crowd = [ann for ann in document["annotations"] if ann["iscrowd"] == 1]
    assert len(crowd) == 2 and all(isinstance(ann["segmentation"], dict) for ann in crowd)  # RLE stays RLE
    assert all(ann["attributes"] == {"occluded": False} for ann in document["annotations"])
    dog = [ann for ann in document["annotations"] if ann["category_id"] == 2]
    assert dog[0]["keypoints"] == [30, 10, 2, 59, 39, 1] and dog[0]["num_keypoints"] == 2
    assert by_image[dog[0]["image_id"]]["augment"]["source_image_id"] == 101
    assert verify(out) == []


def test_written_coco_loads_with_pycocotools_and_masks_match(tmp_path, write_recipe):
    from pycocotools.coco import COCO

    src, out = coco_tree(tmp_path / "src"), tmp_path / "out"
    api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=2, workers=1)
    coco = COCO(str(out / "annotations" / "instances.json"))
    assert len(coco.getImgIds()) == 6 and len(coco.getAnnIds()) == 6
    for ann in coco.loadAnns(coco.getAnnIds()):
        image = coco.loadImgs(ann["image_id"])[0]
        source_boxes = BOXES[image["augment"]["source_image_id"] - 100]
        box = next(b for b in source_boxes if [b[1], b[2], b[3] - b[1], b[4] - b[2]] == ann["bbox"])
        expected = np.zeros((HEIGHT, WIDTH), np.uint8)
        expected[box[2]:box[4], box[1]:box[3]] = 1
        mask = coco.annToMask(ann)
        assert (mask == expected).mean() > 0.97  # polygon rasterisation differs at the border only
        assert ann["area"] == pytest.approx(mask.sum(), abs=1)


def test_originals_included_keep_their_annotations_and_ids_stay_in_name_order(tmp_path, write_recipe):
    src, out = coco_tree(tmp_path / "src"), tmp_path / "out"
    api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1,
               include_originals=True)
    document = written(out)
    shown = [(image["id"], image["file_name"], image["augment"]["copy"]) for image in document["images"]]
    assert shown[:2] == [(1, "images/im0.png", 0), (2, "images/im0__aug1.png", 1)]
    source = json.loads((src / "annotations" / "instances.json").read_text())["annotations"][0]
    original = document["annotations"][0]
    assert original["bbox"] == source["bbox"] and original["segmentation"] == source["segmentation"]
    assert original["area"] == 20 * 16  # recomputed (the input said 0) from the polygon


def test_workers_resume_and_incremental_runs_rebuild_the_same_coco_file(tmp_path, write_recipe):
    src, recipe = coco_tree(tmp_path / "src"), write_recipe(PIXEL_ONLY)
    one, two = tmp_path / "one", tmp_path / "two"
    api.expand(source=src, recipe=recipe, out=one, copies=2, workers=1)
    api.expand(source=src, recipe=recipe, out=two, copies=2, workers=2)
    assert tree_bytes(one) == tree_bytes(two)
    before = written(one)
    again = api.expand(source=src, recipe=recipe, out=one, copies=2, workers=1)
    assert again.unchanged == 3 and written(one) == before  # rebuilt from the copies' companion files
    document = json.loads((src / "annotations" / "instances.json").read_text())
    document["annotations"] = [ann for ann in document["annotations"] if ann["image_id"] != 101]
    (src / "annotations" / "instances.json").write_text(json.dumps(document))
    edited = api.expand(source=src, recipe=recipe, out=one, copies=2, workers=1)
    assert edited.regenerated == 1 and edited.unchanged == 2  # only the edited image is redone
    assert len(written(one)["annotations"]) == 2 and verify(one) == []


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: d["annotations"][0].update(category_id=9), "annotation id 1000: category_id 9 is not one"),
    (lambda d: d["annotations"][0].update(segmentation=[[1, 2, 3, 4, 5, 6, 7]]), "odd number of values"),
    (lambda d: d["annotations"][0].update(bbox=[1, "x", 3, 4]), "bbox holds 'x', which is not a finite"),
    (lambda d: d["annotations"][0].update(bbox=[100, 100, 5, 5]), "the box lies wholly outside"),
])
def test_a_malformed_annotation_fails_its_image_only(tmp_path, write_recipe, change, reason):
    src, out = coco_tree(tmp_path / "src"), tmp_path / "out"
    path = src / "annotations" / "instances.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1)
    assert summary.exit_code == 1 and [row.source for row in summary.failed] == ["images/im0.png"]
    error = summary.failed[0].error
    assert error.startswith("annotations/instances.json: ") and reason in error
    assert not (out / "images" / "im0__aug1.png").exists()
    assert [image["file_name"] for image in written(out)["images"]] == ["images/im1__aug1.png",
                                                                        "images/im2__aug1.png"]


def test_a_json_naming_a_missing_file_or_not_parsing_is_reported(tmp_path, write_recipe):
    src, out = coco_tree(tmp_path / "src"), tmp_path / "out"
    (src / "images" / "im1.png").unlink()
    (src / "annotations" / "broken.json").write_text("{not json")
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1)
    assert summary.exit_code == 1 and summary.files_read == 2
    reasons = sorted(f"{row.source}: {row.error}" for row in summary.failed)
    assert reasons[0].startswith("annotations/broken.json (the file): is not a readable COCO file")
    assert reasons[1] == ("annotations/instances.json (image id 101): names 'im1.png', which is not in "
                          "the source folder")
    assert not (out / "annotations" / "broken.json").exists() and verify(out) == []


def test_a_roboflow_export_is_detected_and_its_file_names_stay_beside_the_json(tmp_path, write_recipe):
    src, out = coco_tree(tmp_path / "src"), tmp_path / "out"
    split = src / "train"
    split.mkdir()
    for image in (src / "images").iterdir():
        image.rename(split / image.name)
    (src / "annotations" / "instances.json").rename(split / "_annotations.coco.json")
    (src / "annotations").rmdir()
    (src / "images").rmdir()
    assert layouts.find(src) == "coco"
    api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1)
    document = json.loads((out / "train" / "_annotations.coco.json").read_text())
    assert [image["file_name"] for image in document["images"]] == ["im0__aug1.png", "im1__aug1.png",
                                                                    "im2__aug1.png"]
    assert verify(out) == []


def test_entries_that_cannot_be_images_of_this_file_are_refused_one_by_one(tmp_path, write_recipe):
    src, out = coco_tree(tmp_path / "src"), tmp_path / "out"
    path = src / "annotations" / "instances.json"
    document = json.loads(path.read_text())
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes((src / "images" / "im0.png").read_bytes())
    document["images"] += [{"id": 7, "file_name": "im0.png", "width": WIDTH, "height": HEIGHT},
                           {"id": 8, "file_name": str(outside), "width": WIDTH, "height": HEIGHT}]
    document["annotations"] += [{"id": 9, "image_id": 99, "category_id": 1, "bbox": [0, 0, 1, 1]}, "junk"]
    path.write_text(json.dumps(document))
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1)
    assert summary.files_read == 3 and sorted(row.error for row in summary.failed) == sorted([
        "is not an object", f"names {str(outside)!r}, which is not in the source folder",
        "lists images/im0.png a second time", "names image id 99, which the file does not list"])
