"""Synthesized audio for sample_data/ and the audio benchmark (own content).

    python sample_data/generate.py      # writes audio/, audio_noise/, audio_ir/

Labels: tone (steady harmonic tones), chirp (frequency sweeps), noise_burst
(filtered noise bursts) and vowel (speech-like: a glottal harmonic series
shaped by moving formants, in syllables). `speech_like` is what
benchmarks/audio.py feeds every tool.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16000
CLIP_S = 0.5
# Formant frequencies (Hz) of a few vowels: /a/, /i/, /u/, /e/, /o/.
VOWELS = ((730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480),
          (570, 840, 2410))


def tone(rng: np.random.Generator, rate: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    f0 = rng.uniform(200, 1200)
    wave = sum(np.sin(2 * np.pi * f0 * k * t) / k**1.5 for k in range(1, 5))
    return wave * _envelope(t.size, rate)


def chirp(rng: np.random.Generator, rate: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    start, end = rng.uniform(200, 800), rng.uniform(1500, 5000)
    if rng.random() < 0.5:
        start, end = end, start
    phase = 2 * np.pi * (start * t + (end - start) * t**2 / (2 * seconds))
    return np.sin(phase) * _envelope(t.size, rate)


def noise_burst(rng: np.random.Generator, rate: int, seconds: float) -> np.ndarray:
    frames = int(rate * seconds)
    spectrum = np.fft.rfft(rng.standard_normal(frames))
    freqs = np.fft.rfftfreq(frames, 1 / rate)
    centre, width = rng.uniform(500, 4000), rng.uniform(200, 1500)
    spectrum *= np.exp(-0.5 * ((freqs - centre) / width) ** 2)
    wave = np.fft.irfft(spectrum, n=frames)
    burst = np.zeros(frames)
    start = int(rng.uniform(0.05, 0.25) * frames)
    length = int(rng.uniform(0.3, 0.6) * frames)
    burst[start:start + length] = np.hanning(length)
    return wave / np.abs(wave).max() * burst


def speech_like(rng: np.random.Generator, rate: int, seconds: float) -> np.ndarray:
    """Syllables of a harmonic voice through moving formants, with pauses."""
    frames = int(rate * seconds)
    t = np.arange(frames) / rate
    f0 = rng.uniform(90, 220) * (1 + 0.08 * np.sin(2 * np.pi * rng.uniform(2, 5) * t))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    formants = _formant_tracks(rng, frames, rate)
    wave = np.zeros(frames)
    for k in range(1, int(rate / 2 / f0.max())):
        frequency = k * f0
        gain = sum(np.exp(-0.5 * ((frequency - formants[:, i]) / (60 + 40 * i)) ** 2) / (1 + i)
                   for i in range(3))
        wave += gain * np.sin(k * phase) / np.sqrt(k)
    return wave / np.abs(wave).max() * _syllables(rng, frames, rate)


def _formant_tracks(rng: np.random.Generator, frames: int, rate: int) -> np.ndarray:
    """(frames, 3) formant frequencies gliding between random vowels every ~200 ms."""
    points = max(2, int(frames / rate / 0.2) + 1)
    chosen = np.array([VOWELS[i] for i in rng.integers(len(VOWELS), size=points)], dtype=float)
    where = np.linspace(0, frames - 1, points)
    return np.stack([np.interp(np.arange(frames), where, chosen[:, i]) for i in range(3)], axis=1)


def _syllables(rng: np.random.Generator, frames: int, rate: int) -> np.ndarray:
    envelope = np.zeros(frames)
    position = int(rng.uniform(0.05, 0.2) * rate)
    while position < frames - rate // 10:
        length = min(int(rng.uniform(0.12, 0.3) * rate), frames - position)
        envelope[position:position + length] = np.hanning(length) * rng.uniform(0.5, 1.0)
        position += length + int(rng.uniform(0.02, 0.15) * rate)
    return envelope


def _envelope(frames: int, rate: int) -> np.ndarray:
    fade = min(frames // 2, int(0.02 * rate))
    envelope = np.ones(frames)
    envelope[:fade] = np.linspace(0, 1, fade)
    envelope[frames - fade:] = np.linspace(1, 0, fade)
    return envelope


LABELS = {"tone": tone, "chirp": chirp, "noise_burst": noise_burst, "vowel": speech_like}


def _write(path: Path, wave: np.ndarray, rate: int, subtype: str = "PCM_16") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, (wave * 0.7).astype(np.float32).T, rate, subtype=subtype)


def make_audio(root: Path) -> int:
    """Write audio/<label>/*, audio_noise/ and audio_ir/; return the number of files."""
    rng = np.random.default_rng(20261127)
    count = 0
    for label, make in LABELS.items():
        for index, extension in enumerate((".wav", ".wav", ".flac"), 1):
            path = root / "audio" / label / f"{label}_{index:02d}{extension}"
            _write(path, make(rng, RATE, CLIP_S), RATE)
            count += 1
    left, right = tone(rng, 44100, 0.4), chirp(rng, 44100, 0.4)
    _write(root / "audio" / "tone" / "stereo_44k.wav", np.stack([left, right]), 44100)
    _write(root / "audio_noise" / "hum.flac", _hum(RATE, 0.5), RATE)
    _write(root / "audio_noise" / "hiss.flac", _hiss(rng, RATE, 0.5), RATE)
    _write(root / "audio_ir" / "small_room.wav", _room(rng, RATE, 0.15), RATE)
    return count + 4


def _hum(rate: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return sum(np.sin(2 * np.pi * 50 * k * t) / k for k in (1, 2, 3)) / 2


def _hiss(rng: np.random.Generator, rate: int, seconds: float) -> np.ndarray:
    return np.clip(rng.standard_normal(int(rate * seconds)) * 0.3, -1, 1)


def _room(rng: np.random.Generator, rate: int, seconds: float) -> np.ndarray:
    """Direct sound then exponentially decaying diffuse reflections (RT60 ~ seconds)."""
    frames = int(rate * seconds)
    decay = np.exp(-6.9 * np.arange(frames) / frames)
    response = rng.standard_normal(frames) * decay * 0.3
    response[0] = 1.0
    return response / np.abs(response).max()
