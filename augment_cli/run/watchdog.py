"""A per-file deadline for pool workers: a file far slower than its peers is stopped.

Each worker says on a queue which source it starts, and when it has no more
(`started`, `idle`); the main process reads the queue while it waits for
results. A source still running after

    max(floor, FACTOR x the median time of the sources finished so far)

is overdue: executor.run_jobs then kills the pool, reports the source as
failed, starts a new pool and submits the other in-flight batches again,
which is safe because every output is written atomically and the same bytes
each time. The clock starts once the worker has imported what the file
needs (worker.warm), so a worker's start-up does not count against its first
file. The floor is `--file-timeout` (default 60 s; 0 turns this off). It
needs worker processes: a run in this process (--workers 1) is not timed,
as nothing could stop a file stuck in native code without stopping the run.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import deque
from collections.abc import Callable
from typing import Any

DEFAULT_FLOOR = 60.0
FACTOR = 20
RECENT = 1001  # file times kept for the median: memory stays flat
RECOMPUTE_EVERY = 64  # new file times between two medians


class Watchdog:
    """The main process's side. `key(item)` names a job's source; `failure(item,
    seconds, limit)` is the result reported for a job that was stopped."""

    def __init__(self, floor: float, key: Callable[[Any], str],
                 failure: Callable[[Any, float, float], Any]):
        self.floor, self.key, self.failure = floor, key, failure
        self.queue: Any = None
        self.current: dict[int, tuple[str, float]] = {}  # worker pid -> (source, started)
        self.recent: deque[float] = deque(maxlen=RECENT)
        self.limit, self._fresh = floor, 0
        self.stopped = 0  # sources stopped so far
        self.tick = min(1.0, max(0.05, floor / 4))  # how often the main process looks

    def renew(self, context: Any) -> Any:
        """A new queue for a new pool: a killed worker may have held the old one's lock."""
        self.queue, self.current = context.SimpleQueue(), {}
        return self.queue

    def poll(self) -> None:
        """Read what the workers said since the last poll."""
        while self.queue is not None and not self.queue.empty():
            pid, source, at = self.queue.get()
            previous = self.current.pop(pid, None)
            if previous is not None:
                self.recent.append(at - previous[1])
                self._fresh += 1
            if source is not None:
                self.current[pid] = (source, at)

    def overdue(self) -> dict[str, float]:
        """Sources running past the limit, with how long they have run."""
        if self._fresh >= RECOMPUTE_EVERY or (self._fresh and len(self.recent) < RECOMPUTE_EVERY):
            self.limit = max(self.floor, FACTOR * statistics.median(self.recent))
            self._fresh = 0
        now = time.monotonic()
        return {source: now - started for source, started in self.current.values()
                if now - started > self.limit}


# The worker's side: the queue its pool's initializer attached, if any.
_QUEUE: Any = None


def attach(queue: Any) -> None:
    global _QUEUE
    _QUEUE = queue


def started(source: str | None) -> None:
    """This worker begins `source` now (None: it has finished its batch)."""
    if _QUEUE is not None:
        _QUEUE.put((os.getpid(), source, time.monotonic()))


def idle() -> None:
    started(None)
