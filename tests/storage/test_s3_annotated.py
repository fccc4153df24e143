"""Annotated layouts (YOLO, COCO, Pascal VOC, masks) in the bucket (moto server): the outputs,
label files, dataset files (data.yaml, the COCO JSON) and manifest byte-identical to a run on
the same tree on disk; mixing, re-runs after editing labels, resume, verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotation_datasets import HFLIP, coco_tree, drawn, masks_tree, voc_tree, yolo_tree
from augment_cli import api
from conftest import save
from storage_helpers import crossed_runs_agree, local_files, outputs, resumed_elsewhere

ROTATE = HFLIP + '\n[[image]]\ntransform = "rotate"\nangle_deg = [-20, 20]\n'


def _yolo_with_val(root: Path) -> Path:
    """yolo_tree plus a val split (copied unchanged, never augmented) and a classes.txt."""
    yolo_tree(root)
    (root / "data.yaml").write_text("path: /elsewhere\ntrain: images/train\nval: images/val\n"
                                    "names:\n  0: cat\n  1: dog\n")
    save(root / "images" / "val" / "v0.png", drawn(7, [(1, 4, 4, 30, 30)]))
    (root / "labels" / "val").mkdir(parents=True)
    (root / "labels" / "val" / "v0.txt").write_text("1 0.27 0.35 0.4 0.54\n")
    (root / "labels" / "train" / "classes.txt").write_text("cat\ndog\n")
    return root


BUILDERS = {"yolo": _yolo_with_val, "coco": coco_tree, "voc": voc_tree, "masks": masks_tree}


def _expand(src, recipe, out, **options):
    return api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1, seed=11, **options)


def _same_runs(local, remote) -> None:
    assert remote.layout == local.layout
    assert (remote.files_read, remote.copies_written) == (local.files_read, local.copies_written)
    reasons = [sorted((row.source, row.error) for row in run.failed) for run in (local, remote)]
    assert reasons[0] == reasons[1]
    assert remote.skipped == local.skipped


@pytest.mark.parametrize("layout", sorted(BUILDERS))
def test_an_annotated_dataset_in_the_bucket_matches_disk_byte_for_byte(s3, tmp_path, write_recipe, layout):
    src = BUILDERS[layout](tmp_path / "src")
    recipe = write_recipe(ROTATE)
    local = _expand(src, recipe, tmp_path / "local")
    remote = _expand(s3.upload(src, "raw"), recipe, s3.url("aug"))
    _same_runs(local, remote)
    assert remote.layout == layout and remote.copies_written > 0
    written = s3.objects("aug")
    assert outputs(written) == outputs(local_files(tmp_path / "local"))
    expected = {"yolo": "data.yaml", "coco": "annotations/instances.json", "voc": "Annotations/im0__aug1.xml",
                "masks": "masks/train/im0__aug1.png"}[layout]
    assert expected in written and "manifest.csv" in written


@pytest.mark.parametrize("layout", ["yolo", "coco"])
def test_local_source_into_a_bucket_and_bucket_into_a_local_folder(s3, tmp_path, write_recipe, layout):
    crossed_runs_agree(s3, BUILDERS[layout](tmp_path / "src"), write_recipe(HFLIP), tmp_path, _expand)


def test_mosaic_reads_its_partners_and_their_labels_on_the_bucket(s3, tmp_path, write_recipe):
    src = yolo_tree(tmp_path / "src")
    recipe = write_recipe('[[image]]\ntransform = "mosaic"\n')
    local = _expand(src, recipe, tmp_path / "local")
    remote = _expand(s3.upload(src, "raw"), recipe, s3.url("aug"))
    _same_runs(local, remote)
    assert not remote.failed
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def test_editing_a_label_object_redoes_that_image_only(s3, tmp_path, write_recipe):
    src = _yolo_with_val(tmp_path / "src")
    recipe = write_recipe(HFLIP)
    url, out = s3.upload(src, "raw"), s3.url("aug")
    first = _expand(url, recipe, out)
    again = _expand(url, recipe, out)
    assert again.unchanged == first.files_read == 4 and again.copies_written == 0
    edited = "0 0.5 0.5 0.25 0.25\n"
    s3.fs.pipe_file(f"{s3.name}/raw/labels/train/im0.txt", edited.encode())
    s3.fs.rm_file(f"{s3.name}/raw/images/train/im1.png")
    s3.fs.rm_file(f"{s3.name}/raw/labels/train/im1.txt")
    changed = _expand(url, recipe, out)
    assert (changed.regenerated, changed.removed, changed.unchanged) == (1, 1, 2)
    (src / "labels/train/im0.txt").write_text(edited)
    (src / "images/train/im1.png").unlink()
    (src / "labels/train/im1.txt").unlink()
    _expand(src, recipe, tmp_path / "local")
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def test_an_interrupted_coco_run_resumes_from_another_machine(s3, tmp_path, write_recipe, monkeypatch):
    src = coco_tree(tmp_path / "src")
    recipe = write_recipe(HFLIP)
    url, out = s3.upload(src, "raw"), s3.url("aug")
    again = resumed_elsewhere(lambda **stop: _expand(url, recipe, out, **stop), monkeypatch,
                              tmp_path / "second-machine")
    assert (again.unchanged, again.added) == (2, 1)
    document = json.loads((src / "annotations/instances.json").read_text())
    document["annotations"] = [ann for ann in document["annotations"] if ann["image_id"] != 101]
    (src / "annotations/instances.json").write_text(json.dumps(document))
    s3.fs.pipe_file(f"{s3.name}/raw/annotations/instances.json",
                    (src / "annotations/instances.json").read_bytes())
    edited = _expand(url, recipe, out)
    assert (edited.regenerated, edited.unchanged) == (1, 2)  # only im1's annotations changed
    _expand(src, recipe, tmp_path / "local")
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


@pytest.mark.parametrize("layout", sorted(BUILDERS))
def test_verify_an_annotated_run_in_the_bucket(s3, tmp_path, write_recipe, run_cli, layout):
    src = BUILDERS[layout](tmp_path / "src")
    out = s3.url("aug")
    _expand(s3.upload(src, "raw"), write_recipe(HFLIP), out)
    ok = run_cli("verify", out)
    assert ok.exit_code == 0, ok.output
    label = {"yolo": "labels/train/im0__aug1.txt", "coco": ".augment-coco/images/im0__aug1.png.json",
             "voc": "Annotations/im0__aug1.xml", "masks": "masks/train/im0__aug1.png"}[layout]
    s3.fs.rm_file(f"{s3.name}/aug/{label}")
    bad = run_cli("verify", out)
    assert bad.exit_code == 1
    assert f"{label}: missing" in bad.stdout


def test_annotations_names_a_coco_json_in_the_bucket(s3, tmp_path, write_recipe, run_cli):
    src = coco_tree(tmp_path / "src")
    (src / "annotations" / "instances.json").rename(src / "labels.json")
    recipe = write_recipe(HFLIP)
    local = _expand(src, recipe, tmp_path / "local", annotations=str(src / "labels.json"))
    url = s3.upload(src, "raw")
    remote = _expand(url, recipe, s3.url("aug"), annotations=f"{url}/labels.json")
    _same_runs(local, remote)
    assert remote.copies_written == 6
    expected = outputs(local_files(tmp_path / "local"))
    assert outputs(s3.objects("aug")) == expected and "labels.json" in expected
    # SOURCE left out: the JSON's folder, as on disk; through the CLI
    result = run_cli("expand", "--annotations", f"{url}/labels.json", "--recipe", str(recipe),
                     "--out", s3.url("again"), "--copies", "2", "--seed", "11", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert outputs(s3.objects("again")) == expected
    assert run_cli("verify", s3.url("again")).exit_code == 0
    plan = run_cli("expand", "--annotations", f"{url}/labels.json", "--recipe", str(recipe),
                   "--out", s3.url("planned"), "--copies", "2", "--dry-run")
    assert plan.exit_code == 0, plan.output
    assert "3 files -> 6 outputs" in plan.stdout and s3.objects("planned") == {}


def test_annotations_outside_a_url_source_is_one_line(s3, tmp_path, write_recipe, run_cli):
    url = s3.upload(coco_tree(tmp_path / "src"), "raw")
    recipe = str(write_recipe(HFLIP))
    outside = run_cli("expand", f"{url}/images", "--annotations", f"{url}/annotations/instances.json",
                      "--recipe", recipe, "--out", s3.url("aug"))
    assert outside.exit_code == 2
    assert outside.stderr.splitlines()[0] == (f"Error: --annotations {url}/annotations/instances.json is "
                                              f"not inside the source folder {url}/images")
    missing = run_cli("expand", url, "--annotations", f"{url}/nope.json", "--recipe", recipe,
                      "--out", s3.url("aug"))
    assert missing.stderr.splitlines()[0] == f"Error: --annotations {url}/nope.json: no such file"
    assert s3.objects("aug") == {}


def test_stats_of_a_coco_json_named_by_url(s3, tmp_path, run_cli):
    src = coco_tree(tmp_path / "src")
    url = s3.upload(src, "raw")
    local = run_cli("stats", "--annotations", str(src / "annotations/instances.json"), str(src), "--json")
    remote = run_cli("stats", "--annotations", f"{url}/annotations/instances.json", url, "--json")
    assert remote.exit_code == local.exit_code == 0, remote.output
    shown = [json.loads(result.stdout) for result in (local, remote)]
    assert shown[1].pop("source") == url and shown[0].pop("source") == str(src)
    assert shown[0] == shown[1]


@pytest.mark.parametrize("layout", ["yolo", "coco"])
def test_annotated_shards_merged_in_the_bucket_are_the_unsharded_run(s3, tmp_path, write_recipe, run_cli,
                                                                     monkeypatch, layout):
    src = BUILDERS[layout](tmp_path / "src")
    recipe = write_recipe(HFLIP)
    _expand(src, recipe, tmp_path / "local")
    url, out = s3.upload(src, "raw"), s3.url("aug")
    for k in (1, 2):
        monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / f"machine{k}"))
        _expand(url, recipe, out, shard=f"{k}/2")
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "machine3"))
    merged = run_cli("merge", out)
    assert merged.exit_code == 0, merged.output
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))
    assert run_cli("verify", out).exit_code == 0


@pytest.mark.slow
def test_a_dask_cluster_reads_and_writes_an_annotated_bucket(s3, tmp_path, write_recipe):
    from augment_cli.run.engines import Engine

    src = _yolo_with_val(tmp_path / "src")
    recipe = write_recipe(ROTATE)
    _expand(src, recipe, tmp_path / "local")
    # The endpoint and keys reach workers started before this test in the jobs, as a user's would.
    options = [f"endpoint_url={s3.endpoint}", "key=testing", "secret=testing"]
    summary = api.expand(source=s3.upload(src, "raw"), recipe=recipe, out=s3.url("aug"), copies=2, seed=11,
                         workers=2, engine=Engine("dask", batch_size=1), storage_options=options)
    assert summary.cluster, "the batches ran on Dask workers"
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def test_bad_labels_in_the_bucket_are_reported_as_on_disk(s3, tmp_path, write_recipe, run_cli):
    src = yolo_tree(tmp_path / "src")
    (src / "labels/train/im0.txt").write_text("7 0.5 0.5 0.2 0.2\n")  # a class data.yaml does not name
    recipe = write_recipe(HFLIP)
    local = _expand(src, recipe, tmp_path / "local")
    url = s3.upload(src, "raw")
    remote = _expand(url, recipe, s3.url("aug"))
    reasons = [[(row.source, row.error) for row in run.failed] for run in (local, remote)]
    assert reasons[0] == reasons[1]
    assert remote.failed and "labels/train/im0.txt:1" in remote.failed[0].error
    s3.fs.pipe_file(f"{s3.name}/raw/data.yaml", b"train: images/train\n")
    broken = run_cli("expand", url, "--recipe", str(recipe), "--out", s3.url("aug"))
    assert broken.exit_code == 2
    assert broken.stderr.splitlines()[0] == (f"Error: {url}/data.yaml: has no 'names' "
                                             "(the class names of the labels)")
