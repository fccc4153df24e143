"""Our numpy phase vocoder against librosa.effects.time_stretch: speed and agreement.

    python3 benchmarks/audio_stretch.py

Both run the same algorithm with the same STFT size and hop, so their outputs
should agree closely; this prints the agreement (SNR of ours against
librosa's, in dB), librosa's first-call cost in a fresh process, and the
median time per call of each on a 2.5 s 16 kHz speech-like clip.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "sample_data"))

from audio_samples import speech_like

from augment_cli.modalities.audio.transforms.time_ops import stretch

RATE, N_FFT = 16000, 1024


def median_ms(function, repeats: int = 30) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    clip = (speech_like(np.random.default_rng(1), RATE, 2.5) * 0.6).astype(np.float32)
    started = time.perf_counter()
    import librosa

    def theirs(rate: float) -> np.ndarray:
        return librosa.effects.time_stretch(clip, rate=rate, n_fft=N_FFT, hop_length=N_FFT // 4)

    theirs(1.1)
    print(f"librosa import + first time_stretch: {time.perf_counter() - started:.2f} s")
    for rate in (0.8, 1.25, 2.0):
        mine = stretch(clip[None], rate, N_FFT)[0]
        reference = theirs(rate)
        frames = min(mine.size, reference.size)
        error = mine[:frames] - reference[:frames]
        snr = 10 * np.log10(np.sum(reference[:frames] ** 2) / max(np.sum(error**2), 1e-30))
        print(f"rate {rate}: lengths {mine.size} vs {reference.size}, agreement {snr:.1f} dB SNR, "
              f"ours {median_ms(lambda r=rate: stretch(clip[None], r, N_FFT)):.1f} ms, "
              f"librosa {median_ms(lambda r=rate: theirs(r)):.1f} ms")


if __name__ == "__main__":
    main()
