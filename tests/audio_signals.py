"""Signals and measurements shared by the audio tests (made here, no data files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from augment_cli.modalities.audio.codec import Audio

RATE = 16000


def sine(frequency: float, seconds: float = 0.5, rate: int = RATE, channels: int = 1,
         amplitude: float = 0.5) -> Audio:
    t = np.arange(int(rate * seconds)) / rate
    wave = (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
    return Audio(np.repeat(wave[None], channels, axis=0), rate)


def tones(frequencies: list[float], seconds: float = 0.5, rate: int = RATE) -> Audio:
    total = sum(sine(f, seconds, rate, amplitude=0.2).samples for f in frequencies)
    return Audio(total.astype(np.float32), rate)


def dominant_hz(audio: Audio) -> float:
    """Frequency of the strongest bin of the first channel (Hann-windowed)."""
    samples = audio.samples[0]
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * audio.sample_rate / samples.size)


def band_energy(audio: Audio, low: float, high: float) -> float:
    samples = audio.samples[0]
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    freqs = np.fft.rfftfreq(samples.size, 1 / audio.sample_rate)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum())


def power(samples: np.ndarray) -> float:
    return float(np.mean(np.square(samples, dtype=np.float64)))


def snr_db(clean: np.ndarray, noisy: np.ndarray) -> float:
    return 10 * np.log10(power(clean) / power(noisy - clean))


def write(path: Path, audio: Audio, subtype: str = "PCM_16", **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio.samples.T, audio.sample_rate, subtype=subtype, **kwargs)
    return path
