"""Where augment's time goes: a per-stage profile of one in-process run.

    python3 benchmarks/profile_stages.py [SRC] [--copies 5]

Runs api.expand with --workers 1 (everything in this process) and wraps each
stage's function from the outside with a timer (nothing in augment_cli is
changed): walk (both passes), read, hash (SHA-256 of sources and outputs),
decode, seed (per-copy random streams), transform (one line per transform),
encode, write, index (the run index, per source), manifest. Prints
milliseconds per source file and per output, and the share of the total;
"other" is what is left: parameter sampling, the pipeline's own loop, the
plan and bookkeeping.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchenv  # noqa: E402

TOTALS: dict[str, float] = defaultdict(float)
COUNTS: dict[str, int] = defaultdict(int)
CPU: list[float] = []


def timed(stage: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            TOTALS[stage] += time.perf_counter() - started
            COUNTS[stage] += 1
    return wrapper


def timed_generator(stage: str, function):
    """For a generator function: times every step of the iteration."""
    def wrapper(*args, **kwargs):
        items = function(*args, **kwargs)
        while True:
            started = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                TOTALS[stage] += time.perf_counter() - started
            COUNTS[stage] += 1
            yield item
    return wrapper


class TimedHashlib:
    """Stands in for the worker's `hashlib`: SHA-256 of sources and outputs."""

    def sha256(self, data):
        return timed("hash", hashlib.sha256)(data)


def instrument() -> None:
    """Wrap each stage where its caller looks it up."""
    from augment_cli import api, plugins, registry
    from augment_cli.layouts.folders import FOLDERS
    from augment_cli.modalities.image import codec as image_codec
    from augment_cli.run import distinct, worker

    FOLDERS.walk = timed_generator("walk", FOLDERS.walk)  # type: ignore[method-assign]
    distinct.fingerprint = timed("distinct", distinct.fingerprint)
    api.write_rows = timed("manifest", api.write_rows)
    api.Index.put = timed("index", api.Index.put)
    worker._read_source = timed("read", worker._read_source)
    worker.hashlib = TimedHashlib()
    worker.copy_seed = timed("seed", worker.copy_seed)
    image_codec.decode = timed("decode", image_codec.decode)
    image_codec.encode = timed("encode", image_codec.encode)
    worker.atomic_write = timed("write", worker.atomic_write)
    for spec in registry.specs("image"):
        function = spec.apply_function()
        plugins._RESOLVED[spec.applier] = timed(f"transform:{spec.name}", function)


def profile(source: Path, recipe: Path, copies: int) -> tuple[float, int, int]:
    import cv2

    from augment_cli import api

    cv2.setNumThreads(0)  # single-thread costs, as in a worker process
    instrument()
    with tempfile.TemporaryDirectory() as out:
        os.sync()  # earlier runs' writeback would slow this run's file creation
        started, cpu = time.perf_counter(), time.process_time()
        summary = api.expand(source=source, recipe=recipe, out=Path(out) / "o", copies=copies,
                             workers=1)
        total = time.perf_counter() - started
        CPU.append(time.process_time() - cpu)
    return total, summary.files_read, summary.copies_written


def report(total: float, files: int, outputs: int) -> str:
    lines = [f"augment stage profile: {files} files -> {outputs} outputs, one process, "
             f"{total:.2f} s in api.expand ({CPU[0]:.2f} s CPU)",
             f"{'stage':<32}{'calls':>7}{'total s':>9}{'ms/file':>9}{'ms/output':>10}{'share':>7}"]
    transform = sum(v for k, v in TOTALS.items() if k.startswith("transform:"))
    order = ["walk", "read", "hash", "decode", "seed", "transform", "distinct", "encode", "write", "index",
             "manifest"]
    rows = {**TOTALS, "transform": transform}
    for stage in order + sorted(k for k in TOTALS if k.startswith("transform:")):
        seconds = rows.get(stage, 0.0)
        name = "  " + stage if stage.startswith("transform:") else stage
        lines.append(f"{name:<32}{COUNTS.get(stage, 0) or '':>7}{seconds:>9.3f}"
                     f"{1000 * seconds / max(files, 1):>9.2f}{1000 * seconds / max(outputs, 1):>10.2f}"
                     f"{seconds / total:>7.1%}")
    other = total - sum(rows[s] for s in order if s in rows)
    lines.append(f"{'other (sampling, bookkeeping)':<32}{'':>7}{other:>9.3f}"
                 f"{1000 * other / max(files, 1):>9.2f}{1000 * other / max(outputs, 1):>10.2f}"
                 f"{other / total:>7.1%}")
    return "\n".join(lines)


def main() -> None:
    benchenv.ensure()
    import dataset
    from run_images import RECIPE, write_recipe

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path)
    parser.add_argument("--copies", type=int, default=5)
    args = parser.parse_args()
    work = HERE / "work"
    source = args.source or dataset.build(work / "img640-300", 300)
    recipe = write_recipe(work / "recipe.toml", RECIPE)
    print(report(*profile(source, recipe, args.copies)))


if __name__ == "__main__":
    main()
