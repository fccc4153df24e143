"""The audio stretch is checked against librosa, the reference implementation it
re-implements (librosa itself is never imported at run time: see audio_time_ops)."""

from __future__ import annotations

import numpy as np
import pytest

from augment_cli.modalities.audio.transforms.time_ops import stretch

RATE, N_FFT = 16000, 1024


@pytest.mark.parametrize("rate", [0.8, 1.25, 2.0])
def test_phase_vocoder_agrees_with_librosa_time_stretch(rate):
    librosa = pytest.importorskip("librosa")
    times = np.arange(int(1.5 * RATE)) / RATE
    clip = (0.4 * np.sin(2 * np.pi * (200 + 300 * times) * times)
            + 0.2 * np.sin(2 * np.pi * 1200 * times)).astype(np.float32)
    ours = stretch(clip[None], rate, N_FFT)[0]
    reference = librosa.effects.time_stretch(clip, rate=rate, n_fft=N_FFT, hop_length=N_FFT // 4)
    assert abs(ours.size - reference.size) <= N_FFT // 4
    frames = min(ours.size, reference.size)
    error = ours[:frames] - reference[:frames]
    snr_db = 10 * np.log10(np.sum(reference[:frames] ** 2) / np.sum(error**2))
    assert snr_db > 40, f"only {snr_db:.1f} dB from librosa's output"
