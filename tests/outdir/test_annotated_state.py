"""The run state of an annotated DIR: manifest columns read back, an older index gains
its columns, and a damaged index is rebuilt with the labels' digests."""

from __future__ import annotations

import sqlite3

from test_recovery import damage_as_a_power_cut_would

from annotation_datasets import PIXEL_ONLY, yolo_tree
from augment_cli import api
from augment_cli.outdir.index import INDEX_NAME, Index
from augment_cli.outdir.manifest import COLUMNS, MANIFEST_NAME, ManifestRow, read_manifest
from conftest import tree_bytes


def test_an_annotated_manifest_reads_back_with_its_object_counts(tmp_path, write_recipe):
    out = tmp_path / "out"
    api.expand(source=yolo_tree(tmp_path / "src"), recipe=write_recipe(PIXEL_ONLY), out=out, copies=1,
               workers=1)
    rows = {row.file_name: row for row in read_manifest(out / MANIFEST_NAME)}
    assert rows["images/train/im1__aug1.png"].annotations == "labels/train/im1__aug1.txt"
    assert (rows["images/train/im1__aug1.png"].objects, rows["images/train/im2__aug1.png"].objects) == (2, 0)


def test_a_class_folder_manifest_keeps_its_seven_columns(image_tree, write_recipe, tmp_path):
    out = tmp_path / "out"
    api.expand(source=image_tree, recipe=write_recipe(), out=out, copies=1, workers=1)
    assert (out / MANIFEST_NAME).read_text().splitlines()[0] == ",".join(COLUMNS)
    assert all(row.objects is None for row in read_manifest(out / MANIFEST_NAME))


def test_an_index_from_before_annotated_layouts_gains_their_columns(tmp_path):
    with sqlite3.connect(tmp_path / INDEX_NAME) as db:
        db.execute("CREATE TABLE rows (file_name TEXT PRIMARY KEY, label TEXT, source TEXT, copy INTEGER, "
                   "modality TEXT, transforms TEXT, sha256 TEXT)")
        db.execute("INSERT INTO rows VALUES ('cat/a__aug1.png', 'cat', 'cat/a.png', 1, 'image', '[]', 'ff')")
    db.close()
    index = Index(tmp_path)
    assert list(index.manifest_rows()) == [ManifestRow("cat/a__aug1.png", "cat", "cat/a.png", 1, "image",
                                                       "[]", "ff")]
    index.close()


def test_a_damaged_index_of_an_annotated_run_is_rebuilt_and_keeps_its_sources(tmp_path, write_recipe):
    src, out, recipe = yolo_tree(tmp_path / "src"), tmp_path / "out", write_recipe(PIXEL_ONLY)
    api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1)
    files = tree_bytes(out)
    damage_as_a_power_cut_would(out)
    rebuilt = api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1)
    assert any("3 of 3 sources kept" in warning for warning in rebuilt.warnings)
    assert rebuilt.unchanged == 3 and tree_bytes(out) == files
    (src / "labels" / "train" / "im0.txt").write_text("1 0.5 0.5 0.5 0.5\n")
    assert api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1).regenerated == 1
