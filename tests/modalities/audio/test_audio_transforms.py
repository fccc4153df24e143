"""Each audio transform measured on the signal: fails if it does the wrong thing."""

from __future__ import annotations

import numpy as np
import pytest

from audio_signals import RATE, band_energy, dominant_hz, power, sine, snr_db, tones, write
from augment_cli.modalities.audio.codec import Audio
from augment_cli.recipe import parse_recipe
from augment_cli.run.steps import apply_one, augment


def apply(name: str, audio: Audio, **params) -> Audio:
    return apply_one("audio", name, audio, params)


@pytest.mark.parametrize("color", ["white", "pink", "brown"])
@pytest.mark.parametrize("target", [0.0, 10.0, 30.0])
def test_add_noise_reaches_the_snr(color, target):
    clean = sine(440)
    noisy = apply("add_noise", clean, color=color, snr_db=target, noise_seed=7)
    assert abs(snr_db(clean.samples, noisy.samples) - target) < 0.5


def test_noise_colours_have_their_slopes():
    def slope(color):  # energy ratio of the octave 500-1000 Hz to 4000-8000 Hz
        audio = sine(1, seconds=2.0, amplitude=1e-3)
        noise = apply("add_noise", audio, color=color, snr_db=-60.0, noise_seed=1).samples
        noise_only = Audio(noise - audio.samples, RATE)
        return band_energy(noise_only, 500, 1000) / band_energy(noise_only, 4000, 8000)
    white, pink, brown = slope("white"), slope("pink"), slope("brown")
    assert white == pytest.approx(1 / 8, rel=0.3)   # energy per Hz flat
    assert pink == pytest.approx(1.0, rel=0.3)      # equal energy per octave
    assert brown == pytest.approx(8.0, rel=0.3)     # -6 dB per octave


def test_add_noise_on_silence_is_skipped_and_noted():
    recipe = parse_recipe('[[audio]]\ntransform = "add_noise"\n', "r.toml")
    silent = Audio(np.zeros((1, 8000), np.float32), RATE)
    out, records = augment(silent, recipe.steps_for("audio"), "audio", np.random.SeedSequence(1))
    assert np.array_equal(out.samples, silent.samples)
    assert records[0]["params"]["skipped"].startswith("silent source")


def test_speed_2_halves_length_and_doubles_frequency():
    out = apply("speed", sine(440), rate=2.0)
    assert out.frames == pytest.approx(4000, rel=0.01)
    assert dominant_hz(out) == pytest.approx(880, abs=8)


@pytest.mark.parametrize("rate, frames", [(2.0, 4000), (0.5, 16000)])
def test_time_stretch_changes_length_and_keeps_frequency(rate, frames):
    out = apply("time_stretch", sine(440), rate=rate)
    assert out.frames == pytest.approx(frames, rel=0.01)
    assert dominant_hz(out) == pytest.approx(440, abs=8)


@pytest.mark.parametrize("semitones, expected", [(12.0, 880.0), (-12.0, 220.0), (7.0, 659.26)])
def test_pitch_shift_moves_frequency_and_keeps_length(semitones, expected):
    source = sine(440)
    out = apply("pitch_shift", source, semitones=semitones)
    assert out.frames == source.frames
    assert dominant_hz(out) == pytest.approx(expected, abs=8)


def test_gain_plus_6_db_doubles_amplitude():
    source = sine(440)
    out = apply("gain", source, gain_db=6.0)
    ratio = np.abs(out.samples).max() / np.abs(source.samples).max()
    assert ratio == pytest.approx(2.0, rel=0.01)


def test_gain_transition_goes_from_start_to_end_gain():
    source = Audio(np.ones((1, 1000), np.float32) * 0.5, RATE)
    out = apply("gain_transition", source, start_gain_db=-6.0, end_gain_db=6.0,
                start_frame=400, transition_frames=200).samples[0]
    assert out[:400] == pytest.approx(0.5 * 10 ** (-6 / 20))
    assert out[600:] == pytest.approx(0.5 * 10 ** (6 / 20))
    assert np.all(np.diff(out[400:600]) > 0)


@pytest.mark.parametrize("mode, measure", [("peak", lambda s: np.abs(s).max()),
                                           ("rms", lambda s: np.sqrt(power(s)))])
def test_normalize_reaches_target(mode, measure):
    out = apply("normalize", sine(440, amplitude=0.05), mode=mode, target_db=-3.0)
    assert 20 * np.log10(measure(out.samples)) == pytest.approx(-3.0, abs=0.01)


