"""outdir/files.py: temporary names that fit the file system, one write-then-rename."""

from __future__ import annotations

import os

from augment_cli.outdir.claim import sweep_temporary_files
from augment_cli.outdir.files import (
    NAME_MAX,
    TEMP_PREFIX,
    atomic_write,
    replace_via_temporary,
    temporary_name,
)
from augment_cli.outdir.manifest import ErrorRow, write_rows
from conftest import save, textured


def test_a_long_legal_name_gets_a_temporary_name_within_name_max(tmp_path):
    target = tmp_path / ("n" * 251 + ".png")  # 255 bytes: legal, but no room for the prefix
    temporary = temporary_name(target)
    assert temporary.parent == tmp_path and temporary.name.startswith(TEMP_PREFIX)
    assert len(os.fsencode(temporary.name)) <= NAME_MAX
    assert temporary_name(target) == temporary  # stable: a retry picks the same name
    atomic_write(target, b"payload")
    assert target.read_bytes() == b"payload"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_short_names_keep_their_readable_temporary_name(tmp_path):
    assert temporary_name(tmp_path / "a.png").name == f"{TEMP_PREFIX}{os.getpid()}-a.png"


def test_a_left_over_hashed_temporary_file_is_swept(tmp_path):
    left = temporary_name(tmp_path / "cat" / ("é" * 120 + ".png"))  # 244 bytes of UTF-8
    left.parent.mkdir()
    left.write_bytes(b"half")
    sweep_temporary_files(tmp_path)
    assert not left.exists()


def test_expand_writes_a_240_byte_output_name(tmp_path, write_recipe, run_cli):
    stem = "s" * (240 - len("__aug1.png"))
    save(tmp_path / "src" / "cat" / f"{stem}.png", textured())
    out = tmp_path / "out"
    result = run_cli("expand", tmp_path / "src", "--recipe", write_recipe(), "--copies", 1,
                     "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    assert (out / "cat" / f"{stem}__aug1.png").is_file()
    assert run_cli("verify", out).exit_code == 0


def test_reports_with_a_long_name_are_written_too(tmp_path):
    target = tmp_path / ("r" * 250 + ".csv")
    write_rows(target, ErrorRow, [ErrorRow("a.png", "cat", "image", "bad")])
    assert target.read_text().splitlines() == ["source,label,modality,error", "a.png,cat,image,bad"]


def test_replace_via_temporary_keeps_an_identical_file_and_its_mtime(tmp_path):
    target = tmp_path / "same.txt"
    target.write_bytes(b"same")
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    replace_via_temporary(target, lambda temporary: temporary.write_bytes(b"same"), keep_identical=True)
    assert target.stat().st_mtime_ns == 1_000_000_000
    replace_via_temporary(target, lambda temporary: temporary.write_bytes(b"new"), keep_identical=True)
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["same.txt"]
