"""Registry-wide checks for every audio transform, and recipe folder parameters."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from typer.testing import CliRunner

from audio_signals import sine, tones, write
from augment_cli import registry
from augment_cli.cli import app
from augment_cli.errors import RecipeError
from augment_cli.recipe import load_recipe
from augment_cli.run.steps import augment, replay

AUDIO = registry.names("audio")


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("recipe")
    write(root / "noise" / "hum.wav", sine(100, seconds=0.3))
    write(root / "noise" / "hiss.flac", tones([3000, 5000], seconds=0.2))
    write(root / "rooms" / "ir.wav", sine(50, seconds=0.05))
    (root / "empty").mkdir()
    (root / "empty" / "notes.txt").write_text("not audio")
    return root


def step_recipe(root, name: str, p: float = 1.0):
    spec = registry.get("audio", name)
    folders = {"folder": "rooms" if name == "impulse_response" else "noise"}
    lines = [f'[[audio]]\ntransform = "{name}"\np = {p}']
    lines += [f'{k} = "{v}"' for k, v in folders.items() if spec.param(k)]
    path = root / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return load_recipe(path)


def test_every_audio_transform_is_registered():
    expected = {"add_noise", "background_noise", "short_noises", "speed", "time_stretch",
                "pitch_shift", "time_shift", "gain", "gain_transition", "normalize",
                "clipping_distortion", "polarity_invert", "reverse", "lowpass", "highpass",
                "bandpass", "mp3_compression", "impulse_response", "time_mask", "trim",
                "pad_or_crop"}
    assert expected <= set(AUDIO)


@pytest.mark.parametrize("name", AUDIO)
def test_params_are_json_safe_and_replay_is_exact(folders, name):
    recipe = step_recipe(folders, name)
    source = sine(440, seconds=0.3, channels=2)
    out, records = augment(source, recipe.steps_for("audio"), "audio", np.random.SeedSequence(3))
    assert [r["transform"] for r in records] == [name]
    assert json.loads(json.dumps(records, allow_nan=False)) == records
    assert "skipped" not in records[0]["params"]
    again = replay(source, json.loads(json.dumps(records)), "audio")
    assert np.array_equal(again.samples, out.samples) and again.sample_rate == out.sample_rate
    assert out.samples.dtype == np.float32 and out.samples.shape[0] == 2


@pytest.mark.parametrize("name", AUDIO)
def test_p_zero_never_fires_and_spec_pickles(folders, name):
    recipe = step_recipe(folders, name, p=0.0)
    source = sine(440, seconds=0.3)
    out, records = augment(source, recipe.steps_for("audio"), "audio", np.random.SeedSequence(3))
    assert records == [] and out is source
    assert pickle.loads(pickle.dumps(registry.get("audio", name))).name == name
    assert pickle.loads(pickle.dumps(recipe)) == recipe


@pytest.mark.parametrize("name", AUDIO)
def test_same_seed_same_params(folders, name):
    recipe = step_recipe(folders, name)
    source = sine(440, seconds=0.3)
    runs = [augment(source, recipe.steps_for("audio"), "audio", np.random.SeedSequence(9))[1]
            for _ in range(2)]
    assert runs[0] == runs[1]


def test_folder_is_resolved_relative_to_the_recipe(folders, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recipe = step_recipe(folders, "background_noise")
    (step,) = recipe.steps_for("audio")
    assert step.values_dict()["folder"] == (folders / "noise").resolve().as_posix()


@pytest.mark.parametrize("folder, reason", [("missing", "folder not found"),
                                            ("empty", "holds no audio files")])
def test_missing_or_empty_folder_is_a_recipe_error(folders, folder, reason):
    path = folders / f"bad_{folder}.toml"
    path.write_text(f'[[audio]]\ntransform = "impulse_response"\nfolder = "{folder}"\n')
    with pytest.raises(RecipeError, match=reason) as caught:
        load_recipe(path)
    assert "key 'folder'" in str(caught.value) and "step 1 (impulse_response)" in str(caught.value)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and reason in result.output


def test_missing_folder_value_is_reported(folders):
    path = folders / "no_folder.toml"
    path.write_text('[[audio]]\ntransform = "background_noise"\n')
    with pytest.raises(RecipeError, match="missing required parameter"):
        load_recipe(path)


def test_bad_output_keys_are_recipe_errors(folders):
    path = folders / "bad_output.toml"
    path.write_text('[output]\naudio_format = "aac"\n[[audio]]\ntransform = "reverse"\n')
    with pytest.raises(RecipeError, match="audio_format"):
        load_recipe(path)


def test_unreadable_recording_in_a_folder_is_a_recipe_error(tmp_path):
    (tmp_path / "noise").mkdir()
    write(tmp_path / "noise" / "good.wav", sine(100, seconds=0.1))
    (tmp_path / "noise" / "bad.wav").write_bytes(b"RIFF not really")
    path = tmp_path / "r.toml"
    path.write_text('[[audio]]\ntransform = "background_noise"\nfolder = "noise"\n')
    with pytest.raises(RecipeError, match="cannot read .*bad.wav"):
        load_recipe(path)


def test_expand_with_a_missing_folder_exits_2_and_writes_nothing(tmp_path):
    write(tmp_path / "src" / "yes" / "a.wav", sine(440, seconds=0.1))
    recipe = tmp_path / "r.toml"
    recipe.write_text('[[audio]]\ntransform = "impulse_response"\nfolder = "rooms"\n')
    result = CliRunner().invoke(app, ["expand", str(tmp_path / "src"), "--recipe", str(recipe),
                                      "--out", str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 2
    assert "key 'folder'" in result.output and "folder not found" in result.output
    assert not (tmp_path / "out").exists()
