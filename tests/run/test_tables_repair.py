"""`augment verify --repair` of a table run: it runs the expand recorded in
.augment-run.json again, with the table options it was made with."""

from __future__ import annotations

import json

from test_tables import expand

from augment_cli.outdir.verify import verify
from conftest import tree_bytes

PAIRS = ("premise,hypothesis,kind\nThe tall man walks his small dog in the park,A man is outside,yes\n"
         "Two children play football on the beach,Kids are indoors,no\n")


def _two_tables(root):
    root.mkdir()
    (root / "train.csv").write_text(PAIRS, encoding="utf-8")
    (root / "dev.csv").write_text(PAIRS, encoding="utf-8")
    return root


def test_repair_of_a_table_run_reruns_with_its_text_columns_label_column_and_split(tmp_path, run_cli):
    src = _two_tables(tmp_path / "src")
    options = {"text_columns": ("premise", "hypothesis"), "label_column": "kind", "split": "dev", "copies": 3}
    out, clean = tmp_path / "out", tmp_path / "clean"
    expand(src, out, chunk_rows=1, **options)
    expand(src, clean, **options)
    record = json.loads((out / ".augment-run.json").read_text(encoding="utf-8"))
    assert record["table"] == {"text_columns": ["premise", "hypothesis"], "label_column": "kind",
                               "split": "dev"}
    (out / "dev.csv").write_bytes((out / "dev.csv").read_bytes()[:-20])   # damaged: the augmented one
    (out / "notes.txt").write_text("stray", encoding="utf-8")
    assert len(verify(out)) == 2
    result = run_cli("verify", out, "--repair")
    assert result.exit_code == 0, result.stderr
    assert tree_bytes(out) == tree_bytes(clean) and verify(out) == []


def test_a_file_runs_record_has_no_table_options(image_tree, tmp_path):
    from augment_cli import api

    recipe = tmp_path / "r.toml"
    recipe.write_text('[[image]]\ntransform = "hflip"\n', encoding="utf-8")
    api.expand(source=image_tree, recipe=recipe, out=tmp_path / "out", copies=1, workers=1)
    assert "table" not in json.loads((tmp_path / "out" / ".augment-run.json").read_text(encoding="utf-8"))