def test_clipping_distortion_clips_the_given_share():
    source = sine(440)
    out = apply("clipping_distortion", source, clip_percent=20.0).samples
    level = np.abs(out).max()
    assert level < 0.5 * 0.99
    assert np.mean(np.abs(source.samples) > level) == pytest.approx(0.2, abs=0.01)


def test_polarity_invert_and_reverse():
    source = sine(440)
    assert np.array_equal(apply("polarity_invert", source).samples, -source.samples)
    assert np.array_equal(apply("reverse", source).samples, source.samples[:, ::-1])


def test_time_shift_roll_and_pad():
    source = sine(440)
    rolled = apply("time_shift", source, shift_fraction=0.1, mode="roll", shift_frames=800)
    assert np.array_equal(rolled.samples, np.roll(source.samples, 800, axis=1))
    padded = apply("time_shift", source, shift_fraction=-0.1, mode="pad", shift_frames=-800)
    assert np.array_equal(padded.samples[:, :-800], source.samples[:, 800:])
    assert not padded.samples[:, -800:].any()


def butterworth_power(ratio: float, order: int) -> float:
    """|H|^2 of a Butterworth filter at frequency / cutoff (lowpass) = ratio."""
    return 1 / (1 + ratio ** (2 * order))


def assert_attenuation(measured: float, expected: float) -> None:
    """Within 1 dB of the Butterworth response, down to the float32 leakage floor."""
    if expected > 1e-5:
        assert abs(10 * np.log10(measured / expected)) < 1.0
    else:
        assert measured < 1e-5


def kept(out: Audio, source: Audio, hz: float) -> float:
    return band_energy(out, hz - 100, hz + 100) / band_energy(source, hz - 100, hz + 100)


@pytest.mark.parametrize("order", [2, 4, 8])
def test_lowpass_removes_energy_above_cutoff(order):
    source = tones([500, 6000])
    out = apply("lowpass", source, cutoff_hz=2000.0, order=order)
    assert_attenuation(kept(out, source, 6000), butterworth_power(3.0, order))
    assert kept(out, source, 6000) < 0.02
    assert kept(out, source, 500) == pytest.approx(1.0, abs=0.01)


def test_highpass_and_bandpass_keep_only_their_band():
    source = tones([200, 2000, 7000])
    high = apply("highpass", source, cutoff_hz=1000.0, order=4)
    assert_attenuation(kept(high, source, 200), butterworth_power(5.0, 4))
    assert kept(high, source, 2000) == pytest.approx(1.0, abs=0.02)
    band = apply("bandpass", source, low_hz=1000.0, high_hz=3000.0, order=4)
    assert kept(band, source, 200) < 2e-5
    assert_attenuation(kept(band, source, 7000), butterworth_power(7 / 3, 4))
    assert kept(band, source, 2000) > 0.9


def test_mp3_compression_degrades_with_lower_bit_rate_and_keeps_length():
    source = tones([300, 1200, 5000])
    rough = apply("mp3_compression", source, bitrate_kbps=8)
    fine = apply("mp3_compression", source, bitrate_kbps=128)
    assert rough.frames == fine.frames == source.frames
    assert snr_db(source.samples, fine.samples) > snr_db(source.samples, rough.samples) + 3
    assert snr_db(source.samples, fine.samples) > 10


def test_time_mask_silences_only_the_span():
    source = sine(440)
    out = apply("time_mask", source, start_frame=1000, mask_frames=500).samples
    assert not out[:, 1000:1500].any()
    assert np.array_equal(out[:, :1000], source.samples[:, :1000])
    assert np.array_equal(out[:, 1500:], source.samples[:, 1500:])


def test_trim_cuts_leading_and_trailing_silence():
    tone = sine(440, seconds=0.5).samples
    padded = np.concatenate([np.zeros((1, 8000)), tone, np.zeros((1, 16000))], axis=1)
    out = apply("trim", Audio(padded.astype(np.float32), RATE), top_db=30.0)
    assert out.frames == pytest.approx(8000, abs=1024)


@pytest.mark.parametrize("frames, position, offset, expect_start", [
    (24000, "center", 4000, 4000), (4000, "start", 0, 0), (4000, "center", 2000, None)])
