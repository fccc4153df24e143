"""Spectrogram thumbnails for `augment preview` of audio: numpy only, no
plotting library. Low frequencies at the bottom, time left to right, level
in dB mapped to grey (0 = silence floor, 255 = loudest bin)."""

from __future__ import annotations

import numpy as np

FLOOR_DB = -80.0  # levels this far below the loudest bin render black


def spectrogram_image(samples: np.ndarray, sample_rate: int, *, width: int = 160, height: int = 96,
                      n_fft: int = 512) -> np.ndarray:
    """A height x width uint8 image of the log-magnitude STFT of `samples`.

    Args:
        samples: float samples, (frames,) or (channels, frames); channels are averaged.
        sample_rate: Hz (only used to keep very short clips to >= 2 frames of FFT).
        width, height: size of the thumbnail in pixels.
        n_fft: FFT size; hop is a quarter of it.
    """
    mono = np.asarray(samples, dtype=np.float64)
    mono = mono.mean(axis=0) if mono.ndim == 2 else mono
    n_fft = int(min(n_fft, max(16, 2 ** int(np.log2(max(len(mono), 16))))))
    levels = _levels_db(mono, n_fft)
    if levels.size == 0 or not np.isfinite(levels).any():
        return np.zeros((height, width), np.uint8)
    grey = np.clip((levels - levels.max() - FLOOR_DB) / -FLOOR_DB, 0.0, 1.0)
    rows = np.linspace(grey.shape[0] - 1, 0, height).round().astype(int)  # flip: low at bottom
    cols = np.linspace(0, grey.shape[1] - 1, width).round().astype(int)
    return np.rint(grey[np.ix_(rows, cols)] * 255).astype(np.uint8)


def _levels_db(mono: np.ndarray, n_fft: int) -> np.ndarray:
    """(bins, frames) magnitude in dB; all -inf for digital silence."""
    hop = n_fft // 4
    padded = np.pad(mono, (n_fft // 2, n_fft // 2))
    count = 1 + max(0, (len(padded) - n_fft) // hop)
    index = np.arange(n_fft)[None, :] + hop * np.arange(count)[:, None]
    frames = padded[index] * np.hanning(n_fft)[None, :]
    magnitude = np.abs(np.fft.rfft(frames, axis=1)).T
    with np.errstate(divide="ignore"):
        return 20 * np.log10(magnitude)
