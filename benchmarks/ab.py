"""A/B of two augment_cli trees: which code is faster, interleaved round by round.

    python3 benchmarks/ab.py TREE_A TREE_B [ROUNDS]

Each TREE holds an augment_cli/ (e.g. `git archive REV augment_cli | tar -x -C TREE`);
both run as `python -m augment_cli expand` with benchmarks/work/recipe.toml on
the 640x480 benchmark set (run run_images.py once first to make both), 5
copies. Environment: SRC (another source folder), RECIPE (another recipe file),
COPIES (default 5), W (workers, default 2).
Rounds alternate the order (A B, B A, ...). Prints median wall and CPU seconds,
and the median of per-round wall ratios A/B (above 1: B is faster). Under about 5 %
the machine's noise decides.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = str(HERE / ".venv" / "bin" / "python")
SOURCE = os.environ.get("SRC", str(HERE / "work" / "img640-300"))
RECIPE = os.environ.get("RECIPE", str(HERE / "work" / "recipe.toml"))
COPIES = os.environ.get("COPIES", "5")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(tree: str, out: Path, workers: str) -> tuple[float, float]:
    """Wall and CPU seconds of one whole-process run of `tree`'s augment_cli."""
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # the last run's writeback must not slow this run's file creation
    cpu, started = children_cpu(), time.perf_counter()
    subprocess.run(["env", f"PYTHONPATH={tree}", PYTHON, "-P", "-m", "augment_cli", "expand", SOURCE,
                    "--recipe", RECIPE, "--copies", COPIES, "--out", str(out), "--workers", workers,
                    "--quiet", "--seed", "1"], check=True)
    return time.perf_counter() - started, children_cpu() - cpu


def main() -> None:
    trees = sys.argv[1:3]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    workers = os.environ.get("W", "2")
    wall: list[list[float]] = [[], []]
    cpu: list[list[float]] = [[], []]
    with tempfile.TemporaryDirectory() as scratch:
        for round_number in range(rounds):
            # A, B then B, A: a run starts right after the other's outputs were deleted, whose
            # writeback (200,000 small files) still slows it on a busy disk; alternating the order
            # spreads that over both sides instead of charging it to B every round.
            for side in (0, 1) if round_number % 2 == 0 else (1, 0):
                seconds, cpu_seconds = one_run(trees[side], Path(scratch) / "out", workers)
                wall[side].append(seconds)
                cpu[side].append(cpu_seconds)
                print(f"  round {len(wall[side])}, {'AB'[side]}: {seconds:.2f} s wall, "
                      f"{cpu_seconds:.2f} s CPU", flush=True)
    for side, tree in zip("AB", trees, strict=True):
        index = "AB".index(side)
        print(f"{side} {tree}: wall {statistics.median(wall[index]):.3f} s (min {min(wall[index]):.3f}), "
              f"CPU {statistics.median(cpu[index]):.3f} s")
    ratio = statistics.median(x / y for x, y in zip(wall[0], wall[1], strict=True))
    print(f"A/B wall, median of per-round ratios: {ratio:.3f}; "
          f"CPU: {statistics.median(cpu[0]) / statistics.median(cpu[1]):.3f}")


if __name__ == "__main__":
    main()
