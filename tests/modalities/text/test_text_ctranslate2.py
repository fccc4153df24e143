"""back_translate with the ctranslate2 backend, on tiny models made here.

No model can be downloaded, so the fixture builds two real CTranslate2
Transformer models (one layer, random weights) and a SentencePiece model
trained on our own sentences. Their "translations" are nonsense, but every
step of the real loading and translating code runs: the checks here are the
backend's contract (one output line per line, deterministic, cached, recorded,
same bytes for any worker count), not translation quality.
"""

import io
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from augment_cli import api
from augment_cli.cli import app
from augment_cli.modalities.text.transforms import ct2 as text_ct2
from augment_cli.modalities.text.transforms import translate as text_translate
from augment_cli.outdir.manifest import read_manifest

ctranslate2 = pytest.importorskip("ctranslate2")
sentencepiece = pytest.importorskip("sentencepiece")

SENTENCES = ("the kettle boils water quickly", "this chair is terrible and squeaks",
             "great sound and a long battery life", "der Wasserkocher kocht sehr schnell",
             "dieser Stuhl ist schrecklich und laut", "guter Klang und lange Akkulaufzeit")


def make_model(folder: Path, seed: int) -> None:
    from ctranslate2.specs import model_spec, transformer_spec

    trained = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(SENTENCES * 20), model_writer=trained, vocab_size=60,
        hard_vocab_limit=False, unk_id=0, bos_id=1, eos_id=2, minloglevel=2)
    processor = sentencepiece.SentencePieceProcessor(model_proto=trained.getvalue())
    vocabulary = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    spec = transformer_spec.TransformerSpec.from_config(1, 2)
    rng = np.random.default_rng(seed)
    model_spec.visit_spec(spec, lambda layer, name, value: _fill(layer, name, value, rng, len(vocabulary)))
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.config.add_source_eos = True  # as the OPUS-MT converter sets it
    folder.mkdir(parents=True)
    spec.validate()
    spec.save(str(folder))
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes(trained.getvalue())


def _fill(layer, name, value, rng, vocabulary_size, depth=8):
    """Give every required weight of the spec a random array of its shape."""
    if value is not None:
        return
    attribute = name.split("/")[-1]
    if "embeddings" in name or "projection" in name:
        shape = (vocabulary_size, depth)
    elif "layer_norm" in name:
        shape = (depth,)
    else:
        rows = {"self_attention/linear_0": 3 * depth, "/attention/linear_1": 2 * depth,
                "ffn/linear_0": 2 * depth}
        columns = 2 * depth if "ffn/linear_1" in name else depth
        shape = (next((r for key, r in rows.items() if key in name), depth), columns)
    array = {"gamma": np.ones(shape), "beta": np.zeros(shape)}.get(attribute)
    setattr(layer, attribute, (rng.normal(0, 0.5, shape) if array is None else array).astype(np.float32))


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("models")
    make_model(root / "en-de", seed=1)
    make_model(root / "de-en", seed=2)
    return root


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "cache"))
    text_translate._MEMORY.clear()
    return tmp_path / "cache"


def recipe_for(tmp_path: Path, models: Path) -> Path:
    recipe = tmp_path / "ct2.toml"
    recipe.write_text(f"[[text]]\ntransform = \"back_translate\"\nbackend = \"ctranslate2\"\n"
                      f"model_dir = \"{models / 'en-de'}\"\nback_model_dir = \"{models / 'de-en'}\"\n",
                      encoding="utf-8")
    return recipe


def source_tree(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    (source / "pos").mkdir(parents=True)
    (source / "pos" / "a.txt").write_text("the kettle boils water\n\ngreat sound\n", encoding="utf-8")
    (source / "pos" / "b.txt").write_text("this chair is terrible\n", encoding="utf-8")
    return source


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.txt"))}


def test_translate_gives_one_line_per_line_deterministically(models):
    lines = ["the kettle boils", "great sound", "x"]
    first = text_ct2.translate(str(models / "en-de"), lines)
    assert len(first) == 3 and all(isinstance(line, str) for line in first)
    assert text_ct2.translate(str(models / "en-de"), lines) == first


def test_round_trip_is_recorded_cached_and_worker_independent(models, tmp_path, cache):
    source, recipe = source_tree(tmp_path), recipe_for(tmp_path, models)
    summary = api.expand(source=source, recipe=recipe, out=tmp_path / "w1", copies=2, workers=1)
    assert summary.exit_code == 0 and summary.copies_written == 4
    out = files(tmp_path / "w1")
    assert out["pos/a__aug1.txt"] == out["pos/a__aug2.txt"]
    assert out["pos/a__aug1.txt"].count(b"\n") == 3  # line layout kept (blank line included)
    (record,) = json.loads(read_manifest(tmp_path / "w1" / "manifest.csv")[0].transforms)
    assert record["params"]["backend"] == "ctranslate2"
    assert record["params"]["model"] == "en-de+de-en"
    assert record["params"]["model_dir"] == str(models / "en-de")
    assert len(list((cache / "translations").rglob("*.txt"))) == 2

    text_ct2._load.cache_clear()
    text_translate._MEMORY.clear()
    api.expand(source=source, recipe=recipe, out=tmp_path / "again", copies=2, workers=1)
    assert text_ct2._load.cache_info().currsize == 0  # served from the disk cache
    assert files(tmp_path / "again") == out

    api.expand(source=source, recipe=recipe, out=tmp_path / "w2", copies=2, workers=2)
    assert files(tmp_path / "w2") == out


def test_bad_model_folders_are_recipe_errors(models, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"")
    recipe = tmp_path / "r.toml"
    recipe.write_text(f"[[text]]\ntransform = \"back_translate\"\nbackend = \"ctranslate2\"\n"
                      f"model_dir = \"broken\"\nback_model_dir = \"{models / 'de-en'}\"\n")
    result = CliRunner().invoke(app, ["validate", str(recipe)])
    assert result.exit_code == 2 and "has no source.spm, target.spm" in result.output
    recipe.write_text("[[text]]\ntransform = \"back_translate\"\nbackend = \"ctranslate2\"\n"
                      f"model_dir = \"{models / 'en-de'}\"\n")
    result = CliRunner().invoke(app, ["validate", str(recipe)])
    assert result.exit_code == 2 and "needs back_model_dir" in result.output
