"""Re-runs into the same DIR redo exactly what changed and leave the rest untouched."""

from __future__ import annotations

import os

from augment_cli.outdir.verify import verify
from conftest import save, textured
from test_expand_cli import read_rows


def outputs_with_mtimes(out):
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in out.rglob("*") if p.is_file() and not p.name.startswith((".", "manifest", "errors"))}


def expand(run_cli, src, recipe, out, *extra):
    result = run_cli("expand", src, "--recipe", recipe, "--copies", 2, "--out", out, "--workers", 1, *extra)
    assert result.exit_code == 0, result.output
    return result


def test_added_modified_deleted_sources(image_tree, write_recipe, run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    expand(run_cli, image_tree, recipe, out)
    before = outputs_with_mtimes(out)
    save(image_tree / "cat" / "b.png", textured(seed=99))         # modified
    save(image_tree / "dog" / "new.png", textured(seed=98))       # added
    (image_tree / "dog" / "d.jpg").unlink()                       # deleted
    result = expand(run_cli, image_tree, recipe, out)
    assert "1 added, 1 regenerated, 1 removed, 3 unchanged" in result.stderr
    assert "Read 2 files, wrote 4 copies" in result.stderr
    after = outputs_with_mtimes(out)
    for name in ("cat/a__aug1.jpg", "cat/deep/c__aug2.png", "dog/e__aug1.png"):
        assert after[name] == before[name], f"{name} was rewritten"
    assert after["cat/b__aug1.png"][1] != before["cat/b__aug1.png"][1]
    assert "dog/new__aug2.png" in after and "dog/d__aug1.jpg" not in after
    assert {r["source"] for r in read_rows(out)} == {"cat/a.jpg", "cat/b.png", "cat/deep/c.png",
                                                     "dog/e.png", "dog/new.png"}
    assert verify(out) == []


def test_noop_rerun_touches_nothing_and_touch_is_not_a_change(image_tree, write_recipe, run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    expand(run_cli, image_tree, recipe, out)
    before = outputs_with_mtimes(out)
    manifest_mtime = (out / "manifest.csv").stat().st_mtime_ns
    os.utime(image_tree / "cat" / "a.jpg", ns=(1, 1))  # new mtime, same bytes
    result = expand(run_cli, image_tree, recipe, out)
    assert "0 added, 0 regenerated, 0 removed, 5 unchanged" in result.stderr
    assert outputs_with_mtimes(out) == before
    assert (out / "manifest.csv").stat().st_mtime_ns == manifest_mtime


def test_missing_output_is_regenerated(image_tree, write_recipe, run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    expand(run_cli, image_tree, recipe, out)
    original = (out / "dog" / "e__aug2.png").read_bytes()
    (out / "dog" / "e__aug2.png").unlink()
    result = expand(run_cli, image_tree, recipe, out)
    assert "0 added, 1 regenerated, 0 removed, 4 unchanged" in result.stderr
    assert (out / "dog" / "e__aug2.png").read_bytes() == original


def test_seed_change_regenerates_everything_and_says_why(image_tree, write_recipe, run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    expand(run_cli, image_tree, recipe, out)
    result = expand(run_cli, image_tree, recipe, out, "--seed", 3)
    assert "Regenerating everything: seed changed (0 -> 3)" in result.stderr
    assert "Read 5 files, wrote 10 copies" in result.stderr


def test_edited_recipe_file_regenerates_everything(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    expand(run_cli, image_tree, write_recipe(), out)
    edited = write_recipe('[[image]]\ntransform = "vflip"\n')  # same file, new content
    result = expand(run_cli, image_tree, edited, out)
    assert "Regenerating everything: the recipe changed" in result.stderr
    assert all('"vflip"' in r["transforms"] for r in read_rows(out))
    assert verify(out) == []


def test_damaged_index_is_rebuilt_and_the_run_completes(image_tree, write_recipe, run_cli, tmp_path):
    out, recipe = tmp_path / "out", write_recipe()
    expand(run_cli, image_tree, recipe, out)
    (out / ".augment-index.sqlite").write_bytes(b"not a database, e.g. after a power cut" * 100)
    result = expand(run_cli, image_tree, recipe, out)
    # Rebuilt from manifest.csv (see test_recovery.py): nothing redone, nothing lost.
    assert "rebuilt from manifest.csv: 5 of 5 sources kept" in result.stderr
    assert "Read 0 files" in result.stderr and "5 unchanged" in result.stderr
    assert verify(out) == []
