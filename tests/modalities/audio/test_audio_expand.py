"""Audio end to end through api.expand: determinism across workers, replay,
formats kept, bad files reported, short clips handled, imports kept light."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf

from audio_signals import RATE, sine, tones, write
from augment_cli import api
from augment_cli.modalities.audio import codec as audio_codec
from augment_cli.outdir.manifest import read_manifest
from augment_cli.recipe import load_recipe
from augment_cli.run.steps import replay

RECIPE = """
[[audio]]
transform = "add_noise"
p = 0.5
color = ["white", "pink"]
snr_db = [10, 30]
[[audio]]
transform = "time_stretch"
p = 0.5
rate = [0.8, 1.25]
[[audio]]
transform = "pitch_shift"
p = 0.5
semitones = [-3, 3]
[[audio]]
transform = "time_shift"
p = 0.5
[[audio]]
transform = "background_noise"
p = 0.5
folder = "noise"
"""


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("audio")
    src = root / "src"
    write(src / "yes" / "a.wav", tones([300, 900], seconds=0.3))
    write(src / "yes" / "b.ogg", sine(500, seconds=0.3), format="OGG", subtype="VORBIS")
    write(src / "yes" / "deep" / "c.mp3", sine(700, seconds=0.3), format="MP3",
          subtype="MPEG_LAYER_III")
    write(src / "no" / "stereo.wav", sine(440, seconds=0.3, rate=44100, channels=2))
    write(src / "no" / "hi.flac", sine(440, seconds=0.3, rate=48000), subtype="PCM_24")
    write(src / "no" / "tick.wav", sine(440, seconds=0.01))
    write(src / "no" / "empty.wav", sine(440, seconds=0.0))
    (src / "no" / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt garbage")
    write(root / "noise" / "hum.wav", sine(60, seconds=0.2))
    (root / "recipe.toml").write_text(RECIPE)
    outputs = {}
    for workers in (1, 2):
        out = root / f"out{workers}"
        summary = api.expand(source=src, recipe=root / "recipe.toml", out=out, copies=4,
                             workers=workers, seed=11)
        outputs[workers] = (out, summary)
    return root, src, outputs


def test_same_seed_gives_identical_bytes_for_1_and_2_workers(tree):
    _, _, outputs = tree
    (one, _), (two, _) = outputs[1], outputs[2]
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file() and "." in p.name
                   and not p.name.startswith("."))
    assert len([f for f in files if f.suffix != ".csv"]) == 6 * 4
    for name in files:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_bad_files_are_reported_and_the_rest_written(tree):
    _, _, outputs = tree
    out, summary = outputs[1]
    assert summary.exit_code == 1 and summary.files_read == 6
    errors = {row.source: row.error for row in summary.failed}
    assert set(errors) == {"no/empty.wav", "no/broken.wav"}
    assert "0 frames" in errors["no/empty.wav"]
    assert "not a readable audio file" in errors["no/broken.wav"]
    assert "no/broken.wav" in (out / "errors.csv").read_text()


def test_formats_channels_and_rates_are_kept(tree):
    _, _, outputs = tree
    out, _ = outputs[1]
    expected = {"no/stereo__aug1.wav": ("WAV", "PCM_16", 44100, 2),
                "no/hi__aug1.flac": ("FLAC", "PCM_24", 48000, 1),
                "yes/b__aug1.ogg": ("OGG", "VORBIS", RATE, 1),
                "yes/deep/c__aug1.mp3": ("MP3", "MPEG_LAYER_III", RATE, 1)}
    for name, (fmt, subtype, rate, channels) in expected.items():
        info = sf.info(out / name)
        assert (info.format, info.subtype, info.samplerate, info.channels) == (fmt, subtype, rate, channels)


def test_replaying_a_manifest_row_reproduces_its_output(tree):
    root, src, outputs = tree
    out, _ = outputs[1]
    recipe = load_recipe(root / "recipe.toml")
    rows = [r for r in read_manifest(out / "manifest.csv") if json.loads(r.transforms)]
    assert len(rows) >= 10
    for row in rows:
        decoded = audio_codec.decode((src / row.source).read_bytes())
        data = replay(decoded.data, json.loads(row.transforms), "audio", base=root)
        blob = audio_codec.encode(data, decoded, Path(row.file_name).suffix, recipe.output)
        assert blob == (out / row.file_name).read_bytes(), row.file_name


def test_short_clip_skips_stretch_and_says_so(tree):
    _, _, outputs = tree
    out, _ = outputs[1]
    rows = [r for r in read_manifest(out / "manifest.csv") if r.source == "no/tick.wav"]
    records = [rec for r in rows for rec in json.loads(r.transforms)
               if rec["transform"] in ("time_stretch", "pitch_shift")]
    assert records and all("shorter than" in rec["params"]["skipped"] for rec in records)
    assert all(sf.info(out / r.file_name).frames == 160 for r in rows)


def test_background_noise_rows_name_the_file_and_offset(tree):
    _, _, outputs = tree
    out, _ = outputs[1]
    records = [rec for r in read_manifest(out / "manifest.csv") for rec in json.loads(r.transforms)
               if rec["transform"] == "background_noise"]
    assert records
    for rec in records:  # relative to the recipe file, as the recipe names the folder
        assert rec["params"]["noise_file"] == "noise/hum.wav"
        assert 0 <= rec["params"]["offset_fraction"] < 1


def test_the_same_recipe_in_another_checkout_gives_the_same_manifest(tree, tmp_path):
    """A CI job in a fresh checkout elsewhere must reproduce the manifest to
    the byte: no absolute path of this machine may leak into it."""
    root, _, outputs = tree
    moved = tmp_path / "elsewhere" / "project"
    shutil.copytree(root / "src", moved / "src")
    shutil.copytree(root / "noise", moved / "noise")
    shutil.copy(root / "recipe.toml", moved / "recipe.toml")
    api.expand(source=moved / "src", recipe=moved / "recipe.toml", out=moved / "out", copies=4,
               workers=1, seed=11)
    out, _ = outputs[1]
    assert (moved / "out" / "manifest.csv").read_bytes() == (out / "manifest.csv").read_bytes()
    assert str(root) not in (out / "manifest.csv").read_text()
    assert load_recipe(moved / "recipe.toml").digest == load_recipe(root / "recipe.toml").digest
    (moved / "noise").rename(moved / "hums")
    (moved / "recipe.toml").write_text(RECIPE.replace('"noise"', '"hums"'))
    assert load_recipe(moved / "recipe.toml").digest != load_recipe(root / "recipe.toml").digest


def test_output_options_convert_every_copy(tree, tmp_path):
    root, src, _ = tree
    recipe = root / "convert.toml"
    recipe.write_text('[output]\naudio_format = "flac"\nsample_rate = 16000\nmono = true\n'
                      '[[audio]]\ntransform = "gain"\ngain_db = 3\n')
    summary = api.expand(source=src, recipe=recipe, out=tmp_path / "o", copies=1, workers=1)
    assert summary.copies_written == 6
    info = sf.info(tmp_path / "o" / "no" / "stereo.wav__aug1.flac")
    assert (info.format, info.samplerate, info.channels) == ("FLAC", 16000, 1)


CHECK_IMPORTS = """
import sys
from pathlib import Path
import numpy as np
from PIL import Image
from typer.testing import CliRunner
from augment_cli.cli import app
runner = CliRunner()
assert runner.invoke(app, ["--help"]).exit_code == 0
heavy = ("librosa", "soundfile", "soxr", "scipy", "numba")
after_help = [m for m in heavy if m in sys.modules]
root = Path(sys.argv[1])
(root / "src" / "cat").mkdir(parents=True)
Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(root / "src" / "cat" / "a.png")
(root / "r.toml").write_text('[[image]]\\ntransform = "hflip"\\n')
result = runner.invoke(app, ["expand", str(root / "src"), "--recipe", str(root / "r.toml"),
                             "--out", str(root / "out"), "--workers", "1", "--quiet"])
assert result.exit_code == 0, result.output
print(after_help, [m for m in heavy if m in sys.modules])
"""


def test_help_and_image_runs_import_no_audio_stack(tmp_path):
    done = subprocess.run([sys.executable, "-c", CHECK_IMPORTS, str(tmp_path)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[] []"
