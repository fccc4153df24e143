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

import numpy as np

from augment_cli.audio_codec import Audio, resample
from augment_cli.transforms.audio import analysis_frame
from augment_cli.transforms.audio_ops import Params, skippable


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
    """Move every frequency by `semitones`, duration kept: stretch, then resample back."""
    ratio = 2.0 ** (params["semitones"] / 12.0)
    rate = audio.sample_rate
    longer = stretch(audio.samples, 1.0 / ratio, analysis_frame(rate))
    shifted = resample(longer, rate * ratio, rate)
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
    length = int(round(frames / rate))
    return _istft(stretched, n_fft, hop, window, length)


def _hann(n_fft: int) -> np.ndarray:
    """Periodic Hann window (the STFT convention; sums to a constant at hop n_fft/4)."""
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float64)


def _stft(samples: np.ndarray, n_fft: int, hop: int, window: np.ndarray) -> np.ndarray:
    """(channels, frames) -> (channels, steps, bins), frames centred as in librosa."""
    padded = np.pad(samples.astype(np.float64), ((0, 0), (n_fft // 2, n_fft // 2)))
    views = np.lib.stride_tricks.sliding_window_view(padded, n_fft, axis=1)[:, ::hop]
    return np.fft.rfft(views * window, axis=-1)


def _phase_vocoder(spectra: np.ndarray, rate: float, hop: int, n_fft: int) -> np.ndarray:
    """Resample the STFT in time by `rate` keeping each bin's phase coherent."""
    steps = np.arange(0.0, spectra.shape[1], rate)
    padded = np.concatenate([spectra, np.zeros_like(spectra[:, :2])], axis=1)
    index = steps.astype(np.int64)
    fraction = (steps - index)[None, :, None]
    left, right = padded[:, index], padded[:, index + 1]
    magnitude = (1.0 - fraction) * np.abs(left) + fraction * np.abs(right)
    expected = 2.0 * np.pi * hop * np.arange(spectra.shape[2]) / n_fft
    deviation = np.angle(right) - np.angle(left) - expected
    deviation -= 2.0 * np.pi * np.round(deviation / (2.0 * np.pi))
    advance = expected + deviation
    # Step j uses the first frame's phase plus every advance before j.
    phase = np.angle(spectra[:, :1]) + np.concatenate(
        [np.zeros_like(advance[:, :1]), np.cumsum(advance[:, :-1], axis=1)], axis=1)
    return magnitude * np.exp(1j * phase)


def _istft(spectra: np.ndarray, n_fft: int, hop: int, window: np.ndarray,
           length: int) -> np.ndarray:
    """Windowed overlap-add, divided by the summed squared window; centred crop."""
    channels, steps = spectra.shape[:2]
    pieces = np.fft.irfft(spectra, n=n_fft, axis=-1) * window
    overlap = n_fft // hop
    blocks = np.zeros((channels, steps + overlap, hop))
    envelope = np.zeros((steps + overlap, hop))
    pieces = pieces.reshape(channels, steps, overlap, hop)
    squared = (window**2).reshape(overlap, hop)
    for part in range(overlap):  # n_fft / hop (= 4) strided additions, not one per frame
        blocks[:, part:part + steps] += pieces[:, :, part]
        envelope[part:part + steps] += squared[part]
    signal = blocks.reshape(channels, -1) / np.maximum(envelope.reshape(-1), 1e-10)
    start = n_fft // 2
    return fit_length(signal[:, start:start + length], length).astype(np.float32)
