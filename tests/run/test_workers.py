"""How many workers a run starts, and that they never outlive it."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from augment_cli import api
from augment_cli.run.executor import SerialExecutor


@pytest.fixture
def started(monkeypatch):
    """Record the worker count each run asks for; run the jobs in-process."""
    counts: list[int] = []

    @contextmanager
    def recording(workers, *args, **kwargs):
        counts.append(workers)
        yield SerialExecutor()

    monkeypatch.setattr(api, "executor_for", recording)
    monkeypatch.setattr(api.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    return counts


def test_more_workers_than_cores_are_capped_with_a_warning(image_tree, write_recipe, tmp_path, started):
    summary = api.expand(source=image_tree, recipe=write_recipe(), out=tmp_path / "o", copies=1, workers=1000)
    assert started == [2]
    assert summary.warnings == ["--workers 1000 is more than the 2 usable cores: using 2 "
                                "(pass --force-workers to start 1000)"]


def test_force_workers_starts_what_was_asked(image_tree, write_recipe, tmp_path, started):
    summary = api.expand(source=image_tree, recipe=write_recipe(), out=tmp_path / "o", copies=1,
                         workers=4, force_workers=True)
    assert started == [4] and summary.warnings == []


def test_the_default_and_a_count_within_the_cores_say_nothing(image_tree, write_recipe, tmp_path, started):
    for workers, out in ((None, "a"), (2, "b")):
        summary = api.expand(source=image_tree, recipe=write_recipe(), out=tmp_path / out, copies=1,
                             workers=workers)
        assert summary.warnings == []
    assert started == [2, 2]


def test_the_cli_prints_the_cap(image_tree, write_recipe, tmp_path, started, run_cli):
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", tmp_path / "o",
                     "--workers", 1000)
    assert result.exit_code == 0, result.output
    assert "Warning: --workers 1000 is more than the 2 usable cores: using 2" in result.stderr
