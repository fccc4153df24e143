"""Proof the output is usable as-is by the loaders people train with.

Hugging Face `datasets` (imagefolder, from the test extra, offline), the
ImageFolder convention (torchvision's and Keras's folder rules) and pandas.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from augment_cli.outdir.manifest import read_manifest
from conftest import save, textured

# torchvision.datasets.folder.IMG_EXTENSIONS: what ImageFolder picks up.
TORCHVISION_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


@pytest.fixture
def flat_out(tmp_path, write_recipe, run_cli) -> Path:
    """An expanded tree with every file directly in its label folder (3 labels, uneven)."""
    src, out = tmp_path / "flat", tmp_path / "flat_out"
    for label, count in (("cat", 2), ("dog", 3), ("owl", 1)):
        for i in range(count):
            save(src / label / f"{label}{i}.png", textured(24, 32, seed=i))
    save(src / "dog" / "x.jpg", textured(24, 32, seed=9), quality=90)
    result = run_cli("expand", src, "-r", write_recipe(), "--copies", 3, "--out", out, "--workers", 1,
                     "--include-originals")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def nested_out(image_tree, write_recipe, run_cli, tmp_path) -> Path:
    out = tmp_path / "nested_out"
    result = run_cli("expand", image_tree, "-r", write_recipe(), "--copies", 2, "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    return out


def manifest_labels(out: Path) -> dict[str, str]:
    return {row.file_name: row.label for row in read_manifest(out / "manifest.csv")}


def image_folder_samples(root: Path) -> tuple[list[str], list[tuple[str, int]]]:
    """torchvision ImageFolder's rules: every sub-folder is a class, sorted;
    files found recursively under it, filtered by extension."""
    classes = sorted(entry.name for entry in os.scandir(root) if entry.is_dir())
    samples = []
    for index, name in enumerate(classes):
        for directory, _, files in sorted(os.walk(root / name, followlinks=True)):
            for file in sorted(files):
                if file.lower().endswith(TORCHVISION_EXTENSIONS):
                    samples.append(((Path(directory) / file).relative_to(root).as_posix(), index))
    return classes, samples


@pytest.mark.parametrize("tree", ["flat_out", "nested_out"])
def test_image_folder_convention(tree, request):
    out = request.getfixturevalue(tree)
    labels = manifest_labels(out)
    classes, samples = image_folder_samples(out)
    assert classes == sorted(set(labels.values()))  # no stray folder becomes a class
    assert {name: classes[index] for name, index in samples} == labels
    for name, _ in samples:
        with Image.open(out / name) as image:
            image.load()  # every file decodes in full


def load_imagefolder(out: Path, tmp_path: Path, **options):
    os.environ["HF_DATASETS_OFFLINE"] = "1"  # read before datasets is first imported
    import datasets

    dataset = datasets.load_dataset("imagefolder", data_dir=str(out), split="train",
                                    cache_dir=str(tmp_path / "hf-cache"), **options)
    paths = [Path(item["path"]).relative_to(out).as_posix()
             for item in dataset.cast_column("image", datasets.Image(decode=False))["image"]]
    return dataset, paths


def test_hugging_face_imagefolder_reads_labels_and_counts(flat_out, tmp_path):
    dataset, paths = load_imagefolder(flat_out, tmp_path)
    names = dataset.features["label"].names
    loaded = {path: names[label] for path, label in zip(paths, dataset["label"], strict=True)}
    assert loaded == manifest_labels(flat_out)
    assert Counter(loaded.values()) == {"cat": 8, "dog": 16, "owl": 4}
    assert dataset[0]["image"].size == (32, 24)


def test_hugging_face_imagefolder_with_manifest_as_metadata_for_nested_trees(nested_out, tmp_path):
    # imagefolder takes a label from the file's parent folder and drops labels
    # when files sit at different depths; manifest.csv as its metadata file
    # gives the right label at any depth, plus source, copy and transforms.
    dataset, paths = load_imagefolder(nested_out, tmp_path, metadata_filenames=["manifest.csv"])
    assert dict(zip(paths, dataset["label"], strict=True)) == manifest_labels(nested_out)
    assert "cat/deep/c__aug1.png" in paths
    assert set(dataset.column_names) == {"image", "label", "source", "copy", "modality", "transforms",
                                         "sha256"}


def test_manifest_reads_back_with_pandas_dtypes(tmp_path, write_recipe, run_cli):
    src, out = tmp_path / "src", tmp_path / "out"
    for label in ("NA", "null", "1"):  # pandas' default NA and number guessing must not bite
        save(src / label / "a.png", textured(8, 8))
    result = run_cli("expand", src, "-r", write_recipe(), "--copies", 2, "--out", out, "--workers", 1,
                     "--include-originals")
    assert result.exit_code == 0
    frame = pd.read_csv(out / "manifest.csv", dtype=str, keep_default_na=False).astype({"copy": "int64"})
    assert list(frame.columns) == ["file_name", "label", "source", "copy", "modality", "transforms", "sha256"]
    assert str(frame["copy"].dtype) == "int64" and sorted(set(frame["copy"])) == [0, 1, 2]
    assert sorted(set(frame["label"])) == ["1", "NA", "null"]
    assert all(frame[c].map(type).eq(str).all() for c in ("file_name", "source", "modality", "transforms"))
    plain = pd.read_csv(out / "manifest.csv")  # the default read: copy is int64 too
    assert str(plain["copy"].dtype) == "int64"
    assert all(pd.api.types.is_string_dtype(plain[c]) for c in ("file_name", "source", "transforms"))


AUDIO_RECIPE = Path(__file__).parent.parent / "recipes" / "audio.toml"


def test_audio_folder_convention_with_soundfile(tmp_path, run_cli):
    # HF audiofolder needs torch + torchcodec to decode: check its folder rule with soundfile instead.
    import numpy as np
    import soundfile

    rate = 8000
    for label, count in (("yes", 2), ("no", 1)):
        for i in range(count):
            path = tmp_path / "src" / label / f"{i}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            soundfile.write(path, 0.3 * np.sin(np.arange(rate // 4) * (0.1 + i)), rate)
    out = tmp_path / "out"
    result = run_cli("expand", tmp_path / "src", "-r", AUDIO_RECIPE, "--copies", 2, "--out", out,
                     "--workers", 1, "--include-originals")
    assert result.exit_code == 0, result.output
    labels = manifest_labels(out)
    classes = sorted(entry.name for entry in os.scandir(out) if entry.is_dir())
    found = {p.relative_to(out).as_posix(): p.relative_to(out).parts[0]
             for p in out.rglob("*") if p.is_file() and p.parent != out}
    assert classes == ["no", "yes"] and found == labels
    for name in found:
        info = soundfile.info(str(out / name))
        assert info.frames > 0 and soundfile.read(str(out / name))[0].size > 0


def test_plain_imagefolder_labels_every_copy_of_a_nested_tree(nested_out, tmp_path):
    # No extra arguments: DIR/metadata.csv (file_name, label) labels files at any depth.
    dataset, paths = load_imagefolder(nested_out, tmp_path)
    assert dict(zip(paths, dataset["label"], strict=True)) == manifest_labels(nested_out)
    assert dataset.column_names == ["image", "label"] and len(dataset) == 10


def test_a_flat_tree_keeps_class_labels_and_gets_no_metadata_file(flat_out):
    assert not (flat_out / "metadata.csv").exists()  # imagefolder's ClassLabel from the folders


def test_the_metadata_file_goes_when_the_tree_no_longer_needs_it(tmp_path, write_recipe, run_cli):
    src, out = tmp_path / "src", tmp_path / "out"
    save(src / "cat" / "a.png", textured(8, 8))  # one label: imagefolder would give no label column
    assert run_cli("expand", src, "-r", write_recipe(), "--out", out, "--workers", 1).exit_code == 0
    assert (out / "metadata.csv").read_text().splitlines() == [
        "file_name,label", *(f"cat/a__aug{k}.png,cat" for k in range(1, 6))]
    save(src / "dog" / "b.png", textured(8, 8, seed=1))
    assert run_cli("expand", src, "-r", write_recipe(), "--out", out, "--workers", 1).exit_code == 0
    assert not (out / "metadata.csv").exists()
