"""The executor seam: batching, one core for --workers 1, a light main process."""

from __future__ import annotations

import subprocess
import sys

import cv2

from augment_cli import api
from augment_cli.run import worker
from augment_cli.run.executor import batches


def test_batches_keep_every_item_in_order_and_stay_small():
    items = list(range(1000))
    sized = list(batches(iter(items), workers=2, total=len(items)))
    assert [i for batch in sized for i in batch] == items
    assert max(len(b) for b in sized) == 15  # 1000 // (2 * 32): >= 32 batches per worker
    assert [len(b) for b in batches(range(10), workers=2, total=10)] == [1] * 10
    assert max(len(b) for b in batches(range(10**5), workers=2, total=10**5)) == 16


def test_workers_1_runs_opencv_on_one_core_and_gives_the_count_back(image_tree, write_recipe,
                                                                      tmp_path, monkeypatch):
    seen = []
    real = worker.process_sample

    def spying(job):
        seen.append(cv2.getNumThreads())
        return real(job)

    monkeypatch.setattr(worker, "process_sample", spying)
    cv2.setNumThreads(2)
    try:
        summary = api.expand(source=image_tree, recipe=write_recipe(), out=tmp_path / "o",
                             copies=1, workers=1)
        assert cv2.getNumThreads() == 2
    finally:
        cv2.setNumThreads(-1)
    assert summary.files_read == 5 and set(seen) == {1}


MAIN_PROCESS_IMPORTS = """
import sys
from pathlib import Path
from PIL import Image
from augment_cli import api
root = Path(sys.argv[1])
for name in "abcd":
    (root / "src" / "cat").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 12), (40, 90, 200)).save(root / "src" / "cat" / f"{name}.jpg")
(root / "r.toml").write_text('[[image]]\\ntransform = "rotate"\\nangle_deg = [-9, 9]\\n')
summary = api.expand(source=root / "src", recipe=root / "r.toml", out=root / "out", copies=3,
                     workers=2)
assert summary.copies_written == 12, summary
print(sorted(m for m in ("numpy", "cv2", "augment_cli.run.worker",
                         "augment_cli.modalities.text.transforms.core",
                         "augment_cli.modalities.audio.transforms.core") if m in sys.modules))
"""


def test_a_pooled_run_leaves_the_pixel_work_and_its_imports_to_the_workers(tmp_path):
    # On a 2-core machine the main process's CPU is taken from the workers:
    # it must not import numpy or OpenCV (~0.2 s) for work it never does, nor
    # the transform families of modalities the run does not have.
    done = subprocess.run([sys.executable, "-c", MAIN_PROCESS_IMPORTS, str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
