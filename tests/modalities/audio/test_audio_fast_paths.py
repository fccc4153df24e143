"""The audio appliers' fast paths against the plain formulas they replace."""

from __future__ import annotations

import numpy as np
import pytest

from audio_signals import RATE
from augment_cli import registry
from augment_cli.modalities.audio.codec import Audio
from augment_cli.modalities.audio.transforms import core, core_ops, mix_ops
from augment_cli.modalities.audio.transforms.core import is_silent
from augment_cli.run.steps import apply_one, meta_of


def test_silence_is_every_sample_exactly_zero():
    assert is_silent(np.zeros((2, 100), np.float32)) and is_silent(np.full((1, 9), -0.0, np.float32))
    assert is_silent(np.zeros((1, 0), np.float32))
    # squares that underflow to 0 are still sound: the exact test decides
    assert not is_silent(np.full((1, 10), 1e-30, np.float32))
    assert not is_silent(np.array([[0.0, np.nan]], np.float32))
    assert not is_silent(np.random.default_rng(0).standard_normal((1, 4000)).astype(np.float32))


@pytest.mark.parametrize("samples", [np.zeros((2, 50), np.float32), np.ones((1, 50), np.float32)])
def test_the_silence_in_the_meta_is_worked_out_on_first_use_and_copies_keep_it(samples, monkeypatch):
    calls = []
    monkeypatch.setattr(core, "is_silent", lambda found: calls.append(1) or is_silent(found))
    meta = core.meta(Audio(samples, RATE))
    assert calls == [] and "silent" in meta and meta["frames"] == 50
    assert meta["silent"] is is_silent(samples) and calls == [1]
    assert meta["silent"] is is_silent(samples) and calls == [1]  # once
    copied = core.meta(Audio(samples, RATE))
    assert {**copied}["silent"] is dict(copied)["silent"] is is_silent(samples)
    assert list(copied) == ["sample_rate", "frames", "channels", "duration_s", "silent"]
    for read in (lambda m: m.get("silent"), lambda m: dict(m.items())["silent"], lambda m: m.values()[-1]):
        assert read(core.meta(Audio(samples, RATE))) is is_silent(samples)
    assert meta.get("width", 3) == 3
    with pytest.raises(KeyError):
        meta["width"]


def test_a_gain_step_does_not_scan_the_clip_for_silence_and_normalize_does(monkeypatch):
    calls = []
    monkeypatch.setattr(core, "is_silent", lambda found: calls.append(1) or is_silent(found))
    clip = Audio(np.random.default_rng(0).standard_normal((1, 800)).astype(np.float32), RATE)
    for name, scans in (("gain", []), ("reverse", []), ("normalize", [1])):
        calls.clear()
        spec = registry.require("audio", name)
        rng = np.random.default_rng(1)
        given = {param.name: param.default for param in spec.params}
        spec.sampler(rng, registry.draw(rng, spec, given), meta_of("audio", clip))
        assert calls == scans, name


def test_gain_transition_is_the_interp_formula_to_a_float32_step():
    rng = np.random.default_rng(0)
    for _ in range(200):
        frames = int(rng.integers(1, 20000))
        length = int(rng.integers(0, frames + 1))
        params = {"start_frame": int(rng.integers(0, frames - length + 1)), "transition_frames": length,
                  "start_gain_db": float(rng.uniform(-60, 60)), "end_gain_db": float(rng.uniform(-60, 60))}
        samples = rng.standard_normal((int(rng.integers(1, 3)), frames)).astype(np.float32)
        start, span = params["start_frame"], max(1, length)
        curve_db = np.interp(np.arange(frames), [start, start + span],
                             [params["start_gain_db"], params["end_gain_db"]])
        expected = samples * np.power(10.0, curve_db / 20.0).astype(np.float32)
        out = core_ops.gain_transition(Audio(samples, RATE), params).samples
        assert (np.abs(out.astype(np.float64) - expected) <= np.spacing(np.abs(expected))).all()


def test_frame_powers_are_the_running_sum_formula():
    rng = np.random.default_rng(1)
    for _ in range(50):
        frame = int(2 ** rng.integers(6, 12))
        shape = (int(rng.integers(1, 3)), int(rng.integers(1, 30000)))
        samples = rng.standard_normal(shape).astype(np.float32)
        power = np.pad(np.square(samples, dtype=np.float64), ((0, 0), (frame // 2, frame // 2)))
        running = np.concatenate([np.zeros((power.shape[0], 1)), np.cumsum(power, axis=1)], axis=1)
        starts = np.arange(0, power.shape[1] - frame + 1, frame // 4)
        expected = ((running[:, starts + frame] - running[:, starts]) / frame).max(axis=0)
        np.testing.assert_allclose(core_ops.frame_powers(samples, frame), expected, rtol=1e-9,
                                   atol=1e-12 * expected.max())


@pytest.mark.parametrize(("start", "frames"), [(0, 10), (990, 20), (500, 5000), (999, 1), (0, 1000),
                                               (1500, 10)])
def test_looped_is_the_modulo_index(start, frames):
    noise = np.random.default_rng(2).standard_normal((2, 1000)).astype(np.float32)
    expected = noise[:, (start + np.arange(frames)) % noise.shape[1]]
    np.testing.assert_array_equal(mix_ops.looped(noise, start, frames), expected)


def test_peak_is_the_largest_magnitude():
    samples = np.array([[0.1, -0.7, 0.5], [0.2, 0.3, -0.1]], np.float32)
    assert core_ops.peak(samples) == pytest.approx(0.7) and core_ops.peak(samples[:, :0]) == 0.0


@pytest.mark.parametrize(("name", "params"), [
    ("lowpass", {"cutoff_hz": 200.0, "order": 2}), ("highpass", {"cutoff_hz": 50.0, "order": 8}),
    ("bandpass", {"low_hz": 300.0, "high_hz": 900.0, "order": 4})])
def test_filters_ring_out_before_the_fft_wraps_round(name, params):
    # The zero padding follows the filter's slowest decay: an impulse at the
    # clip's end leaks nothing into its start (and the reverse), and the
    # result is the filter with all the padding in the world.
    frames = 16000
    samples = np.zeros((1, frames), np.float32)
    samples[0, -1] = samples[0, 0] = 1.0
    out = apply_one("audio", name, Audio(samples, RATE), params).samples[0]
    response = {"lowpass": lambda: mix_ops._lowpass_response(200.0, 2),
                "highpass": lambda: mix_ops._highpass_response(50.0, 8),
                "bandpass": lambda: (lambda f: mix_ops._highpass_response(300.0, 4)(f)
                                     * mix_ops._lowpass_response(900.0, 4)(f))}[name]()
    size = 8 * frames  # far more than any ringing here
    spectrum = np.fft.rfft(samples.astype(np.float64), n=size) * response(np.fft.rfftfreq(size, 1 / RATE))
    expected = np.fft.irfft(spectrum, n=size)[0, :frames]
    assert np.abs(out - expected).max() < 1e-6
    assert np.abs(out[frames // 2 - 200:frames // 2 + 200]).max() < 1e-6  # far from both impulses
