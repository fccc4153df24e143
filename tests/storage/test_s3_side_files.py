"""A recipe's side files in the bucket (moto server): noise and impulse-response folders, a synonyms
file. The copies are the bytes a recipe naming the same files on disk makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audio_signals import sine, tones, write
from augment_cli import api
from augment_cli.outdir.manifest import read_manifest
from storage_helpers import local_files

AUDIO = """
[[audio]]
transform = "background_noise"
folder = "{noise}"
[[audio]]
transform = "short_noises"
p = 0.5
folder = "{noise}"
[[audio]]
transform = "impulse_response"
p = 0.5
folder = "{rooms}"
"""
TEXT = '[[text]]\ntransform = "synonym_replace"\nalpha = 1.0\nsynonyms = "{synonyms}"\n'


@pytest.fixture
def audio_project(tmp_path: Path) -> Path:
    """SRC, and beside it the recordings a recipe names (noise/, rooms/)."""
    write(tmp_path / "src" / "yes" / "a.wav", tones([300, 900], seconds=0.3))
    write(tmp_path / "src" / "yes" / "b.flac", sine(500, seconds=0.2))
    write(tmp_path / "src" / "no" / "c.wav", sine(440, seconds=0.3, channels=2))
    write(tmp_path / "side" / "noise" / "hum.wav", sine(60, seconds=0.2))
    write(tmp_path / "side" / "noise" / "hiss.flac", tones([3000, 5000], seconds=0.1))
    write(tmp_path / "side" / "rooms" / "ir.wav", sine(50, seconds=0.05))
    return tmp_path


def _outputs(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: blob for name, blob in files.items()
            if not name.startswith(".augment-") and name != "manifest.csv"}


def _transforms(out: Path) -> list[str]:
    return [row.transforms for row in read_manifest(out / "manifest.csv")]


def test_noise_and_impulse_response_folders_in_the_bucket_give_the_bytes_of_local_ones(s3, audio_project):
    root = audio_project
    side = s3.upload(root / "side", "side")
    (root / "local.toml").write_text(AUDIO.format(noise="side/noise", rooms="side/rooms"))
    (root / "remote.toml").write_text(AUDIO.format(noise=f"{side}/noise", rooms=f"{side}/rooms"))
    local = api.expand(source=root / "src", recipe=root / "local.toml", out=root / "local", copies=3,
                       workers=1, seed=5)
    remote = api.expand(source=root / "src", recipe=root / "remote.toml", out=root / "remote", copies=3,
                        workers=1, seed=5)
    assert remote.copies_written == local.copies_written == 9
    assert _outputs(local_files(root / "remote")) == _outputs(local_files(root / "local"))
    # The manifest names a picked recording by its URL, where a local run names it relative to the recipe.
    named = [cell.replace(f"{side}/", "side/") for cell in _transforms(root / "remote")]
    assert named == _transforms(root / "local") and any("hum.wav" in cell for cell in named)


def test_pool_workers_read_the_recordings_with_the_runs_storage_options(s3, audio_project, monkeypatch):
    root = audio_project
    side = s3.upload(root / "side", "side")
    (root / "local.toml").write_text(AUDIO.format(noise="side/noise", rooms="side/rooms"))
    (root / "remote.toml").write_text(AUDIO.format(noise=f"{side}/noise", rooms=f"{side}/rooms"))
    api.expand(source=root / "src", recipe=root / "local.toml", out=root / "local", copies=2, workers=1)
    monkeypatch.delenv("AWS_ENDPOINT_URL")  # reachable only through --storage-option, in the jobs
    summary = api.expand(source=root / "src", recipe=root / "remote.toml", out=s3.url("aug"), copies=2,
                         workers=2, force_workers=True, storage_options=[f"endpoint_url={s3.endpoint}"])
    assert summary.copies_written == 6 and not summary.failed
    assert _outputs(s3.objects("aug")) == _outputs(local_files(root / "local"))


def test_a_changed_recording_in_the_bucket_regenerates_the_copies(s3, audio_project):
    root = audio_project
    side = s3.upload(root / "side", "side")
    recipe = root / "remote.toml"
    recipe.write_text(AUDIO.format(noise=f"{side}/noise", rooms=f"{side}/rooms"))
    api.expand(source=root / "src", recipe=recipe, out=root / "out", copies=2, workers=1)
    again = api.expand(source=root / "src", recipe=recipe, out=root / "out", copies=2, workers=1)
    assert again.unchanged == 3
    write(root / "louder.wav", sine(60, seconds=0.2, amplitude=0.9))
    s3.fs.pipe_file(f"{s3.name}/side/noise/hum.wav", (root / "louder.wav").read_bytes())
    changed = api.expand(source=root / "src", recipe=recipe, out=root / "out", copies=2, workers=1)
    assert changed.unchanged == 0 and changed.copies_written == 6  # the inputs digest moved


def test_a_synonyms_file_in_the_bucket_serves_files_and_tables(s3, tmp_path):
    (tmp_path / "src" / "tech").mkdir(parents=True)
    (tmp_path / "src" / "tech" / "a.txt").write_text("The gpu and the movie.\n", encoding="utf-8")
    (tmp_path / "rows.csv").write_text("text,label\nThe gpu and the movie.,1\n", encoding="utf-8")
    s3.fs.pipe_file(f"{s3.name}/vocab/syn.txt", b"gpu = graphics card\nmovie = feature film\n")
    recipe = tmp_path / "r.toml"
    recipe.write_text(TEXT.format(synonyms=s3.url("vocab/syn.txt")))
    api.expand(source=tmp_path / "src", recipe=recipe, out=tmp_path / "out", copies=2, workers=1)
    written = (tmp_path / "out" / "tech" / "a__aug1.txt").read_text()
    assert written == "The graphics card and the feature film.\n"
    api.expand(source=tmp_path / "rows.csv", recipe=recipe, out=tmp_path / "table", copies=1, workers=1)
    assert "The graphics card and the feature film." in (tmp_path / "table" / "rows.csv").read_text()


@pytest.mark.parametrize("value, message", [
    ("vocab/missing.txt", "not found: s3://"),
    ("vocab", "is a prefix, not one object"),
])
def test_a_bad_synonyms_url_is_a_recipe_error_naming_the_key(s3, tmp_path, run_cli, value, message):
    s3.fs.pipe_file(f"{s3.name}/vocab/syn.txt", b"gpu = graphics card\n")
    recipe = tmp_path / "r.toml"
    recipe.write_text(TEXT.format(synonyms=s3.url(value)))
    result = run_cli("validate", recipe)
    assert result.exit_code == 2
    assert message in result.stderr and "synonyms" in result.stderr


def test_a_bucket_folder_without_recordings_is_a_recipe_error(s3, tmp_path, run_cli):
    s3.fs.pipe_file(f"{s3.name}/noise/notes.txt", b"not audio")
    recipe = tmp_path / "r.toml"
    recipe.write_text(f'[[audio]]\ntransform = "background_noise"\nfolder = "{s3.url("noise")}"\n')
    result = run_cli("validate", recipe)
    assert result.exit_code == 2
    assert f"folder {s3.url('noise')} holds no audio files" in result.stderr
    assert "key 'folder'" in result.stderr


def test_the_inputs_digest_is_the_content_not_the_options(s3, audio_project):
    from augment_cli.recipe import load_recipe
    from augment_cli.recipe.inputs import inputs_digest
    from augment_cli.storage import sidefiles

    side = s3.upload(audio_project / "side", "side")
    recipe = audio_project / "remote.toml"
    recipe.write_text(AUDIO.format(noise=f"{side}/noise", rooms=f"{side}/rooms"))
    plain = inputs_digest(load_recipe(recipe))
    with sidefiles.using((("endpoint_url", s3.endpoint),)):
        assert inputs_digest(load_recipe(recipe)) == plain
    manifestless = json.dumps(load_recipe(recipe).side_objects)
    assert "testing" not in manifestless  # no credentials travel with the recipe
    loaded = load_recipe(recipe)
    s3.fs.rm(f"{s3.name}/side", recursive=True)  # a re-run on this machine reads no side object again
    assert inputs_digest(loaded) == plain


def test_the_cli_reads_side_files_with_storage_option_only(s3, tmp_path, run_cli, monkeypatch):
    import s3fs

    from augment_cli.storage.location import filesystem

    (tmp_path / "src" / "tech").mkdir(parents=True)
    (tmp_path / "src" / "tech" / "a.txt").write_text("The gpu is fast.\n", encoding="utf-8")
    s3.fs.pipe_file(f"{s3.name}/vocab/syn.txt", b"gpu = graphics card\n")
    recipe = tmp_path / "r.toml"
    recipe.write_text(TEXT.format(synonyms=s3.url("vocab/syn.txt")))
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    filesystem.cache_clear()
    s3fs.S3FileSystem.clear_instance_cache()  # no filesystem built with the environment's endpoint
    result = run_cli("expand", tmp_path / "src", "--recipe", recipe, "--out", tmp_path / "out", "--copies",
                     "1", "--workers", "1", "--quiet", "--no-fuse",
                     "--storage-option", f"endpoint_url={s3.endpoint}")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "tech" / "a__aug1.txt").read_text() == "The graphics card is fast.\n"


def test_preview_reads_a_bucket_synonyms_file(s3, tmp_path, run_cli):
    (tmp_path / "src" / "tech").mkdir(parents=True)
    (tmp_path / "src" / "tech" / "a.txt").write_text("The gpu is fast.\n", encoding="utf-8")
    s3.fs.pipe_file(f"{s3.name}/vocab/syn.txt", b"gpu = graphics card\n")
    recipe = tmp_path / "r.toml"
    recipe.write_text(TEXT.format(synonyms=s3.url("vocab/syn.txt")))
    result = run_cli("preview", tmp_path / "src", "--recipe", recipe, "--out", tmp_path / "p.html",
                     "--copies", "1", "--quiet", "--storage-option", f"endpoint_url={s3.endpoint}")
    assert result.exit_code == 0, result.output
    assert "graphics card" in (tmp_path / "p.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_dask_workers_read_the_recordings_from_the_bucket(s3, audio_project):
    from augment_cli.run.engines import Engine

    root = audio_project
    side = s3.upload(root / "side", "side")
    (root / "local.toml").write_text(AUDIO.format(noise="side/noise", rooms="side/rooms"))
    (root / "remote.toml").write_text(AUDIO.format(noise=f"{side}/noise", rooms=f"{side}/rooms"))
    api.expand(source=root / "src", recipe=root / "local.toml", out=root / "local", copies=2, workers=1)
    # The cluster's workers do not have this test's environment: the endpoint and keys travel in the jobs.
    options = [f"endpoint_url={s3.endpoint}", "key=testing", "secret=testing"]
    summary = api.expand(source=root / "src", recipe=root / "remote.toml", out=root / "dask", copies=2,
                         workers=2, engine=Engine("dask", batch_size=1), storage_options=options)
    assert summary.cluster and not summary.failed
    assert _outputs(local_files(root / "dask")) == _outputs(local_files(root / "local"))
