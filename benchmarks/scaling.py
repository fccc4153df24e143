"""Scaling, start-up and memory of augment, each against a baseline measured
in the same run. Writes benchmarks/results/scaling.md.

    python3 benchmarks/scaling.py [workers] [workers-big] [linear] [startup] [memory]

workers  --workers 2 against --workers 1, beside the floor's own 1 -> 2 scaling
workers-big  the same on the 3,000-file set (3 rounds)
linear   300 photos against the same photos x10 (3,000 files): time ratio
startup  `augment --help` and `augment validate`, many runs, median
memory   main-process peak RSS for 1k against 100k tiny PNG sources
"""

from __future__ import annotations

import datetime
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchenv  # noqa: E402
from run_images import RECIPE, command, timed_run, write_recipe  # noqa: E402

WORK = HERE / "work"
ROUNDS = 3
VERSIONS = ("augment-cli", "numpy", "opencv-python-headless", "pillow")


def interleave(runs: dict[str, tuple[list[str], Path, int]], rounds: int = ROUNDS) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(rounds):
        for name, (argv, out, expected) in runs.items():
            times[name].append(timed_run(argv, out, expected, []))
        print(f"  round {round_ + 1}: " + "  ".join(f"{n} {t[-1]:.2f}s" for n, t in times.items()),
              flush=True)
    return times


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def workers(recipe: Path, source: Path, files: int = 300, rounds: int = 5) -> list[str]:
    runs = {f"{engine} w{k}": (command(engine, source, WORK / f"s-{engine}{k}", 5, k, recipe),
                               WORK / f"s-{engine}{k}", files * 5)
            for engine in ("floor", "augment") for k in (1, 2)}
    t = interleave(runs, rounds=rounds)
    floor, augment = ratio(t["floor w1"], t["floor w2"]), ratio(t["augment w1"], t["augment w2"])
    return [f"## Workers: 1 -> 2 on 2 cores ({files:,} photos 640x480 x 5 copies)", "",
            "| run | median s (min-max) |", "|---|---|",
            *[f"| {n} | {statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f}) |" for n, v in t.items()],
            "", f"Speed-up from 1 to 2 workers (median of per-round ratios): floor {floor:.2f}x, "
            f"augment {augment:.2f}x.", ""]


def workers_big(recipe: Path, source: Path) -> list[str]:
    """The same on 10x the files: start-up weighs less, the steady state shows."""
    import dataset

    return workers(recipe, dataset.replicate(source, WORK / "img640-x10", 10), 3000, rounds=3)


def linear(recipe: Path, source: Path) -> list[str]:
    import dataset

    big = dataset.replicate(source, WORK / "img640-x10", 10)
    runs = {f"{engine} {label}": (command(engine, src, WORK / f"l-{engine}{n}", 5, 2, recipe),
                                  WORK / f"l-{engine}{n}", n * 5)
            for engine in ("floor", "augment")
            for label, src, n in (("300 files", source, 300), ("3,000 files", big, 3000))}
    t = interleave(runs)
    lines = ["## Linear in the data (--workers 2, 5 copies; the 3,000 files are the 300 x 10)", "",
             "| run | median s (min-max) |", "|---|---|",
             *[f"| {n} | {statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f}) |" for n, v in t.items()],
             ""]
    for engine in ("floor", "augment"):
        small, big = t[f"{engine} 300 files"], t[f"{engine} 3,000 files"]
        extra = statistics.median((b - a) / 2700 * 1000 for a, b in zip(small, big, strict=True))
        lines.append(f"- {engine}: 10x the files took {ratio(big, small):.2f}x the time (median of "
                     f"per-round ratios); the first 300 files cost "
                     f"{statistics.median(small) / 300 * 1000:.2f} ms each with start-up, each of the "
                     f"2,700 more {extra:.2f} ms.")
    return lines + ["", "Target for augment: 8.5-11.5x.", ""]


def startup(recipe: Path, repeats: int = 25) -> list[str]:
    augment = str(Path(sys.executable).with_name("augment"))
    lines = [f"## Start-up (whole process, median of {repeats} runs; target < 0.3 s)", "",
             "| command | median s (min-max) |", "|---|---|"]
    for argv in ([augment, "--help"], [augment, "validate", str(recipe)]):
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            seconds.append(time.perf_counter() - started)
        name = " ".join(["augment", *argv[1:]]).replace(str(recipe), "recipe.toml")
        lines.append(f"| `{name}` | {statistics.median(seconds):.3f} "
                     f"({min(seconds):.3f}-{max(seconds):.3f}) |")
    probe = ("import sys; from augment_cli.recipe import load_recipe; load_recipe(sys.argv[1]); "
             "print(sorted(m for m in ('cv2', 'librosa', 'numpy', 'PIL') if m in sys.modules))")
    heavy = subprocess.run([sys.executable, "-c", probe, str(recipe)], check=True,
                           capture_output=True, text=True).stdout.strip()
    lines += ["", f"Heavy modules loaded by `validate`: {heavy}.", ""]
    return lines


def memory(recipe: Path) -> list[str]:
    import dataset

    lines = ["## Main-process peak RSS (tiny 8x8 PNG sources, 1 copy, --workers 2)", "",
             "| sources | peak RSS MiB | wall s |", "|---|---|---|"]
    peaks = []
    for count in (1_000, 100_000):
        source = dataset.tiny_pngs(WORK / f"tiny-{count}", count)
        out = WORK / f"m-{count}"
        subprocess.run(["rm", "-rf", str(out)], check=True)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / "peak_rss.py"), "expand", str(source),
                               "--recipe", str(recipe), "--copies", "1", "--out", str(out),
                               "--workers", "2", "--quiet"], capture_output=True, text=True)
        seconds = time.perf_counter() - started
        peak = float(re.search(r"peak_rss_mib=([\d.]+)", done.stderr).group(1))
        peaks.append(peak)
        lines.append(f"| {count:,} | {peak:.1f} | {seconds:.1f} |")
        print(lines[-1], flush=True)
    lines += ["", f"100k / 1k peak RSS: {peaks[1] / peaks[0]:.2f} (target <= 1.20).", ""]
    return lines


def main() -> None:
    benchenv.ensure()
    import dataset

    parts = sys.argv[1:] or ["workers", "linear", "startup", "memory"]
    recipe = write_recipe(WORK / "recipe.toml", RECIPE)
    source = dataset.build(WORK / "img640-300", 300, (640, 480))
    lines = []
    for part in parts:
        print(f"{part}:", flush=True)
        section = {"workers": lambda: workers(recipe, source), "linear": lambda: linear(recipe, source),
                   "workers-big": lambda: workers_big(recipe, source),
                   "startup": lambda: startup(recipe), "memory": lambda: memory(recipe)}[part]()
        print("\n".join(section), flush=True)
        lines += section
    header = ["# Scaling, start-up and memory", "",
              f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
              f"- machine: {benchenv.machine()}",
              f"- versions: {benchenv.versions(VERSIONS)}",
              f"- command: `python3 benchmarks/scaling.py {' '.join(parts)}`", ""]
    target = HERE / "results" / ("scaling.md" if not sys.argv[1:] else f"scaling-{'-'.join(parts)}.md")
    target.write_text("\n".join(header + lines))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
