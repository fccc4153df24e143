"""outdir/manifest.py: what write_rows writes, read_manifest reads back, and a
damaged manifest is reported row by row."""

from __future__ import annotations

import csv
import hashlib
import json

import pytest

from augment_cli.outdir.manifest import ManifestRow, read_manifest, write_rows


def _expanded(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    assert run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 2, "--out", out,
                   "--workers", 1).exit_code == 0
    return out


def test_a_huge_transforms_cell_is_read_back_and_verified(image_tree, write_recipe, run_cli, tmp_path):
    """A long text's transforms cell outgrows csv's default 128 KiB cell limit."""
    out = _expanded(image_tree, write_recipe, run_cli, tmp_path)
    rows = read_manifest(out / "manifest.csv")
    replaced = [[k, "word", "term"] for k in range(40_000)]
    records = [{"transform": "synonym_replace", "params": {"replace": replaced}}]
    big = json.dumps(records, separators=(",", ":"))
    assert len(big) > 600_000
    rows[0] = ManifestRow(**{**rows[0].__dict__, "transforms": big})
    write_rows(out / "manifest.csv", ManifestRow, rows)
    assert read_manifest(out / "manifest.csv")[0].transforms == big
    assert run_cli("verify", out).exit_code == 0
    assert csv.field_size_limit() == 131072  # the process-wide limit is put back


def test_verify_reports_a_short_row_by_line_and_checks_the_rest(image_tree, write_recipe, run_cli, tmp_path):
    out = _expanded(image_tree, write_recipe, run_cli, tmp_path)
    lines = (out / "manifest.csv").read_text().splitlines(keepends=True)
    short = lines[2].split(",")[:2]  # file_name and label only: a truncated copy
    lines[2] = ",".join(short) + "\n"
    (out / "manifest.csv").write_text("".join(lines))
    (out / lines[4].split(",")[0]).unlink()
    result = run_cli("verify", out)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "manifest.csv:3: row cannot be read (expected 7 cells, found 2)",
        f"{lines[4].split(',')[0]}: missing",
    ]
    assert "2 problems" in result.stderr


def test_verify_reports_a_long_row_and_a_bad_copy(image_tree, write_recipe, run_cli, tmp_path):
    out = _expanded(image_tree, write_recipe, run_cli, tmp_path)
    lines = (out / "manifest.csv").read_text().splitlines(keepends=True)
    lines[1] = lines[1].rstrip("\n") + ",extra\n"
    cells = lines[2].split(",")
    cells[3] = "two"
    lines[2] = ",".join(cells)
    (out / "manifest.csv").write_text("".join(lines) + "\n")  # and a blank line: not a row
    result = run_cli("verify", out)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["manifest.csv:2: row cannot be read (expected 7 cells, found 8)",
                                          "manifest.csv:3: row cannot be read (copy 'two' is not an integer)"]


def test_read_manifest_names_the_line_of_a_bad_row(tmp_path):
    row = ManifestRow("cat/a__aug1.png", "cat", "cat/a.png", 1, "image", "[]",
                      hashlib.sha256(b"").hexdigest())
    path = tmp_path / "manifest.csv"
    write_rows(path, ManifestRow, [row])
    path.write_text(path.read_text() + '"multi\nline",cat\n')
    with pytest.raises(ValueError, match=r"^manifest.csv:3: expected 7 cells, found 2$"):
        read_manifest(path)
    seen = []
    assert read_manifest(path, on_bad_row=lambda line, reason, cells: seen.append((line, cells))) == [row]
    assert seen == [(3, ["multi\nline", "cat"])]


def test_read_manifest_refuses_other_columns(tmp_path):
    (tmp_path / "manifest.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="manifest.csv:1: expected the columns file_name,label"):
        read_manifest(tmp_path / "manifest.csv")