def test_pad_or_crop_gives_the_length(frames, position, offset, expect_start):
    source = Audio(np.arange(frames, dtype=np.float32)[None] / frames, RATE)
    out = apply("pad_or_crop", source, target_frames=8000, offset=offset)
    assert out.frames == 8000
    if expect_start is not None and frames > 8000:
        assert out.samples[0, 0] == source.samples[0, expect_start]
    elif frames < 8000:
        assert np.array_equal(out.samples[0, offset:offset + frames], source.samples[0])


def test_impulse_response_convolves(tmp_path):
    response = np.zeros(400, np.float32)
    response[0], response[300] = 1.0, 0.5
    ir = write(tmp_path / "ir.wav", Audio(response[None], RATE), subtype="FLOAT")
    source = sine(440)
    out = apply("impulse_response", source, ir_file=str(ir)).samples[0]
    expected = source.samples[0].astype(np.float64).copy()
    expected[300:] += 0.5 * source.samples[0, :-300]
    expected *= np.sqrt(power(source.samples) / power(expected))
    assert np.allclose(out, expected, atol=1e-4)


def test_background_noise_mixes_at_snr_and_matches_channels(tmp_path):
    noise = write(tmp_path / "n.wav", sine(3000, seconds=0.2, rate=8000), subtype="FLOAT")
    source = sine(440, channels=2)
    out = apply("background_noise", source, noise_file=str(noise), offset_fraction=0.5, snr_db=10.0)
    assert out.samples.shape == source.samples.shape
    assert snr_db(source.samples, out.samples) == pytest.approx(10.0, abs=0.5)
    assert dominant_hz(Audio(out.samples - source.samples, RATE)) == pytest.approx(3000, abs=8)


def test_short_noises_add_bursts_only_in_their_spans(tmp_path):
    noise = write(tmp_path / "n.wav", sine(3000, seconds=0.05), subtype="FLOAT")
    source = sine(440)
    bursts = [{"noise_file": str(noise), "start_s": 0.1, "duration_s": 0.1, "snr_db": 0.0}]
    out = apply("short_noises", source, bursts=bursts).samples
    added = out - source.samples
    assert not added[:, :1600].any() and not added[:, 3200:].any()
    assert power(added[:, 1600:3200]) == pytest.approx(power(source.samples), rel=0.05)


def test_stereo_stays_stereo_and_channels_are_treated_alike():
    source = sine(440, channels=2)
    out = source
    for name, params in [("pitch_shift", {"semitones": 3.0}), ("time_stretch", {"rate": 1.2}),
                         ("lowpass", {"cutoff_hz": 1000.0, "order": 4}), ("speed", {"rate": 0.9}),
                         ("gain_transition", {"start_gain_db": -3.0, "end_gain_db": 3.0,
                                              "start_frame": 10, "transition_frames": 100})]:
        out = apply(name, out, **params)
    assert out.samples.shape[0] == 2
    assert np.array_equal(out.samples[0], out.samples[1])


def test_a_clip_too_short_for_stretch_is_skipped_and_recorded():
    recipe = parse_recipe('[[audio]]\ntransform = "time_stretch"\nrate = 2.0\n'
                          '[[audio]]\ntransform = "gain"\ngain_db = 6.0\n', "r.toml")
    short = sine(440, seconds=0.01)
    out, records = augment(short, recipe.steps_for("audio"), "audio", np.random.SeedSequence(1))
    assert "shorter than" in records[0]["params"]["skipped"]
    assert records[1] == {"transform": "gain", "params": {"gain_db": 6.0}}
    assert out.frames == short.frames


def test_mp3_compression_skips_what_mp3_cannot_hold():
    recipe = parse_recipe('[[audio]]\ntransform = "mp3_compression"\n', "r.toml")
    for clip, reason in ((sine(440, channels=3), "at most 2 channels"),
                         (sine(440, rate=39000), "no 39000 Hz mode")):
        out, records = augment(clip, recipe.steps_for("audio"), "audio", np.random.SeedSequence(2))
        assert reason in records[0]["params"]["skipped"] and out is clip


# The transforms these tests pin down (tests/test_registry.py fails while a
# registered transform is named in no module's BEHAVIOUR).
def drawn_params(text: str, audio: Audio, seeds=range(40)) -> list[dict]:
    """What the recipe's one step records for `audio`, over many copies."""
    steps = parse_recipe(text, "r.toml").steps_for("audio")
    return [augment(audio, steps, "audio", np.random.SeedSequence(seed))[1][0]["params"] for seed in seeds]


