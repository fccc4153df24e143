"""`expand --json` of a table run: `sources` counts tables, `rows_read` and
`rows_failed` count rows (a table's examples), so CI can assert on either."""

from __future__ import annotations

import json

from test_tables import EDA


def test_json_summary_counts_tables_as_sources_and_rows_as_rows(tmp_path, run_cli):
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.csv").write_text("text,label\nA good first row of text,1\nonly one field,x,y\n"
                                   "Another good row of text here,0\n", encoding="utf-8")
    (src / "more.jsonl").write_text('{"text": "A valid line here", "label": 1}\n{not json}\n',
                                    encoding="utf-8")
    (src / "test.csv").write_text("text,label\nheld out,1\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("expand", src, "-r", EDA, "--copies", 2, "--out", out, "--workers", 1, "--json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert found["layout"] == "table"
    assert found["sources"] == {"read": 3, "failed": 0, "added": 3, "regenerated": 0, "removed": 0,
                                "unchanged": 0}
    assert found["rows_read"] == 3 and found["rows_failed"] == 2 and found["copies_written"] == 6
    assert sorted(row["source"] for row in found["failed"]) == ["more.jsonl:2", "train.csv:3"]
    again = json.loads(run_cli("expand", src, "-r", EDA, "--copies", 2, "--out", out, "--workers", 1,
                               "--json").stdout)
    assert again["sources"]["unchanged"] == 3 and again["sources"]["read"] == 3


def test_a_file_run_has_no_row_counts(tmp_path, run_cli, image_tree, write_recipe):
    result = run_cli("expand", image_tree, "-r", write_recipe(), "-n", 1, "--out", tmp_path / "o",
                     "--workers", 1, "--json")
    found = json.loads(result.stdout)
    assert "rows_read" not in found and found["sources"]["read"] == 5
