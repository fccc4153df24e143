"""Every Hugging Face `load_dataset` snippet in README.md and docs/ runs, with
the `datasets` the test extra installs, on the output of the run it names
(out: a nested image tree; out-images: the README's run on sample_data/images;
out-audio: an audio tree; out-table: a table folder; out-meta: a metadata-file
dataset), and gives a label per row."""

from __future__ import annotations

import functools
import os
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile

from augment_cli import api
from augment_cli.outdir.manifest import read_manifest
from conftest import FLIPS, save, textured
from paths import PROJECT_ROOT

DOCS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
BLOCKS = [(path.name, textwrap.dedent(block)) for path in DOCS  # blocks in a list item are indented
          for block in re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
          if "load_dataset(" in block]
RECIPES = PROJECT_ROOT / "recipes"


def _image_tree(root: Path) -> Path:
    for name, seed in (("cat/a.png", 1), ("cat/deep/b.png", 2), ("dog/c.png", 3)):
        save(root / name, textured(seed=seed))
    return root


def _outputs(tmp: Path, recipe: Path) -> None:
    api.expand(source=_image_tree(tmp / "images"), recipe=recipe, out=tmp / "out", copies=2, workers=1)
    for label in ("yes", "no"):
        (tmp / "audio" / label).mkdir(parents=True)
        soundfile.write(tmp / "audio" / label / "a.wav", 0.3 * np.sin(np.arange(4000) * 0.1), 8000)
    api.expand(source=tmp / "audio", recipe=RECIPES / "audio.toml", out=tmp / "out-audio", copies=2,
               workers=1)
    (tmp / "tables").mkdir()
    for split in ("train", "test"):
        (tmp / "tables" / f"{split}.csv").write_text("sentence,label\nThe film was a quiet joy,1\n"
                                                     "A dull and slow story,0\n", encoding="utf-8")
    api.expand(source=tmp / "tables", recipe=RECIPES / "eda.toml", out=tmp / "out-table", copies=2,
               workers=1, text_columns=("sentence",))
    api.expand(source=PROJECT_ROOT / "sample_data" / "images", recipe=RECIPES / "light.toml",
               out=tmp / "out-images", copies=1, workers=1)
    meta = _image_tree(tmp / "photos")
    (meta / "metadata.csv").write_text("file_name,label\ncat/a.png,cat\ncat/deep/b.png,cat\ndog/c.png,dog\n")
    api.expand(source=meta, recipe=recipe, out=tmp / "out-meta", copies=2, workers=1)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("loaders")
    recipe = tmp / "flips.toml"
    recipe.write_text(FLIPS)
    _outputs(tmp, recipe)
    return tmp


def test_the_docs_have_the_snippets_this_file_runs():
    kinds = {re.search(r'"(out[\w-]*)', block).group(1) for _, block in BLOCKS}
    assert kinds == {"out", "out-images", "out-audio", "out-table", "out-meta"} and len(BLOCKS) >= 5


@pytest.mark.parametrize(("doc", "block"), BLOCKS, ids=[f"{doc}:{i}" for i, (doc, _) in enumerate(BLOCKS)])
def test_a_documented_loader_runs_and_labels_every_row(doc, block, outputs, monkeypatch):
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    import datasets

    monkeypatch.setattr(datasets, "load_dataset", functools.partial(datasets.load_dataset,
                                                                    cache_dir=str(outputs / "hf")))
    monkeypatch.chdir(outputs)
    namespace: dict = {}
    exec(compile(block, doc, "exec"), namespace)
    out = re.search(r'"(out[\w-]*)', block).group(1)
    ds = namespace["ds"]
    if out == "out-table":
        assert set(ds) == {"train", "test"} and len(ds["train"]) == 4 and len(ds["test"]) == 2
        assert ds["train"].column_names == ["sentence", "label", "augment_source_row", "augment_copy",
                                            "augment_transforms"]
        return
    labels = {row.file_name: row.label for row in read_manifest(outputs / out / "manifest.csv")}
    assert len(ds) == len(labels) and None not in ds["label"]
    names = ds.features["label"].names if isinstance(ds.features["label"], datasets.ClassLabel) else None
    assert sorted(names[v] if names else v for v in ds["label"]) == sorted(labels.values())
