"""Audio throughput: this tool against the decode+encode floor and audiomentations.

    python3 benchmarks/audio.py [--files 60] [--seconds 2.5] [--copies 5] [--workers 2] [--rounds 3]

Every contender runs as a whole fresh process (imports and per-worker
warm-up included, as a user pays them) on the same synthesized speech-like
16 kHz WAV files, in interleaved rounds so machine noise hits all alike:

    floor            read, decode, encode and write each copy with soundfile
                     (no augmentation) in a pool of the same size
    augment          `augment expand` with add_noise, time_stretch,
                     pitch_shift, time_shift, each p = 0.5
    audiomentations  Compose of AddGaussianSNR, TimeStretch, PitchShift, Shift
                     (same ranges, each p = 0.5) in a pool of the same size;
                     only if it is installed (benchmark environment only)

Prints each round, then medians (wall and CPU seconds), files/s and ratios.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("left", "right", "stop")
RECIPE = """
[[audio]]
transform = "add_noise"
p = 0.5
snr_db = [10, 40]
[[audio]]
transform = "time_stretch"
p = 0.5
rate = [0.8, 1.25]
[[audio]]
transform = "pitch_shift"
p = 0.5
semitones = [-4, 4]
[[audio]]
transform = "time_shift"
p = 0.5
shift_fraction = [-0.5, 0.5]
mode = "roll"
"""
THREADS = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                  "NUMBA_NUM_THREADS")}


def make_data(folder: Path, files: int, seconds: float) -> None:
    sys.path.insert(0, str(ROOT / "sample_data"))
    import numpy as np
    import soundfile as sf
    from audio_samples import speech_like

    rng = np.random.default_rng(7)
    for index in range(files):
        path = folder / LABELS[index % len(LABELS)] / f"utt_{index:03d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        wave = speech_like(rng, 16000, seconds) * 0.6
        sf.write(path, wave.astype(np.float32), 16000, subtype="PCM_16")


def sources(src: Path) -> list[Path]:
    return sorted(p for p in src.rglob("*") if p.suffix.lower() == ".wav")


# Worker bodies for the two baselines (run inside spawned pool processes).
def _floor_one(task: tuple[str, str, int]) -> int:
    import io

    import soundfile as sf

    source, out, copies = task
    samples, rate = sf.read(io.BytesIO(Path(source).read_bytes()), dtype="float32")
    for copy in range(1, copies + 1):
        buffer = io.BytesIO()
        sf.write(buffer, samples, rate, format="WAV", subtype="PCM_16")
        Path(out, f"{Path(source).stem}__aug{copy}.wav").write_bytes(buffer.getvalue())
    return copies


_COMPOSE = None


def _audiomentations_one(task: tuple[str, str, int]) -> int:
    import io

    import soundfile as sf
    from audiomentations import AddGaussianSNR, Compose, PitchShift, Shift, TimeStretch

    global _COMPOSE
    if _COMPOSE is None:  # one pipeline per worker, as a training script would build
        _COMPOSE = Compose([AddGaussianSNR(min_snr_db=10, max_snr_db=40, p=0.5),
                            TimeStretch(min_rate=0.8, max_rate=1.25, leave_length_unchanged=False,
                                        p=0.5),
                            PitchShift(min_semitones=-4, max_semitones=4, p=0.5),
                            Shift(min_shift=-0.5, max_shift=0.5, rollover=True, p=0.5)])
    source, out, copies = task
    samples, rate = sf.read(io.BytesIO(Path(source).read_bytes()), dtype="float32")
    for copy in range(1, copies + 1):
        augmented = _COMPOSE(samples=samples, sample_rate=rate)
        buffer = io.BytesIO()
        sf.write(buffer, augmented, rate, format="WAV", subtype="PCM_16")
        Path(out, f"{Path(source).stem}__aug{copy}.wav").write_bytes(buffer.getvalue())
    return copies


def run_role(role: str, src: Path, out: Path, copies: int, workers: int) -> None:
    """Body of a baseline process: a spawn pool over the files, like the tool's."""
    function = _floor_one if role == "floor" else _audiomentations_one
    tasks = []
    for path in sources(src):
        target = out / path.parent.relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        tasks.append((str(path), str(target), copies))
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        written = sum(pool.imap_unordered(function, tasks, chunksize=2))
    assert written == len(tasks) * copies


def timed(command: list[str], out: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the process and its workers.

    On a shared, loaded machine the wall time mostly measures the neighbours;
    CPU time is the steadier measure of the work each contender does.
    """
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # the last run's writeback must not slow this run's file creation
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, **THREADS},
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def contenders(work: Path, copies: int, workers: int) -> dict[str, list[str]]:
    src, me = work / "src", [sys.executable, str(Path(__file__).resolve())]
    found = {
        "floor": [*me, "--role", "floor", str(src), str(work / "out-floor")],
        "augment": [sys.executable, "-m", "augment_cli", "expand", str(src), "--recipe",
                    str(work / "recipe.toml"), "--copies", str(copies), "--workers", str(workers),
                    "--out", str(work / "out-augment"), "--quiet"],
    }
    try:
        import audiomentations  # noqa: F401  (benchmark environment only)
        found["audiomentations"] = [*me, "--role", "audiomentations", str(src),
                                    str(work / "out-audiomentations")]
    except ImportError:
        print("audiomentations is not installed here: only floor and augment are measured")
    return found


def main() -> None:
    benchenv.ensure()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=2.5)
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--source", type=Path,
                        help="use this labelled folder of WAV files instead of synthesized ones "
                             "(local checks only)")
    parser.add_argument("--role", choices=("floor", "audiomentations"))
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.role:
        run_role(args.role, Path(args.paths[0]), Path(args.paths[1]), args.copies, args.workers)
        return
    with tempfile.TemporaryDirectory(prefix="augment-audio-bench-") as tmp:
        work = Path(tmp)
        if args.source:
            shutil.copytree(args.source, work / "src")
            args.files = len(sources(work / "src"))
        else:
            make_data(work / "src", args.files, args.seconds)
        (work / "recipe.toml").write_text(RECIPE)
        commands = contenders(work, args.copies, args.workers)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        print(f"{args.files} files ({args.source or f'{args.seconds} s at 16 kHz'}), "
              f"{args.copies} copies, {args.workers} workers, {args.rounds} rounds; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for round_ in range(1, args.rounds + 1):
            for name, command in commands.items():
                times[name].append(timed(command, Path(command[command.index("--out") + 1])
                                         if "--out" in command else Path(command[-1])))
            print(f"round {round_}: " + ", ".join(f"{n} {t[-1][0]:.2f} s ({t[-1][1]:.2f} s CPU)"
                                                   for n, t in times.items()))
        report(times, args.files)


def report(times: dict[str, list[tuple[float, float]]], files: int) -> None:
    wall = {name: statistics.median(t[0] for t in values) for name, values in times.items()}
    cpu = {name: statistics.median(t[1] for t in values) for name, values in times.items()}
    for name in times:
        print(f"{name:16s} median {wall[name]:6.2f} s wall, {files / wall[name]:6.1f} files/s; "
              f"{cpu[name]:6.2f} s CPU")
    print(f"augment / floor: {wall['augment'] / wall['floor']:.2f}x wall, "
          f"{cpu['augment'] / cpu['floor']:.2f}x CPU (1.00 = as fast as decode+encode)")
    if "audiomentations" in times:
        print(f"speed-up over audiomentations: {wall['audiomentations'] / wall['augment']:.2f}x wall, "
              f"{cpu['audiomentations'] / cpu['augment']:.2f}x CPU")


if __name__ == "__main__":
    main()
