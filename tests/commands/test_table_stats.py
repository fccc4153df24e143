"""`augment stats` of a table: rows per label, words, and the rows expand would refuse."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from augment_cli.cli import app
from augment_cli.commands.stats import collect, stats_text


def test_a_csv_is_counted_row_by_row_per_label(tmp_path):
    table = tmp_path / "train.tsv"
    table.write_text("sentence\tlabel\none two three\tpos\nfour five\tneg\nsix\tpos\n\tneg\n",
                     encoding="utf-8")
    stats = collect(table, text_columns=("sentence",))
    assert stats.unit == "rows" and stats.files == 4
    data = stats.as_dict()
    counted = {label: (info["files"], info["text_words"], info["formats"])
               for label, info in data["labels"].items()}
    assert counted == {"neg": (2, 2, {"TSV": 1}), "pos": (2, 4, {"TSV": 2})}
    assert data["unreadable"] == [{"file": "train.tsv:5", "error": "the text in 'sentence' is empty"}]
    assert stats_text(stats).splitlines()[0] == f"{table}: 4 rows in 2 labels"


def test_a_held_out_table_is_named_not_counted_unless_split_names_it(tmp_path):
    (tmp_path / "train.jsonl").write_text('{"text": "a b", "label": 1}\n{"text": "c", "label": 1}\n')
    (tmp_path / "test.jsonl").write_text('{"text": "d e f", "label": 0}\n')
    stats = collect(tmp_path)
    assert stats.files == 2 and list(stats.labels) == ["1"]
    assert any(note.startswith("test.jsonl: a held-out split") for note in stats.notes)
    assert list(collect(tmp_path, split="test").labels) == ["0"]


def test_the_cli_counts_a_table_and_names_a_missing_column(tmp_path):
    table = tmp_path / "train.csv"
    table.write_text("review,stars\ngood film,5\nbad film,1\nfine,5\n", encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["stats", str(table), "--text-column", "review", "--label-column", "stars",
                               "--json"])
    assert done.exit_code == 0
    found = json.loads(done.stdout)
    assert found["unit"] == "rows" and {k: v["files"] for k, v in found["labels"].items()} == {"1": 1, "5": 2}
    missing = runner.invoke(app, ["stats", str(table)])
    assert missing.exit_code == 2
    assert "no column 'text'" in missing.output and "review, stars" in missing.output
