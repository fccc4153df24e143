"""What the layouts ask of a URL SRC (storage/lookups.py), on fsspec's memory:// (fast, no
server): the same answers as the same tree on disk gives the local code."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

import fsspec
import pytest

from annotation_datasets import HFLIP, voc_tree, yolo_tree
from augment_cli import api
from augment_cli.layouts import find
from augment_cli.layouts.coco import coco_files
from augment_cli.layouts.splits import choose_split, split_folders
from augment_cli.storage import lookups
from augment_cli.storage.location import remote
from storage_helpers import local_files

NAMES = ["train/cat/a.png", "val/dog/b.png", ".hidden/x", "_annotations.coco.json",
         "valid/_annotations.coco.json", "annotations/instances.json", "annotations/sub/deeper.json",
         "annotations/notes.txt", "data.yaml"]


@pytest.fixture
def memory_prefix():
    url = f"memory://lookups-{uuid.uuid4().hex[:8]}/raw"
    yield url
    with contextlib.suppress(FileNotFoundError):
        fsspec.filesystem("memory").rm(url.split("://")[1].split("/")[0], recursive=True)


def _both(names: list[str], url: str, folder: Path):
    location = remote(url)
    for name in names:
        location.fs.pipe_file(location.key(name), b"{}")
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"{}")
    return location


def test_a_names_kind_comes_from_its_folders_listing(memory_prefix, tmp_path):
    location = _both(NAMES, memory_prefix, tmp_path)
    assert lookups.kind(location, "train") == "folder" and lookups.kind(location, "train/cat/a.png") == "file"
    assert lookups.kind(location, "nope") is None and lookups.kind(location, "train/nope/x") is None
    assert lookups.kind(location, ".") == "folder" and lookups.is_folder(location, "annotations/sub")
    assert list(lookups.listing(location, "annotations")) == ["instances.json", "notes.txt", "sub"]


def test_listings_are_remembered_inside_a_run_only(memory_prefix, tmp_path):
    location = _both(["a/x.png"], memory_prefix, tmp_path)
    with lookups.remembered():
        assert not lookups.is_file(location, "a/y.png")
        location.fs.pipe_file(location.key("a/y.png"), b"new")
        assert not lookups.is_file(location, "a/y.png")  # one listing per folder for the run
    assert lookups.is_file(location, "a/y.png")  # a later run sees the bucket as it is


def test_layout_questions_get_the_answers_the_same_tree_on_disk_gives(memory_prefix, tmp_path):
    location = _both(NAMES, memory_prefix, tmp_path)
    assert coco_files(location) == coco_files(tmp_path) == ["_annotations.coco.json",
                                                            "annotations/instances.json",
                                                            "valid/_annotations.coco.json"]
    assert lookups.normalized("images/./train/") == "images/train" and lookups.normalized("../x") is None


def test_a_split_tree_is_told_from_its_listing(memory_prefix, tmp_path):
    location = _both(["train/cat/a.png", "val/dog/b.png", ".cache/x"], memory_prefix, tmp_path)
    assert split_folders(location) == split_folders(tmp_path) == ["train", "val"]
    chosen = choose_split(location, "val")
    assert chosen.root == location.child("val") and chosen.root.url == f"{memory_prefix}/val"
    assert chosen.note == choose_split(tmp_path, "val").note.replace(str(tmp_path), memory_prefix)
    location.fs.pipe_file(location.key("readme.txt"), b"not a split")
    (tmp_path / "readme.txt").write_text("not a split")
    assert split_folders(location) is split_folders(tmp_path) is None


@pytest.mark.parametrize("builder", [yolo_tree, voc_tree], ids=["yolo", "voc"])
def test_an_annotated_tree_in_memory_matches_disk(memory_prefix, tmp_path, write_recipe, builder):
    src = builder(tmp_path / "src")
    location = remote(memory_prefix)
    for path in sorted(src.rglob("*")):
        if path.is_file():
            location.fs.pipe_file(location.key(path.relative_to(src).as_posix()), path.read_bytes())
    assert find(location) == find(src)
    recipe = write_recipe(HFLIP)
    options = {"recipe": recipe, "copies": 2, "workers": 1, "seed": 2}
    api.expand(source=src, out=tmp_path / "local", **options)
    api.expand(source=memory_prefix, out=tmp_path / "from-memory", **options)
    outputs = [{name: blob for name, blob in local_files(tmp_path / folder).items()
                if not name.startswith(".augment-")} for folder in ("from-memory", "local")]
    assert outputs[0] == outputs[1] and "manifest.csv" in outputs[0]
