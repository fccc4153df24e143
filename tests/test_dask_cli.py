"""`augment expand --scheduler` against a real `dask scheduler` and two `dask worker` processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest

from augment_cli import api
from conftest import save, textured, tree_bytes

pytest.importorskip("distributed", reason="the dask extra (distributed) is not installed")

from dask_helpers import real_cluster, wait_for  # noqa: E402

HEAVY = """
[[image]]
transform = "rotate"
angle_deg = [-30, 30]

[[image]]
transform = "gaussian_blur"
sigma = [1.0, 2.0]
"""
RUN_SECONDS = 240


def _tree(root, count, size):
    for n in range(count):
        save(root / f"label{n % 3}" / f"{n:03d}.png", textured(size, size, seed=n))
    return root


def _augment(*args, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "augment_cli", "expand", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options)


def _workers_named(summary: str) -> list[str]:
    found = re.search(r"Dask: \d+ batches on \d+ workers \((.*)\)", summary)
    assert found is not None, summary
    return found[1].split(", ")


def _local(src, recipe, out, copies):
    done = subprocess.run([sys.executable, "-m", "augment_cli", "expand", src, "-r", recipe,
                           "-n", str(copies), "--out", out, "--workers", "1", "-q"],
                          capture_output=True, timeout=RUN_SECONDS)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_a_run_on_a_real_cluster_matches_the_local_pool_and_leaves_the_cluster_running(tmp_path,
                                                                                      write_recipe):
    src, recipe = _tree(tmp_path / "src", 12, 48), write_recipe()
    _local(src, recipe, tmp_path / "local", 2)
    with real_cluster(workers=2) as cluster:
        run = _augment(src, "-r", recipe, "-n", 2, "--out", tmp_path / "dask", "--scheduler", cluster.address,
                       "--batch-size", 1)
        out, err = run.communicate(timeout=RUN_SECONDS)
        assert run.returncode == 0, err
        assert "Dask: 12 batches on 2 workers" in err and "Traceback" not in err
        assert cluster.alive() and cluster.worker_count() == 2  # the user's cluster is left running
        assert set(_workers_named(err)) == cluster.worker_addresses()
        from_env = _augment(src, "-r", recipe, "-n", 2, "--out", tmp_path / "env", "--executor", "dask",
                            env={**os.environ, "DASK_SCHEDULER_ADDRESS": cluster.address})
        _, err = from_env.communicate(timeout=RUN_SECONDS)
        assert from_env.returncode == 0, err
        assert set(_workers_named(err)) <= cluster.worker_addresses()  # not a LocalCluster of its own
    assert tree_bytes(tmp_path / "dask") == tree_bytes(tmp_path / "local") == tree_bytes(tmp_path / "env")


@pytest.mark.slow
def test_a_worker_killed_mid_run_does_not_change_the_output(tmp_path, write_recipe):
    src, recipe = _tree(tmp_path / "src", 18, 160), write_recipe(HEAVY)
    out = tmp_path / "dask"
    with real_cluster(workers=2) as cluster:
        run = _augment(src, "-r", recipe, "-n", 2, "--out", out, "--scheduler", cluster.address,
                       "--batch-size", 1)
        wait_for(lambda: len(list(out.rglob("*.png"))) >= 4, RUN_SECONDS, "the first outputs")
        victim = cluster.workers[0]
        os.killpg(victim.pid, signal.SIGKILL)  # the process and anything it started
        victim.wait(timeout=30)
        killed_mid_run = run.poll() is None
        _, err = run.communicate(timeout=RUN_SECONDS)
        assert run.returncode == 0, err
        assert killed_mid_run, "the run had finished before the worker was killed: make the tree larger"
    api.expand(source=src, recipe=recipe, out=tmp_path / "local", copies=2, workers=1)
    assert tree_bytes(out) == tree_bytes(tmp_path / "local")  # no half-written file of the killed worker


@pytest.mark.slow
def test_ctrl_c_on_a_users_cluster_cancels_its_tasks_and_leaves_dir_resumable(tmp_path, write_recipe):
    src, recipe = _tree(tmp_path / "src", 18, 160), write_recipe(HEAVY)
    out = tmp_path / "dask"
    with real_cluster(workers=2) as cluster:
        run = _augment(src, "-r", recipe, "-n", 2, "--out", out, "--scheduler", cluster.address,
                       "--batch-size", 1)
        wait_for(lambda: (out / "manifest.csv").is_file() or len(list(out.rglob("*.png"))) >= 12,
                 RUN_SECONDS, "the first finished files")
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=RUN_SECONDS)
        assert run.returncode == 130, err
        assert "Traceback" not in err
        assert cluster.alive() and cluster.worker_count() == 2  # the user's cluster is left running
        check = subprocess.run([sys.executable, "-m", "augment_cli", "verify", out], capture_output=True,
                               text=True, timeout=RUN_SECONDS)
        assert check.returncode == 0, check.stdout  # what is on disk is what the manifest says
        again = _augment(src, "-r", recipe, "-n", 2, "--out", out, "--scheduler", cluster.address)
        _, err = again.communicate(timeout=RUN_SECONDS)
        assert again.returncode == 0, err
    api.expand(source=src, recipe=recipe, out=tmp_path / "local", copies=2, workers=1)
    assert tree_bytes(out) == tree_bytes(tmp_path / "local")
