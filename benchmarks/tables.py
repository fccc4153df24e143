"""Tables: `augment expand` on a CSV with recipes/eda.toml vs the loop a user would write.

    python3 benchmarks/tables.py [--rows 100000] [--copies 4] [--txt-rows 20000]
                                 [--rss-rows 10000,1000000] [--chunk-sizes 250,1000,4000]

Throughput: rows/s of `augment expand` on one CSV of `--rows` short review
sentences with 4 copies, at 1 and 2 workers, against a plain Python loop
in the same run that reads the CSV with `csv`, applies the same EDA
operations to the same rows (augment's Augmenter: the same code per row,
so the difference is what the table machinery costs or saves) and writes a
CSV. augment redraws a copy that repeats its row or an earlier copy; the
plain loop does not. So each augment row is also set against the loop that
makes the same draws: the loop redrawing repeats for the default, the plain
loop for `--allow-duplicates`. The folder-of-.txt path on the same sentences (one file per row,
`--txt-rows` of them) shows the per-file overhead, broken down into the walk
and plan, and writing one small file per copy.

Chunk size (run alone when given): rows/s at 2 workers for each of `--chunk-sizes` (on --rows
rows; the output is the same for each), which chose the default.

Memory: peak RSS of the main process (benchmarks/peak_rss.py, workers
excluded) of `augment expand` on tables of each `--rss-rows` size
(--copies 1, 2 workers): it should not grow with the table.
Runs in the project's own environment (no comparison libraries needed).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from augment_cli import Augmenter, api
from augment_cli.outdir.files import atomic_write
from augment_cli.run.distinct import REDRAWS

RECIPE = HERE.parent / "recipes" / "eda.toml"
VOCABULARY = ("good bad great terrible movie film product phone battery screen price quality "
              "service fast slow cheap expensive love hate buy return delivery box small big "
              "story actor music scene friend money time day week quiet loud clean broken").split()
FILLER = "the a it was is and but very really this that i my so too".split()


def make_table(path: Path, rows: int) -> None:
    """SST-2-like rows: one sentence of 6-20 words and a 0/1 label (seeded)."""
    rng = np.random.default_rng(5)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["sentence", "label"])
        for k in range(rows):
            words = [str(rng.choice(VOCABULARY if rng.random() < 0.6 else FILLER))
                     for _ in range(int(rng.integers(6, 21)))]
            writer.writerow([" ".join(words).capitalize() + ".", k % 2])


def baseline(source: Path, target: Path, copies: int, provenance: bool = False,
             distinct: bool = False) -> None:
    """The script a user writes: csv in, the same EDA operations per row and copy, csv out.
    With `provenance` it also writes what augment's table holds: source row, copy and the
    transforms applied (JSON). With `distinct` a copy that repeats its row or an earlier
    copy is redrawn (up to REDRAWS times, as augment does by default)."""
    augmenter = Augmenter(RECIPE)
    with open(source, encoding="utf-8", newline="") as inp, open(target, "w", encoding="utf-8",
                                                                 newline="") as out:
        reader, writer = csv.reader(inp), csv.writer(out, lineterminator="\n")
        writer.writerow([*next(reader), "copy"])
        for number, (sentence, label) in enumerate(reader, 1):
            seen = {sentence}
            for copy in range(1, copies + 1):
                made = augmenter.text(sentence, seed=0, source=f"{source.name}\n{number}", copy=copy)
                for attempt in range(1, REDRAWS + 1 if distinct and made.data in seen else 0):
                    made = augmenter.text(sentence, seed=attempt, source=f"{source.name}\n{number}",
                                          copy=copy)
                    if made.data not in seen:
                        break
                seen.add(made.data)
                if provenance:
                    writer.writerow([made.data, label, number, copy, json.dumps(made.params)])
                else:
                    writer.writerow([made.data, label, copy])


def as_txt_tree(table: Path, root: Path, rows: int) -> None:
    with open(table, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, (sentence, label) in enumerate(reader, 1):
            if number > rows:
                break
            path = root / label / f"r{number:07d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(sentence + "\n", encoding="utf-8")


def timed(function, *args, **kwargs) -> float:
    return measured(function, *args, **kwargs)[0]


def measured(function, *args, **kwargs) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of this process and of the workers it started and joined."""
    start, cpu = time.perf_counter(), _cpu()
    function(*args, **kwargs)
    return time.perf_counter() - start, _cpu() - cpu


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def throughput(tmp: Path, rows: int, copies: int, txt_rows: int) -> None:
    table = tmp / "train.csv"
    make_table(table, rows)
    print(f"{rows} rows x {copies} copies, recipes/eda.toml; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    base, base_cpu = measured(baseline, table, tmp / "baseline.csv", copies)
    print(f"  plain Python loop (csv + Augmenter.text):  {rows / base:7.0f} rows/s   CPU {base_cpu:.1f} s")
    full, full_cpu = measured(baseline, table, tmp / "baseline-full.csv", copies, provenance=True)
    print(f"  the loop, also writing row, copy, transforms: {rows / full:5.0f} rows/s   CPU {full_cpu:.1f} s")
    fair, fair_cpu = measured(baseline, table, tmp / "baseline-distinct.csv", copies, distinct=True)
    print(f"  the loop, redrawing repeated copies (distinct): {rows / fair:5.0f} rows/s   "
          f"CPU {fair_cpu:.1f} s"
          f"   ({base / fair:.2f}x the plain loop's rows/s)")
    # --allow-duplicates makes the loop's EDA calls exactly; the default also
    # redraws a copy that repeats its row or an earlier copy (distinct copies).
    for duplicates, flag in ((False, ""), (True, " --allow-duplicates")):
        for workers in (1, 2):
            seconds, cpu = measured(api.expand, source=table, recipe=RECIPE,
                                    out=tmp / f"w{workers}{'-dup' if duplicates else ''}",
                                    copies=copies, workers=workers, text_columns=("sentence",),
                                    force_workers=True, allow_duplicates=duplicates)
            # The like-for-like loop: the plain one for --allow-duplicates, the distinct one otherwise.
            like, like_cpu = (base, base_cpu) if duplicates else (fair, fair_cpu)
            print(f"  augment expand train.csv --workers {workers}{flag}:".ljust(56)
                  + f"{rows / seconds:7.0f} rows/s   {base / seconds:.2f}x the plain loop   "
                  f"{like / seconds:.2f}x the loop doing the same draws   "
                  f"CPU {cpu / like_cpu:.2f}x that loop's")
    if txt_rows:
        folder_path(tmp, table, min(txt_rows, rows), copies)


def folder_path(tmp: Path, table: Path, rows: int, copies: int) -> None:
    """The same sentences as one .txt file per row, and where the per-file time goes."""
    small = tmp / "small.csv"
    with open(table, encoding="utf-8") as handle:
        small.write_text("".join(line for _, line in zip(range(rows + 1), handle, strict=False)))
    as_txt_tree(table, tmp / "txt", rows)
    as_table = timed(api.expand, source=small, recipe=RECIPE, out=tmp / "t-small", copies=copies,
                     workers=1, text_columns=("sentence",))
    as_files = timed(api.expand, source=tmp / "txt", recipe=RECIPE, out=tmp / "t-files", copies=copies,
                     workers=1)
    plan = timed(lambda: list(api.make_plan(source=tmp / "txt", recipe=RECIPE, out=tmp / "t-plan",
                                            copies=copies).iter_work(lambda source, names: None)))
    blobs = [(tmp / "writes" / f"{k}.txt", b"a short sentence of text\n") for k in range(rows * copies)]
    (tmp / "writes").mkdir()
    writes = timed(lambda: [atomic_write(path, blob, make_folder=False) for path, blob in blobs])
    per = (as_files - as_table) / rows * 1e6
    print(f"  same {rows} sentences, --workers 1: table {rows / as_table:.0f} rows/s, one .txt per row "
          f"{rows / as_files:.0f} files/s: {per:.0f} us more per row, of which walk + plan "
          f"{plan / rows * 1e6:.0f} us and writing {copies} small files {writes / rows * 1e6:.0f} us "
          "(the rest: reading each file, per-file index rows and the manifest)")


def peak_rss(tmp: Path, rows: int) -> float:
    table = tmp / f"rss{rows}.csv"
    make_table(table, rows)
    command = [sys.executable, str(HERE / "peak_rss.py"), "expand", str(table), "--recipe", str(RECIPE),
               "--copies", "1", "--out", str(tmp / f"rss-out{rows}"), "--workers", "2", "--text-column",
               "sentence", "-q"]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    table.unlink()
    return float(done.stderr.rsplit("peak_rss_mib=", 1)[1].split()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--txt-rows", type=int, default=20_000, help="0: skip the folder-of-.txt run")
    parser.add_argument("--rss-rows", default="10000,1000000", help="table sizes for peak RSS ('' skips)")
    parser.add_argument("--chunk-sizes", default="", help="--chunk-rows values to time at 2 workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if args.rows and not args.chunk_sizes:
            throughput(tmp, args.rows, args.copies, args.txt_rows)
        for chunk_rows in [int(size) for size in args.chunk_sizes.split(",") if size]:
            table = tmp / "chunks.csv"
            make_table(table, args.rows)
            seconds = timed(api.expand, source=table, recipe=RECIPE, out=tmp / f"c{chunk_rows}",
                            copies=args.copies, workers=2, text_columns=("sentence",), chunk_rows=chunk_rows)
            print(f"  --chunk-rows {chunk_rows}, --workers 2: {args.rows / seconds:7.0f} rows/s")
        sizes = [int(size) for size in args.rss_rows.split(",") if size]
        for size in sizes:
            start = time.perf_counter()
            mib = peak_rss(tmp, size)
            print(f"  peak RSS of the main process, {size} rows (--copies 1, 2 workers): {mib:.1f} MiB "
                  f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
