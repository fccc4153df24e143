"""Audio maths for level, noise, polarity, direction, masking and length.

Every applier is a plain function (audio, params) -> audio with no randomness
of its own: noise is generated from the `noise_seed` the sampler drew and
recorded. Samples are (channels, frames) float32 and every channel gets the
same parameters. A params dict with a "skipped" key (written by the sampler
when the clip cannot take the transform) returns the audio unchanged.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from augment_cli.modalities.audio.codec import Audio
from augment_cli.modalities.audio.transforms.core import analysis_frame

Params = dict[str, Any]
NOISE_EXPONENTS = {"white": 0.0, "pink": 0.5, "brown": 1.0}  # amplitude ~ 1 / f**exponent


def skippable(function: Callable[[Audio, Params], Audio]) -> Callable[[Audio, Params], Audio]:
    """Return the audio untouched when the sampler recorded a skip."""
    @functools.wraps(function)
    def apply(audio: Audio, params: Params) -> Audio:
        return audio if "skipped" in params else function(audio, params)

    return apply


def rms(samples: np.ndarray) -> float:
    """Root mean square over every channel and frame (float64 accumulation)."""
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0


def peak(samples: np.ndarray) -> float:
    """The largest |sample|: two reductions, no |samples| copy (2x faster)."""
    return max(float(samples.max()), -float(samples.min())) if samples.size else 0.0


def db_to_amplitude(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def colored_noise(seed: int, shape: tuple[int, int], color: str) -> np.ndarray:
    """Unit-RMS noise per channel: white, pink (-3 dB/octave) or brown (-6 dB/octave).

    Coloured noise is white noise shaped in the frequency domain; its DC term
    is removed so it cannot shift the waveform.
    """
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(shape)
    exponent = NOISE_EXPONENTS[color]
    if exponent and shape[1] > 1:
        spectrum = np.fft.rfft(noise, axis=-1)
        bins = np.arange(spectrum.shape[-1], dtype=np.float64)
        bins[0] = 1.0
        spectrum /= bins**exponent
        spectrum[:, 0] = 0.0
        noise = np.fft.irfft(spectrum, n=shape[1], axis=-1)
    # In place, and the power per channel as a dot product: the 320 KB
    # temporaries of a 2.5 s clip cost more than the arithmetic.
    level = np.sqrt(np.einsum("ij,ij->i", noise, noise) / shape[1])[:, None]
    noise /= np.maximum(level, 1e-12)
    return noise.astype(np.float32)


def mix_at_snr(audio: Audio, noise: np.ndarray, snr_db: float) -> Audio:
    """Add `noise` scaled so 10*log10(P_signal / P_noise) equals snr_db."""
    scale = noise_scale(audio.samples, noise, snr_db)
    if scale is None:
        return audio  # a silent noise file adds nothing (documented)
    return audio.with_samples(audio.samples + noise * scale)


@skippable
def add_noise(audio: Audio, params: Params) -> Audio:
    noise = colored_noise(params["noise_seed"], audio.samples.shape, params["color"])
    scale = noise_scale(audio.samples, noise, params["snr_db"])
    if scale is None:
        return audio
    noise *= scale  # the noise is this call's own array: scaled and summed in place
    noise += audio.samples
    return audio.with_samples(noise)


def noise_scale(samples: np.ndarray, noise: np.ndarray, snr_db: float) -> np.float32 | None:
    """The factor that puts `noise` at snr_db below `samples`; None for silent noise."""
    noise_rms = rms(noise)
    if noise_rms == 0.0:
        return None
    return np.float32(rms(samples) / db_to_amplitude(snr_db) / noise_rms)


@skippable
def gain(audio: Audio, params: Params) -> Audio:
    return audio.with_samples(audio.samples * np.float32(db_to_amplitude(params["gain_db"])))


@skippable
def gain_transition(audio: Audio, params: Params) -> Audio:
    """Gain moves linearly in dB from start to end gain across the transition span.

    np.interp's line in dB (start + slope x offset) becomes amplitude only
    across the span; each side's constant gain is one number, so no curve
    the length of the clip is built. Within 1 float32 step of samples x
    np.power(10, interp / 20) (the formula it replaces: the same in 5 x 10^7
    random frames)."""
    samples, frames = audio.samples, audio.frames
    start, length = params["start_frame"], max(1, params["transition_frames"])
    first, last = params["start_gain_db"], params["end_gain_db"]
    stop = max(0, min(frames, start + length))
    begin = max(0, min(start, stop))
    before, after = np.power(10.0, np.array([first, last]) / 20.0).astype(np.float32)
    out = np.empty_like(samples)
    np.multiply(samples[:, :begin], before, out=out[:, :begin])
    np.multiply(samples[:, stop:], after, out=out[:, stop:])
    # exp of the dB x ln(10)/20, in place: numpy's exp is vectorised, its
    # power is not (7x); the two agree to ~1e-16, far inside float32's rounding.
    to_log = math.log(10.0) / 20.0
    ramp = np.arange(begin - start, stop - start, dtype=np.float64)
    ramp *= (last - first) / length * to_log
    ramp += first * to_log
    np.multiply(samples[:, begin:stop], np.exp(ramp, out=ramp).astype(np.float32), out=out[:, begin:stop])
    return audio.with_samples(out)


@skippable
def normalize(audio: Audio, params: Params) -> Audio:
    """Scale so the peak (or the RMS) reaches target_db dBFS."""
    samples = audio.samples
    level = peak(samples) if params["mode"] == "peak" else rms(samples)
    if level == 0.0:
        return audio
    return audio.with_samples(samples * np.float32(db_to_amplitude(params["target_db"]) / level))


@skippable
def clipping_distortion(audio: Audio, params: Params) -> Audio:
    """Hard-clip at the level that `clip_percent` % of the samples exceed."""
    threshold = float(np.percentile(np.abs(audio.samples), 100.0 - params["clip_percent"]))
    return audio.with_samples(np.clip(audio.samples, -threshold, threshold))


@skippable
def polarity_invert(audio: Audio, params: Params) -> Audio:
    return audio.with_samples(-audio.samples)


@skippable
def reverse(audio: Audio, params: Params) -> Audio:
    return audio.with_samples(audio.samples[:, ::-1])


@skippable
def time_shift(audio: Audio, params: Params) -> Audio:
    """Move the signal by shift_frames: rolled around, or with silence coming in."""
    shift, samples = params["shift_frames"], audio.samples
    if params["mode"] == "roll":
        return audio.with_samples(np.roll(samples, shift, axis=1))
    out = np.zeros_like(samples)
    if shift >= 0:
        out[:, shift:] = samples[:, :samples.shape[1] - shift]
    else:
        out[:, :shift] = samples[:, -shift:]
    return audio.with_samples(out)


@skippable
def time_mask(audio: Audio, params: Params) -> Audio:
    """Silence mask_frames frames from start_frame (SpecAugment's time mask, on the wave)."""
    out = audio.samples.copy()
    out[:, params["start_frame"]:params["start_frame"] + params["mask_frames"]] = 0.0
    return audio.with_samples(out)


@skippable
def pad_or_crop(audio: Audio, params: Params) -> Audio:
    """Fixed length: crop a window starting at `offset`, or pad with silence placed at `offset`."""
    target, offset, samples = params["target_frames"], params["offset"], audio.samples
    if samples.shape[1] >= target:
        return audio.with_samples(samples[:, offset:offset + target])
    out = np.zeros((samples.shape[0], target), dtype=np.float32)
    out[:, offset:offset + samples.shape[1]] = samples
    return audio.with_samples(out)


def frame_powers(samples: np.ndarray, frame: int) -> np.ndarray:
    """Mean power of each centred frame (hop frame / 4, zero-padded by half a
    frame each side, as librosa frames), the loudest channel's.

    A frame is 4 hops, so it is the sum of 4 consecutive hop sums: one pass
    over the squares instead of a running sum the length of the clip."""
    hop = frame // 4
    channels, frames = samples.shape
    count = frames // hop + 1
    padded = np.zeros((channels, (count + 3) * hop))  # 2 hops of silence first
    np.square(samples, out=padded[:, 2 * hop:2 * hop + frames], dtype=np.float64)
    blocks = padded.reshape(channels, count + 3, hop).sum(axis=2)
    sums = blocks[:, :-3] + blocks[:, 1:-2] + blocks[:, 2:-1] + blocks[:, 3:]
    return sums.max(axis=0) / frame


@skippable
def trim(audio: Audio, params: Params) -> Audio:
    """Cut leading and trailing frames quieter than top_db below the loudest frame.

    Loudness is frame RMS (64 ms frames, 75 % overlap), the loudest channel
    counting, as librosa.effects.trim measures it. An all-silent clip is kept.
    """
    frame_power = frame_powers(audio.samples, analysis_frame(audio.sample_rate))
    hop = analysis_frame(audio.sample_rate) // 4
    if frame_power.max() <= 0.0:
        return audio
    loud = np.flatnonzero(frame_power > frame_power.max() * 10.0 ** (-params["top_db"] / 10.0))
    begin = int(loud[0] * hop)
    end = min(audio.frames, int((loud[-1] + 1) * hop))
    return audio.with_samples(audio.samples[:, begin:max(end, begin + 1)])
