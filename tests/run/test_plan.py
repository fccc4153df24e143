"""make_plan refuses, before anything is written, what no run could finish."""

from __future__ import annotations

import pytest

from conftest import save, textured


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


@pytest.mark.parametrize("where", ["--copies", "[copies]", "--balance"])
def test_absurd_copy_counts_are_refused_before_anything_is_named(tmp_path, write_recipe, run_cli, where):
    src = tmp_path / "src"
    for i in range(3):
        save(src / "big" / f"{i}.png", textured(seed=i))
    save(src / "small" / "only.png", textured(seed=9))
    recipe = write_recipe('[[image]]\ntransform = "hflip"\n'
                          + ('\n[copies]\nsmall = 20000\n' if where == "[copies]" else ""))
    copies = {"--copies": 1_000_000_000, "[copies]": 1, "--balance": 5000}[where]
    args = ["expand", src, "-r", recipe, "--copies", copies, "--out", tmp_path / "out"]
    args += ["--balance"] if where == "--balance" else []
    refused = run_cli(*args)  # --balance: 'small' would need 15,000 copies of its one file
    assert refused.exit_code == 2 and "over the limit of 10,000" in refused.stderr
    assert not (tmp_path / "out").exists()
    if where != "--copies":
        lifted = run_cli(*args, "--dry-run", "--no-copy-limit")
        assert lifted.exit_code == 0 and "small/only__aug15000.png" in lifted.stdout
