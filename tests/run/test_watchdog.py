"""The per-file watchdog: a file far slower than its peers is stopped and
reported, and the run goes on (run/watchdog.py, executor.run_jobs)."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from augment_cli import api
from augment_cli.outdir.claim import OWN_FILES
from augment_cli.outdir.verify import verify
from augment_cli.run import watchdog as watchdog_module
from augment_cli.run.watchdog import FACTOR, Watchdog
from conftest import save, tree_bytes
from paths import ASSETS, PROJECT_ROOT

RECIPE = """
[[image]]
transform = "test_sleep"
seconds = 120
width = 13

[[image]]
transform = "hflip"
p = 0.5
"""


def slow_expand(src: Path, out: Path, recipe: Path, *options: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(ASSETS / "slow_augment.py"), "expand", str(src), "--recipe", str(recipe),
               "--copies", "3", "--out", str(out), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)))


def test_a_file_far_slower_than_the_others_is_stopped_and_the_run_goes_on(tmp_path):
    src, recipe = tmp_path / "src", tmp_path / "r.toml"
    recipe.write_text(RECIPE)
    for i in range(8):  # f3 is 13 pixels wide: test_sleep sleeps on it for 2 minutes
        save(src / "a" / f"f{i}.png", np.full((6, 13 if i == 3 else 8, 3), 30 * i, np.uint8))
    started = time.monotonic()
    stopped = slow_expand(src, tmp_path / "out", recipe, "--workers", "2", "--file-timeout", "1")
    assert time.monotonic() - started < 60
    assert stopped.returncode == 1, stopped.stderr
    assert "Error: a/f3.png: stopped after " in stopped.stderr
    with open(tmp_path / "out" / "errors.csv", newline="") as handle:
        errors = list(csv.DictReader(handle))
    assert [row["source"] for row in errors] == ["a/f3.png"]
    assert "over its time limit of 1.0 s" in errors[0]["error"]
    assert verify(tmp_path / "out") == []
    # The others (some redone in a fresh pool) are exactly what a run without f3 writes.
    (src / "a" / "f3.png").unlink()
    reference = slow_expand(src, tmp_path / "reference", recipe, "--workers", "1")
    assert reference.returncode == 0, reference.stderr
    out, expected = tmp_path / "out", tmp_path / "reference"
    assert (out / "manifest.csv").read_bytes() == (expected / "manifest.csv").read_bytes()
    assert outputs(out) == outputs(expected)


def outputs(out: Path) -> dict[str, bytes]:
    return {name: data for name, data in tree_bytes(out).items() if name not in OWN_FILES}


class Messages:
    """A stand-in for the workers' queue."""

    def __init__(self, *messages):
        self.messages = list(messages)

    def empty(self) -> bool:
        return not self.messages

    def get(self):
        return self.messages.pop(0)


def test_the_limit_is_the_floor_or_a_multiple_of_the_median_file():
    dog = Watchdog(0.5, key=str, failure=None)
    now = time.monotonic()
    # worker 1 did three files of 0.1 s; worker 2 started one 3 s ago, worker 3 one 1 s ago
    dog.queue = Messages((1, "a", now - 10), (1, "b", now - 9.9), (1, "c", now - 9.8), (1, None, now - 9.7),
                         (2, "slow", now - 3), (3, "fine", now - 1))
    dog.poll()
    assert dog.overdue().keys() == {"slow"}
    assert dog.limit == pytest.approx(FACTOR * 0.1)
    dog.queue = Messages((2, None, now))
    dog.poll()
    assert dog.overdue() == {}  # it finished, just slowly


def test_an_idle_worker_is_never_overdue():
    dog = Watchdog(0.01, key=str, failure=None)
    dog.queue = Messages((1, "a", time.monotonic() - 5), (1, None, time.monotonic() - 4))
    dog.poll()
    assert dog.overdue() == {} and dog.current == {}


def test_workers_announce_each_file_only_when_a_queue_is_attached(monkeypatch):
    sent = []

    class Queue:
        def put(self, message):
            sent.append(message)

    watchdog_module.started("nobody listens")
    monkeypatch.setattr(watchdog_module, "_QUEUE", Queue())
    watchdog_module.started("a/x.png")
    watchdog_module.idle()
    assert [(pid, source) for pid, source, _ in sent] == [(os.getpid(), "a/x.png"), (os.getpid(), None)]


def test_file_timeout_in_one_process_is_refused_with_a_warning(image_tree, write_recipe, tmp_path):
    summary = api.expand(source=image_tree, recipe=write_recipe(), out=tmp_path / "o", copies=1,
                         workers=1, file_timeout=5)
    assert summary.exit_code == 0
    assert any(w.startswith("--file-timeout needs worker processes") for w in summary.warnings)
    shutil.rmtree(tmp_path / "o")
    quiet = api.expand(source=image_tree, recipe=write_recipe(), out=tmp_path / "o", copies=1, workers=1)
    assert quiet.warnings == []
