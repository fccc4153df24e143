"""Pool workers never outlive their run: killed with the main process, and
holding DIR's lock until the last of them is gone (run/lifetime.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from augment_cli.errors import UsageError
from augment_cli.outdir.lock import locked
from augment_cli.outdir.verify import verify
from augment_cli.run.executor import make_executor
from conftest import save
from paths import ASSETS, PROJECT_ROOT

SLEEPY = '[[image]]\ntransform = "test_sleep"\nseconds = {seconds}\n'


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running: not gone and not a zombie waiting to be reaped."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def slow_expand(src: Path, recipe: Path, out: Path, *options: str) -> list[str]:
    return [sys.executable, str(ASSETS / "slow_augment.py"), "expand", str(src), "--recipe", str(recipe),
            "--copies", "2", "--out", str(out), *options]


@pytest.fixture
def tree(tmp_path) -> Path:
    for i in range(8):
        save(tmp_path / "src" / "a" / f"f{i}.png", np.full((6, 8, 3), 30 * i, np.uint8))
    return tmp_path / "src"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_workers_die_with_a_killed_main_process_and_a_rerun_cleans_up(tree, tmp_path):
    recipe, out = tmp_path / "r.toml", tmp_path / "out"
    recipe.write_text(SLEEPY.format(seconds=60))  # every file: the workers are mid-file when it dies
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    main = subprocess.Popen(slow_expand(tree, recipe, out, "--workers", "2"), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        workers = [pid for pid in children(main.pid) if is_worker(pid)]
    assert len(workers) == 2, "the pool did not start"
    time.sleep(1.0)  # past their set-up, into their first file
    main.kill()
    main.wait()
    gone_by = time.monotonic() + 3
    while any(alive(pid) for pid in workers) and time.monotonic() < gone_by:
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)], "workers outlived their killed run"
    recipe.write_text(SLEEPY.format(seconds=0))
    rerun = subprocess.run(slow_expand(tree, recipe, out, "--workers", "1"), env=env,
                           capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert verify(out) == []


def test_the_lock_is_held_until_the_last_worker_is_gone(tmp_path):
    """A worker of a run whose main process is gone still holds DIR's lock:
    no later run can start while it could still write."""
    out = tmp_path / "out"
    out.mkdir()
    with locked(out) as lock:
        pool = make_executor(2, None, lock)
        worker = pool.submit(os.getpid).result()
    try:
        assert worker != os.getpid()
        with pytest.raises(UsageError, match="in use by another augment run"), locked(out):
            pass
    finally:
        pool.shutdown()
    with locked(out):
        pass  # free once the workers are gone


def test_a_worker_exits_when_its_parent_is_not_the_one_it_was_given():
    """The parent may die before the worker asks to die with it: then it exits at once."""
    code = ("import os; from augment_cli.run.lifetime import die_with_parent; "
            "die_with_parent(os.getppid() + 1); print('survived')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)))
    assert done.returncode == 1 and "survived" not in done.stdout
