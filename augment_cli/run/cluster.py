"""`--executor dask`: the run's batches on a Dask cluster (the `dask` extra).

Dask's `Client.get_executor()` is a concurrent.futures Executor, so the
cluster plugs into executor.run_jobs like the local pool: the driver (this
process) walks, plans, batches, keeps a bounded number of batches in flight
and alone writes the index and the manifest; workers run jobs.run_batch and
write outputs into DIR atomically (a batch Dask re-runs after its worker
died writes the same bytes). This module imports `distributed`, so api.py
imports it only when a run asks for Dask; worker processes import it to
unpickle the tasks and the plugin below.

Without an address a LocalCluster of single-threaded worker processes is
started for the run and closed after it; with one, the user's cluster is
used and left running. SRC and DIR must be paths every worker sees (a shared
file system), checked up front; SRC is not checked for a table run from a
URL SRC, whose chunks carry their rows (run/table_run.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import dask
import distributed
from distributed.diagnostics.plugin import WorkerPlugin

from augment_cli import __version__
from augment_cli.errors import UsageError
from augment_cli.outdir.files import TEMP_PREFIX
from augment_cli.run.executor import THREAD_ENV
from augment_cli.storage import is_url

PLUGIN_NAME = "augment-label-lists"
# How long a user's workers may take to end the batches they are running
# after an interruption, before DIR is cleaned (they cannot be killed).
DRAIN_SECONDS = 60.0
# Worker processes forked from a server that imported distributed once
# (Dask preloads it), instead of each spawned afresh: measured on 2 cores,
# closing the cluster at the end 0.6-1.0 s -> 0.05 s, starting it about the same.
_START = {"distributed.worker.multiprocessing-method": "forkserver"}
# What that server imports before forking workers: distributed and augment's
# worker. Dask's own list adds every package distributed can use that is
# installed (pandas, lz4, ...), imported first in this process too: on 2
# cores that took the LocalCluster's start from 1.8 s to 3.2 s with pandas
# installed, and each worker then still imported augment (~0.3 s).
FORKSERVER_PRELOAD = ["distributed", "augment_cli.run.worker"]


class Cluster:
    """A connected client, and the LocalCluster this run started (if any)."""

    def __init__(self, client: Any, local: Any, address: str):
        self.client, self.local, self.address = client, local, address

    @property
    def workers(self) -> int:
        """Worker threads: each runs one batch at a time."""
        return max(1, sum(self.client.nthreads().values()))

    def check(self, source: Path | None, out: Path) -> list[int]:
        """Every worker's augment, distributed and Python against this
        process's, then that it sees SRC (None: not read by workers) and can
        write DIR: a UsageError naming the worker otherwise. Returns the workers' pids."""
        options = getattr(source, "options", ()) or getattr(out, "options", ())  # URL SRC or DIR
        seen = str(source.resolve()) if source is not None else ""
        found = self.client.run(probe, seen, str(out.resolve()), options)
        mine = versions()
        for address, facts in sorted(found.items()):
            for name, version in mine.items():
                if facts[name] != version:
                    raise UsageError(f"Dask worker {address} runs {name} {facts[name]}, this process "
                                     f"{name} {version}", hint="install the same versions on the driver "
                                     "and every worker (and the scheduler)")
            if facts["problem"]:
                urls = is_url(str(source)) or is_url(str(out))
                raise UsageError(f"Dask worker {address} {facts['problem']}",
                                 hint="every worker needs the bucket's credentials and endpoint (its own "
                                      "environment, or --storage-option: it travels in the jobs)" if urls else
                                      "SRC and --out must be paths every worker sees (a shared file system)")
        return [facts["pid"] for _, facts in sorted(found.items())]

    def executor(self, shared: dict) -> DaskExecutor:
        return DaskExecutor(self, shared)

    def close(self) -> None:
        """Disconnect; a LocalCluster of this run is shut down, a user's left running."""
        with suppress(Exception):
            self.client.close()
        if self.local is not None:
            with suppress(Exception):
                self.local.close()


@contextmanager
def connected(scheduler: str | None, workers: int, timeout: float) -> Iterator[Cluster]:
    """A Cluster for the run: the scheduler at `scheduler` (or
    DASK_SCHEDULER_ADDRESS), or a LocalCluster of `workers` processes."""
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    with _quiet():
        cluster = _connect(address, timeout) if address else _start_local(workers)
        try:
            yield cluster
        finally:
            cluster.close()


