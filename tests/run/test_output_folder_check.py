"""The output-folder check of a worker (run/worker.py `_inside`): a folder is refused when any
level below DIR is a symlink leading out of DIR, and kept when the link stays inside it."""

from __future__ import annotations

import pytest

from augment_cli.errors import SampleError
from augment_cli.run.worker import _inside


def test_a_symlink_deeper_than_the_first_level_that_leads_out_is_refused(tmp_path):
    out, escape = tmp_path / "out", tmp_path / "escape"
    (out / "train" / "cat").parent.mkdir(parents=True)
    escape.mkdir()
    (out / "train" / "cat").symlink_to(escape, target_is_directory=True)
    with pytest.raises(SampleError, match="would be outside the output folder"):
        _inside(out, "train/cat")


def test_a_symlink_that_stays_inside_dir_is_kept(tmp_path):
    out = tmp_path / "out"
    (out / "real" / "cat").mkdir(parents=True)
    (out / "train").symlink_to(out / "real", target_is_directory=True)
    assert _inside(out, "train/cat") == out / "train" / "cat"


def test_missing_levels_and_dotdot(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert _inside(out, "not/made/yet") == out / "not" / "made" / "yet"
    with pytest.raises(SampleError):
        _inside(out, "cat/../../elsewhere")
