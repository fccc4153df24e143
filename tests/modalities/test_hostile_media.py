"""Hostile audio and text made by the tests: each file gives a correct output or a
clear per-file error; never a crash, a hang or a traceback."""

from __future__ import annotations

import json
import time

import numpy as np
import soundfile as sf

from test_expand_cli import read_rows

RECIPE = """
[[audio]]
transform = "add_noise"
snr_db = [10, 20]

[[audio]]
transform = "time_stretch"
rate = [0.8, 1.2]

[[text]]
transform = "random_swap"
alpha = 0.1
"""
RATE = 16000


def write_corpus(root) -> None:
    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE)).astype(np.float32)
    folder = root / "odd"
    folder.mkdir(parents=True)
    sf.write(folder / "zero_frames.wav", np.zeros(0, np.float32), RATE)
    broken = tone.copy()
    broken[100], broken[200] = np.nan, np.inf
    sf.write(folder / "nan_inf.wav", broken, RATE, subtype="FLOAT")
    sf.write(folder / "ten_samples.wav", tone[:10], RATE)
    sf.write(folder / "silent.wav", np.zeros(RATE, np.float32), RATE)
    sf.write(folder / "eight_bit.wav", tone, RATE, subtype="PCM_U8")
    sf.write(folder / "adpcm.wav", tone, RATE, subtype="IMA_ADPCM")
    (folder / "garbage.txt").write_bytes(bytes(range(256)) * 64)
    (folder / "huge.txt").write_bytes(b"the quick brown fox jumps over the lazy dog. " * 1_200_000)
    (folder / "fine.txt").write_text("I'm fine. This text is perfectly normal.\n", encoding="utf-8")


def test_hostile_audio_and_text(tmp_path, write_recipe, run_cli):
    write_corpus(tmp_path / "src")
    out = tmp_path / "out"
    started = time.monotonic()
    result = run_cli("expand", tmp_path / "src", "--recipe", write_recipe(RECIPE), "--copies", 1,
                     "--out", out, "--workers", 1)
    assert time.monotonic() - started < 60
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = {line.split(": ", 2)[1]: line
              for line in result.stderr.splitlines() if line.startswith("Error: odd/")}
    assert set(errors) == {"odd/zero_frames.wav", "odd/nan_inf.wav", "odd/garbage.txt", "odd/huge.txt"}
    assert "no frames" in errors["odd/zero_frames.wav"]
    assert "NaN or infinite" in errors["odd/nan_inf.wav"]
    assert "binary file" in errors["odd/garbage.txt"]
    assert "over the 10 MiB limit" in errors["odd/huge.txt"]
    rows = {row["source"]: row for row in read_rows(out)}
    assert set(rows) == {"odd/ten_samples.wav", "odd/silent.wav", "odd/eight_bit.wav", "odd/adpcm.wav",
                         "odd/fine.txt"}
    stretch = json.loads(rows["odd/ten_samples.wav"]["transforms"])[1]
    assert "skipped" in stretch["params"]  # too short to stretch: recorded, not a crash
    noise = json.loads(rows["odd/silent.wav"]["transforms"])[0]
    assert "silent source" in noise["params"]["skipped"]
    for source, subtype in [("odd/eight_bit.wav", "PCM_U8"), ("odd/adpcm.wav", "IMA_ADPCM")]:
        info = sf.info(out / rows[source]["file_name"])
        assert info.subtype == subtype and info.frames > 0
