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
