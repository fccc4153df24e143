"""recipes/geometry.toml as whole processes: augment (fused and --no-fuse) vs the lean
Albumentations script doing the same steps one by one, and the floor.

    python3 benchmarks/geometry_whole.py [--files 120] [--rounds 5]

The 640x480 benchmark JPEGs (dataset.py: photo crops from scikit-image), 5
copies, JPEG q95, 2 workers; every engine a whole process (start-up, decode,
encode and writes included), interleaved round by round after `os.sync()`.
Prints medians and the median of per-round ratios. Decode and encode are the
same in every engine, so they bound the whole-process ratio below the
transform-only one that benchmarks/fusion.py prints.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import benchenv  # noqa: E402

benchenv.ensure()

import dataset  # noqa: E402
from run_images import timed_run  # noqa: E402

RECIPE = HERE.parent / "recipes" / "geometry.toml"
COPIES, WORKERS = 5, 2


def commands(src: Path, work: Path) -> dict[str, tuple[list[str], Path]]:
    augment = [str(Path(sys.executable).with_name("augment")), "expand", str(src), "--recipe", str(RECIPE),
               "--copies", str(COPIES), "--workers", str(WORKERS), "--quiet", "--out"]
    engine = [sys.executable, str(HERE / "engines.py")]
    return {
        "floor": ([*engine, "floor", str(src), str(work / "g-floor"), str(COPIES), str(WORKERS)],
                  work / "g-floor"),
        "augment": ([*augment, str(work / "g-augment")], work / "g-augment"),
        "augment --no-fuse": ([*augment, str(work / "g-nofuse"), "--no-fuse"], work / "g-nofuse"),
        "albumentations": ([*engine, "albumentations-geometry", str(src), str(work / "g-albu"), str(COPIES),
                            str(WORKERS)], work / "g-albu"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = HERE / "work"
    src = dataset.build(work / f"img640-{args.files}", args.files, (640, 480))
    runs = commands(src, work)
    times: dict[str, list[float]] = {name: [] for name in runs}
    print(f"{args.files} JPEGs 640x480 x {COPIES} copies, recipes/geometry.toml, --workers {WORKERS}; "
          f"load average {os.getloadavg()[0]:.1f}; {benchenv.machine()}")
    for round_ in range(args.rounds):
        names = list(runs)[round_ % len(runs):] + list(runs)[:round_ % len(runs)]
        for name in names:
            argv, out = runs[name]
            times[name].append(timed_run(argv, out, args.files * COPIES, []))
        done = "  ".join(f"{n} {t[-1]:.2f}s" for n, t in times.items())
        print(f"  round {round_ + 1}: {done}", flush=True)
    for name, values in times.items():
        print(f"  {name:18s} median {statistics.median(values):.2f} s "
              f"(min {min(values):.2f}, max {max(values):.2f})")
    fused = times["augment"]
    for other in ("augment --no-fuse", "albumentations", "floor"):
        ratio = statistics.median(o / f for o, f in zip(times[other], fused, strict=True))
        print(f"  augment (fused) vs {other}: {ratio:.2f}x")


if __name__ == "__main__":
    main()
