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
from itertools import islice
from typing import Any

from augment_cli.run.lifetime import STOP_SIGNALS, InheritedFd, init_worker, keep_freed_memory
from augment_cli.run.watchdog import Watchdog

# Libraries that start their own thread pools would oversubscribe the cores
# when every worker process does so; each worker runs single-threaded.
# OPENCV_FOR_THREADS_NUM=1 makes OpenCV sequential like cv2.setNumThreads
# without importing cv2 (0.3 s of CPU) in workers of audio- or text-only runs.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS", "OPENCV_FOR_THREADS_NUM")


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


def make_executor(workers: int, shared: dict | None = None, lock: int | None = None,
                  watchdog: Watchdog | None = None) -> Executor:
    """`shared`: each label's file list for mixing recipes, sent to every
    worker once (see partners.LabelFiles). `lock`: the DIR lock's file
    descriptor, which every worker then holds too (see lifetime.py)."""
    for name in THREAD_ENV:  # inherited by spawned workers; read by this process's
        os.environ.setdefault(name, "1")  # numpy and OpenCV if they are imported now
    if workers <= 1:
        keep_freed_memory()
        return SerialExecutor()
    return Pool(workers, shared or {}, lock, watchdog)


class Pool(Executor):
    """A spawn-context process pool that can be started afresh: the watchdog
    stops a file by killing the pool it runs in (see run_jobs)."""

    def __init__(self, workers: int, shared: dict, lock: int | None, watchdog: Watchdog | None):
        self.workers, self.shared, self.lock, self.watchdog = workers, shared, lock, watchdog
        self.current = self._start()

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        progress = self.watchdog.renew(context) if self.watchdog is not None else None
        lock = InheritedFd(self.lock) if self.lock is not None else None
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=init_worker,
                                   initargs=(self.shared, os.getpid(), lock, progress))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return self.current.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.current.shutdown(wait=wait, cancel_futures=cancel_futures)

    def kill(self) -> None:
        """Kill every worker at once and wait until they are gone, so none can
        still write when their batches are given to others; then shut the pool."""
        # ProcessPoolExecutor has no public way to stop running tasks before
        # Python 3.14's kill_workers(); its process table is the next best thing.
        processes = list((getattr(self.current, "_processes", None) or {}).values())
        for process in processes:
            process.kill()
        for process in processes:
            process.join(timeout=10)
        _stop_killed_pool(self.current)

    def restart(self) -> None:
        self.kill()
        self.current = self._start()


@contextmanager
def executor_for(workers: int, shared: dict | None = None, lock: int | None = None,
                 watchdog: Watchdog | None = None, cluster: Any = None) -> Iterator[Executor]:
    """An executor that, if the run is interrupted, kills its workers at once
    instead of waiting for their current files. `cluster`: a connected
    run.cluster.Cluster, whose executor is used instead of a local one."""
    executor = cluster.executor(shared or {}) if cluster is not None else make_executor(
        workers, shared, lock, watchdog)
    try:
        with _one_core_if(workers <= 1 and cluster is None):
            yield executor
    except BaseException:
        kill = getattr(executor, "kill", None)  # a Pool's, or a DaskExecutor's (cancels its tasks)
        if kill is not None:
            kill()
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


def _stop_killed_pool(executor: Executor) -> None:
    """Shut a pool whose workers were just killed, and wait (briefly) for its
    manager thread: left running, it can close its wake-up pipe while
    Python's exit handler writes to it (CPython 3.11 does not guard that),
    which prints a traceback after our clean message."""
    manager = getattr(executor, "_executor_manager_thread", None)
    executor.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(timeout=10)


def batches(items: Iterable[Any], workers: int, total: int, most: int = 16, least: int = 1,
            size: int | None = None) -> Iterator[list[Any]]:
    """Batches small enough to balance load (>= 32 per worker), at most `most`
    and at least `least` jobs (a Dask task costs ~4 ms more than a pool's:
    benchmarks/dask_executor.py); `size` fixes it (--batch-size).

    The last batches decide when a run ends: with 300 photos on 2 workers,
    16 files a batch could leave one core idle for up to 16 files' work
    (~1 s) at the end; 4 a batch adds a task round-trip (well under 1 ms)
    per 4 files of ~15 ms work each. Large runs of small files still get 16
    a batch. (Shrinking batches as work runs out measured no better here.)
    `items` is consumed lazily, so a run never holds all its jobs at once."""
    size = size or max(1, least, min(most, total // max(1, workers * 32)))
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_jobs(executor: Executor, function: Callable[[list[Any]], list[Any]],
             batched: Iterable[list[Any]], in_flight: int,
             watchdog: Watchdog | None = None) -> Iterator[Any]:
    """Yield each result as its batch finishes, keeping <= in_flight batches queued.

    With a watchdog (and a Pool), a job running past its limit is stopped:
    it yields watchdog.failure(...) and the pool is started afresh with the
    other in-flight jobs (see watchdog.py)."""
    pending: dict[Future, list[Any]] = {}
    batches_left = iter(batched)
    while True:
        for batch in islice(batches_left, max(0, in_flight - len(pending))):
            pending[_submit(executor, function, batch)] = batch
        if not pending:
            return
        done, _ = wait(pending, timeout=watchdog.tick if watchdog else None, return_when=FIRST_COMPLETED)
        for future in done:
            del pending[future]
            yield from future.result()
        if watchdog is not None and isinstance(executor, Pool):
            yield from _stop_overdue(executor, function, pending, watchdog)


def _stop_overdue(pool: Pool, function: Callable[[list[Any]], list[Any]],
                  pending: dict[Future, list[Any]], watchdog: Watchdog) -> Iterator[Any]:
    """Kill the pool if a job is overdue; report it, resubmit the rest."""
    watchdog.poll()
    overdue = watchdog.overdue()
    if not overdue:
        return
    limit = watchdog.limit
    pool.restart()
    watchdog.stopped += len(overdue)
    batches = list(pending.items())
    pending.clear()
    for future, batch in batches:
        if future.done() and not future.cancelled() and future.exception() is None:
            yield from future.result()  # finished before the pool was killed
            continue
        rest = [job for job in batch if watchdog.key(job) not in overdue]
        yield from (watchdog.failure(job, overdue[watchdog.key(job)], limit)
                    for job in batch if watchdog.key(job) in overdue)
        if rest:
            pending[_submit(pool, function, rest)] = rest


def _submit(executor: Executor, function: Callable[..., Any], batch: list[Any]) -> Future:
    """Submit with stop signals blocked: a worker process spawned here inherits
    the mask, so a Ctrl-C during its start-up cannot print a traceback; its
    initializer then ignores and unblocks them."""
    if not isinstance(executor, (Pool, ProcessPoolExecutor)):
        return executor.submit(function, batch)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        return executor.submit(function, batch)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _results(done: set[Future]) -> Iterator[Any]:
    for future in done:
        yield from future.result()
