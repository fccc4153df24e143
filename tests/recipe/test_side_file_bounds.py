"""inputs.py and the files a recipe reads: regular files only, size-capped,
never a hang on a FIFO (recipe, synonym table, noise and impulse-response folders)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from augment_cli.errors import RecipeError
from augment_cli.inputs import MAX_RECIPE_BYTES, read_bounded
from augment_cli.recipe import load_recipe
from paths import PROJECT_ROOT


def validate(path, timeout: float = 30) -> subprocess.CompletedProcess:
    """`augment validate` in its own process, so a hang fails the test instead of the suite."""
    return subprocess.run([sys.executable, "-m", "augment_cli", "validate", str(path)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})


def test_read_bounded_reads_a_regular_file_and_refuses_the_rest(tmp_path):
    (tmp_path / "small").write_bytes(b"abc")
    assert read_bounded(tmp_path / "small", 3) == b"abc"
    with pytest.raises(ValueError, match="larger than the 2 bytes limit"):
        read_bounded(tmp_path / "small", 2)
    with pytest.raises(ValueError, match="is a folder, not a regular file"):
        read_bounded(tmp_path, 10)
    with pytest.raises(ValueError, match="is a character device"):
        read_bounded("/dev/zero", 10)
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing", 10)


def test_validate_refuses_dev_zero_and_a_fifo_without_hanging(tmp_path):
    result = validate("/dev/zero")
    assert result.returncode == 2
    assert result.stderr == "Error: /dev/zero: cannot read: it is a character device, not a regular file\n"
    os.mkfifo(tmp_path / "pipe.toml")
    result = validate(tmp_path / "pipe.toml")
    assert result.returncode == 2 and "it is a named pipe (FIFO), not a regular file" in result.stderr


def test_a_recipe_over_the_size_limit_is_refused(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text('[[image]]\ntransform = "hflip"\n' + "#" * MAX_RECIPE_BYTES + "\n")
    with pytest.raises(RecipeError, match="larger than the 1 MiB limit"):
        load_recipe(path)


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_a_synonyms_value_that_is_not_a_regular_file_is_a_recipe_error(tmp_path, target):
    if target == "fifo":
        os.mkfifo(tmp_path / "fifo")
    recipe = tmp_path / "r.toml"
    recipe.write_text(f'[[text]]\ntransform = "synonym_replace"\nsynonyms = "{target}"\n')
    result = validate(recipe)
    assert result.returncode == 2
    assert "key 'synonyms': cannot read synonym file" in result.stderr
    assert "not a regular file" in result.stderr


def test_a_noise_folder_skips_a_fifo_and_refuses_an_overlong_recording(tmp_path, monkeypatch):
    folder = tmp_path / "noise"
    folder.mkdir()
    shutil.copy(PROJECT_ROOT / "sample_data" / "audio_noise" / "hum.flac", folder / "hum.flac")
    os.mkfifo(folder / "pipe.wav")
    recipe = tmp_path / "r.toml"
    recipe.write_text('[[audio]]\ntransform = "background_noise"\nfolder = "noise"\n')
    assert validate(recipe).returncode == 0
    from augment_cli.modalities.audio import header

    monkeypatch.setattr(header, "MAX_SAMPLES", 1000)
    too_long = r"key 'folder': .*hum.flac: audio too long: .* over the 1,000-sample"
    with pytest.raises(RecipeError, match=too_long):
        load_recipe(recipe)


@pytest.mark.parametrize("nested", ["[" * 2000 + "]" * 2000, "{a = " * 2000 + "1" + "}" * 2000])
def test_deeply_nested_toml_is_a_recipe_error(tmp_path, nested):
    path = tmp_path / "deep.toml"
    path.write_text(f'[[image]]\ntransform = "hflip"\n\n[x]\ny = {nested}\n')
    result = validate(path)
    assert result.returncode == 2
    assert result.stderr == f"Error: {path}: values are nested too deeply to read\n"
