"""Every text transform on the real sentence sets in ../shared (local checks only)."""

import json

import pytest

from augment_cli import api
from augment_cli.modalities.text.transforms.tokens import words
from augment_cli.outdir.manifest import read_manifest
from paths import PROJECT_ROOT

REALDATA = PROJECT_ROOT.parent / "shared" / "realdata"
SETS = ["text-sst2", "text-trec6", "text-yelp-sentiment"]
RECIPE = "".join(f"[[text]]\ntransform = \"{name}\"\np = 0.5\n\n" for name in (
    "synonym_replace", "random_insert", "random_swap", "random_delete", "sentence_shuffle",
    "char_noise"))


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is absent")
@pytest.mark.parametrize("name", SETS)
def test_real_sentences_all_augment_and_keep_their_label(name, tmp_path):
    source = REALDATA / name
    recipe = tmp_path / "all.toml"
    recipe.write_text(RECIPE)
    summary = api.expand(source=source, recipe=recipe, out=tmp_path / "out", copies=2, workers=1)
    assert summary.exit_code == 0 and summary.files_read > 50
    for row in read_manifest(tmp_path / "out" / "manifest.csv"):
        assert row.label == row.source.split("/")[0] == row.file_name.split("/")[0]
        text = (tmp_path / "out" / row.file_name).read_text(encoding="utf-8")
        assert words(text), row.file_name
        json.loads(row.transforms)
