"""Recipe folder parameters (background_noise, short_noises, impulse_response):
resolved relative to the recipe, checked before any work, errors name the key.
Registry-wide checks of every audio transform live in tests/test_registry.py."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from audio_signals import sine, write
from augment_cli.cli import app
from augment_cli.errors import RecipeError
from augment_cli.recipe import load_recipe
from registry_inputs import write_recordings


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = write_recordings(tmp_path_factory.mktemp("recipe"))
    (root / "empty").mkdir()
    (root / "empty" / "notes.txt").write_text("not audio")
    return root


def step_recipe(root, name: str):
    path = root / f"{name}.toml"
    path.write_text(f'[[audio]]\ntransform = "{name}"\nfolder = "noise"\n')
    return load_recipe(path)


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
