"""Mixing recipes scale linearly with the size of a label.

    python3 benchmarks/mixing.py [--sizes 2500 10000] [--rounds 3] [--baseline DIR]

One label of N tiny PNGs, 1 copy each, --workers 2: `mixup` (every copy
blends with another file of the label) against `hflip` on the same files in
the same round. If the cost of a mixing job grew with the label (copying the
label's list per job, or sending it with every batch), the mixup/hflip
ratio would grow with N; it should stay flat. --baseline runs another
checkout's augment_cli (see run_images.py) as a third engine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchenv  # noqa: E402

RECIPES = {"hflip": '[[image]]\ntransform = "hflip"\n',
           "mixup": '[[image]]\ntransform = "mixup"\n'}


def main() -> None:
    benchenv.ensure()
    import dataset
    from run_images import BASELINE, BASELINE_DIR, command, timed_run, write_recipe

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()
    work = HERE / "work"
    recipes = {name: write_recipe(work / f"mix-{name}.toml", text) for name, text in RECIPES.items()}
    engines = [("augment", "hflip"), ("augment", "mixup")]
    if args.baseline:
        BASELINE_DIR.append(args.baseline.resolve())
        engines.append((BASELINE, "mixup"))
    for size in args.sizes:
        source = dataset.tiny_pngs(work / f"one-label-{size}", size, labels=1)
        times: dict[str, list[float]] = {f"{e} {r}": [] for e, r in engines}
        cpu: dict[str, list[float]] = {name: [] for name in times}
        for _ in range(args.rounds):
            for engine, recipe in engines:
                name, out = f"{engine} {recipe}", work / f"mix-out-{engine}-{recipe}"
                argv = command(engine, source, out, 1, 2, recipes[recipe])
                times[name].append(timed_run(argv, out, 0, cpu[name]))  # 0: counts JPEGs
                written = sum(1 for _ in out.rglob("*__aug1.png"))
                if written != size:
                    raise SystemExit(f"{name} wrote {written} copies, expected {size}")
        print(f"one label of {size:,} files, 1 copy, --workers 2, {args.rounds} rounds:")
        for name, seconds in times.items():
            ratio = statistics.median(a / b for a, b in zip(seconds, times["augment hflip"], strict=True))
            print(f"  {name:<26} {statistics.median(seconds):6.2f} s wall  "
                  f"{statistics.median(cpu[name]):6.2f} s CPU  {ratio:5.2f}x hflip  "
                  f"{size / statistics.median(seconds):7.0f} files/s")


if __name__ == "__main__":
    main()
