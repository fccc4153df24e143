"""Class balancing and per-label copies through `augment expand`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from augment_cli.outdir.manifest import read_manifest
from conftest import FLIPS, save, textured


@pytest.fixture
def unbalanced(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    save(src / "cat" / "a.png", textured(seed=1))
    for i in range(3):
        save(src / "dog" / f"d{i}.png", textured(seed=10 + i))
    save(src / "owl" / "x.png", textured(seed=20))
    save(src / "owl" / "y.png", textured(seed=21))
    return src


def per_label(out: Path) -> Counter:
    return Counter(row.label for row in read_manifest(out / "manifest.csv"))


def test_balance_gives_every_label_the_largest_count(unbalanced, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("expand", unbalanced, "-r", write_recipe(), "--copies", 2, "--out", out,
                     "--workers", 1, "--balance", "--include-originals")
    assert result.exit_code == 0, result.output
    assert per_label(out) == {"cat": 9, "dog": 9, "owl": 9}
    rows = read_manifest(out / "manifest.csv")
    owl = Counter(row.source for row in rows if row.label == "owl" and row.copy > 0)
    assert sorted(owl.values()) == [3, 4]  # 7 extra copies over 2 files: never two apart
    assert {row.copy for row in rows if row.source == "cat/a.png"} == set(range(0, 9))


def test_balance_dry_run_shows_counts_before_and_after(unbalanced, write_recipe, run_cli, tmp_path):
    result = run_cli("expand", unbalanced, "-r", write_recipe(), "--copies", 2, "--out", tmp_path / "o",
                     "--balance", "--dry-run")
    assert result.exit_code == 0
    assert "  cat: 1 files -> 6 outputs (6 copies per file)" in result.stdout
    assert "  dog: 3 files -> 6 outputs (2 copies per file)" in result.stdout
    assert "  owl: 2 files -> 6 outputs (3 copies per file)" in result.stdout
    assert not (tmp_path / "o").exists()


def test_max_copies_caps_and_warns(unbalanced, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("expand", unbalanced, "-r", write_recipe(), "--copies", 2, "--out", out,
                     "--workers", 1, "--balance", "--max-copies", 4)
    assert result.exit_code == 0
    assert per_label(out) == {"cat": 4, "dog": 6, "owl": 6}
    assert "Warning: label 'cat' stays 2 files short of 6: --max-copies 4 caps its files" in result.stderr


def test_recipe_copies_table_sets_copies_per_label(unbalanced, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    recipe = write_recipe(FLIPS + "\n[copies]\ncat = 4\nowl = 1\n")
    result = run_cli("expand", unbalanced, "-r", recipe, "--copies", 2, "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    assert per_label(out) == {"cat": 4, "dog": 6, "owl": 2}


def test_a_copies_label_with_no_files_is_a_typo_exit_2(unbalanced, write_recipe, run_cli, tmp_path):
    recipe = write_recipe(FLIPS + "\n[copies]\ncat = 4\nowls = 1\n")
    result = run_cli("expand", unbalanced, "-r", recipe, "--copies", 2, "--out", tmp_path / "o")
    assert result.exit_code == 2 and not (tmp_path / "o").exists()
    assert "names label 'owls' (did you mean 'owl'?), which has no files in" in result.stderr
    assert "Hint: its labels: cat, dog, owl" in result.stderr


def test_max_copies_without_balance_says_what_it_does(unbalanced, write_recipe, run_cli, tmp_path):
    result = run_cli("expand", unbalanced, "-r", write_recipe(FLIPS), "--copies", 5, "--max-copies", 3,
                     "--out", tmp_path / "o", "--workers", 1)
    assert result.exit_code == 0 and per_label(tmp_path / "o")["cat"] % 3 == 0
    assert ("Warning: --max-copies 3 without --balance only caps the copies per file: files asked for "
            "more than 3 get 3") in result.stderr


@pytest.mark.parametrize("table,message", [
    ("[copies]\ncat = 0\n", ":key 'cat': copies must be a positive integer, got 0"),
    ("[copies]\ncat = 1.5\n", "key 'cat': copies must be a positive integer, got 1.5"),
    ("[copies]\ncat = \"two\"\n", "key 'cat': copies must be a positive integer, got 'two'"),
    ("copies = 3\n", "key 'copies': must be a table of label = copies"),
])
def test_bad_copies_table_exits_2_before_output(unbalanced, write_recipe, run_cli, tmp_path, table, message):
    recipe = write_recipe(table + FLIPS)
    out = tmp_path / "out"
    result = run_cli("expand", unbalanced, "-r", recipe, "--out", out)
    assert result.exit_code == 2
    assert message.lstrip(":") in result.stderr and result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output and not out.exists()


def test_balance_with_copies_table_is_refused(unbalanced, write_recipe, run_cli, tmp_path):
    recipe = write_recipe(FLIPS + "\n[copies]\ncat = 4\n")
    result = run_cli("expand", unbalanced, "-r", recipe, "--out", tmp_path / "o", "--balance")
    assert result.exit_code == 2
    assert "--balance and the [copies] table" in result.stderr and "Hint:" in result.stderr


def test_bad_max_copies_is_a_usage_error(unbalanced, write_recipe, run_cli, tmp_path):
    from augment_cli import api
    from augment_cli.errors import UsageError

    result = run_cli("expand", unbalanced, "-r", write_recipe(), "--out", tmp_path / "o", "--balance",
                     "--max-copies", 0)
    assert result.exit_code == 2 and "Invalid value for '--max-copies'" in result.stderr
    with pytest.raises(UsageError, match="--max-copies must be at least 1"):
        api.make_plan(source=unbalanced, recipe=write_recipe(), out=tmp_path / "o", copies=2, max_copies=0)
    assert not (tmp_path / "o").exists()
