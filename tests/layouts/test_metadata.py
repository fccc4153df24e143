"""Labels from a metadata file beside the media (layouts/metadata.py): every
problem reported, every column carried, and the output loaded back with
Hugging Face `datasets` (imagefolder and audiofolder, offline)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile

from augment_cli import api, layouts
from augment_cli.errors import UsageError
from augment_cli.outdir.verify import verify
from conftest import save, textured

AUDIO = Path(__file__).parents[2] / "recipes" / "audio.toml"
FLIP = '[[image]]\ntransform = "hflip"\n'


def image_src(root: Path) -> Path:
    for i in range(3):
        save(root / f"img{i}.png", textured(seed=i))
    save(root / "sub" / "x.png", textured(seed=5))
    return root


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(builder: str, out: Path, tmp_path: Path):
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    import datasets

    return datasets.load_dataset(builder, data_dir=str(out), split="train", cache_dir=str(tmp_path / "hf"))


def test_a_metadata_file_is_detected_and_every_problem_reported(tmp_path, write_recipe):
    src = image_src(tmp_path / "src")
    save(src / "stray.png", textured(seed=6))
    (src / "metadata.csv").write_text(
        "file_name,label,caption\nimg0.png,cat,\"a cat, sitting\"\nimg1.png,dog,=dog\n"
        "sub/x.png,cat,deep\nimg2.png,1,two\nmissing.png,dog,gone\nimg0.png,cat,dup\n,cat,no name\n"
        "img9.png,too,many,fields\n", encoding="utf-8")
    assert layouts.find(src) == "metadata"
    out = tmp_path / "out"
    summary = api.expand(source=src, recipe=write_recipe(FLIP), out=out, copies=1, workers=1)
    assert summary.layout == "metadata" and summary.files_read == 4 and summary.copies_written == 4
    assert sorted((row.source, row.error) for row in summary.failed) == [
        ("metadata.csv:7", "a second row for img0.png (the first is line 2)"),
        ("metadata.csv:8", "no file_name in this row"),
        ("metadata.csv:9", "expected 3 fields, found 4"),
        ("missing.png", "listed in metadata.csv (line 6) but not found"),
        ("stray.png", "has no row in metadata.csv")]
    assert summary.exit_code == 1
    rows = csv_rows(out / "metadata.csv")
    assert [row["file_name"] for row in rows] == ["img0__aug1.png", "img1__aug1.png", "img2__aug1.png",
                                                  "sub/x__aug1.png"]
    assert rows[0]["caption"] == "a cat, sitting" and rows[1]["caption"] == "=dog"  # carried as read
    assert rows[3] == {"file_name": "sub/x__aug1.png", "label": "cat", "caption": "deep",
                       "augment_source": "sub/x.png", "augment_copy": "1",
                       "augment_transforms": '[{"transform":"hflip","params":{}}]'}
    assert (out / "sub" / "x__aug1.png").is_file() and verify(out) == []


def test_image_metadata_jsonl_loads_with_imagefolder_with_every_column(tmp_path, write_recipe):
    src = image_src(tmp_path / "src")
    lines = [{"file_name": "img0.png", "labels": ["cat", "indoor"], "score": 9007199254740993},
             {"file_name": "img1.png", "labels": ["dog"], "score": None},
             {"file_name": "img2.png", "labels": [], "score": 3},
             {"file_name": "sub/x.png", "labels": ["cat"], "score": 4}]
    (src / "metadata.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    out = tmp_path / "out"
    summary = api.expand(source=src, recipe=write_recipe(FLIP), out=out, copies=2, workers=1,
                         include_originals=True)
    assert summary.exit_code == 0 and summary.files_read == 4
    written = [json.loads(line) for line in (out / "metadata.jsonl").read_text().splitlines()]
    assert written[0] == {**lines[0], "augment_source": "img0.png", "augment_copy": 0,
                          "augment_transforms": "[]"}
    dataset = load("imagefolder", out, tmp_path)
    assert len(dataset) == 12
    assert dataset.column_names == ["image", "labels", "score", "augment_source", "augment_copy",
                                    "augment_transforms"]
    by_source = {(row["augment_source"], row["augment_copy"]): row["labels"] for row in dataset}
    assert by_source[("img0.png", 2)] == ["cat", "indoor"] and by_source[("sub/x.png", 1)] == ["cat"]
    assert dataset[0]["image"].size == (64, 48)


def test_audio_metadata_csv_loads_with_audiofolder(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(2):
        soundfile.write(src / f"clip{i}.wav", 0.3 * np.sin(np.arange(4000) * (0.1 + i)), 8000)
    (src / "metadata.csv").write_text("file_name,transcription,speaker_id\nclip0.wav,\"yes, please\",7\n"
                                      "clip1.wav,no,8\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = api.expand(source=src, recipe=AUDIO, out=out, copies=2, workers=1)
    assert summary.exit_code == 0 and summary.layout == "metadata"
    import datasets

    # datasets 5.x builds every Audio column through torch + torchcodec (and
    # FFmpeg), which the test extra does not bring: audiofolder refuses, and
    # the README shows the torch-free read this test runs instead.
    try:
        import torchcodec  # noqa: F401
    except ImportError:
        with pytest.raises(datasets.exceptions.DatasetGenerationError) as refused:
            load("audiofolder", out, tmp_path)
        assert "torchcodec" in str(refused.value.__cause__)
    else:
        assert len(load("audiofolder", out, tmp_path)) == 4
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    dataset = datasets.load_dataset("csv", data_files=str(out / "metadata.csv"), split="train",
                                    cache_dir=str(tmp_path / "hf"))
    assert len(dataset) == 4
    assert sorted(zip(dataset["transcription"], dataset["speaker_id"], strict=True)) == [
        ("no", 8), ("no", 8), ("yes, please", 7), ("yes, please", 7)]
    for name in dataset["file_name"]:  # each file decodes with soundfile, beside the metadata
        assert soundfile.read(out / name)[0].size > 0


def test_a_metadata_file_without_file_name_or_with_two_formats_is_refused(tmp_path, write_recipe):
    src = image_src(tmp_path / "src")
    (src / "metadata.csv").write_text("path,label\nimg0.png,cat\n")
    with pytest.raises(UsageError, match="no 'file_name' column; columns found: path, label"):
        api.expand(source=src, recipe=write_recipe(FLIP), out=tmp_path / "out", copies=1)
    (src / "metadata.jsonl").write_text('{"file_name": "img0.png"}\n')
    with pytest.raises(UsageError, match="holds several metadata files"):
        api.expand(source=src, recipe=write_recipe(FLIP), out=tmp_path / "out", copies=1)
    assert not (tmp_path / "out").exists()


def test_a_parquet_metadata_file_keeps_its_types_and_runs_alike_on_any_workers(tmp_path, write_recipe):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from conftest import tree_bytes

    src = image_src(tmp_path / "src")
    schema = pa.schema([("file_name", pa.string()), ("label", pa.int16()), ("tags", pa.list_(pa.string()))])
    rows = [{"file_name": name, "label": i, "tags": ["x"] * i}
            for i, name in enumerate(("img0.png", "img1.png", "img2.png", "sub/x.png"))]
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), src / "metadata.parquet")
    one, two = tmp_path / "one", tmp_path / "two"
    for out, workers in ((one, 1), (two, 2)):
        summary = api.expand(source=src, recipe=write_recipe(FLIP), out=out, copies=2, workers=workers,
                             force_workers=True)
        assert summary.exit_code == 0 and summary.files_read == 4
    assert tree_bytes(one) == tree_bytes(two)
    table = pq.read_table(one / "metadata.parquet")
    assert table.schema.field("label").type == pa.int16() and len(table) == 8
    last = table.to_pylist()[-1]
    assert {key: last[key] for key in ("file_name", "label", "tags", "augment_source", "augment_copy")} == {
        "file_name": "sub/x__aug2.png", "label": 3, "tags": ["x"] * 3, "augment_source": "sub/x.png",
        "augment_copy": 2}
    assert json.loads(last["augment_transforms"])[0] == {"transform": "hflip", "params": {}}


def _split_tree(root: Path) -> Path:
    """datasets' imagefolder with splits: data/train/metadata.csv, data/test/metadata.csv (file
    names without a split word: datasets would read "train0.png" as a split of its own)."""
    for split, labels in (("train", ("cat", "dog", "cat")), ("test", ("dog", "cat"))):
        for k in range(len(labels)):
            save(root / split / f"{split[:2]}{k}.png", textured(seed=k + 10 * len(split)))
        (root / split / "metadata.csv").write_text(
            "file_name,label\n" + "".join(f"{split[:2]}{k}.png,{label}\n" for k, label in enumerate(labels)))
    return root


def test_a_split_tree_is_labelled_by_its_splits_metadata_files_and_only_train_is_expanded(
        tmp_path, write_recipe):
    src, out = _split_tree(tmp_path / "data"), tmp_path / "out"
    summary = api.expand(source=src, recipe=write_recipe(FLIP), out=out, copies=2, workers=1)
    assert summary.exit_code == 0 and summary.layout == "metadata" and summary.files_read == 3
    assert any("reading train/ only (its metadata file has the labels), test left out" in note
               for note in summary.notes)
    rows = csv_rows(out / "metadata.csv")
    assert [(row["file_name"], row["label"]) for row in rows] == [
        ("tr0__aug1.png", "cat"), ("tr0__aug2.png", "cat"), ("tr1__aug1.png", "dog"),
        ("tr1__aug2.png", "dog"), ("tr2__aug1.png", "cat"), ("tr2__aug2.png", "cat")]
    assert not list(out.glob("te*")) and verify(out) == []
    assert sorted(load("imagefolder", out, tmp_path)["label"]) == ["cat"] * 4 + ["dog"] * 2


def test_split_asks_for_another_split_and_a_folders_format_keeps_the_folder_reading(tmp_path, write_recipe):
    src = _split_tree(tmp_path / "data")
    summary = api.expand(source=src, recipe=write_recipe(FLIP), out=tmp_path / "test-out", copies=1,
                         workers=1, split="test")
    written = csv_rows(tmp_path / "test-out" / "metadata.csv")
    assert summary.files_read == 2 and [row["label"] for row in written] == ["dog", "cat"]
    with pytest.raises(UsageError, match="nothing to expand"):  # asked for class folders: none there
        api.expand(source=src, recipe=write_recipe(FLIP), out=tmp_path / "folders", copies=1, workers=1,
                   layout="folders")
    assert not (tmp_path / "folders").exists()
