"""Expand never writes a copy its own reader refuses: audio and text outputs
are held to the limits recordings and texts are read with (the image side is
in test_image_catalogue_geometry.py). A copy over the limit is a per-file
error, refused before the long recording is allocated, and `verify` finds
DIR intact."""

from __future__ import annotations

import numpy as np
import pytest

from audio_signals import sine, write
from augment_cli import api
from augment_cli.errors import SampleError
from augment_cli.modalities.audio import header as audio_header
from augment_cli.modalities.text import codec as text_codec
from augment_cli.outdir.verify import verify
from augment_cli.registry import get


def draw(name: str, drawn: dict, **meta):
    return get("audio", name).sampler(np.random.default_rng(0), drawn, meta)


@pytest.mark.parametrize("name,drawn,meta", [
    ("pad_or_crop", {"duration_s": 3600, "position": "start"},
     {"frames": 48000, "channels": 2, "sample_rate": 48000}),
    ("speed", {"rate": 0.25}, {"frames": 2**27, "channels": 1, "sample_rate": 48000}),
    ("time_stretch", {"rate": 0.25}, {"frames": 2**27, "channels": 1, "sample_rate": 48000}),
])
def test_audio_samplers_refuse_an_output_over_the_read_limit_before_it_is_made(name, drawn, meta):
    with pytest.raises(SampleError, match=f"{name}: an output of .* is over the 268,435,456-sample limit"):
        draw(name, drawn, **meta)


def test_audio_samplers_let_outputs_within_the_limit_through():
    assert draw("pad_or_crop", {"duration_s": 60, "position": "start"},
                frames=48000, channels=2, sample_rate=48000)["target_frames"] == 60 * 48000
    assert draw("speed", {"rate": 0.25}, frames=2**20, channels=2, sample_rate=48000) == {"rate": 0.25}


def expand(src, recipe_text, tmp_path):
    recipe = tmp_path / "recipe.toml"
    recipe.write_text(recipe_text, encoding="utf-8")
    return api.expand(source=src, recipe=recipe, out=tmp_path / "out", copies=1, workers=1)


@pytest.mark.parametrize("recipe,reason", [
    ('[[audio]]\ntransform = "speed"\nrate = 0.5\n', "speed: an output of 8,000 frames"),
    ('[output]\nsample_rate = 96000\n[[audio]]\ntransform = "gain"\ngain_db = 1.0\n',
     "an output of 24,000 frames"),
])
def test_an_audio_copy_over_the_limit_is_a_per_file_error_and_verify_passes(recipe, reason, tmp_path,
                                                                          monkeypatch):
    monkeypatch.setattr(audio_header, "MAX_SAMPLES", 6_000)  # sources of 4,000 frames stay readable
    src = tmp_path / "src"
    write(src / "a" / "long.wav", sine(440, seconds=0.25))
    write(src / "a" / "short.wav", sine(220, seconds=0.05))
    summary = expand(src, recipe, tmp_path)
    assert [row.source for row in summary.failed] == ["a/long.wav"]
    assert reason in summary.failed[0].error
    assert verify(tmp_path / "out") == []


def test_a_text_copy_over_the_limit_is_a_per_file_error_and_verify_passes(tmp_path, monkeypatch):
    monkeypatch.setattr(text_codec, "MAX_TEXT_BYTES", 220)
    src = tmp_path / "src" / "a"
    src.mkdir(parents=True)
    (src / "grows.txt").write_bytes(("caf\xe9 " * 40).encode("latin-1"))  # 200 bytes, 240 as UTF-8
    (src / "small.txt").write_bytes(("caf\xe9 " * 10).encode("latin-1"))
    summary = expand(tmp_path / "src", '[output]\ntext_encoding = "latin-1"\n'
                                       '[[text]]\ntransform = "random_swap"\n', tmp_path)
    assert [row.source for row in summary.failed] == ["a/grows.txt"]
    assert "over the 0 MiB limit texts are read with" in summary.failed[0].error
    assert verify(tmp_path / "out") == []
