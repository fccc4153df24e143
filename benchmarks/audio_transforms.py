"""Single-thread time of every audio transform on a 2.5 s 16 kHz mono clip,
beside the same transform in audiomentations where one exists.

    benchmarks/.venv/bin/python benchmarks/audio_transforms.py [--seconds 0.4] [--rounds 5] [name ...]

audiomentations is a benchmark-only dependency. Each side is timed on the
same speech-like clip with the same parameter ranges, sampling included (ours:
draw ranges + sampler + applier with one Generator, as a recipe step runs;
theirs: calling the transform with p=1 on the 1-D float32 array, its
leanest input), in alternating rounds; the median round is reported. The
ratio is ours / theirs in clips per second (> 1 = faster). How each of ours
maps onto theirs is in benchmarks/README.md ("Per-transform audio").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "sample_data"))
from audio_samples import speech_like  # noqa: E402

from augment_cli import registry  # noqa: E402
from augment_cli.modalities.audio.codec import Audio  # noqa: E402
from augment_cli.run import steps as pipeline  # noqa: E402

RATE, SECONDS = 16000, 2.5


def make_folders(root: Path) -> dict[str, str]:
    """Noise recordings (3 s) and room impulse responses (0.4 s decaying noise)."""
    rng = np.random.default_rng(5)
    noises, rooms = root / "noises", root / "rooms"
    noises.mkdir()
    rooms.mkdir()
    for index in range(3):
        noise = rng.standard_normal(3 * RATE).astype(np.float32) * 0.1
        sf.write(noises / f"noise{index}.wav", noise, RATE, subtype="FLOAT")
        decay = np.exp(-np.arange(int(0.4 * RATE)) / (0.06 * RATE))
        sf.write(rooms / f"room{index}.wav", (rng.standard_normal(decay.size) * decay).astype(np.float32),
                 RATE, subtype="FLOAT")
    return {"noises": str(noises), "rooms": str(rooms)}


def ours_values(folders: dict[str, str]) -> dict[str, dict]:
    """Values for required parameters (the folders)."""
    return {"background_noise": {"folder": folders["noises"]},
            "short_noises": {"folder": folders["noises"]},
            "impulse_response": {"folder": folders["rooms"]}}


# Extra rows: (label, our transform, its values, audiomentations table key).
VARIANTS = (("add_noise pink", "add_noise", {"color": "pink"}, "add_noise_pink"),
            *((f"{name} causal", name, {}, f"{name}_causal") for name in ("bandpass", "highpass", "lowpass")))


def audiomentations_table(folders: dict[str, str]):
    """Our name -> a factory of the audiomentations counterpart (p=1, our default ranges)."""
    import audiomentations as AM

    return AM.__version__, {
        "add_noise": lambda: AM.AddGaussianSNR(min_snr_db=10, max_snr_db=40, p=1),
        "add_noise_pink": lambda: AM.AddColorNoise(min_snr_db=10, max_snr_db=40, min_f_decay=-3.01,
                                                   max_f_decay=-3.01, p=1),
        "background_noise": lambda: AM.AddBackgroundNoise(folders["noises"], min_snr_db=5, max_snr_db=30,
                                                          p=1),
        "short_noises": lambda: AM.AddShortNoises(folders["noises"], min_snr_db=5, max_snr_db=20,
                                                  min_time_between_sounds=0.5,
                                                  max_time_between_sounds=1.5, p=1),
        "impulse_response": lambda: AM.ApplyImpulseResponse(folders["rooms"], p=1),
        # Ours are zero-phase: their zero-phase mode filters forwards and
        # backwards, squaring the magnitude, so its 12 dB/octave is our 24
        # (order 4). Their causal one-pass mode (cheaper, phase shifted) is
        # the "... causal" rows, at our order's 24 dB/octave.
        "bandpass": lambda: AM.BandPassFilter(min_center_freq=500, max_center_freq=3000,
                                              min_bandwidth_fraction=0.5, max_bandwidth_fraction=1.5,
                                              min_rolloff=12, max_rolloff=12, zero_phase=True, p=1),
        "highpass": lambda: AM.HighPassFilter(min_cutoff_freq=100, max_cutoff_freq=500,
                                              min_rolloff=12, max_rolloff=12, zero_phase=True, p=1),
        "lowpass": lambda: AM.LowPassFilter(min_cutoff_freq=2000, max_cutoff_freq=6000,
                                            min_rolloff=12, max_rolloff=12, zero_phase=True, p=1),
        "bandpass_causal": lambda: AM.BandPassFilter(min_center_freq=500, max_center_freq=3000,
                                                     min_bandwidth_fraction=0.5, max_bandwidth_fraction=1.5,
                                                     min_rolloff=24, max_rolloff=24, p=1),
        "highpass_causal": lambda: AM.HighPassFilter(min_cutoff_freq=100, max_cutoff_freq=500,
                                                     min_rolloff=24, max_rolloff=24, p=1),
        "lowpass_causal": lambda: AM.LowPassFilter(min_cutoff_freq=2000, max_cutoff_freq=6000,
                                                   min_rolloff=24, max_rolloff=24, p=1),
        "clipping_distortion": lambda: AM.ClippingDistortion(min_percentile_threshold=0,
                                                             max_percentile_threshold=20, p=1),
        "gain": lambda: AM.Gain(min_gain_db=-6, max_gain_db=6, p=1),
        "gain_transition": lambda: AM.GainTransition(min_gain_db=-12, max_gain_db=6, min_duration=0.2,
                                                     max_duration=0.5, duration_unit="fraction", p=1),
        "normalize": lambda: AM.Normalize(p=1),
        "pad_or_crop": lambda: AM.AdjustDuration(duration_seconds=1.0, p=1),
        "pitch_shift": lambda: AM.PitchShift(min_semitones=-2, max_semitones=2, p=1),
        "polarity_invert": lambda: AM.PolarityInversion(p=1),
        "reverse": lambda: AM.Reverse(p=1),
        "time_mask": lambda: AM.TimeMask(min_band_part=0.0, max_band_part=0.1, fade_duration=0.0, p=1),
        "time_shift": lambda: AM.Shift(min_shift=-0.2, max_shift=0.2, rollover=False, fade_duration=0.0,
                                       p=1),
        "time_stretch": lambda: AM.TimeStretch(min_rate=0.8, max_rate=1.25, leave_length_unchanged=False,
                                               p=1),
        "trim": lambda: AM.Trim(top_db=30, p=1),
    }


def ours_runner(name: str, clip: np.ndarray, values: dict):
    spec = registry.get("audio", name)
    given = {p.name: p.default for p in spec.params if not p.required} | values
    given = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()}
    audio, rng = Audio(clip[None, :], RATE), np.random.default_rng(0)

    def run():
        params = spec.sampler(rng, registry.draw(rng, spec, given), pipeline.meta_of("audio", audio))
        return pipeline.apply_one("audio", name, audio, params)
    return run


def theirs_runner(factory, clip: np.ndarray):
    transform = factory()
    return lambda: transform(samples=clip, sample_rate=RATE)


def rate(function, seconds: float) -> float:
    function()  # warm-up (imports, caches, numba compilation)
    # CPU time of this (single-threaded) process: on a shared machine the
    # wall clock also counts the time the neighbours hold the core.
    count, started = 0, time.process_time()
    while (elapsed := time.process_time() - started) < seconds:
        function()
        count += 1
    return count / elapsed


def measure(ours, theirs, seconds: float, rounds: int) -> tuple[float, float | None]:
    mine, other = [], []
    for _ in range(rounds):  # alternate so machine noise hits both sides alike
        mine.append(rate(ours, seconds))
        if theirs:
            other.append(rate(theirs, seconds))
    return statistics.median(mine), (statistics.median(other) if other else None)


def fixed_costs(table) -> tuple[float, float] | None:
    """Microseconds per call of gain on a clip so short its arithmetic is
    nothing: what each side spends on a step whatever the clip."""
    if "gain" not in table:
        return None
    tiny = np.random.default_rng(2).standard_normal(64).astype(np.float32)
    ours, theirs = measure(ours_runner("gain", tiny, {}), theirs_runner(table["gain"], tiny), 0.2, 3)
    return 1e6 / ours, 1e6 / theirs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these transforms")
    parser.add_argument("--seconds", type=float, default=0.4, help="timing per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    clip = (speech_like(np.random.default_rng(1), RATE, SECONDS) * 0.6).astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="augment-audio-transforms-") as tmp:
        folders = make_folders(Path(tmp))
        try:
            version, table = audiomentations_table(folders)
        except ImportError:
            version, table = None, {}
        print(f"{SECONDS} s {RATE} Hz mono float32, single thread; audiomentations "
              f"{version or 'not installed'}; numpy {np.__version__}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        fixed = fixed_costs(table)
        if fixed:
            print(f"fixed cost of one step (gain on a 64-frame clip): ours {fixed[0]:.1f} us "
                  f"(draw, sampler, meta, apply), theirs {fixed[1]:.1f} us")
        print(f"{'transform':22s} {'ours clip/s':>12s} {'theirs clip/s':>14s} {'ratio':>7s}")
        slow = []
        rows = [(s.name, s.name, {}, s.name) for s in registry.specs("audio")] + list(VARIANTS)
        for label, name, extra, key in rows:
            if args.names and name not in args.names and label not in args.names:
                continue
            ours = ours_runner(name, clip, ours_values(folders).get(name, {}) | extra)
            factory = table.get(key)
            mine, theirs = measure(ours, theirs_runner(factory, clip) if factory else None,
                                   args.seconds, args.rounds)
            if theirs and mine < theirs:
                slow.append(label)
            ratio = f"{mine / theirs:6.2f}x" if theirs else "      -"
            print(f"{label:22s} {mine:12.0f} {theirs or 0:14.0f} {ratio}", flush=True)
    print(f"below 1.0x: {', '.join(slow) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
