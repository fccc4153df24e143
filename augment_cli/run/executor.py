"""Run jobs on any concurrent.futures.Executor-shaped object.

`run_jobs` only uses `submit` and futures, so a process pool, the in-process
SerialExecutor or a Dask client's executor plug in the same way. Jobs go in
small batches with a bounded number in flight: memory stays flat however
many files there are, and both cores stay busy when file sizes are uneven.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

# Libraries that start their own thread pools would oversubscribe the cores
# when every worker process does so; each worker runs single-threaded.
# OPENCV_FOR_THREADS_NUM=1 makes OpenCV sequential like cv2.setNumThreads
# without importing cv2 (0.3 s of CPU) in workers of audio- or text-only runs.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENCV_FOR_THREADS_NUM")
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers


class SerialExecutor(Executor):
    """Runs each task at submit time, in this process (tests, --workers 1).

    Ctrl-C and SIGTERM during a task propagate at once, as they do from a
    pool's wait: kept in the future, they would surface only after the next
    in-flight batches had run."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def make_executor(workers: int, shared: dict | None = None) -> Executor:
    """`shared`: each label's file list for mixing recipes, sent to every
    worker once (see partners.LabelFiles)."""
    for name in THREAD_ENV:  # inherited by spawned workers; read by this process's
        os.environ.setdefault(name, "1")  # numpy and OpenCV if they are imported now
    if workers <= 1:
        keep_freed_memory()
        return SerialExecutor()
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(shared or {},))


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _init_worker(shared: dict) -> None:
    """Workers leave Ctrl-C and SIGTERM to the main process, which stops them
    itself: a worker must never die mid-file with a traceback on the terminal."""
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    keep_freed_memory()
    if shared:
        from augment_cli.run.partners import share

        share(shared)


@contextmanager
def executor_for(workers: int, shared: dict | None = None) -> Iterator[Executor]:
    """An executor that, if the run is interrupted, kills its workers at once
    instead of waiting for their current files."""
    executor = make_executor(workers, shared)
    try:
        with _one_core_if(workers <= 1):
            yield executor
    except BaseException:
        _kill_workers(executor)
        _stop_killed_pool(executor)
        raise
    executor.shutdown(wait=True)


@contextmanager
def _one_core_if(serial: bool) -> Iterator[None]:
    """--workers 1 means one core, as on a shared machine or CI runner one
    expects, and as each pool worker runs: OpenCV would otherwise spread
    every warp and blur over all cores. An OpenCV already imported by the
    calling program gets its thread count back afterwards."""
    cv2 = sys.modules.get("cv2")
    if not serial or cv2 is None:  # not imported yet: OPENCV_FOR_THREADS_NUM covers it
        yield
        return
    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def _kill_workers(executor: Executor) -> None:
    # ProcessPoolExecutor has no public way to stop running tasks before
    # Python 3.14's kill_workers(); its process table is the next best thing.
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()


def _stop_killed_pool(executor: Executor) -> None:
    """Shut a pool whose workers were just killed, and wait (briefly) for its
    manager thread: left running, it can close its wake-up pipe while
    Python's exit handler writes to it (CPython 3.11 does not guard that),
    which prints a traceback after our clean message."""
    manager = getattr(executor, "_executor_manager_thread", None)
    executor.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(timeout=10)


def keep_freed_memory() -> None:
    """Let glibc reuse freed image buffers instead of returning them to the
    OS: each transform allocates a fresh output array, and by default every
    one over 128 KiB is a new mmap whose pages fault in again on first touch.
    Measured: OpenCV's rotate of a 640x480 RGB image ~2.5 -> ~1.1 ms. Peak
    memory stays bounded by one source and its copies; other C libraries
    (musl, macOS) are left alone."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, 32 * 2**20)  # the most glibc accepts on 64-bit
    mallopt(M_TRIM_THRESHOLD, 256 * 2**20)


def batches(items: Iterable[Any], workers: int, total: int, most: int = 16) -> Iterator[list[Any]]:
    """Batches small enough to balance load (>= 32 per worker), at most `most`.

    The last batches decide when a run ends: with 300 photos on 2 workers,
    16 files a batch could leave one core idle for up to 16 files' work
    (~1 s) at the end; 4 a batch adds a task round-trip (well under 1 ms)
    per 4 files of ~15 ms work each. Large runs of small files still get 16
    a batch. (Shrinking batches as work runs out measured no better here.)
    `items` is consumed lazily, so a run never holds all its jobs at once."""
    size = max(1, min(most, total // max(1, workers * 32)))
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_jobs(executor: Executor, function: Callable[[list[Any]], list[Any]],
             batched: Iterable[list[Any]], in_flight: int) -> Iterator[Any]:
    """Yield each result as its batch finishes, keeping <= in_flight batches queued."""
    pending: set[Future] = set()
    for batch in batched:
        pending.add(_submit(executor, function, batch))
        if len(pending) >= in_flight:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from _results(done)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from _results(done)


def _submit(executor: Executor, function: Callable[..., Any], batch: list[Any]) -> Future:
    """Submit with stop signals blocked: a worker process spawned here inherits
    the mask, so a Ctrl-C during its start-up cannot print a traceback; its
    initializer then ignores and unblocks them."""
    if not isinstance(executor, ProcessPoolExecutor):
        return executor.submit(function, batch)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        return executor.submit(function, batch)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _results(done: set[Future]) -> Iterator[Any]:
    for future in done:
        yield from future.result()
