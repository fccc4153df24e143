"""A real Dask scheduler and workers on 127.0.0.1 for the cluster tests (free ports, bounded, stopped)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RealCluster:
    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen] = field(default_factory=list)

    def alive(self) -> bool:
        return all(process.poll() is None for process in (self.scheduler, *self.workers))

    def worker_addresses(self) -> set[str]:
        from distributed import Client

        with Client(self.address, timeout=10, set_as_default=False) as client:
            return set(client.scheduler_info()["workers"])

    def worker_count(self) -> int:
        return len(self.worker_addresses())


def _dask(*args: str) -> subprocess.Popen:
    """`dask <args>` of this interpreter's environment, in its own process group."""
    return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, env={**os.environ})


@contextmanager
def real_cluster(workers: int = 2, nanny: bool = False) -> Iterator[RealCluster]:
    """`dask scheduler` and `workers` x `dask worker` (one thread each; no
    nanny: a killed worker stays dead), stopped afterwards whatever happens."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    cluster = RealCluster(address, _dask("scheduler", "--host", "127.0.0.1", "--port", str(port),
                                         "--no-dashboard"))
    try:
        for _ in range(workers):
            cluster.workers.append(_dask("worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                                         "--no-dashboard", "--nanny" if nanny else "--no-nanny",
                                         "--death-timeout", str(START_SECONDS)))
        _wait_for_workers(cluster, workers)
        yield cluster
    finally:
        for process in (*cluster.workers, cluster.scheduler):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (*cluster.workers, cluster.scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _wait_for_workers(cluster: RealCluster, count: int) -> None:
    from distributed import Client

    with Client(cluster.address, timeout=START_SECONDS, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=START_SECONDS)


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.05)
