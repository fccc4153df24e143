"""Images: augment against the floor, Albumentations and Augmentor, side by side.

    python3 benchmarks/run_images.py            # 7 rounds at 640x480, 5 at 1920x1080

and then prints augment's per-stage profile (profile_stages.py) on the 640x480 set.

Every run is a whole process (interpreter start-up and imports included),
the engines interleaved round by round (A B C D, A B C D, ...) so machine
noise hits them all alike. Prints the median time, min-max, output images/s
and the median of per-round ratios, and writes benchmarks/results/images.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchenv  # noqa: E402

ENGINES = ("floor", "bound", "augment", "albumentations", "augmentor")
VERSIONS = ("augment-cli", "numpy", "opencv-python-headless", "pillow", "albumentations",
            "albucore", "Augmentor", "scikit-image")
# The same recipe as engines.py: a blur window of 3 or 5 and sigma 0.8-1.1, as Albumentations'
# GaussianBlur(blur_limit=(3, 5), sigma_limit=(0.8, 1.1)) draws them.
RECIPE = """\
[output]
jpeg_quality = 95

[[image]]
transform = "hflip"
p = 0.5

[[image]]
transform = "rotate"
p = 0.7
angle_deg = [-15, 15]
border = "reflect"

[[image]]
transform = "brightness_contrast"
p = 0.5
brightness = [-0.2, 0.2]
contrast = [-0.2, 0.2]

[[image]]
transform = "gaussian_blur"
p = 0.2
sigma = [0.8, 1.1]
kernel = [3, 5]
"""


def write_recipe(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


BASELINE = "augment-baseline"
BASELINE_DIR: list[Path] = []  # set by --baseline


def command(engine: str, src: Path, out: Path, copies: int, workers: int, recipe: Path) -> list[str]:
    if engine == BASELINE:  # another checkout's augment_cli (see --baseline), same libraries
        return ["env", f"PYTHONPATH={BASELINE_DIR[0]}", sys.executable, "-P", "-m", "augment_cli",
                "expand", str(src), "--recipe", str(recipe), "--copies", str(copies), "--out",
                str(out), "--workers", str(workers), "--quiet"]
    if engine == "augment":
        return [str(Path(sys.executable).with_name("augment")), "expand", str(src), "--recipe",
                str(recipe), "--copies", str(copies), "--out", str(out), "--workers", str(workers),
                "--quiet"]
    return [sys.executable, str(HERE / "engines.py"), engine, str(src), str(out), str(copies),
            str(workers)]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(argv: list[str], out: Path, expected: int, cpu: list[float]) -> float:
    """Wall seconds of one whole-process run; its CPU seconds go to `cpu`."""
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # the last run's writeback must not slow this run's file creation
    cpu_before = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu.append(children_cpu() - cpu_before)
    written = sum(1 for p in out.rglob("*") if p.is_file() and p.suffix.lower() in (".jpg", ".jpeg"))
    if written != expected:
        raise SystemExit(f"{argv[:3]} wrote {written} images, expected {expected}")
    return seconds


def interleaved(engines, src: Path, files: int, copies: int, workers: int, rounds: int,
                recipe: Path, work: Path) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    times: dict[str, list[float]] = {e: [] for e in engines}
    cpu: dict[str, list[float]] = {e: [] for e in engines}
    for round_ in range(1, rounds + 1):
        for engine in engines:
            argv = command(engine, src, work / f"out-{engine}", copies, workers, recipe)
            times[engine].append(timed_run(argv, work / f"out-{engine}", files * copies, cpu[engine]))
        print(f"  round {round_}: " + "  ".join(f"{e} {times[e][-1]:.2f}s" for e in engines),
              flush=True)
    return times, cpu


def ratio(numerator: list[float], denominator: list[float]) -> float:
    """Median of per-round ratios (both measured in the same round)."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def table(times: dict[str, list[float]], cpu: dict[str, list[float]], outputs: int) -> list[str]:
    base = "floor" if "floor" in times else next(iter(times))
    rows = ["| engine | median s (min-max) | output images/s | time vs floor | time vs bound "
            "| augment speed-up | CPU s (all processes) |", "|---|---|---|---|---|---|---|"]
    for engine, seconds in times.items():
        median = statistics.median(seconds)
        speedup = f"{ratio(seconds, times['augment']):.2f}x" if "augment" in times else ""
        bound = f"{ratio(seconds, times['bound']):.2f}" if "bound" in times else ""
        rows.append(f"| {engine} | {median:.2f} ({min(seconds):.2f}-{max(seconds):.2f}) | "
                    f"{outputs / median:.0f} | {ratio(seconds, times[base]):.2f} | {bound} | {speedup} | "
                    f"{statistics.median(cpu[engine]):.2f} |")
    return rows


