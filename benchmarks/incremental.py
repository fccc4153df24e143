"""How long a no-op re-run takes, against the first run, on many small files.

    python3 benchmarks/incremental.py [--files 10000] [--workers 2]

Builds N tiny PNGs in 10 labels (own content), runs `augment expand` once
(the baseline), then the same command again with nothing changed (the
no-op), then again after touching every source's mtime (forces the SHA-256
check), and prints seconds, the ratio to the first run, and each run's
main-process peak RSS.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

if __name__ == "__main__":
    benchenv.ensure()  # re-run in benchmarks/.venv (augment, numpy, Pillow) before the imports below

import numpy as np
from PIL import Image

RECIPE = '[[image]]\ntransform = "hflip"\np = 0.5\n'
# Runs the CLI in a child and reports that child's own peak RSS (the main
# process only: workers are its children and not counted; see peak_rss.py
# for why not ru_maxrss).
RUNNER = """
import json, sys, time
sys.path.insert(0, sys.argv.pop(1))
from peak_rss import peak_rss_mib
from augment_cli.cli import main
started = time.perf_counter()
try:
    main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({"seconds": time.perf_counter() - started, "code": code,
                  "rss_mb": peak_rss_mib()}), file=sys.stderr)
"""


def make_tree(root: Path, files: int) -> None:
    rng = np.random.default_rng(0)
    for index in range(files):
        path = root / f"label{index % 10}" / f"img{index:06d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)).save(path)


def run(src: Path, out: Path, recipe: Path, workers: int) -> dict:
    command = [sys.executable, "-c", RUNNER, str(Path(__file__).resolve().parent),
               "expand", str(src), "--recipe", str(recipe),
               "--copies", "2", "--out", str(out), "--workers", str(workers), "--quiet"]
    completed = subprocess.run(command, capture_output=True, text=True)
    return json.loads(completed.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_tree(root / "src", args.files)
        recipe = root / "recipe.toml"
        recipe.write_text(RECIPE)
        first = run(root / "src", root / "out", recipe, args.workers)
        noop = run(root / "src", root / "out", recipe, args.workers)
        for path in (root / "src").rglob("*.png"):
            path.touch()
        touched = run(root / "src", root / "out", recipe, args.workers)
    print(f"{args.files} sources x 2 copies, --workers {args.workers}")
    print(f"{'run':<28}{'seconds':>9}{'vs first':>10}{'peak RSS MB':>13}")
    runs = (("first run", first), ("no-op re-run", noop), ("re-run after touch (hash)", touched))
    for name, result in runs:
        print(f"{name:<28}{result['seconds']:>9.2f}{result['seconds'] / first['seconds']:>10.3f}"
              f"{result['rss_mb']:>13.1f}")


if __name__ == "__main__":
    main()
