"""`augment expand` end to end through the CLI: outputs, manifest, determinism."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from augment_cli.modalities.image.codec import decode
from augment_cli.outdir.claim import OWN_FILES
from augment_cli.run.steps import replay
from conftest import FLIPS, save, textured, tree_bytes


def read_rows(out: Path) -> list[dict[str, str]]:
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_manifest_rows_match_files_and_labels(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 3,
                     "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert list(rows[0]) == ["file_name", "label", "source", "copy", "modality", "transforms", "sha256"]
    assert len(rows) == 5 * 3
    assert [r["file_name"] for r in rows] == sorted(r["file_name"] for r in rows)
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    own = set(OWN_FILES) | {"metadata.csv"}  # a nested tree: Hugging Face's labels (test_loaders.py)
    assert written - own == {r["file_name"] for r in rows}
    for row in rows:
        assert row["file_name"].split("/")[0] == row["label"] == row["source"].split("/")[0]
        assert (image_tree / row["source"]).is_file()
        assert row["copy"] in {"1", "2", "3"}
        json.loads(row["transforms"])
        assert hashlib.sha256((out / row["file_name"]).read_bytes()).hexdigest() == row["sha256"]
    assert "cat/deep/c__aug2.png" in {r["file_name"] for r in rows}
    assert "Read 5 files, wrote 15 copies" in result.stderr


def test_outputs_keep_size_mode_and_format(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 2, "--out", out, "--workers", 1)
    for source, copy in [("cat/a.jpg", "cat/a__aug1.jpg"), ("cat/deep/c.png", "cat/deep/c__aug1.png"),
                         ("dog/e.png", "dog/e__aug2.png")]:
        with Image.open(image_tree / source) as original, Image.open(out / copy) as made:
            assert (made.format, made.mode, made.size) == (original.format, original.mode, original.size)


def test_replaying_manifest_row_reproduces_lossless_output(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 4, "--out", out, "--workers", 1)
    for row in read_rows(out):
        if row["file_name"].endswith(".png"):
            source = decode((image_tree / row["source"]).read_bytes()).data
            expected = replay(source, json.loads(row["transforms"]), "image")
            assert np.array_equal(np.asarray(Image.open(out / row["file_name"])), expected)


def test_same_seed_same_bytes_for_1_and_4_workers(image_tree, write_recipe, tmp_path):
    from augment_cli.api import expand

    recipe = write_recipe()
    one, four = tmp_path / "one", tmp_path / "four"
    expand(source=image_tree, recipe=recipe, out=one, copies=3, workers=1, seed=7)
    expand(source=image_tree, recipe=recipe, out=four, copies=3, workers=4, seed=7)
    assert tree_bytes(one) == tree_bytes(four)
    again = tmp_path / "again"
    expand(source=image_tree, recipe=recipe, out=again, copies=3, workers=1, seed=8)
    assert tree_bytes(again)["manifest.csv"] != tree_bytes(one)["manifest.csv"]


def test_include_originals_copies_sources_as_copy_zero(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 1, "--out", out,
                     "--include-originals", "--workers", 1)
    assert result.exit_code == 0
    originals = [r for r in read_rows(out) if r["copy"] == "0"]
    assert len(originals) == 5
    for row in originals:
        assert row["file_name"] == row["source"] and row["transforms"] == "[]"
        assert (out / row["file_name"]).read_bytes() == (image_tree / row["source"]).read_bytes()


def test_dry_run_prints_plan_and_writes_nothing(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 2, "--out", out,
                     "--dry-run")
    assert result.exit_code == 0
    assert not out.exists()
    assert "cat: 3 files" in result.stdout and "dog: 2 files" in result.stdout
    assert "cat/deep/c__aug2.png" in result.stdout and "10 outputs" in result.stdout


def test_non_empty_foreign_out_is_refused_without_overwrite(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("mine")
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out)
    assert result.exit_code == 2
    assert "not empty and was not made by augment" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["precious.txt"]
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out, "--overwrite",
                     "--workers", 1)
    assert result.exit_code == 0 and (out / "precious.txt").exists()


def test_rerun_same_recipe_allowed_other_recipe_refused(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    recipe = write_recipe()
    assert run_cli("expand", image_tree, "--recipe", recipe, "--copies", 3, "--out", out,
                   "--workers", 1).exit_code == 0
    # Same recipe, fewer copies: allowed, and the now-stale third copies go.
    assert run_cli("expand", image_tree, "--recipe", recipe, "--copies", 2, "--out", out,
                   "--workers", 1).exit_code == 0
    assert not (out / "cat" / "a__aug3.jpg").exists() and (out / "cat" / "a__aug2.jpg").exists()
    other = write_recipe('[[image]]\ntransform = "vflip"\n', name="other.toml")
    result = run_cli("expand", image_tree, "--recipe", other, "--out", out)
    assert result.exit_code == 2 and "made by a different recipe" in result.stderr
    result = run_cli("expand", image_tree, "--recipe", other, "--copies", 1, "--out", out,
                     "--overwrite", "--workers", 1)
    assert result.exit_code == 0
    assert not (out / "cat" / "a__aug2.jpg").exists()
    assert len(read_rows(out)) == 5


def test_out_inside_source_is_refused(image_tree, write_recipe, run_cli):
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", image_tree / "cat" / "out")
    assert result.exit_code == 2 and "inside the source folder" in result.stderr
    assert not (image_tree / "cat" / "out").exists()


def test_out_containing_source_is_refused_even_with_overwrite(tmp_path, write_recipe, run_cli):
    # SRC = project/cat-data; a label "cat-data" would write DIR/cat-data/... into SRC itself.
    project = tmp_path / "project"
    source = project / "cat-data"
    save(source / "cat-data" / "a.png", textured())
    for out in (project, tmp_path):
        result = run_cli("expand", source, "--recipe", write_recipe(), "--out", out, "--overwrite",
                         "--workers", 1)
        assert result.exit_code == 2, result.output
        assert f"--out {out} contains the source folder {source}" in result.stderr
    assert sorted(p.name for p in source.rglob("*")) == ["a.png", "cat-data"]


def test_unlabelled_hidden_and_unsupported_files_are_skipped(image_tree, write_recipe, run_cli, tmp_path):
    (image_tree / "loose.jpg").write_bytes((image_tree / "cat" / "a.jpg").read_bytes())
    (image_tree / "cat" / ".hidden.jpg").write_bytes(b"x")
    (image_tree / "cat" / "notes.md").write_text("hello")
    out = tmp_path / "out"
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 1, "--out", out,
                     "--workers", 1)
    assert result.exit_code == 0
    assert "no label folder" in result.stderr and "loose.jpg" in result.stderr
    assert "skipped 3" in result.stderr
    assert len(read_rows(out)) == 5


def test_sources_differing_by_extension_do_not_collide(tmp_path, write_recipe, run_cli):
    from conftest import save, textured

    src = tmp_path / "src"
    save(src / "cat" / "a.jpg", textured(seed=1))
    save(src / "cat" / "a.png", textured(seed=2))
    recipe = write_recipe('[output]\nformat = "png"\n' + FLIPS)
    out = tmp_path / "out"
    assert run_cli("expand", src, "--recipe", recipe, "--copies", 2, "--out", out,
                   "--workers", 1).exit_code == 0
    names = sorted(r["file_name"] for r in read_rows(out))
    assert names == ["cat/a.jpg__aug1.png", "cat/a.jpg__aug2.png", "cat/a__aug1.png", "cat/a__aug2.png"]
    assert Image.open(out / "cat" / "a.jpg__aug1.png").format == "PNG"


def test_version_and_help_examples(run_cli):
    from augment_cli import __version__

    assert run_cli("--version").stdout.strip() == f"augment {__version__}"
    for command in (["--help"], ["expand", "--help"], ["validate", "--help"], ["transforms", "--help"],
                    ["verify", "--help"]):
        result = run_cli(*command)
        assert result.exit_code == 0 and "Example:" in result.stdout, command


def test_real_subprocess_run_and_quiet(image_tree, write_recipe, tmp_path):
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-m", "augment_cli", "expand", str(image_tree), "--recipe", str(write_recipe()),
         "--copies", "2", "--out", str(out), "--workers", "2", "--quiet"],
        capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == "" and completed.stdout == ""
    assert len(read_rows(out)) == 10


def test_a_file_added_during_the_run_is_reported_not_a_crash(image_tree, write_recipe, tmp_path):
    from augment_cli.run.plan import count_work, make_plan
    from conftest import save, textured

    plan = make_plan(source=image_tree, recipe=write_recipe(), out=tmp_path / "out", copies=1)
    save(image_tree / "cat" / "z_late.png", textured(seed=9))  # after the counting walk
    save(image_tree / "newlabel" / "x.png", textured(seed=8))
    files, outputs, refused = count_work(plan)
    assert (files, outputs) == (5, 5) and plan.refused == []  # planning reports, it does not fill the plan
    assert {(row.source, row.error) for row in refused} == {
        ("cat/z_late.png", "appeared in the source folder during the run; run again"),
        ("newlabel/x.png", "appeared in the source folder during the run; run again")}
