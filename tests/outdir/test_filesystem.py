"""The output folder under pressure: a second run, a full disk, a read-only folder,
symlinks, escaping paths, spreadsheet-hostile and control-character names."""

from __future__ import annotations

import csv
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from augment_cli.outdir.lock import LOCK_NAME, locked
from augment_cli.outdir.manifest import read_manifest
from augment_cli.outdir.verify import verify
from conftest import save, textured
from test_expand_cli import read_rows


def test_second_run_on_a_locked_dir_is_refused_naming_the_holder(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with locked(out):
        result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out, "--workers", 1)
    assert result.exit_code == 2
    assert f"is in use by another augment run (pid {os.getpid()} on" in result.stderr
    assert not (out / "manifest.csv").exists()


def test_stale_lock_from_a_killed_run_is_taken_over(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text("pid 999999 on elsewhere, started long ago")  # nobody holds it
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output


def limited_run(src: Path, recipe: Path, out: Path,
                max_file_bytes: int | None) -> subprocess.CompletedProcess:
    """Run the CLI with RLIMIT_FSIZE: writes past the limit fail with EFBIG,
    as writes on a full disk fail with ENOSPC."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    command = [sys.executable, "-m", "augment_cli", "expand", str(src), "--recipe", str(recipe),
               "--copies", "2", "--out", str(out), "--workers", "2"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          preexec_fn=limit if max_file_bytes else None)


def test_full_disk_reports_leaves_no_partial_file_and_rerun_completes(image_tree, write_recipe, tmp_path):
    noise = np.random.default_rng(9).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    save(image_tree / "dog" / "large.png", noise)  # ~ 360 KB per copy: over the limit
    out, recipe = tmp_path / "out", write_recipe()
    failed = limited_run(image_tree, recipe, out, max_file_bytes=100_000)
    assert failed.returncode == 1
    assert "Error: dog/large.png: unexpected OSError" not in failed.stderr
    assert "Error: dog/large.png: cannot write dog/large__aug1.png: File too large" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not list(out.rglob(".augment-tmp-*")) and not list(out.rglob("large__*"))
    assert verify(out) == []
    done = limited_run(image_tree, recipe, out, max_file_bytes=None)
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stderr and verify(out) == []


def test_unwritable_manifest_is_one_clear_error(image_tree, write_recipe, tmp_path):
    out = tmp_path / "out"
    failed = limited_run(image_tree, write_recipe(), out, max_file_bytes=300)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    # The first thing that cannot be written stops the run (here the index or
    # the state file, with 300 bytes allowed per file): one line, no traceback.
    (line,) = failed.stderr.strip().splitlines()
    assert line.startswith("Error: cannot write") and str(out) in line
    assert not list(out.rglob(".augment-tmp-*"))


def test_read_only_out_is_one_clear_error(image_tree, write_recipe, run_cli, tmp_path, monkeypatch):
    from augment_cli.outdir import claim as outdir

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "out" / ".augment-run.json"))

    monkeypatch.setattr(outdir, "atomic_write", refuse)  # as root, chmod cannot make it read-only
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", tmp_path / "out")
    assert result.exit_code == 1
    run_file = tmp_path / "out" / ".augment-run.json"
    assert result.stderr.strip() == f"Error: cannot write to {run_file}: Permission denied"


def test_symlinks_inside_followed_outside_skipped_loops_terminate(image_tree, write_recipe, run_cli,
                                                                  tmp_path):
    outside = save(tmp_path / "elsewhere" / "far.png", textured(seed=7))
    (image_tree / "cat" / "inside_link.png").symlink_to(image_tree / "dog" / "e.png")
    (image_tree / "cat" / "outside_link.png").symlink_to(outside)
    (image_tree / "cat" / "outside_dir").symlink_to(outside.parent, target_is_directory=True)
    (image_tree / "dog" / "loop").symlink_to(image_tree / "dog", target_is_directory=True)
    (image_tree / "dog" / "dangling.png").symlink_to(tmp_path / "nothing.png")
    out, recipe = tmp_path / "out", write_recipe()
    result = run_cli("expand", image_tree, "--recipe", recipe, "--copies", 1, "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    sources = {r["source"] for r in read_rows(out)}
    assert "cat/inside_link.png" in sources
    assert not any("outside" in s or "loop/" in s for s in sources)
    assert "2 symlink to outside the source folder" in result.stderr and "1 broken symlink" in result.stderr
    result = run_cli("expand", image_tree, "--recipe", recipe, "--copies", 1, "--out", out,
                     "--workers", 1, "--follow-links")
    sources = {r["source"] for r in read_rows(out)}
    assert {"cat/outside_link.png", "cat/outside_dir/far.png"} <= sources


def test_outputs_never_escape_out_through_a_symlinked_folder(image_tree, write_recipe, run_cli, tmp_path):
    out, escape = tmp_path / "out", tmp_path / "escape"
    escape.mkdir()
    out.mkdir()
    (out / "cat").symlink_to(escape, target_is_directory=True)
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 1, "--out", out,
                     "--workers", 1, "--overwrite")
    assert result.exit_code == 1
    assert "would be outside the output folder" in result.stderr
    assert list(escape.iterdir()) == []
    assert {r["label"] for r in read_rows(out)} == {"dog"}


def test_manifest_cells_are_spreadsheet_safe_and_read_back_exactly(tmp_path, write_recipe, run_cli):
    src = tmp_path / "src"
    for label in ("=HYPERLINK(1)", "-1", "+cmd", "@SUM", "'quoted"):
        save(src / label / "x.png", textured(seed=1))
    out = tmp_path / "out"
    assert run_cli("expand", src, "--recipe", write_recipe(), "--copies", 1, "--out", out,
                   "--workers", 1).exit_code == 0
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        raw = list(csv.DictReader(handle))
    assert {row["source"] for row in raw} == {"'=HYPERLINK(1)/x.png", "'-1/x.png", "'+cmd/x.png",
                                              "'@SUM/x.png", "''quoted/x.png"}
    assert {row["label"] for row in raw} == {"'=HYPERLINK(1)", "-1", "'+cmd", "'@SUM", "''quoted"}
    assert {row.label for row in read_manifest(out / "manifest.csv")} == {
        "=HYPERLINK(1)", "-1", "+cmd", "@SUM", "'quoted"}
    assert verify(out) == []


def test_names_with_control_characters_are_refused_clearly(tmp_path, write_recipe, run_cli):
    src = tmp_path / "src"
    save(src / "cat" / "fine.png", textured(seed=1))
    save(src / "cat" / "new\nline.png", textured(seed=2))
    out = tmp_path / "out"
    result = run_cli("expand", src, "--recipe", write_recipe(), "--copies", 1, "--out", out, "--workers", 1)
    assert result.exit_code == 1
    assert "control character U+000A" in result.stderr
    assert [r["source"] for r in read_rows(out)] == ["cat/fine.png"]


def test_control_characters_are_escaped_in_every_report(tmp_path, write_recipe, run_cli):
    """The refusal itself must not write the CR or ESC it refuses: errors.csv,
    stderr and verify's lines show them escaped."""
    src = tmp_path / "src"
    save(src / "cat" / "fine.png", textured(seed=1))
    save(src / "cat" / "a\rb.png", textured(seed=2))
    save(src / "d\x1bg" / "x.png", textured(seed=3))
    out = tmp_path / "out"
    result = run_cli("expand", src, "--recipe", write_recipe(), "--copies", 1, "--out", out, "--workers", 1)
    assert result.exit_code == 1
    report = (out / "errors.csv").read_bytes()
    for raw in (b"\r", b"\x1b"):
        assert raw not in report and raw.decode() not in result.stderr
    assert report.splitlines()[1:] == [
        b"cat/a\\rb.png,cat,image,its name contains the control character U+000D; rename the file or folder",
        b"d\\x1bg/x.png,d\\x1bg,image,its name contains the control character U+001B; "
        b"rename the file or folder"]
    assert "Error: cat/a\\rb.png: its name contains the control character U+000D" in result.stderr
    (out / "cat" / "stray\r.png").write_bytes(b"x")
    checked = run_cli("verify", out)
    assert checked.exit_code == 1 and checked.stdout == "cat/stray\\r.png: stray file not in manifest.csv\n"


def test_names_that_are_not_utf8_are_refused_clearly(tmp_path, write_recipe, run_cli):
    src = tmp_path / "src"
    save(src / "cat" / "fine.png", textured(seed=1))
    with open(os.fsencode(src / "cat") + b"/bad\xff.png", "wb") as handle:
        handle.write((src / "cat" / "fine.png").read_bytes())
    out = tmp_path / "out"
    result = run_cli("expand", src, "--recipe", write_recipe(), "--copies", 1, "--out", out, "--workers", 1)
    assert result.exit_code == 1
    assert "Error: cat/bad\\xff.png: its name is not valid UTF-8 (byte 0xff)" in result.stderr
    assert [r["source"] for r in read_rows(out)] == ["cat/fine.png"]
