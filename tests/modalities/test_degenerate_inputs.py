"""Every transform finishes on degenerate inputs: images with a 1-pixel side
(1x1, 1xN, Nx1; uint8 and uint16; 1 to 4 channels), 1-frame audio and
1-character text, under every choice of interpolation and border.

OpenCV's bicubic warps with a reflected border never returned on a 1-pixel
side, which hung a whole run. The cases run in a child process
(assets/degenerate_runner.py) whose watchdog thread ends it on a hang, so a
hang fails here, naming the case, instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from paths import ASSETS, PROJECT_ROOT, TESTS

CASE_SECONDS = 10  # a case takes milliseconds; a hang is forever


@pytest.mark.parametrize("modality,part", [("image", "0/3"), ("image", "1/3"), ("image", "2/3"),
                                           ("audio", "0/1"), ("text", "0/1")])
def test_every_transform_finishes_on_degenerate_inputs(modality, part, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PROJECT_ROOT), str(TESTS)]),
               AUGMENT_CACHE_DIR=str(tmp_path / "cache"))
    completed = subprocess.run(
        [sys.executable, str(ASSETS / "degenerate_runner.py"), modality, str(CASE_SECONDS), part],
        capture_output=True, text=True, env=env, timeout=300)
    lines = completed.stdout.splitlines()
    started = [line.removeprefix("start ") for line in lines if line.startswith("start ")]
    assert completed.returncode == 0, (f"hung or crashed on {started[-1] if started else '?'}:\n"
                                       + completed.stderr[-2000:])
    failures = [line for line in lines if line.startswith("fail ")]
    assert not failures, "\n".join(failures)
    assert lines[-1] == "done, 0 failures" and len(started) > 20
