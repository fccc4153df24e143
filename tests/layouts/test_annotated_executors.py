"""Annotated layouts on other executors: a YOLO run on a Dask LocalCluster, and
COCO shards merged (its JSON is built by merge from the copies' companions),
byte-identical to the local, unsharded run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from annotation_datasets import HFLIP, coco_tree, yolo_tree
from augment_cli import api
from augment_cli.outdir.merge import merge
from augment_cli.outdir.verify import verify
from conftest import tree_bytes

RUN_SECONDS = 240
MOVING = HFLIP.replace('transform = "hflip"', 'transform = "hflip"\np = 0.5') + """
[[image]]
transform = "rotate"
angle_deg = [-20, 20]
border = "constant"
"""


def _expand(*args) -> str:
    done = subprocess.run([sys.executable, "-m", "augment_cli", "expand", *map(str, args)],
                          capture_output=True, text=True, timeout=RUN_SECONDS)
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.slow
def test_a_yolo_run_on_a_local_dask_cluster_is_the_local_pool_run(tmp_path, write_recipe):
    pytest.importorskip("distributed", reason="the dask extra (distributed) is not installed")
    src, recipe = yolo_tree(tmp_path / "src"), write_recipe(MOVING)
    _expand(src, "-r", recipe, "-n", 3, "--out", tmp_path / "local", "--workers", 1, "-q")
    err = _expand(src, "-r", recipe, "-n", 3, "--out", tmp_path / "dask", "--executor", "dask",
                  "--workers", 2, "--batch-size", 1)
    assert "Dask: 3 batches on 2 workers" in err and "Layout: yolo" in err
    assert tree_bytes(tmp_path / "dask") == tree_bytes(tmp_path / "local")
    assert (tmp_path / "dask" / "labels" / "train" / "im1__aug3.txt").is_file()
    assert verify(tmp_path / "dask") == []


def test_coco_shards_merged_are_the_unsharded_run_json_included(tmp_path, write_recipe):
    src, recipe = coco_tree(tmp_path / "src"), write_recipe(MOVING)
    api.expand(source=src, recipe=recipe, out=tmp_path / "whole", copies=2, workers=1)
    for k in (1, 2):
        summary = api.expand(source=src, recipe=recipe, out=tmp_path / "parts", copies=2, workers=1,
                             shard=f"{k}/2")
        assert summary.exit_code == 0 and 0 < summary.files_read < 3
    assert not (tmp_path / "parts" / "annotations" / "instances.json").exists()  # merge writes it
    merged = merge(tmp_path / "parts")
    assert merged.shards == 2 and merged.sources == 3
    document = json.loads((tmp_path / "parts" / "annotations" / "instances.json").read_text())
    assert len(document["images"]) == 6 and len(document["annotations"]) == 6
    assert tree_bytes(tmp_path / "parts") == tree_bytes(tmp_path / "whole")
    assert verify(tmp_path / "parts") == []


def test_merge_writes_only_the_json_given_by_annotations(tmp_path, write_recipe):
    src, recipe = coco_tree(tmp_path / "src"), write_recipe(MOVING)
    given = src / "annotations" / "instances.json"
    (src / "annotations" / "val.json").write_text(given.read_text())  # another split's JSON, not asked for
    api.expand(source=src, recipe=recipe, out=tmp_path / "whole", copies=2, workers=1, annotations=given)
    for k in (1, 2):
        api.expand(source=src, recipe=recipe, out=tmp_path / "parts", copies=2, workers=1, shard=f"{k}/2",
                   annotations=given)
    merge(tmp_path / "parts")
    assert not (tmp_path / "parts" / "annotations" / "val.json").exists()
    assert tree_bytes(tmp_path / "parts") == tree_bytes(tmp_path / "whole")
    assert verify(tmp_path / "parts") == []
