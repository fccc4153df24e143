"""Audio maths for time and pitch: speed, time_stretch, pitch_shift.

Resampling is soxr (the library librosa itself resamples with). Stretching is
a phase vocoder written with numpy's FFT, the same algorithm as
librosa.effects.time_stretch (Flanagan & Golden; magnitude interpolated
between frames, phase advanced by each bin's measured frequency), vectorised
over frames. It avoids librosa's import and numba warm-up (about 2 s per
fresh process) and is several times faster per call; benchmarks/audio.py
measures both.
"""

from __future__ import annotations

import functools

import numpy as np

from augment_cli.modalities.audio.codec import Audio, resample
from augment_cli.modalities.audio.transforms.core import analysis_frame
from augment_cli.modalities.audio.transforms.core_ops import Params, skippable


@skippable
def speed(audio: Audio, params: Params) -> Audio:
    """Play `rate` times faster: duration / rate, every frequency x rate."""
    rate = audio.sample_rate
    return audio.with_samples(resample(audio.samples, rate, rate / params["rate"]))


@skippable
def time_stretch(audio: Audio, params: Params) -> Audio:
    """Duration / rate with the pitch kept."""
    return audio.with_samples(stretch(audio.samples, params["rate"], analysis_frame(audio.sample_rate)))


@skippable
def pitch_shift(audio: Audio, params: Params) -> Audio:
    """Move every frequency by `semitones`, duration kept: resample and stretch back.

    Both orders give the same result; the one run is whichever makes the
    phase vocoder handle fewer frames (the shorter intermediate signal).
    """
    ratio = 2.0 ** (params["semitones"] / 12.0)
    rate, n_fft = audio.sample_rate, analysis_frame(audio.sample_rate)
    if ratio > 1.0:  # up: speed up first (shorter), then stretch back to length
        faster = resample(audio.samples, rate, rate / ratio)
        shifted = stretch(faster, faster.shape[1] / audio.frames, n_fft)
    else:  # down: stretch shorter first, then slow down to length
        shorter = stretch(audio.samples, 1.0 / ratio, n_fft)
        shifted = resample(shorter, rate * ratio, rate)
    return audio.with_samples(fit_length(shifted, audio.frames))


def fit_length(samples: np.ndarray, frames: int) -> np.ndarray:
    """Crop or zero-pad (at the end) to exactly `frames` frames."""
    if samples.shape[1] >= frames:
        return samples[:, :frames]
    return np.pad(samples, ((0, 0), (0, frames - samples.shape[1])))


def stretch(samples: np.ndarray, rate: float, n_fft: int) -> np.ndarray:
    """Phase-vocoder time stretch of (channels, frames) to round(frames / rate) frames."""
    hop = n_fft // 4
    frames = samples.shape[1]
    window = _hann(n_fft)
    spectra = _stft(samples, n_fft, hop, window)
    stretched = _phase_vocoder(spectra, rate, hop, n_fft)
    length = round(frames / rate)
    return _istft(stretched, n_fft, hop, window, length)


@functools.lru_cache(maxsize=8)
def _hann(n_fft: int) -> np.ndarray:
    """Periodic Hann window (the STFT convention; sums to a constant at hop n_fft/4)."""
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)


def _stft(samples: np.ndarray, n_fft: int, hop: int, window: np.ndarray) -> np.ndarray:
    """(channels, frames) -> (channels, steps, bins), frames centred as in librosa."""
    padded = np.pad(samples.astype(np.float64), ((0, 0), (n_fft // 2, n_fft // 2)))
    views = np.lib.stride_tricks.sliding_window_view(padded, n_fft, axis=1)[:, ::hop]
    # numpy's float32 rfft measured ~4x slower than float64 here; the rest is float32.
    return np.fft.rfft(views * window, axis=-1).astype(np.complex64)


def _phase_vocoder(spectra: np.ndarray, rate: float, hop: int, n_fft: int) -> np.ndarray:
    """Resample the STFT in time by `rate` keeping each bin's phase coherent."""
    # Two zero frames appended, as librosa does, so every step has a right neighbour.
    padded = np.concatenate([spectra, np.zeros_like(spectra[:, :2])], axis=1)
    magnitudes, phases = np.abs(padded), np.angle(padded)
    expected = (2.0 * np.pi * hop / n_fft * np.arange(spectra.shape[2])).astype(np.float32)
    # Each bin's phase advance from input frame t to t + 1: the expected
    # advance plus the measured deviation wrapped to [-pi, pi].
    deviation = phases[:, 1:] - phases[:, :-1] - expected
    deviation -= np.float32(2.0 * np.pi) * np.round(deviation / np.float32(2.0 * np.pi))
    advance = deviation + expected
    steps = np.arange(0.0, spectra.shape[1], rate)
    index = steps.astype(np.int64)
    fraction = (steps - index).astype(np.float32)[None, :, None]
    left = magnitudes[:, index]
    magnitude = left + fraction * (magnitudes[:, index + 1] - left)
    # Step j uses the first frame's phase plus the advances of steps before j.
    phase = np.empty(magnitude.shape, dtype=np.float32)
    phase[:, 0] = phases[:, 0]
    np.cumsum(advance[:, index[:-1]], axis=1, out=phase[:, 1:])
    phase[:, 1:] += phases[:, :1]
    out = np.empty(phase.shape, dtype=np.complex64)
    out.real, out.imag = magnitude * np.cos(phase), magnitude * np.sin(phase)  # 15x np.exp(1j*...)
    return out


def _istft(spectra: np.ndarray, n_fft: int, hop: int, window: np.ndarray,
           length: int) -> np.ndarray:
    """Windowed overlap-add, divided by the summed squared window; centred crop."""
    channels, steps = spectra.shape[:2]
    pieces = np.fft.irfft(spectra, n=n_fft, axis=-1) * window
    overlap = n_fft // hop
    blocks = np.zeros((channels, steps + overlap, hop), dtype=np.float32)
    envelope = np.zeros((steps + overlap, hop), dtype=np.float32)
    pieces = pieces.reshape(channels, steps, overlap, hop)
    squared = (window**2).reshape(overlap, hop)
    for part in range(overlap):  # n_fft / hop (= 4) strided additions, not one per frame
        blocks[:, part:part + steps] += pieces[:, :, part]
        envelope[part:part + steps] += squared[part]
    signal = blocks.reshape(channels, -1) / np.maximum(envelope.reshape(-1), 1e-10)
    start = n_fft // 2
    return fit_length(signal[:, start:start + length], length).astype(np.float32)
