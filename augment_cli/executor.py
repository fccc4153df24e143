"""Run jobs on any concurrent.futures.Executor-shaped object.

`run_jobs` only uses `submit` and futures, so a process pool, the in-process
SerialExecutor or a Dask client's executor plug in the same way. Jobs go in
small batches with a bounded number in flight: memory stays flat however
many files there are, and both cores stay busy when file sizes are uneven.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Iterable, Iterator

# Libraries that start their own thread pools would oversubscribe the cores
# when every worker process does so; each worker runs single-threaded.
# OPENCV_FOR_THREADS_NUM=1 makes OpenCV sequential like cv2.setNumThreads
# without importing cv2 (0.3 s of CPU) in workers of audio- or text-only runs.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENCV_FOR_THREADS_NUM")


class SerialExecutor(Executor):
    """Runs each task at submit time, in this process (tests, --workers 1)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def make_executor(workers: int) -> Executor:
    if workers <= 1:
        return SerialExecutor()
    for name in THREAD_ENV:  # inherited by the spawned workers
        os.environ.setdefault(name, "1")
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def batches(items: list[Any], workers: int, most: int = 16) -> Iterator[list[Any]]:
    """Batches small enough to balance load (>= 8 per worker), at most `most`."""
    size = max(1, min(most, len(items) // max(1, workers * 8)))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_jobs(executor: Executor, function: Callable[[list[Any]], list[Any]],
             batched: Iterable[list[Any]], in_flight: int) -> Iterator[Any]:
    """Yield each result as its batch finishes, keeping <= in_flight batches queued."""
    pending: set[Future] = set()
    for batch in batched:
        pending.add(executor.submit(function, batch))
        if len(pending) >= in_flight:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from _results(done)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from _results(done)


def _results(done: set[Future]) -> Iterator[Any]:
    for future in done:
        yield from future.result()
