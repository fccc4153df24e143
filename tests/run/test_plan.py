"""run/plan.py refuses, before anything is written, what no run could finish or need:
labels named like DIR's own files, copies per file beyond the limit; a printed plan streams its names."""

from __future__ import annotations

import time

import pytest

from augment_cli.run import plan as plan_module
from conftest import save, textured


@pytest.fixture
def two_labels(tmp_path):
    src = tmp_path / "src"
    for i in range(4):
        save(src / "cat" / f"c{i}.png", textured(seed=i))
    save(src / "dog" / "d.png", textured(seed=9))
    return src


def test_absurd_copies_are_refused_at_once_and_nothing_is_written(two_labels, write_recipe, run_cli,
                                                                  tmp_path):
    out = tmp_path / "out"
    started = time.perf_counter()
    result = run_cli("expand", two_labels, "--recipe", write_recipe(), "--copies", 1_000_000_000,
                     "--out", out)
    assert time.perf_counter() - started < 5  # it used to build a billion names first
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: --copies 1,000,000,000 is over the limit of 10,000 copies per file",
        "Hint: pass --allow-many-copies to lift the limit (every copy is written to disk)"]
    assert not out.exists()
    dry = run_cli("expand", two_labels, "--recipe", write_recipe(), "--copies", 10_001, "--out", out,
                  "--dry-run")
    assert dry.exit_code == 2 and "--copies 10,001 is over the limit" in dry.stderr and dry.stdout == ""


def test_a_copies_table_value_over_the_limit_is_refused(two_labels, write_recipe, run_cli, tmp_path):
    recipe = write_recipe('[copies]\ncat = 50000\n\n[[image]]\ntransform = "hflip"\n')
    result = run_cli("expand", two_labels, "--recipe", recipe, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert f"Error: [copies] in {recipe}: label 'cat' = 50,000 is over the limit of 10,000" in result.stderr
    capped = run_cli("expand", two_labels, "--recipe", recipe, "--out", tmp_path / "out", "--max-copies", 3,
                     "--dry-run")
    assert capped.exit_code == 0 and "cat: 4 files -> 12 outputs (3 copies per file)" in capped.stdout


def test_balance_over_the_limit_is_refused_unless_capped_or_lifted(two_labels, write_recipe, run_cli,
                                                                   tmp_path, monkeypatch):
    monkeypatch.setattr(plan_module, "MAX_COPIES_PER_FILE", 3)  # dog's one file would need 4
    out, recipe = tmp_path / "out", write_recipe()
    result = run_cli("expand", two_labels, "--recipe", recipe, "--copies", 1, "--balance", "--out", out)
    assert result.exit_code == 2 and not out.exists()
    assert ("--balance would give the files of label 'dog' up to 4 copies each, over the limit of 3"
            in result.stderr)
    assert "Hint: cap them with --max-copies 3" in result.stderr
    lifted = run_cli("expand", two_labels, "--recipe", recipe, "--copies", 1, "--balance", "--out", out,
                     "--allow-many-copies", "--workers", 1)
    assert lifted.exit_code == 0, lifted.output
    assert sorted(p.name for p in (out / "dog").iterdir()) == [f"d__aug{k}.png" for k in range(1, 5)]


def test_allow_many_copies_lifts_the_copies_limit(two_labels, write_recipe, run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(plan_module, "MAX_COPIES_PER_FILE", 2)
    out = tmp_path / "out"
    assert run_cli("expand", two_labels, "-r", write_recipe(), "--copies", 3, "--out", out).exit_code == 2
    result = run_cli("expand", two_labels, "-r", write_recipe(), "--copies", 3, "--out", out,
                     "--allow-many-copies", "--workers", 1)
    assert result.exit_code == 0, result.output
    assert len(list((out / "cat").iterdir())) == 12


def test_a_printed_plan_streams_names_and_refuses_collisions_in_both_passes(tmp_path, write_recipe):
    src = tmp_path / "src"
    save(src / "cat" / "a.png", textured(seed=1))
    save(src / "cat" / "a__aug1.png", textured(seed=2))  # copy 1 of a.png, as an original
    plan = plan_module.make_plan(source=src, recipe=write_recipe(), out=tmp_path / "out", copies=2,
                                 include_originals=True)
    files, outputs, refused = plan_module.count_work(plan)
    names = plan_module.output_names(plan)
    assert next(names) == "cat/a.png"  # a generator: names come one at a time
    assert [*names] == ["cat/a__aug1.png", "cat/a__aug2.png"]
    assert (files, outputs) == (1, 3)
    assert [(row.source, row.error) for row in refused] == [
        ("cat/a__aug1.png", "its output names collide with those of cat/a.png; rename one")]


@pytest.mark.parametrize("label", ["manifest.csv", "errors.csv", "Manifest.CSV"])
def test_a_label_named_like_dirs_own_file_is_refused_up_front(image_tree, write_recipe, run_cli,
                                                             tmp_path, label):
    save(image_tree / label / "x.png", textured())
    out = tmp_path / "out"
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out, "--workers", 1)
    assert result.exit_code == 2
    assert f"label folder '{label}' in {image_tree} has the name of augment's own" in result.stderr
    assert ".augment-tmp" not in result.stderr
    assert not out.exists()
    dry = run_cli("expand", image_tree, "--recipe", write_recipe(), "--out", out, "--dry-run")
    assert dry.exit_code == 2 and "has the name of augment's own" in dry.stderr