def _connect(address: str, timeout: float) -> Cluster:
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address
        raise UsageError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s "
                         f"({type(exc).__name__}: {exc})",
                         hint="check the address and that the scheduler runs; "
                              "--scheduler-timeout sets how long to wait") from None
    try:
        found: Any = client.get_versions()  # a dict here: the client is synchronous
        scheduler_version = found["scheduler"]["packages"]["distributed"]
        if scheduler_version != distributed.__version__:
            raise UsageError(f"the Dask scheduler at {address} runs distributed {scheduler_version}, "
                             f"this process distributed {distributed.__version__}",
                             hint="install the same versions on the driver, the scheduler and the workers")
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        client.close()
        raise UsageError(f"the Dask scheduler at {address} has no workers (waited {timeout:g} s)",
                         hint="start workers: dask worker " + address) from None
    except BaseException:
        client.close()
        raise
    return Cluster(client, None, address)


def _start_local(workers: int) -> Cluster:
    for name in THREAD_ENV:  # the worker processes inherit them: one core each
        os.environ.setdefault(name, "1")
    # Workers of this run's own cluster work like the pool's: no statistical
    # profiler sampling their threads every 10 ms, glibc keeping freed image
    # buffers (lifetime.keep_freed_memory; the nanny's MALLOC_TRIM_THRESHOLD_
    # would return each one to the OS). A user's cluster is left as configured.
    _preload_forkserver()
    with dask.config.set({"distributed.worker.profile.enabled": False, **_START}):
        local = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         host="127.0.0.1", dashboard_address=None,
                                         silence_logs=logging.ERROR)
    client = distributed.Client(local, set_as_default=False)
    client.register_plugin(PoolLikeWorker(), name="augment-worker-setup")
    return Cluster(client, local, local.scheduler_address)


def _preload_forkserver() -> None:
    """Set the worker server's preload list before Dask sets its own. Dask
    sets its list once per process and marks it done in a private flag; if a
    later distributed renames the flag, Dask's list is used (slower, the same
    run)."""
    utils = sys.modules.get("distributed.utils")
    if utils is None or getattr(utils, "_forkserver_preload_set", None) is not False:
        return
    multiprocessing.get_context("forkserver").set_forkserver_preload(FORKSERVER_PRELOAD)
    setattr(utils, "_forkserver_preload_set", True)  # noqa: B010  (private: mypy knows no such name)


@contextmanager
def _quiet() -> Iterator[None]:
    """Dask logs worker losses and reconnections, and warns of version
    differences on connecting; its event loop (tornado, asyncio) logs the
    tracebacks of callbacks cut short when a run is interrupted. The run
    reports what matters itself, and no traceback reaches a user."""
    loggers = _event_loggers()
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _event_loggers() -> list[logging.Logger]:
    """The Dask and event-loop loggers, children included: distributed's
    logging config gives some children levels of their own
    (tornado.application: ERROR, distributed.client: WARNING), which a
    level set on the parent does not reach."""
    prefixes = ("distributed", "tornado", "asyncio")
    names = [name for name in list(logging.root.manager.loggerDict)
             if name in prefixes or name.startswith(tuple(f"{prefix}." for prefix in prefixes))]
    return [logging.getLogger(name) for name in sorted({*prefixes, *names})]