def bench(name: str, src: Path, files: int, args, recipe: Path, work: Path) -> list[str]:
    print(f"{name}: {files} files x {args.copies} copies, --workers {args.workers}, "
          f"{args.rounds} interleaved rounds", flush=True)
    times, cpu = interleaved(args.engines, src, files, args.copies, args.workers, args.rounds,
                        recipe, work)
    lines = [f"### {name}: {files} sources -> {files * args.copies} JPEG outputs (q95), "
             f"{args.rounds} rounds", "", *table(times, cpu, files * args.copies), ""]
    print("\n".join(lines), flush=True)
    return lines


def main() -> None:
    benchenv.ensure()
    import dataset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--hd-rounds", type=int, default=5, help="rounds at 1920x1080; 0 skips")
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--hd-files", type=int, default=60)
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--no-profile", action="store_true",
                        help="skip the per-stage profile of augment printed at the end")
    parser.add_argument("--results", type=Path, default=HERE / "results" / "images.md")
    parser.add_argument("--baseline", type=Path, help="a folder holding another version's "
                        "augment_cli/ (e.g. `git archive REV augment_cli | tar -x -C DIR`), run "
                        "as one more engine for before/after figures")
    args = parser.parse_args()
    if args.baseline:
        BASELINE_DIR.append(args.baseline.resolve())
        args.engines = [*args.engines, BASELINE]
    work = HERE / "work"
    recipe = write_recipe(work / "recipe.toml", RECIPE)
    small = dataset.build(work / f"img640-{args.files}", args.files, (640, 480))
    lines = bench("640x480", small, args.files, args, recipe, work)
    if args.hd_rounds:
        large = dataset.build(work / f"img1080-{args.hd_files}", args.hd_files, (1920, 1080))
        args.rounds = args.hd_rounds
        lines += bench("1920x1080", large, args.hd_files, args, recipe, work)
    if not args.no_profile:
        lines += stage_profile(small, args.copies)
    write_results(args.results, lines)


def stage_profile(src: Path, copies: int) -> list[str]:
    """Where augment's time goes on the 640x480 set (profile_stages.py), so the
    next optimisation is chosen by measurement."""
    print("per-stage profile of augment (one process):", flush=True)
    done = subprocess.run([sys.executable, str(HERE / "profile_stages.py"), str(src), "--copies",
                           str(copies)], capture_output=True, text=True, check=True)
    print(done.stdout, flush=True)
    return ["### Where augment's time goes (640x480, `python3 benchmarks/profile_stages.py`)", "",
            "```", done.stdout.rstrip(), "```", ""]


def write_results(path: Path, lines: list[str]) -> None:
    header = [
        "# Image benchmark results", "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {benchenv.machine()}",
        f"- versions: {benchenv.versions(VERSIONS)}",
        f"- command: `{' '.join(['python3 benchmarks/run_images.py', *sys.argv[1:]])}`",
        "- whole-process runs, engines interleaved per round; ratios are medians of per-round "
        "ratios; augment speed-up = that engine's time / augment's time in the same round", "",
        "Recipe: hflip p=0.5; rotate +-15 deg same size, reflected border p=0.7; brightness and "
        "contrast +-0.2 p=0.5; Gaussian blur sigma 0.8-1.1 (kernel 3-5) p=0.2; 5 copies, JPEG q95. "
        "Floor = decode once + encode 5 copies with OpenCV, no transform, Pool(2). Bound = the floor "
        "plus the recipe's own OpenCV calls written by hand (the zero-overhead bound of an unfused "
        "pipeline). Albumentations = the leanest correct script (OpenCV decode, no colour "
        "conversion, one OpenCV thread per worker, Compose(seed=...)). Augmentor "
        "writes JPEG at Pillow's default quality (75; it has no quality option), which favours it. "
        "augment-baseline (with --baseline) is another checkout's augment_cli run on the same "
        "libraries.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(header + lines))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
