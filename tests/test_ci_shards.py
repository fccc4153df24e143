"""examples/ci-shards.sh: the GitHub Actions matrix of docs/distributed.md, run as a shell script."""

from __future__ import annotations

import shlex
import subprocess
import sys

from augment_cli import api
from conftest import tree_bytes
from paths import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "examples" / "ci-shards.sh"


def test_the_matrix_of_shard_jobs_then_a_merge_job_gives_the_unsharded_run(image_tree, write_recipe,
                                                                           tmp_path):
    recipe = write_recipe()
    api.expand(source=image_tree, recipe=recipe, out=tmp_path / "whole", copies=2, workers=1)
    augment = f"{shlex.quote(sys.executable)} -m augment_cli"
    done = subprocess.run(["bash", str(SCRIPT), str(image_tree), str(recipe), "2", "3", str(tmp_path / "ci")],
                          env={"PATH": "/usr/bin:/bin", "AUGMENT": augment, "PYTHONPATH": str(PROJECT_ROOT)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Merged 3 shards: 5 sources, 10 files" in done.stderr and "out: OK" in done.stderr
    assert tree_bytes(tmp_path / "ci" / "merged" / "out") == tree_bytes(tmp_path / "whole")


def test_the_documented_workflow_runs_the_steps_the_script_runs():
    readme = (PROJECT_ROOT / "docs" / "distributed.md").read_text(encoding="utf-8")
    script = SCRIPT.read_text(encoding="utf-8")
    assert "--shard ${{ matrix.shard }}/3 --out out/" in readme and '--shard "$shard/$shards"' in script
    assert "augment merge out/ && augment verify out/" in readme
    assert '$augment merge "$work/merged/out"' in script and '$augment verify "$work/merged/out"' in script
