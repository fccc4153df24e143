"""A pool worker's life: set up once when it starts, over when its parent dies.

A worker must never outlive the run that started it: killed with SIGKILL,
the main process cannot stop its workers, and left alone they would go on
writing into DIR while a re-run starts there. So each worker

- asks the kernel to SIGKILL it when its parent dies (Linux PR_SET_PDEATHSIG),
  and, where that does not exist or as a second line, watches its parent
  from a thread and exits when it is gone (os.getppid() changes);
- holds the run's DIR lock itself (the main process's flock on
  DIR/.augment-lock, passed down as an inherited descriptor of the same open
  file). flock belongs to the open file, not to a process, so the lock is
  free only once the main process *and every worker* are gone: a later run
  cannot start while any worker of a killed one could still write.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from multiprocessing import reduction
from typing import Any

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_CHECK_SECONDS = 0.5
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers

_KEPT: list[int] = []  # this worker's copy of the DIR lock: open for the worker's life


def init_worker(shared: dict, parent: int, lock: Any, progress: Any) -> None:
    """The pool's initializer. Workers leave Ctrl-C and SIGTERM to the main
    process, which stops them itself: a worker must never die mid-file with a
    traceback on the terminal. `lock`: the DIR lock's descriptor, inherited
    (see InheritedFd); `progress`: the watchdog's queue, or None."""
    die_with_parent(parent)
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if lock is not None:
        _KEPT.append(lock)
    keep_freed_memory()
    if progress is not None:
        from augment_cli.run import watchdog

        watchdog.attach(progress)
    if shared:
        from augment_cli.run.partners import share

        share(shared)


def die_with_parent(parent: int) -> None:
    """Be killed with `parent` (the main process's pid), however it dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # no prctl: the thread below does it
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the line above took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # reparented: the run is over, whatever this worker was doing


class InheritedFd:
    """A file descriptor for a spawned worker: pickled while the pool starts
    a process, it is passed to the child as the same open file (multiprocessing's
    own way of handing pipes to spawned children) and arrives as its number."""

    def __init__(self, fd: int):
        self.fd = fd

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        return _detach, (reduction.DupFd(self.fd),)


def _detach(duplicate: Any) -> int:
    return duplicate.detach()


def keep_freed_memory() -> None:
    """Let glibc reuse freed image buffers instead of returning them to the
    OS: each transform allocates a fresh output array, and by default every
    one over 128 KiB is a new mmap whose pages fault in again on first touch.
    Measured: OpenCV's rotate of a 640x480 RGB image ~2.5 -> ~1.1 ms. Peak
    memory stays bounded by one source and its copies; other C libraries
    (musl, macOS) are left alone."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, 32 * 2**20)  # the most glibc accepts on 64-bit
    mallopt(M_TRIM_THRESHOLD, 256 * 2**20)
