"""An interrupt between any two steps of a source's life leaves DIR consistent.

A re-run meets every kind of source at once (unchanged, modified, added,
deleted); the test counts the steps such a run takes (index writes, output
removals, batches, copies written, progress), then interrupts a serial run
at each of them in turn, as Ctrl-C would. Every time, `verify` must find
nothing wrong (the "manifest.csv is consistent" message is true), and the
run then resumed gives the same tree as an uninterrupted one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from augment_cli import api
from augment_cli.errors import Interrupted
from augment_cli.outdir import incremental
from augment_cli.outdir.index import Index
from augment_cli.outdir.verify import verify
from augment_cli.run import worker
from conftest import save, textured, tree_bytes

RECIPE = '[[image]]\ntransform = "hflip"\np = 0.5\n'
INDEX_STEPS = ("put", "forget", "mark_seen", "restamp", "plan_names")


class Steps:
    """Counts the patched steps; raises KeyboardInterrupt at step `stop_at`."""

    def __init__(self, stop_at: int | None = None):
        self.stop_at, self.seen = stop_at, []

    def tick(self, where: str) -> None:
        self.seen.append(where)
        if len(self.seen) == self.stop_at:
            raise KeyboardInterrupt

    def around(self, name: str, function):
        def wrapped(*args, **kwargs):
            self.tick(f"before {name}")
            result = function(*args, **kwargs)
            self.tick(f"after {name}")
            return result
        return wrapped


def instrument(monkeypatch, steps: Steps) -> None:
    for name in INDEX_STEPS:
        monkeypatch.setattr(Index, name, steps.around(name, getattr(Index, name)))
    for module, name in ((incremental, "remove_outputs"), (api, "run_batch"),
                         (worker, "process_sample"), (worker, "atomic_write")):
        monkeypatch.setattr(module, name, steps.around(name, getattr(module, name)))


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """(SRC, DIR after a first run, recipe); SRC then changed in every way."""
    root = tmp_path_factory.mktemp("scene")
    src, out, recipe = root / "src", root / "first", root / "r.toml"
    recipe.write_text(RECIPE)
    for name, seed in (("a/kept.png", 1), ("a/changed.png", 2), ("b/deleted.png", 3), ("b/kept.png", 4)):
        save(src / name, textured(8, 8, seed=seed))
    expand(src, recipe, out)
    save(src / "a/changed.png", textured(8, 8, seed=9))
    (src / "b/deleted.png").unlink()
    save(src / "b/added.png", textured(8, 8, seed=5))
    return src, out, recipe


def expand(src: Path, recipe: Path, out: Path, on_progress=None):
    return api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1, on_progress=on_progress)


def rerun(scene, out: Path, monkeypatch, steps: Steps):
    src, first, recipe = scene
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(first, out)
    with monkeypatch.context() as patched:
        instrument(patched, steps)
        return expand(src, recipe, out, on_progress=lambda done, total: steps.tick("progress"))


def test_an_interrupt_at_any_step_leaves_a_consistent_tree(scene, tmp_path, monkeypatch):
    counted = Steps()
    summary = rerun(scene, tmp_path / "whole", monkeypatch, counted)
    assert (summary.added, summary.regenerated, summary.removed, summary.unchanged) == (1, 1, 1, 2)
    expected = tree_bytes(tmp_path / "whole")
    assert {"before put", "after forget", "after atomic_write", "progress"} <= set(counted.seen)
    for stop_at in range(1, len(counted.seen) + 1):
        out = tmp_path / "cut"
        with pytest.raises(Interrupted):
            rerun(scene, out, monkeypatch, Steps(stop_at))
        where = f"interrupted at step {stop_at} ({counted.seen[stop_at - 1]})"
        assert verify(out) == [], where
        expand(scene[0], scene[2], out)
        assert tree_bytes(out) == expected, where


def test_ctrl_c_in_a_serial_run_stops_before_the_next_file(image_tree, write_recipe, tmp_path, monkeypatch):
    calls = []

    def interrupted(job):
        calls.append(job.sample.relative)
        raise KeyboardInterrupt

    monkeypatch.setattr(worker, "process_sample", interrupted)
    with pytest.raises(Interrupted):
        expand(image_tree, write_recipe(RECIPE), tmp_path / "out")
    assert calls == ["cat/a.jpg"]
    assert verify(tmp_path / "out") == []


class StopAtFirstProgress(Steps):
    def tick(self, where: str) -> None:
        self.seen.append(where)
        if where == "progress":
            raise KeyboardInterrupt


def test_the_interrupt_message_counts_against_every_source_of_src(scene, tmp_path, monkeypatch):
    """A re-run cut after its first finished file: the two unchanged sources count as done."""
    with pytest.raises(Interrupted, match="interrupted after 3 of 4 files"):
        rerun(scene, tmp_path / "cut", monkeypatch, StopAtFirstProgress())


def test_commit_and_untracking_a_source_are_one_step(image_tree, write_recipe, tmp_path, monkeypatch):
    """SIGINT raised while a finished source is being committed waits until it is untracked too."""
    import os
    import signal

    from augment_cli.outdir.index import Index as RealIndex

    real_put = RealIndex.put

    def put_then_signal(self, source, *args, **kwargs):
        real_put(self, source, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # held back until _finish is done

    monkeypatch.setattr(RealIndex, "put", put_then_signal)
    out = tmp_path / "out"
    with pytest.raises(Interrupted, match="interrupted after 1 of 5 files"):
        expand(image_tree, write_recipe(RECIPE), out)
    assert verify(out) == [] and len(list(out.rglob("*__aug*"))) == 2
