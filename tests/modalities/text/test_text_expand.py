"""Text end to end: determinism across workers, bad files, recipe options."""

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from augment_cli import api
from augment_cli.cli import app
from augment_cli.outdir.manifest import read_manifest
from paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
EDA = ROOT / "recipes" / "eda.toml"


def load_generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "sample_data" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("text")
    load_generator().make_text(root)
    return root


def outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def test_byte_identical_for_one_and_two_workers(source, tmp_path):
    recipe = tmp_path / "mix.toml"
    recipe.write_text(EDA.read_text() + "\n[[text]]\ntransform = \"char_noise\"\np = 0.5\n"
                      "\n[[text]]\ntransform = \"sentence_shuffle\"\np = 0.5\n")
    for workers in (1, 2):
        summary = api.expand(source=source, recipe=recipe, out=tmp_path / f"w{workers}",
                             copies=4, workers=workers, seed=3)
        assert summary.exit_code == 0 and summary.copies_written == 40
    assert outputs(tmp_path / "w1") == outputs(tmp_path / "w2")


def test_eda_recipe_copies_keep_label_bom_and_line_endings(source, tmp_path):
    api.expand(source=source, recipe=EDA, out=tmp_path / "out", copies=16, workers=1)
    rows = read_manifest(tmp_path / "out" / "manifest.csv")
    assert len(rows) == 160 and {r.modality for r in rows} == {"text"}
    for row in rows:
        assert row.file_name.startswith(row.label + "/")
        original, copy = (source / row.source).read_bytes(), (tmp_path / "out" / row.file_name).read_bytes()
        assert original.startswith(b"\xef\xbb\xbf") == copy.startswith(b"\xef\xbb\xbf")
        assert (b"\r\n" in original) == (b"\r\n" in copy)
        (record,) = json.loads(row.transforms)
        assert record["params"]["alpha"] == 0.05
    changed = sum((source / r.source).read_bytes() != (tmp_path / "out" / r.file_name).read_bytes()
                  for r in rows)
    assert changed >= 150


def test_latin1_file_is_reported_not_mangled(tmp_path):
    source = tmp_path / "src"
    (source / "fr").mkdir(parents=True)
    (source / "fr" / "latin.txt").write_bytes("Un caf\u00e9 tr\u00e8s bon.\n".encode("latin-1"))
    (source / "fr" / "ok.txt").write_bytes("Un caf\u00e9 tr\u00e8s bon.\n".encode("utf-8"))
    recipe = tmp_path / "r.toml"
    recipe.write_text("[[text]]\ntransform = \"random_swap\"\n")
    result = CliRunner().invoke(app, ["expand", str(source), "--recipe", str(recipe),
                                      "--out", str(tmp_path / "out"), "--copies", "2"])
    assert result.exit_code == 1
    assert "fr/latin.txt" in result.output and "not valid utf-8" in result.output
    assert sorted(p.name for p in (tmp_path / "out" / "fr").iterdir()) == ["ok__aug1.txt", "ok__aug2.txt"]
    assert "fr/latin.txt" in (tmp_path / "out" / "errors.csv").read_text(encoding="utf-8")

    recipe.write_text("[output]\ntext_encoding = \"latin-1\"\n\n[[text]]\ntransform = \"random_swap\"\n")
    summary = api.expand(source=source, recipe=recipe, out=tmp_path / "out2", copies=1, workers=1)
    assert summary.exit_code == 0
    assert (tmp_path / "out2/fr/latin__aug1.txt").read_text(encoding="utf-8").count("caf\u00e9") == 1


def test_user_synonyms_override_and_extend_wordnet(tmp_path):
    source = tmp_path / "src"
    (source / "tech").mkdir(parents=True)
    (source / "tech" / "a.txt").write_text("The gpu and the movie.\n", encoding="utf-8")
    (tmp_path / "vocab").mkdir()
    (tmp_path / "vocab" / "syn.txt").write_text(
        "# domain words\ngpu = graphics card\nmovie = feature film  # replaces WordNet\n")
    recipe = tmp_path / "r.toml"
    recipe.write_text("[[text]]\ntransform = \"synonym_replace\"\nalpha = 1.0\n"
                      "synonyms = \"vocab/syn.txt\"\n")
    api.expand(source=source, recipe=recipe, out=tmp_path / "out", copies=3, workers=1)
    for k in (1, 2, 3):
        text = (tmp_path / "out" / "tech" / f"a__aug{k}.txt").read_text()
        assert text == "The graphics card and the feature film.\n"


def test_a_moved_project_keeps_its_recipe_digest(tmp_path):
    """File values (a synonyms file) enter the digest as the recipe spells
    them: the same project elsewhere is the same recipe, a renamed file is not."""
    from augment_cli.recipe import load_recipe

    digests = []
    for folder, name in (("here", "syn.txt"), ("there/deeper", "syn.txt"), ("here2", "other.txt")):
        project = tmp_path / folder
        (project / "vocab").mkdir(parents=True)
        (project / "vocab" / name).write_text("gpu = graphics card\n")
        (project / "r.toml").write_text(f'[[text]]\ntransform = "synonym_replace"\n'
                                        f'synonyms = "vocab/{name}"\n')
        digests.append(load_recipe(project / "r.toml").digest)
    assert digests[0] == digests[1] != digests[2]


@pytest.mark.parametrize("synonyms, content, message", [
    ("missing.txt", None, "not found: "),
    ("bad.txt", "gpu\n", "bad.txt:1: expected 'word = synonym"),
])
def test_bad_synonym_file_is_a_recipe_error(tmp_path, synonyms, content, message):
    if content is not None:
        (tmp_path / synonyms).write_text(content)
    recipe = tmp_path / "r.toml"
    recipe.write_text(f"[[text]]\ntransform = \"random_insert\"\nsynonyms = \"{synonyms}\"\n")
    result = CliRunner().invoke(app, ["validate", str(recipe)])
    assert result.exit_code == 2 and message in result.output and "synonyms" in result.output


def test_unknown_text_encoding_is_a_recipe_error(tmp_path):
    recipe = tmp_path / "r.toml"
    recipe.write_text("[output]\ntext_encoding = \"klingon-8\"\n[[text]]\ntransform = \"random_swap\"\n")
    result = CliRunner().invoke(app, ["validate", str(recipe)])
    assert result.exit_code == 2 and "unknown text encoding" in result.output


def test_char_noise_needs_a_kind(tmp_path):
    recipe = tmp_path / "r.toml"
    recipe.write_text("[[text]]\ntransform = \"char_noise\"\nkeyboard = false\nocr = false\n"
                      "swap = false\n")
    result = CliRunner().invoke(app, ["validate", str(recipe)])
    assert result.exit_code == 2 and "at least one of keyboard, ocr, swap" in result.output
