"""Text throughput: `augment expand` with EDA vs a plain-Python EDA loop, same run.

    python3 benchmarks/text.py [--files 2000] [--copies 4] [--source DIR]

The baseline is what a user would write from the EDA paper's reference
script: read each file, lower-case it, split on spaces, apply one of the
four operations with a dict of synonyms, join with spaces, write N copies;
one process, no manifest, no atomic writes, no layout kept. It uses the same
bundled synonym table so the work per word is comparable. The tool's figures
include everything it does more (tokenising that keeps the layout, the
manifest, atomic writes, the process pool). Also prints the cold load time of
the synonym table in a fresh process (what each worker pays once).

Without --source the corpus is generated (short review-like texts from a
fixed vocabulary, seeded): the project's own data. Figures vary on a shared
machine; the ratio, measured in the same run, is what to compare.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

if __name__ == "__main__":
    benchenv.ensure()  # re-run in benchmarks/.venv (augment, numpy, Pillow) before the imports below

import numpy as np

from augment_cli import api
from augment_cli.modalities.text.transforms.lexicon import STOPWORDS, wordnet_table

VOCABULARY = ("good bad great terrible movie film product phone battery screen price quality "
              "service fast slow cheap expensive love hate buy return delivery box small big "
              "strong weak happy sad quiet loud clean broken easy hard comfortable beautiful "
              "story actor music scene kettle chair light water day week friend money time").split()
FILLER = "the a it was is and but very really this that i my so too".split()
RECIPE = """[[text]]
one_of = [
  { transform = "synonym_replace", alpha = 0.1 }, { transform = "random_insert", alpha = 0.1 },
  { transform = "random_swap", alpha = 0.1 }, { transform = "random_delete", alpha = 0.1 },
]
"""


def make_corpus(root: Path, files: int) -> None:
    rng = np.random.default_rng(5)
    for k in range(files):
        sentences = []
        for _ in range(int(rng.integers(2, 5))):
            words = [str(rng.choice(VOCABULARY if rng.random() < 0.6 else FILLER))
                     for _ in range(int(rng.integers(6, 16)))]
            sentences.append(" ".join(words).capitalize() + ".")
        path = root / ("pos" if k % 2 else "neg") / f"r{k:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(" ".join(sentences) + "\n", encoding="utf-8")


def baseline(source: Path, out: Path, copies: int, alpha: float = 0.1) -> int:
    """A plain EDA loop as a user writes it (after the paper's eda.py)."""
    table = {w: s.split("|") for w, s in wordnet_table().items()}
    rng = np.random.default_rng(0)
    count = 0
    for path in sorted(source.rglob("*.txt")):
        words = path.read_text(encoding="utf-8").lower().split()
        target = out / path.relative_to(source).parent
        target.mkdir(parents=True, exist_ok=True)
        for copy in range(1, copies + 1):
            new = _eda_once(words, table, rng, alpha, copy % 4)
            (target / f"{path.stem}__aug{copy}.txt").write_text(" ".join(new) + "\n", encoding="utf-8")
        count += 1
    return count


def _eda_once(words, table, rng, alpha, operation):
    n = max(1, int(alpha * len(words)))
    new = list(words)
    if operation == 0:  # synonym replacement
        for i in [i for i in rng.permutation(len(new)) if new[i] not in STOPWORDS and new[i] in table][:n]:
            options = table[new[i]]
            new[i] = options[int(rng.integers(len(options)))]
    elif operation == 1:  # random insertion
        for _ in range(n):
            known = [w for w in new if w in table]
            if known:
                options = table[known[int(rng.integers(len(known)))]]
                new.insert(int(rng.integers(len(new) + 1)), options[int(rng.integers(len(options)))])
    elif operation == 2:  # random swap
        for _ in range(n):
            i, j = rng.integers(len(new), size=2)
            new[i], new[j] = new[j], new[i]
    else:  # random deletion
        kept = [w for w in new if rng.random() > alpha]
        new = kept or [new[int(rng.integers(len(new)))]]
    return new


def load_time(runs: int = 5) -> float:
    """Median seconds to load the table in a fresh interpreter (import excluded)."""
    code = ("import time; from augment_cli.transforms import text_lexicon as t; "
            "s = time.perf_counter(); t.wordnet_table(); print(time.perf_counter() - s)")
    return statistics.median(float(subprocess.run([sys.executable, "-c", code], check=True,
                                                  capture_output=True, text=True).stdout)
                             for _ in range(runs))


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--source", type=Path, help="a labelled .txt tree instead of the generated one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = args.source or tmp / "src"
        if args.source is None:
            make_corpus(source, args.files)
        (tmp / "eda.toml").write_text(RECIPE)
        files = sum(1 for _ in source.rglob("*.txt"))
        print(f"{files} files x {args.copies} copies, EDA alpha 0.1; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        base_s, _ = timed(baseline, source, tmp / "base", args.copies)
        print(f"  plain-Python EDA loop (1 process): {files / base_s:8.0f} files/s")
        for workers in (1, 2):
            seconds, summary = timed(api.expand, source=source, recipe=tmp / "eda.toml",
                                     out=tmp / f"w{workers}", copies=args.copies, workers=workers)
            assert summary.exit_code == 0, summary.failed[:3]
            print(f"  augment expand --workers {workers}:      {files / seconds:8.0f} files/s   "
                  f"ratio vs baseline {base_s / seconds:.2f}")
    print(f"synonym table load (fresh process, median of 5): {load_time() * 1000:.0f} ms")


if __name__ == "__main__":
    main()
