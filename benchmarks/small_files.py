"""Where a small file's time goes: the fixed cost per source, stage by stage.

    python3 benchmarks/small_files.py [--files 5000] [--copies 2]

Builds `--files` 16x16 PNGs in 4 labels (kept under benchmarks/work/), then
1. times whole `augment expand --copies N` processes at --workers 1 and 2
   (wall and CPU per source), and
2. runs the same expansion in this process (--workers 1) under cProfile and
   splits its time per source into the run's stages, by the cumulative time
   of the function that is each stage. Profiling inflates Python-heavy
   stages more than C-heavy ones, so read the shares, not the microseconds;
   the stages nest only where named ("of which").
Runs in the project's own environment.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from augment_cli import api  # noqa: E402

WORK = HERE / "work"
RECIPE = '[[image]]\ntransform = "hflip"\n[[image]]\ntransform = "rotate"\nangle_deg = [-10, 10]\n'
# stage -> the function (file suffix, function name) whose cumulative time it is
STAGES = {
    "walk and plan (names, claims)": ("run/plan.py", "iter_work"),
    "index lookups (incremental)": ("outdir/incremental.py", "jobs_to_run"),
    "batching and the task round trip": ("run/executor.py", "batches"),
    "read the source and hash it": ("run/worker.py", "_read_source"),
    "decode": ("image/codec.py", "decode"),
    "output folder checks": ("run/worker.py", "folder_of"),
    "sample and apply the steps": ("run/steps.py", "augment"),
    "distinct-copy keys": ("run/distinct.py", "fingerprint"),
    "encode": ("image/codec.py", "encode"),
    "write (temporary + rename)": ("outdir/files.py", "atomic_write"),
    "manifest rows (JSON cells)": ("run/worker.py", "_row"),
    "index commit per source": ("outdir/index.py", "put"),
    "manifest.csv at the end": ("outdir/manifest.py", "write_rows"),
}


def build(count: int) -> Path:
    root = WORK / f"small-{count}"
    rng = np.random.default_rng(3)
    for k in range(count):
        path = root / f"label{k % 4}" / f"{k:06d}.png"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)).save(path)
    return root


def whole_runs(source: Path, recipe: Path, copies: int, files: int) -> None:
    for workers in (1, 2):
        out = WORK / f"small-out-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        os.sync()
        before, started = _children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-m", "augment_cli", "expand", str(source), "--recipe", str(recipe),
                        "--copies", str(copies), "--out", str(out), "--workers", str(workers), "--quiet"],
                       check=True, env={**os.environ, "PYTHONPATH": str(HERE.parent)})
        wall, cpu = time.perf_counter() - started, _children_cpu() - before
        print(f"  whole process, --workers {workers}: {wall / files * 1e6:6.0f} us wall and "
              f"{cpu / files * 1e6:6.0f} us CPU per source")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def stages(source: Path, recipe: Path, copies: int, files: int) -> None:
    out = WORK / "small-out-profiled"
    shutil.rmtree(out, ignore_errors=True)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    api.expand(source=source, recipe=recipe, out=out, copies=copies, workers=1)
    profile.disable()
    total = time.perf_counter() - started
    cumulative = {(path, name): stats[3] for (path, _, name), stats in pstats.Stats(profile).stats.items()}
    print(f"  in-process under cProfile: {total / files * 1e6:.0f} us per source; by stage (us per source, "
          "share of the run):")
    for stage, (suffix, name) in STAGES.items():
        seconds = sum(t for (path, function), t in cumulative.items()
                      if path.endswith(suffix) and function == name)
        print(f"    {stage:34s} {seconds / files * 1e6:7.0f}   {seconds / total:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    source = build(args.files)
    recipe = WORK / "small-recipe.toml"
    recipe.write_text(RECIPE)
    print(f"{args.files} 16x16 PNGs x {args.copies} copies (hflip, rotate); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    whole_runs(source, recipe, args.copies, args.files)
    stages(source, recipe, args.copies, args.files)


if __name__ == "__main__":
    main()
