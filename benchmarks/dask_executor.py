"""--executor dask against the local pool, and Dask's per-task overhead.
Writes benchmarks/results/dask.md.

    python3 benchmarks/dask_executor.py [--files 300] [--rounds 3]

1. The anchors' task (run_images.py's recipe: hflip, rotate, brightness/
   contrast, blur; 5 copies; JPEG q95) on 640x480 JPEGs, as whole `augment`
   processes interleaved round by round: `--workers 2` (the local pool)
   against `--executor dask --workers 2` (a LocalCluster of 2 single-threaded
   worker processes, started and closed inside the run), and the same command
   with `--scheduler ADDRESS` on a cluster of 2 such workers started before
   the rounds (set up as the run sets up its own: no profiler, one thread per
   library), which is what a team with a running cluster pays. The images are
   synthetic (textured gradients with noise, made with numpy here): the
   photographs run_images.py crops come from scikit-image, which only the
   benchmark venv has; the work per image is the same kind.
2. The per-task overhead run/engines.py chose the Dask batch size from:
   empty batches (the `list` builtin) through run_jobs, 8 in flight, on a LocalCluster of 2
   against the local Pool of 2.
Needs the dask extra (distributed) in the running interpreter.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
sys.path.insert(0, str(HERE.parent))

from run_images import RECIPE, timed_run, write_recipe  # noqa: E402


def build(root: Path, count: int) -> Path:
    """`count` 640x480 JPEGs over 3 labels (kept between runs)."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:480, 0:640]
    for n in range(count):
        path = root / f"label{n % 3}" / f"{n:04d}.jpg"
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        base = (x * rng.uniform(0.2, 0.6) + y * rng.uniform(0.2, 0.6))[..., None] + rng.integers(0, 255, 3)
        pixels = (base + rng.normal(0, 18, (480, 640, 3))) % 256
        Image.fromarray(pixels.astype(np.uint8)).save(path, quality=92)
    return root


def augment(src: Path, out: Path, recipe: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "augment_cli", "expand", str(src), "--recipe", str(recipe), "--copies", "5",
            "--out", str(out), "--workers", "2", "--quiet", *extra]


@contextmanager
def running_cluster() -> Iterator[str]:
    """A LocalCluster of 2 single-threaded worker processes, configured as
    run/cluster.py configures the one it starts; its scheduler's address."""
    import dask
    import distributed

    from augment_cli.run.cluster import _START, THREAD_ENV, PoolLikeWorker  # the run's own setup

    for name in THREAD_ENV:
        os.environ.setdefault(name, "1")
    with dask.config.set({"distributed.worker.profile.enabled": False, **_START}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=None)
    client = distributed.Client(cluster)
    client.register_plugin(PoolLikeWorker(), name="augment-worker-setup")
    try:
        yield cluster.scheduler_address
    finally:
        client.close()
        cluster.close()


def end_to_end(files: int, rounds: int) -> list[str]:
    src, recipe = build(WORK / f"dask-{files}", files), write_recipe(WORK / "dask-recipe.toml", RECIPE)
    with running_cluster() as address:
        return _rounds(src, recipe, files, rounds, address)


def _rounds(src: Path, recipe: Path, files: int, rounds: int, address: str) -> list[str]:
    runs = {"local pool, 2 workers": (WORK / "dask-out-local", ()),
            "Dask LocalCluster, 2 workers": (WORK / "dask-out-dask", ("--executor", "dask")),
            "Dask, running cluster of 2": (WORK / "dask-out-running", ("--scheduler", address))}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(rounds):
        for name, (out, extra) in runs.items():
            times[name].append(timed_run(augment(src, out, recipe, *extra), out, files * 5, []))
        print(f"  round {round_ + 1}: " + "  ".join(f"{n} {t[-1]:.2f}s" for n, t in times.items()),
              flush=True)
    local, dask, running = times.values()
    speed = statistics.median(a / b for a, b in zip(local, dask, strict=True))
    on_running = statistics.median(a / b for a, b in zip(local, running, strict=True))
    return [f"## The anchors' task: {files} JPEGs 640x480 x 5 copies, 2 workers on 2 cores", "",
            "| run | median s (min-max) |", "|---|---|",
            *[f"| {n} | {statistics.median(v):.2f} ({min(v):.2f}-{max(v):.2f}) |" for n, v in times.items()],
            "", f"Dask's speed relative to the local pool (median of per-round ratios, local s / Dask s): "
            f"{speed:.2f}x (target >= 0.9x). The Dask time includes starting and closing the LocalCluster; "
            f"best run against best run: {min(local) / min(dask):.2f}x. On a cluster already running "
            f"(`--scheduler`): {on_running:.2f}x; the difference is starting the LocalCluster's scheduler, "
            "nannies and workers, and importing distributed in the driver.", ""]


def overhead(tasks: int = 400) -> list[str]:
    from augment_cli.run.cluster import connected
    from augment_cli.run.executor import Pool, run_jobs

    def per_task(executor) -> float:
        list(run_jobs(executor, list, ([n] for n in range(40)), in_flight=8))  # warm up
        started = time.perf_counter()
        list(run_jobs(executor, list, ([n] for n in range(tasks)), in_flight=8))
        return (time.perf_counter() - started) / tasks * 1000

    pool = Pool(2, {}, None, None)
    local = per_task(pool)
    pool.shutdown()
    with connected(None, 2, 30) as cluster:
        executor = cluster.executor({})
        dask = per_task(executor)
        executor.shutdown()
    return ["## Per-task overhead (empty batches, 8 in flight, 2 workers)", "",
            f"local pool {local:.2f} ms a task; Dask LocalCluster {dask:.2f} ms a task ({tasks} tasks).",
            "A file of the anchors' task (5 copies) takes ~80 ms here, so with at least 8 files a Dask task "
            "(run/engines.py DASK_LEAST_BATCH) the overhead is under 1 % of a task, and 300 files still make "
            "~38 tasks to balance.", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    lines = [f"# Dask executor ({datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC)", ""]
    lines += overhead()
    print("\n".join(lines), flush=True)
    lines += end_to_end(args.files, args.rounds)
    (HERE / "results" / "dask.md").write_text("\n".join(lines))
    print("\n".join(lines[-8:]))


if __name__ == "__main__":
    main()
