"""Running the benchmark's units of work here, one after another, or in N worker processes.

A unit carries everything its result depends on (items, seed, steps), so the
result is the same whichever process runs it and whenever; `run_pool` hands
units out one at a time as workers free up and returns the results in unit
order, not in the order the workers finish. Every process computes on one
thread: two processes on two cores, not two processes each starting a thread
pool per core.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

# Read once, when numpy's BLAS, torch's OpenMP or OpenCV is first imported.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "OPENCV_FOR_THREADS_NUM")

Work = Callable[[Any], Any]
Done = Callable[[int, Any], None]


def cpus() -> int:
    """The cores this process may run on (the default --jobs)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def one_thread() -> None:
    """One compute thread for this process and every process it starts from now on (they
    inherit the environment): call before numpy or torch is imported. A torch already
    imported is told directly."""
    for name in THREAD_ENV:
        os.environ[name] = "1"
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def run_serial(work: Work, units: Sequence[Any], start: Callable[[], None] | None = None,
               done: Done | None = None) -> list[Any]:
    """work(unit) for every unit, in this process, in unit order; done(position, result) after each."""
    if start is not None:
        start()
    results = []
    for position, unit in enumerate(units):
        results.append(work(unit))
        if done is not None:
            done(position, results[-1])
    return results


def run_pool(work: Work, units: Sequence[Any], jobs: int, start: Callable[[], None] | None = None,
             done: Done | None = None) -> list[Any]:
    """work(unit) for every unit in `jobs` spawned processes (each runs `start` first), returned
    in unit order; done(position, result) as each finishes, in finishing order."""
    found: dict[int, Any] = {}
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=start) as pool:
        for position, result in pool.imap_unordered(partial(_numbered, work), enumerate(units)):
            found[position] = result
            if done is not None:
                done(position, result)
    return [found[position] for position in range(len(units))]


def run(work: Work, units: Sequence[Any], jobs: int, start: Callable[[], None] | None = None,
        done: Done | None = None) -> list[Any]:
    """run_serial for one job (no process to start), run_pool for more."""
    if jobs <= 1 or len(units) <= 1:
        return run_serial(work, units, start, done)
    return run_pool(work, units, min(jobs, len(units)), start, done)


def _numbered(work: Work, numbered: tuple[int, Any]) -> tuple[int, Any]:
    position, unit = numbered
    return position, work(unit)
