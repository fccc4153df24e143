"""stats, preview and verify on annotated datasets; geometric and mixing transforms
moving labels through each format's files."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from PIL import Image

from annotation_datasets import (
    BOXES,
    HEIGHT,
    HFLIP,
    PIXEL_ONLY,
    WIDTH,
    coco_tree,
    masks_tree,
    voc_tree,
    yolo_tree,
)
from augment_cli import api, layouts
from augment_cli.commands import preview as preview_module
from augment_cli.commands import stats as stats_module
from augment_cli.commands.overlay import PALETTE
from augment_cli.outdir.verify import verify


@pytest.mark.parametrize("make", [yolo_tree, coco_tree, voc_tree])
def test_stats_counts_objects_per_class_and_images_without_objects(tmp_path, make):
    stats = stats_module.collect(make(tmp_path / "src"))
    assert stats.as_dict()["objects"] == {"cat": 2, "dog": 1}
    assert stats.as_dict()["images_without_objects"] == 1
    assert "objects: cat 2, dog 1; images without objects: 1" in stats_module.stats_text(stats)


def test_stats_of_masks_counts_images_per_class_value_and_reports_bad_labels(tmp_path):
    src = masks_tree(tmp_path / "src")
    Image.new("RGB", (WIDTH, HEIGHT)).save(src / "masks" / "train" / "im0.png")
    stats = stats_module.collect(src)
    assert stats.objects == {"class 1": 1, "class 2": 1} and stats.without_objects == 1
    assert [path for path, _ in stats.unreadable] == ["images/train/im0.png"]


def test_class_folder_stats_have_no_object_counts(image_tree):
    assert "objects" not in stats_module.collect(image_tree).as_dict()


def test_preview_draws_the_labels_on_the_sheet(tmp_path, write_recipe):
    src, out = yolo_tree(tmp_path / "src"), tmp_path / "sheet.png"
    result = preview_module.preview(source=src, recipe=write_recipe(PIXEL_ONLY), out=out, samples=3,
                                    copies=1)
    assert result.exit_code == 0
    sheet = np.asarray(Image.open(out).convert("RGB")).reshape(-1, 3)
    plain = tmp_path / "plain"
    for image in (src / "images" / "train").iterdir():  # the same images, read as class folders
        (plain / "train").mkdir(parents=True, exist_ok=True)
        (plain / "train" / image.name).write_bytes(image.read_bytes())
    preview_module.preview(source=plain, recipe=write_recipe(PIXEL_ONLY), out=tmp_path / "p.png", samples=3,
                           copies=1)
    unlabelled = np.asarray(Image.open(tmp_path / "p.png").convert("RGB")).reshape(-1, 3)
    assert sheet.shape == unlabelled.shape
    for rgb in PALETTE[:2]:  # cat and dog boxes (scaled: near their colour), only on the annotated sheet
        assert (_near(sheet, rgb) & ~_near(unlabelled, rgb)).sum() > 200


def test_verify_checks_annotation_files_parse_and_lie_in_the_image(tmp_path, write_recipe):
    recipe = write_recipe(PIXEL_ONLY)
    for make, label, broken in (
            (yolo_tree, "labels/train/im0__aug1.txt", "0 0.5 0.5 0.2 zz\n"),
            (voc_tree, "Annotations/im0__aug1.xml", "<annotation>"),
            (masks_tree, "masks/train/im0__aug1.png", "not a png"),
            (coco_tree, ".augment-coco/images/im0__aug1.png.json", "{")):
        out = tmp_path / make.__name__
        api.expand(source=make(tmp_path / f"src-{make.__name__}"), recipe=recipe, out=out, copies=1,
                   workers=1)
        assert verify(out) == []
        (out / label).write_text(broken)
        problems = verify(out)
        assert len(problems) == 1 and problems[0].startswith(label), problems


@pytest.mark.parametrize("make", [yolo_tree, coco_tree, voc_tree])
def test_a_horizontal_flip_moves_boxes_in_every_format(tmp_path, write_recipe, make):
    src, out = make(tmp_path / "src"), tmp_path / "out"
    summary = api.expand(source=src, recipe=write_recipe(HFLIP), out=out, copies=1, workers=1)
    assert summary.exit_code == 0
    layout = api.make_plan(source=src, recipe=write_recipe(HFLIP), out=out, copies=1).layout
    for i, boxes in BOXES.items():
        sample = next(s for s in layout.walk(src, False, layouts.Scan()) if s.relative.endswith(f"im{i}.png"))
        name = layout.output_name(sample, 1, ".png")
        written = _reread(layout, out, name)
        expected = sorted((WIDTH - x1, y0, WIDTH - x0, y1) for _, x0, y0, x1, y1 in boxes)
        assert [tuple(round(v) for v in box) for box in written] == expected


def test_a_horizontal_flip_swaps_left_and_right_keypoints_by_flip_idx(tmp_path, write_recipe):
    src, out = yolo_tree(tmp_path / "src", "pose"), tmp_path / "out"
    api.expand(source=src, recipe=write_recipe(HFLIP), out=out, copies=1, workers=1)
    values = [float(v) for v in (out / "labels" / "train" / "im0__aug1.txt").read_text().split()]
    _, x0, y0, x1, y1 = BOXES[0][0]
    # keypoint 0 was the top-left corner (v=2), 1 the bottom-right (v=1); flipped and swapped:
    assert values[5:8] == pytest.approx([(WIDTH - x1) / WIDTH, y1 / HEIGHT, 1], abs=1e-3)
    assert values[8:11] == pytest.approx([(WIDTH - x0) / WIDTH, y0 / HEIGHT, 2], abs=1e-3)


def test_a_rotation_keeps_coco_masks_on_the_shape(tmp_path, write_recipe):
    from pycocotools.coco import COCO

    src, out = coco_tree(tmp_path / "src"), tmp_path / "out"
    api.expand(source=src, recipe=write_recipe('[[image]]\ntransform = "rotate"\nangle_deg = [-20, 20]\n'),
               out=out, copies=3, workers=1)
    coco = COCO(str(out / "annotations" / "instances.json"))
    for ann in coco.loadAnns(coco.getAnnIds()):
        image = coco.loadImgs(ann["image_id"])[0]
        pixels = np.asarray(Image.open(out / image["file_name"]).convert("L"))
        mask = coco.annToMask(ann).astype(bool)
        assert pixels[mask].mean() > 200  # the mask lies on the drawn (white) rectangle


def _near(pixels: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    return np.abs(pixels.astype(int) - rgb).sum(axis=1) < 40


def _reread(layout, out, name):
    """Boxes (x0, y0, x1, y1) in pixels of a written copy, through the layout that wrote it."""
    from augment_cli.layouts.base import Sample

    targets = layout.read_targets(out, Sample(name, "", "image"), (WIDTH, HEIGHT)) if layout.name != "coco" \
        else None
    if targets is not None:
        return sorted(tuple(obj.box) for obj in targets.objects)
    document = json.loads((out / "annotations" / "instances.json").read_text())
    image = next(i for i in document["images"] if i["file_name"] == name)
    return sorted((x, y, x + w, y + h) for ann in document["annotations"] if ann["image_id"] == image["id"]
                  for x, y, w, h in [ann["bbox"]])


def test_mosaic_brings_its_partners_objects_read_through_the_layout(tmp_path, write_recipe):
    src, out = yolo_tree(tmp_path / "src"), tmp_path / "out"
    summary = api.expand(source=src, recipe=write_recipe('[[image]]\ntransform = "mosaic"\n'), out=out,
                         copies=2, workers=1)
    assert summary.exit_code == 0
    # im2 is a background image: its mosaics hold only its partners' objects
    labels = [(out / "labels" / "train" / f"im2__aug{k}.txt").read_text() for k in (1, 2)]
    assert all(text.strip() for text in labels)
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        rows = {row["file_name"]: row for row in csv.DictReader(handle)}
    assert [int(rows[f"images/train/im2__aug{k}.png"]["objects"]) for k in (1, 2)] == [
        len(text.splitlines()) for text in labels]
    assert verify(out) == []


def test_a_transform_annotations_cannot_follow_exits_2_before_any_output(tmp_path, write_recipe, run_cli,
                                                                         monkeypatch):
    from augment_cli import registry

    registry.specs()
    monkeypatch.setattr(registry, "_TABLE", dict(registry._TABLE))

    def swirl(rng, drawn, meta):
        """A transform whose geometry is not known."""
        return drawn

    registry.register("test_swirl", modality="image", apply="x:y", geometry=registry.UNKNOWN)(swirl)
    recipe = write_recipe('[[image]]\ntransform = "test_swirl"\n')
    src, out = yolo_tree(tmp_path / "src"), tmp_path / "out"
    result = run_cli("expand", src, "--recipe", recipe, "--out", out, "--workers", 1)
    assert result.exit_code == 2 and "test_swirl cannot move yolo annotations" in result.stderr
    assert not out.exists()
    plain = run_cli("expand", tmp_path / "src" / "images", "--recipe", recipe, "--out", tmp_path / "o2",
                    "--dry-run")  # class folders carry no annotations: the same recipe plans
    assert plain.exit_code == 0
