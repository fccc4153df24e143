"""`augment preview` of a table: a few rows, spread over labels, with exactly
the copies `augment expand` writes for them."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from augment_cli import api
from augment_cli.cli import app
from augment_cli.commands.preview import preview
from augment_cli.errors import UsageError

EDA = Path(__file__).parents[2] / "recipes" / "eda.toml"
WORDS = "the quick brown fox jumps over a lazy dog near quiet river banks today".split()


def _table(path: Path, labels: list[str], pairs: bool = False) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sentence", "other", "label"] if pairs else ["sentence", "label"])
        for k, label in enumerate(labels):
            text = " ".join(WORDS[(k + j) % len(WORDS)] for j in range(9))
            writer.writerow([text, text[::-1], label] if pairs else [text, label])
    return path


def test_a_table_preview_shows_rows_of_each_label_with_the_copies_expand_writes(tmp_path):
    table = _table(tmp_path / "train.csv", ["neg"] * 30 + ["pos"] * 30)  # labels sorted, as often
    result = preview(source=table, recipe=EDA, out=tmp_path / "p.html", samples=4, copies=3, seed=5,
                     text_columns=("sentence",))
    assert result.exit_code == 0 and result.files == [tmp_path / "p.html"]
    shown = [line for line in result.text.splitlines() if line.startswith("== ")]
    assert shown == ["== train.csv:2", "== train.csv:3", "== train.csv:32", "== train.csv:33"]
    api.expand(source=table, recipe=EDA, out=tmp_path / "out", copies=3, seed=5, workers=1,
               text_columns=("sentence",))
    with open(tmp_path / "out" / "train.csv", encoding="utf-8", newline="") as handle:
        written = {(row["augment_source_row"], row["augment_copy"]): row for row in csv.DictReader(handle)}
    lines = result.text.splitlines()
    for line in (2, 32):
        shown_copies = lines[lines.index(f"== train.csv:{line}") + 1:][:3]
        for copy, shown_line in enumerate(shown_copies, 1):
            row = written[(str(line - 1), str(copy))]
            applied = json.loads(row["augment_transforms"])[0]["transform"]
            assert shown_line.startswith(f"#{copy} [{applied}")
            assert _copy_text(shown_line) == row["sentence"]


def _copy_text(diff_line: str) -> str:
    """The copy a plain word-diff line shows: deletions dropped, insertions kept."""
    body = diff_line.split("] ", 1)[1]
    return re.sub(r"\{\+(.*?)\+\}", r"\1", re.sub(r"\[-.*?-\] ?", "", body)).strip()


def test_sentence_pairs_show_each_column_and_a_bad_row_is_reported(tmp_path):
    table = _table(tmp_path / "train.csv", ["a", "b"], pairs=True)
    result = preview(source=table, recipe=EDA, out=tmp_path / "p.html", samples=2, copies=2,
                     text_columns=("sentence", "other"))
    assert "== train.csv:2 [sentence]" in result.text and "== train.csv:2 [other]" in result.text
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a fine sentence with several words in it", "label": 1}\n'
                   '{"text": null, "label": 0}\n')
    result = preview(source=bad, recipe=EDA, out=tmp_path / "q.html", samples=2, copies=2)
    assert result.failed == [("bad.jsonl:2", "the text in 'text' is null")] and result.exit_code == 1


def test_a_held_out_table_is_never_previewed(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    _table(folder / "test.csv", ["x", "y"])
    with pytest.raises(UsageError, match="every table in .* is a held-out split"):
        preview(source=folder, recipe=EDA, out=tmp_path / "p.html", text_columns=("sentence",))
    _table(folder / "train.csv", ["x", "y"])
    result = preview(source=folder, recipe=EDA, out=tmp_path / "p.html", text_columns=("sentence",))
    assert "== train.csv:2" in result.text and any("test.csv" in note for note in result.notes)


def test_the_cli_previews_a_table_and_names_a_missing_column(tmp_path):
    table = _table(tmp_path / "train.csv", ["a", "b"])
    runner = CliRunner()
    done = runner.invoke(app, ["preview", str(table), "--recipe", str(EDA), "--out", str(tmp_path / "p.html"),
                               "--text-column", "sentence", "--copies", "2"])
    assert done.exit_code == 0 and "== train.csv:2" in done.output
    missing = runner.invoke(app, ["preview", str(table), "--recipe", str(EDA),
                                  "--out", str(tmp_path / "q.html")])
    assert missing.exit_code == 2 and "text" in missing.output and "sentence" in missing.output
    assert not (tmp_path / "q.html").exists()
