"""`augment verify --repair`: exactly the damaged outputs regenerated, strays removed,
the result byte-identical to a clean run."""

from __future__ import annotations

from augment_cli import api
from augment_cli.outdir.files import TEMP_PREFIX
from augment_cli.outdir.index import Index
from augment_cli.outdir.verify import verify
from conftest import tree_bytes


def expand(src, recipe, out, **options):
    return api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1, **options)


def test_repair_makes_a_damaged_folder_what_a_clean_run_writes(image_tree, write_recipe, tmp_path, run_cli):
    recipe, out, clean = write_recipe(), tmp_path / "out", tmp_path / "clean"
    expand(image_tree, recipe, out)
    expand(image_tree, recipe, clean)
    (out / "cat" / "a__aug1.jpg").write_bytes(b"garbage")            # corrupt: does not decode
    damaged = out / "cat" / "b__aug2.png"
    damaged.write_bytes(damaged.read_bytes()[:-5] + b"12345")       # changed: hash mismatch
    (out / "dog" / "e__aug1.png").unlink()                           # missing
    (out / "dog" / "notes.txt").write_text("stray")
    (out / "cat" / f"{TEMP_PREFIX}half").write_bytes(b"x")
    assert len(verify(out)) == 5
    regenerated_before = {name: (out / name).stat().st_mtime_ns for name in ("cat/b__aug1.png",)}
    result = run_cli("verify", out, "--repair")
    assert result.exit_code == 0, result.stderr
    assert "2 stray files removed, 3 sources regenerated" in result.stderr and f"{out}: OK" in result.stderr
    assert tree_bytes(out) == tree_bytes(clean)
    # An intact source is not redone: a sibling copy of a damaged source is, an untouched source is not.
    assert (out / "dog" / "d__aug1.jpg").stat().st_mtime_ns < (out / "cat" / "a__aug1.jpg").stat().st_mtime_ns
    assert regenerated_before["cat/b__aug1.png"] != (out / "cat" / "b__aug1.png").stat().st_mtime_ns


def test_repair_of_an_intact_folder_changes_nothing(image_tree, write_recipe, tmp_path, run_cli):
    out = tmp_path / "out"
    expand(image_tree, write_recipe(), out, balance=True)
    before = tree_bytes(out)
    result = run_cli("verify", out, "--repair")
    assert result.exit_code == 0 and "0 stray files removed, 0 sources regenerated" in result.stderr
    assert tree_bytes(out) == before


def test_repair_reruns_with_the_recorded_options(image_tree, write_recipe, tmp_path, run_cli):
    out, clean = tmp_path / "out", tmp_path / "clean"
    expand(image_tree, write_recipe(), out, balance=True, max_copies=3)
    expand(image_tree, write_recipe(), clean, balance=True, max_copies=3)
    (out / "dog" / "d__aug1.jpg").write_bytes(b"")
    assert run_cli("verify", out, "--repair").exit_code == 0
    assert tree_bytes(out) == tree_bytes(clean)
    index = Index(out)
    assert index.source_of("dog/d__aug1.jpg") == "dog/d.jpg"
    index.close()


def test_repair_needs_a_run_record(tmp_path, run_cli):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "manifest.csv").write_text("file_name,label,source,copy,modality,transforms,sha256\n")
    result = run_cli("verify", tmp_path / "out", "--repair")
    assert result.exit_code == 2 and "has no run record naming its source folder" in result.stderr
