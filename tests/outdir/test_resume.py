"""Interruption (SIGINT, SIGTERM, SIGKILL) and resume: the re-run finishes the job and
the final tree and manifest are byte-identical to an uninterrupted run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from augment_cli.outdir.claim import OWN_FILES
from augment_cli.outdir.verify import verify
from conftest import save, textured, tree_bytes

SLOW_RECIPE = """
[[image]]
transform = "gaussian_blur"
sigma = [4, 6]

[[image]]
transform = "rotate"
angle_deg = [-20, 20]
"""
OWN = set(OWN_FILES) - {"manifest.csv", "errors.csv"}


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("resume") / "src"
    for index in range(90):
        save(src / f"label{index % 3}" / f"img{index:03d}.png", textured(240, 320, 3, seed=index))
    return src


@pytest.fixture(scope="module")
def reference(big_tree, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference") / "out"
    assert expand_process(big_tree, out).wait(timeout=300) == 0
    return without_own(tree_bytes(out))


def without_own(tree: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in tree.items() if name not in OWN}


def expand_process(src: Path, out: Path) -> subprocess.Popen:
    recipe = src.parent / "slow.toml"
    recipe.write_text(SLOW_RECIPE)
    return subprocess.Popen(
        [sys.executable, "-m", "augment_cli", "expand", str(src), "--recipe", str(recipe), "--copies", "4",
         "--out", str(out), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_progress(out: Path, sources: int, timeout: float = 60) -> None:
    index = out / ".augment-index.sqlite"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if index.exists() and _finished_sources(index) >= sources:
            return
        time.sleep(0.02)
    raise AssertionError("the run made no progress")


def _finished_sources(index: Path) -> int:
    try:
        with sqlite3.connect(f"file:{index}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM sources").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet


@pytest.mark.parametrize("stop,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
                         ids=["sigint", "sigterm"])
def test_signal_stops_cleanly_and_rerun_matches_uninterrupted(stop, code, big_tree, reference, tmp_path):
    out = tmp_path / "out"
    process = expand_process(big_tree, out)
    wait_for_progress(out, sources=6)
    stopped_at = time.monotonic()
    os.killpg(process.pid, stop)
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - stopped_at < 10
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert "interrupted after" in stderr and "run the same command again" in stderr
    assert verify(out) == [], "the manifest must match the files on disk after an interruption"
    done = len((out / "manifest.csv").read_text().splitlines()) - 1
    assert 0 < done < len(reference) - 1
    rerun = expand_process(big_tree, out)
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert "unchanged" in stderr
    assert without_own(tree_bytes(out)) == reference


def test_sigkill_of_the_process_group_then_rerun_completes(big_tree, reference, tmp_path):
    out = tmp_path / "out"
    process = expand_process(big_tree, out)
    wait_for_progress(out, sources=6)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    rerun = expand_process(big_tree, out)
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert without_own(tree_bytes(out)) == reference
    assert verify(out) == []


def test_a_worker_killed_from_outside_stops_cleanly_and_rerun_completes(big_tree, reference, tmp_path):
    out = tmp_path / "out"
    process = expand_process(big_tree, out)
    wait_for_progress(out, sources=6)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,
                              text=True).stdout.split()
    workers = [pid for pid in children if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()]
    assert workers, children
    os.kill(int(workers[0]), signal.SIGKILL)  # what the kernel's OOM killer does
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert "a worker process died unexpectedly" in stderr and "Traceback" not in stderr
    assert verify(out) == []
    rerun = expand_process(big_tree, out)
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr
    assert without_own(tree_bytes(out)) == reference
