"""DIR's own files are never written through a symlink or into a non-file."""

from __future__ import annotations

import os

import pytest

from augment_cli.errors import UsageError
from augment_cli.outdir.index import INDEX_NAME
from augment_cli.outdir.lock import LOCK_NAME, locked


def test_a_planted_lock_symlink_is_refused_and_its_target_untouched(image_tree, write_recipe, run_cli,
                                                                      tmp_path):
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).symlink_to(victim)
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out, "--workers", 1)
    assert result.exit_code == 2
    assert f"{out / LOCK_NAME} is a symlink, not a regular file" in result.stderr
    assert victim.read_text() == "keep me"
    assert not (out / "manifest.csv").exists()


def test_locked_itself_refuses_a_symlink_even_without_the_claim_check(tmp_path):
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    (tmp_path / LOCK_NAME).symlink_to(victim)
    with pytest.raises(UsageError, match="is a symlink"), locked(tmp_path):
        pass
    assert victim.read_text() == "keep me"


def test_a_fifo_as_lock_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / LOCK_NAME)
    with pytest.raises(UsageError, match="is a FIFO, not a regular file"), locked(tmp_path):
        pass


@pytest.mark.parametrize("name", [".augment-run.json", INDEX_NAME, "manifest.csv", "errors.csv"])
def test_every_state_file_that_is_a_symlink_is_refused_even_with_overwrite(image_tree, write_recipe,
                                                                           run_cli, tmp_path, name):
    victim = tmp_path / "precious.db"
    victim.write_bytes(b"keep me")
    out = tmp_path / "out"
    assert run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out,
                   "--workers", 1).exit_code == 0
    (out / name).unlink(missing_ok=True)  # errors.csv exists only after a failure
    (out / name).symlink_to(victim)
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out, "--workers", 1,
                     "--overwrite")
    assert result.exit_code == 2
    assert f"{out / name} is a symlink, not a regular file" in result.stderr
    assert victim.read_bytes() == b"keep me"


def test_a_state_file_that_is_a_folder_is_refused(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    (out / INDEX_NAME).mkdir(parents=True)
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out, "--workers", 1,
                     "--overwrite")
    assert result.exit_code == 2
    assert f"{out / INDEX_NAME} is a folder, not a regular file" in result.stderr
