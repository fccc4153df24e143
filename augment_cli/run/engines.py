"""Where a run's batches go: the local pool (default) or a Dask cluster.

Checked before anything is written: an unknown executor, or Dask asked for
without the `dask` extra, is a UsageError; so is a scheduler that cannot be
reached within the timeout, a version mismatch, or a worker that cannot see
SRC or write DIR (run/cluster.py). Only `--executor dask` imports Dask.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment_cli import storage
from augment_cli.errors import UsageError

EXECUTORS = ("local", "dask")
DEFAULT_SCHEDULER_TIMEOUT = 30.0
# Per-task overhead measured by benchmarks/dask_executor.py: ~3-4 ms a Dask
# task against ~0.1-0.3 ms for the local pool. With at least 8 files a task
# (each ~80 ms of work in the anchors' 300-photo run, 5 copies) it is under 1 %,
# and 300 files still make ~38 tasks to spread over the workers.
DASK_LEAST_BATCH = 8


@dataclass(frozen=True)
class Engine:
    executor: str | None = None  # None: "dask" when a scheduler is named, else "local"
    scheduler: str | None = None
    timeout: float = DEFAULT_SCHEDULER_TIMEOUT
    batch_size: int | None = None  # jobs per task; None: chosen from the run's size

    def __post_init__(self) -> None:
        if self.executor is not None and self.executor not in EXECUTORS:
            raise UsageError(f"--executor {self.executor!r} is not one of: {', '.join(EXECUTORS)}")
        if self.scheduler and self.executor == "local":
            raise UsageError("--scheduler needs --executor dask (the local pool has no scheduler)")
        if self.batch_size is not None and self.batch_size < 1:
            raise UsageError("--batch-size must be at least 1")
        if self.timeout <= 0:
            raise UsageError("--scheduler-timeout must be more than 0 seconds")

    @property
    def dask(self) -> bool:
        return self.executor == "dask" or (self.executor is None and bool(self.scheduler))

    @property
    def least_batch(self) -> int:
        return DASK_LEAST_BATCH if self.dask else 1

    @contextlib.contextmanager
    def cluster(self, workers: int) -> Iterator[Any]:
        """The connected run.cluster.Cluster, or None for the local pool."""
        if not self.dask:
            yield None
            return
        try:
            from augment_cli.run import cluster
        except ImportError as exc:
            raise UsageError(f"--executor dask needs Dask's distributed package ({exc})",
                             hint="install the extra: pip install 'augment-cli[dask]'") from None
        with cluster.connected(self.scheduler, workers, self.timeout) as connected:
            yield connected


def prepare_out(out: Path, source: Path | None, cluster: Any) -> None:
    """Make DIR, then have every worker of a cluster check SRC (None: the jobs
    carry what workers read, nothing to check) and DIR; a DIR made here is
    removed again when a worker refuses."""
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    if cluster is None:
        return
    mirror = storage.mirror_of(out)  # a URL DIR: workers check the bucket, not this working copy
    try:
        cluster.check(source, mirror.location if mirror is not None else out)
    except UsageError:
        if made:
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