class DaskExecutor(Executor):
    """The cluster as an Executor whose futures give a batch's results, and
    which counts the batches each worker ran (for the summary)."""

    def __init__(self, cluster: Cluster, shared: dict):
        self.cluster, self.client = cluster, cluster.client
        self.done_by: Counter = Counter()  # (worker address, pid) -> batches
        # Each label's file list reaches each worker once (and a restarted one
        # again), under a name of this run's lists: another run on the same
        # cluster has its own plugin and its own lists (partners.lists_token).
        self.plugin = f"{PLUGIN_NAME}-{next(iter(shared))[0]}" if shared else None
        if self.plugin:
            self.client.register_plugin(LabelLists(shared), name=self.plugin)
        self.inner = self.client.get_executor(pure=False)
        self.seen = self._addresses()  # workers met so far: one gone by the end may have died mid-file

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        outer: Future = Future()
        # Pickled here, unpickled only in the worker: the scheduler unpickles a
        # task's arguments too, and the label lists a mixing job refers to
        # (partners.LabelFiles) exist only in the workers.
        inner = self.inner.submit(tagged, pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL))
        inner.add_done_callback(lambda done: self._unwrap(done, outer))
        return outer

    def _unwrap(self, done: Future, outer: Future) -> None:
        # A batch lost for good (its workers kept dying: Dask's allowed-failures,
        # or the scheduler went away) ends the run as a killed pool worker does.
        error = BrokenProcessPool("the Dask cluster lost a batch") if done.cancelled() else done.exception()
        if error is not None:
            outer.set_exception(error if isinstance(error, BrokenProcessPool)
                                else BrokenProcessPool(f"the Dask cluster lost a batch: {error}"))
            return
        where, results = done.result()
        self.done_by[where] += 1
        outer.set_result(results)

    def _addresses(self) -> set[str]:
        return set(self.client.scheduler_info()["workers"])

    def lost_workers(self) -> bool:
        """Whether a worker left the cluster during the run: killed mid-write,
        it leaves a temporary file in DIR (its batches were re-run elsewhere)."""
        seen = self.seen | {address for address, _ in self.done_by}
        return bool(seen - self._addresses())

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait)
        if self.plugin:
            with suppress(Exception):
                self.client.unregister_worker_plugin(self.plugin)

    def kill(self) -> None:
        """After an interruption: cancel every pending batch; the LocalCluster
        of this run is shut down (its workers killed), a user's cluster is
        left running, but the batches its workers are running are waited for
        (up to DRAIN_SECONDS): they cannot be stopped, and must not write into
        DIR after it has been cleaned."""
        self.inner.shutdown(wait=False)
        if self.cluster.local is not None:
            self.cluster.close()
            return
        deadline = time.monotonic() + DRAIN_SECONDS
        with suppress(Exception):
            while time.monotonic() < deadline and any(self.client.run(running_batches).values()):
                time.sleep(0.2)
        self.shutdown(wait=False)


class PoolLikeWorker(WorkerPlugin):
    """Set up a worker of the run's LocalCluster as a pool worker is (lifetime.py)."""

    def setup(self, worker: Any) -> None:
        from augment_cli.run.lifetime import keep_freed_memory

        keep_freed_memory()


class LabelLists(WorkerPlugin):
    """Gives every worker, once when it joins, the label file lists of a
    mixing recipe (see partners.LabelFiles: jobs then carry only a key)."""

    idempotent = False

    def __init__(self, shared: dict):
        self.shared = shared

    def setup(self, worker: Any) -> None:
        from augment_cli.run.partners import share

        share(self.shared)

    def teardown(self, worker: Any) -> None:
        from augment_cli.run.partners import unshare

        unshare(self.shared)


def versions() -> dict[str, str]:
    """What must match between the driver and its workers: the job and
    result classes, and how they are pickled."""
    return {"augment": __version__, "distributed": distributed.__version__,
            "Python": ".".join(map(str, sys.version_info[:2]))}


def probe(source: str, out: str, options: tuple = ()) -> dict[str, Any]:
    """Run on every worker before any job: its versions, pid, and what it
    cannot do (see SRC, write DIR), or None. A URL SRC or DIR is checked
    through the worker's own filesystem for it (storage/worker.py)."""
    if is_url(source) or is_url(out):
        from augment_cli.storage.worker import probe_problem

        return {**versions(), "pid": os.getpid(), "problem": probe_problem(source, out, options, _problem)}
    return {**versions(), "pid": os.getpid(), "problem": _problem(source, out)}


def _problem(source: str, out: str) -> str | None:
    if not source:  # nothing the workers read (a table run's chunks carry their rows)
        pass
    elif os.path.isfile(source):  # a table given as SRC
        if not os.access(source, os.R_OK):
            return f"cannot read the source table {source}"
    elif not os.path.isdir(source):
        return f"cannot see the source folder {source}"
    else:
        try:
            os.listdir(source)
        except OSError as exc:
            return f"cannot read the source folder {source}: {exc.strerror or exc}"
    trial = os.path.join(out, f"{TEMP_PREFIX}probe-{os.getpid()}")
    try:
        with open(trial, "wb") as handle:
            handle.write(b"augment")
        os.unlink(trial)
    except OSError as exc:
        return f"cannot write to the output folder {out}: {exc.strerror or exc}"
    return None


def tagged(task: bytes) -> tuple[tuple[str, int], Any]:
    """Run a pickled (function, args, kwargs) on a worker; the result says
    which worker (address, pid) ran it."""
    function, args, kwargs = pickle.loads(task)
    return (distributed.get_worker().address, os.getpid()), function(*args, **kwargs)


def running_batches(dask_worker: Any) -> int:
    """How many of augment's batches this worker is running now (client.run)."""
    return sum(1 for key in list(dask_worker.active_threads.values()) if str(key).startswith("tagged-"))
