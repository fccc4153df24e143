"""train/val/test trees (layouts/splits.py) in the bucket (moto server): the split read, the
outputs, the manifest and the summary's note as for the same tree on disk; --split; re-runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from augment_cli import api
from augment_cli.errors import UsageError
from conftest import save, textured
from storage_helpers import local_files, outputs, resumed_elsewhere

FLIP = '[[image]]\ntransform = "hflip"\np = 0.5\n'


def _split_tree(root: Path, metadata: bool = False) -> Path:
    """train/ and val/ of class folders (or of media with a metadata.csv each), and test/."""
    for split, count in (("train", 3), ("val", 2), ("test", 1)):
        rows = ["file_name,label"]
        for i in range(count):
            label = ("cat", "dog")[i % 2]
            relative = f"img{i}.png" if metadata else f"{label}/img{i}.png"
            save(root / split / relative, textured(seed=10 * len(split) + i))
            rows.append(f"{relative},{label}")
        if metadata:
            (root / split / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def _expand(src, recipe, out, **options):
    return api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1, seed=5, **options)


@pytest.mark.parametrize("metadata", [False, True], ids=["class-folders", "metadata-per-split"])
def test_a_split_tree_in_the_bucket_matches_disk_byte_for_byte(s3, tmp_path, write_recipe, metadata):
    src = _split_tree(tmp_path / "src", metadata)
    recipe = write_recipe(FLIP)
    url = s3.upload(src, "raw")
    local = _expand(src, recipe, tmp_path / "local")
    remote = _expand(url, recipe, s3.url("aug"))
    assert remote.layout == local.layout == ("metadata" if metadata else "folders")
    assert (remote.files_read, remote.copies_written) == (local.files_read, local.copies_written) == (3, 6)
    assert [n.replace(url, "SRC") for n in remote.notes] == [n.replace(str(src), "SRC") for n in local.notes]
    assert "reading train/ only" in remote.notes[0]
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def test_split_names_the_split_a_url_run_reads(s3, tmp_path, write_recipe, run_cli):
    src = _split_tree(tmp_path / "src")
    recipe = write_recipe(FLIP)
    url = s3.upload(src, "raw")
    _expand(src, recipe, tmp_path / "local", split="val")
    remote = _expand(url, recipe, s3.url("aug"), split="val")
    assert remote.files_read == 2
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))
    with pytest.raises(UsageError, match=f"--split dev: {url} has no folder dev/; its splits: test, train"):
        _expand(url, recipe, s3.url("other"), split="dev")
    # Another split into the same DIR is another source folder, as on disk.
    with pytest.raises(UsageError, match=f"--out {s3.url('aug')} was made from another source folder "
                                         f"[(]{url}/val[)]"):
        _expand(url, recipe, s3.url("aug"))
    assert run_cli("verify", s3.url("aug")).exit_code == 0


def test_split_on_a_url_without_splits_is_refused_as_on_disk(s3, image_tree, write_recipe):
    url = s3.upload(image_tree, "raw")
    with pytest.raises(UsageError, match=f"--split val: {url} has no split folders"):
        _expand(url, write_recipe(FLIP), s3.url("aug"), split="val")
    assert s3.objects("aug") == {}


def test_a_split_run_resumes_and_re_runs_incrementally(s3, tmp_path, write_recipe, monkeypatch):
    src = _split_tree(tmp_path / "src")
    recipe = write_recipe(FLIP)
    url, out = s3.upload(src, "raw"), s3.url("aug")
    resumed = resumed_elsewhere(lambda **stop: _expand(url, recipe, out, **stop), monkeypatch,
                              tmp_path / "second-machine")
    assert (resumed.unchanged, resumed.added) == (2, 1)
    fresh = save(tmp_path / "new.png", textured(seed=77)).read_bytes()
    s3.fs.pipe_file(f"{s3.name}/raw/train/dog/img1.png", fresh)
    s3.fs.rm_file(f"{s3.name}/raw/train/cat/img2.png")
    s3.fs.pipe_file(f"{s3.name}/raw/val/cat/img0.png", fresh)  # another split: not read
    again = _expand(url, recipe, out)
    assert (again.regenerated, again.removed, again.unchanged, again.added) == (1, 1, 1, 0)
    (src / "train/dog/img1.png").write_bytes(fresh)
    (src / "train/cat/img2.png").unlink()
    _expand(src, recipe, tmp_path / "local")
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))
