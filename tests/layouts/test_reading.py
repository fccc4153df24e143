"""A source swapped for a named pipe (or a device, a folder) after the walk is
refused per file; nothing blocks on it (layouts/reading.py)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from augment_cli import api
from augment_cli.errors import SampleError
from augment_cli.layouts.reading import NotRegularFile, open_regular, read_regular
from augment_cli.outdir import incremental
from augment_cli.run.partners import Partners
from conftest import FLIPS
from test_expand_cli import read_rows

PIPE_ERROR = "cannot read file: not a regular file (a named pipe)"


class Blocked(BaseException):
    """Not an OSError (TimeoutError is one), so no per-file handler swallows it."""


@pytest.fixture(autouse=True)
def deadline():
    """Opening or reading a pipe with no writer blocks in a system call, which
    a signal interrupts: the test then fails instead of hanging the suite."""
    def expired(signum, frame):
        raise Blocked("blocked on a named pipe")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def to_pipe(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def test_a_pipe_a_folder_and_a_device_are_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    for path, kind in ((tmp_path / "pipe", "a named pipe"), (tmp_path / "folder", "a folder"),
                       (Path("/dev/zero"), "a device")):
        with pytest.raises(NotRegularFile, match=f"not a regular file \\({kind}\\)"):
            read_regular(path)


def test_a_regular_file_reads_with_its_fstat(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    info, payload = read_regular(path)
    assert payload == b"hello" and info.st_size == 5 and info.st_mtime_ns == path.stat().st_mtime_ns
    with open_regular(path) as (handle, _):
        assert handle.read(2) == b"he"


def swap_after_decide(monkeypatch, victim: Path, before: bool = False):
    """Replace `victim` by a pipe once the walk has met it: after (or, for
    the index's hash check, before) the re-run's verdict on it."""
    decide = incremental.decide

    def swapping(job, index, source):
        hit = source / job.sample.relative == victim
        if hit and before:
            to_pipe(victim)
        verdict = decide(job, index, source)
        if hit and not before:
            to_pipe(victim)
        return verdict

    monkeypatch.setattr(incremental, "decide", swapping)


def expand(image_tree: Path, recipe: Path, out: Path):
    return api.expand(source=image_tree, recipe=recipe, out=out, copies=2, workers=1)


def test_a_source_swapped_for_a_pipe_is_a_per_file_error(image_tree, write_recipe, tmp_path, monkeypatch):
    out, victim = tmp_path / "out", image_tree / "cat" / "b.png"
    swap_after_decide(monkeypatch, victim)
    summary = expand(image_tree, write_recipe(FLIPS), out)
    assert [(row.source, row.error) for row in summary.failed] == [("cat/b.png", PIPE_ERROR)]
    assert summary.exit_code == 1 and summary.files_read == 4
    assert PIPE_ERROR in (out / "errors.csv").read_text()
    assert {row["source"] for row in read_rows(out)} == {"cat/a.jpg", "cat/deep/c.png", "dog/d.jpg",
                                                         "dog/e.png"}


def test_a_rerun_does_not_hash_a_pipe(image_tree, write_recipe, tmp_path, monkeypatch):
    """A re-run hashes a source whose stamp moved: that read must not block either."""
    out, victim, recipe = tmp_path / "out", image_tree / "cat" / "b.png", write_recipe(FLIPS)
    assert expand(image_tree, recipe, out).exit_code == 0
    swap_after_decide(monkeypatch, victim, before=True)
    summary = expand(image_tree, recipe, out)
    assert [(row.source, row.error) for row in summary.failed] == [("cat/b.png", PIPE_ERROR)]
    assert summary.unchanged == 4 and summary.regenerated == 1


def test_a_mixing_partner_swapped_for_a_pipe_is_refused(tmp_path):
    os.mkfifo(tmp_path / "b.png")
    partners = Partners(tmp_path, ("b.png",), decode=lambda payload: payload)
    with pytest.raises(SampleError, match=r"cannot read mixing partner b.png: not a regular file"):
        partners("b.png")
