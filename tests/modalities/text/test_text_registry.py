"""Registry-wide checks for every text transform: docs, JSON-safe params,
pickling, p = 0 / 1, and exact replay from the recorded params."""

import json
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

from augment_cli import registry
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps as pipeline
from paths import ASSETS

TEXT = ("I'm glad I bought this kettle. It boils water quickly and looks great on the counter.\n"
        "\nThe lid is a little stiff, but that's a small complaint. Recommended!\n")
TRANSLATOR = ASSETS / "fake_translator.py"
NAMES = registry.names("text")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "cache"))


def step_toml(name: str, tmp_path: Path, p: float = 1.0) -> str:
    extra = ""
    if name == "back_translate":
        command = f"{sys.executable} {TRANSLATOR} {{src}} {{tgt}} {tmp_path / 'count.txt'}"
        extra = f"backend = \"command\"\ncommand = '{command}'\nmodel = \"fake-1\"\n"
    return f"[[text]]\ntransform = \"{name}\"\np = {p}\n{extra}"


def steps(name: str, tmp_path: Path, p: float = 1.0):
    recipe = parse_recipe(step_toml(name, tmp_path, p), str(tmp_path / "r.toml"))
    return recipe.steps_for("text")


def augment(name, tmp_path, copy, p=1.0):
    sequence = np.random.SeedSequence([0, copy])
    return pipeline.augment(TEXT, steps(name, tmp_path, p), "text", sequence)


def test_every_text_transform_is_registered():
    assert set(NAMES) == {"synonym_replace", "random_insert", "random_swap", "random_delete",
                          "sentence_shuffle", "char_noise", "back_translate"}


@pytest.mark.parametrize("name", NAMES)
def test_spec_has_docs_and_pickles(name):
    spec = registry.get("text", name)
    assert spec.doc and all(p.help for p in spec.params)
    assert pickle.loads(pickle.dumps(spec)).name == name


@pytest.mark.parametrize("name", NAMES)
def test_params_are_json_safe_and_replay_exactly(name, tmp_path):
    outputs = set()
    for copy in range(1, 6):
        out, records = augment(name, tmp_path, copy)
        assert [r["transform"] for r in records] == [name]
        again = json.loads(json.dumps(records, allow_nan=False))
        assert pipeline.replay(TEXT, again, "text") == out
        outputs.add(out)
    assert TEXT not in outputs or len(outputs) > 1, f"{name} never changed the text"


@pytest.mark.parametrize("name", NAMES)
def test_p_zero_never_fires_and_p_one_always_does(name, tmp_path):
    for copy in range(1, 4):
        out, records = augment(name, tmp_path, copy, p=0.0)
        assert out == TEXT and records == []
        _, records = augment(name, tmp_path, copy, p=1.0)
        assert len(records) == 1


@pytest.mark.parametrize("name", NAMES)
def test_same_stream_same_params(name, tmp_path):
    first = augment(name, tmp_path, 7)
    assert augment(name, tmp_path, 7) == first
