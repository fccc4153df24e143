"""The voc and masks layouts: Pascal VOC XML and semantic mask folders, read and written back."""

from __future__ import annotations

import csv
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from PIL import Image

from annotation_datasets import BOXES, HEIGHT, PIXEL_ONLY, WIDTH, masks_tree, voc_tree
from augment_cli import api, layouts
from augment_cli.outdir.verify import verify
from conftest import tree_bytes


def objects_of(path: Path) -> list[dict]:
    root = ElementTree.parse(path).getroot()
    return [{child.tag: child.text for child in node if child.tag != "bndbox"}
            | {"box": [int(node.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")]}
            for node in root.iter("object")]


def test_voc_objects_keep_name_difficult_truncated_and_size_is_rewritten(tmp_path, write_recipe):
    src, out = voc_tree(tmp_path / "src"), tmp_path / "out"
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=2, workers=1)
    assert summary.exit_code == 0 and summary.files_read == 3 and summary.layout == "voc"
    for i in BOXES:
        assert objects_of(out / "Annotations" / f"im{i}__aug1.xml") == (
            objects_of(src / "Annotations" / f"im{i}.xml") if BOXES[i] else [])
    root = ElementTree.parse(out / "Annotations" / "im1__aug2.xml").getroot()
    assert root.findtext("filename") == "im1__aug2.png"
    size = [root.findtext(f"size/{k}") for k in ("width", "height", "depth")]
    assert size == [str(WIDTH), str(HEIGHT), "3"]
    assert objects_of(out / "Annotations" / "im1__aug2.xml")[1] == {
        "name": "cat", "pose": "Left", "truncated": "1", "difficult": "0", "box": [3, 31, 14, 46]}
    assert verify(out) == []


def test_written_voc_loads_with_supervision_with_the_manifests_object_counts(tmp_path, write_recipe):
    import supervision as sv

    src, out = voc_tree(tmp_path / "src"), tmp_path / "out"
    api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=2, workers=1)
    dataset = sv.DetectionDataset.from_pascal_voc(images_directory_path=str(out / "JPEGImages"),
                                                  annotations_directory_path=str(out / "Annotations"))
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        counts = {Path(row["file_name"]).name: int(row["objects"]) for row in csv.DictReader(handle)}
    assert len(dataset) == 6 and sorted(dataset.classes) == ["cat", "dog"]
    assert {Path(path).name: len(detections) for path, _, detections in dataset} == counts


def test_an_xml_that_does_not_parse_or_has_no_image_is_reported(tmp_path, write_recipe):
    src, out = voc_tree(tmp_path / "src"), tmp_path / "out"
    (src / "Annotations" / "im0.xml").write_text("<annotation><object>")
    (src / "Annotations" / "lost.xml").write_text("<annotation/>")
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1)
    reasons = sorted(f"{row.source}: {row.error}" for row in summary.failed)
    assert summary.exit_code == 1 and summary.files_read == 2
    assert reasons[0].startswith("Annotations/lost.xml: an annotation file with no image")
    assert reasons[1].startswith("JPEGImages/im0.png: Annotations/im0.xml: not well-formed XML")
    assert not (out / "JPEGImages" / "im0__aug1.png").exists() and verify(out) == []


@pytest.mark.parametrize("bits", [8, 16])
def test_masks_travel_with_every_copy_at_their_depth(tmp_path, write_recipe, bits):
    src, out = masks_tree(tmp_path / "src", bits), tmp_path / "out"
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=2, workers=1)
    assert summary.exit_code == 0 and summary.layout == "masks"
    for i in BOXES:
        source = np.asarray(Image.open(src / "masks" / "train" / f"im{i}.png"))
        copy = np.asarray(Image.open(out / "masks" / "train" / f"im{i}__aug2.png"))
        assert copy.dtype == source.dtype and np.array_equal(copy, source)
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        rows = {row["file_name"]: row for row in csv.DictReader(handle)}
    assert rows["images/train/im1__aug1.png"]["annotations"] == "masks/train/im1__aug1.png"
    assert rows["images/train/im1__aug1.png"]["objects"] == "2"  # two classes on it
    assert verify(out) == []


def test_a_missing_wrong_sized_or_colour_mask_fails_its_image(tmp_path, write_recipe):
    src, out = masks_tree(tmp_path / "src"), tmp_path / "out"
    (src / "masks" / "train" / "im0.png").unlink()
    Image.new("L", (10, 10)).save(src / "masks" / "train" / "im1.png")
    Image.new("RGB", (WIDTH, HEIGHT)).save(src / "masks" / "train" / "im2.png")
    summary = api.expand(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, copies=1, workers=1)
    reasons = sorted(row.error for row in summary.failed)
    assert summary.exit_code == 1 and summary.files_read == 0
    assert reasons == ["images/train/im0.png: has no mask (looked for masks/<same path>.png)",
                       "masks/train/im1.png: the mask is 10x10, the image 64x48",
                       "masks/train/im2.png: a RGB image is not a mask (one integer class value per "
                       "pixel: L, P or 16-bit grayscale)"]


def test_voc_and_masks_trees_are_detected_and_deterministic(tmp_path, write_recipe):
    voc, masks = voc_tree(tmp_path / "voc"), masks_tree(tmp_path / "masks")
    assert layouts.find(voc) == "voc" and layouts.find(masks) == "masks"
    recipe = write_recipe(PIXEL_ONLY)
    for src in (voc, masks):
        one, two = tmp_path / f"{src.name}1", tmp_path / f"{src.name}2"
        api.expand(source=src, recipe=recipe, out=one, copies=2, workers=1)
        api.expand(source=src, recipe=recipe, out=two, copies=2, workers=2)
        assert tree_bytes(one) == tree_bytes(two)