@pytest.mark.parametrize("name", ["lowpass", "highpass"])
def test_cutoffs_are_drawn_below_the_clips_nyquist_frequency(name):
    speech = sine(300, rate=8000)
    params = drawn_params(f'[[audio]]\ntransform = "{name}"\ncutoff_hz = [2000, 6000]\n', speech)
    assert all(2000 <= p["cutoff_hz"] < 4000 for p in params)
    # A clip that can take the whole range gets the values it always got: the first draw.
    wide = drawn_params(f'[[audio]]\ntransform = "{name}"\ncutoff_hz = [2000, 6000]\n', sine(300))
    assert any(p["cutoff_hz"] >= 4000 for p in wide)


def test_a_cutoff_range_wholly_above_nyquist_is_skipped_with_the_reason():
    (params,) = drawn_params('[[audio]]\ntransform = "lowpass"\ncutoff_hz = [5000, 6000]\n',
                             sine(300, rate=8000), seeds=[0])
    assert params == {"skipped": "cutoff range 5000-6000 Hz is not below the Nyquist frequency "
                                 "(4000 Hz) of this 8000 Hz clip: nothing to filter"}


def test_time_shift_fills_with_silence_by_default():
    source = sine(440)
    for params in drawn_params('[[audio]]\ntransform = "time_shift"\nshift_fraction = [0.1, 0.2]\n', source):
        assert params["mode"] == "pad"
        shifted = apply("time_shift", source, **params)
        assert not shifted.samples[:, : params["shift_frames"]].any()


def test_a_burst_is_recorded_as_long_as_it_is_heard(tmp_path):
    write(tmp_path / "noise" / "n.wav", sine(3000, seconds=2.0), subtype="FLOAT")
    text = f'[[audio]]\ntransform = "short_noises"\nfolder = "{tmp_path / "noise"}"\nburst_s = [5, 6]\n'
    for params in drawn_params(text, sine(440, seconds=0.5)):
        assert all(b["start_s"] + b["duration_s"] <= 0.5 + 1e-6 for b in params["bursts"])



BEHAVIOUR = {
    "audio/add_noise": (test_add_noise_reaches_the_snr, test_noise_colours_have_their_slopes,
                        test_add_noise_on_silence_is_skipped_and_noted),
    "audio/background_noise": test_background_noise_mixes_at_snr_and_matches_channels,
    "audio/bandpass": test_highpass_and_bandpass_keep_only_their_band,
    "audio/clipping_distortion": test_clipping_distortion_clips_the_given_share,
    "audio/gain": test_gain_plus_6_db_doubles_amplitude,
    "audio/gain_transition": test_gain_transition_goes_from_start_to_end_gain,
    "audio/highpass": (test_highpass_and_bandpass_keep_only_their_band,
                       test_cutoffs_are_drawn_below_the_clips_nyquist_frequency),
    "audio/impulse_response": test_impulse_response_convolves,
    "audio/lowpass": (test_lowpass_removes_energy_above_cutoff,
                      test_cutoffs_are_drawn_below_the_clips_nyquist_frequency,
                      test_a_cutoff_range_wholly_above_nyquist_is_skipped_with_the_reason),
    "audio/mp3_compression": (test_mp3_compression_degrades_with_lower_bit_rate_and_keeps_length,
                              test_mp3_compression_skips_what_mp3_cannot_hold),
    "audio/normalize": test_normalize_reaches_target,
    "audio/pad_or_crop": test_pad_or_crop_gives_the_length,
    "audio/pitch_shift": test_pitch_shift_moves_frequency_and_keeps_length,
    "audio/polarity_invert": test_polarity_invert_and_reverse,
    "audio/reverse": test_polarity_invert_and_reverse,
    "audio/short_noises": (test_short_noises_add_bursts_only_in_their_spans,
                           test_a_burst_is_recorded_as_long_as_it_is_heard),
    "audio/speed": test_speed_2_halves_length_and_doubles_frequency,
    "audio/time_mask": test_time_mask_silences_only_the_span,
    "audio/time_shift": (test_time_shift_roll_and_pad, test_time_shift_fills_with_silence_by_default),
    "audio/time_stretch": (test_time_stretch_changes_length_and_keeps_frequency,
                           test_a_clip_too_short_for_stretch_is_skipped_and_recorded),
    "audio/trim": test_trim_cuts_leading_and_trailing_silence,
}
