"""Table datasets end to end: CSV, TSV and JSON Lines expanded row by row
(layouts/table*.py, run/table_*.py), with hostile cells, per-row errors,
splits, sentence pairs, determinism across workers and chunk sizes, resume."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from augment_cli import api
from augment_cli.errors import Interrupted, UsageError
from augment_cli.outdir.verify import verify
from augment_cli.run import table_worker
from conftest import tree_bytes

EDA = Path(__file__).parents[2] / "recipes" / "eda.toml"
LONG = "a fairly long review sentence about the film " * 400
# Cells a table must carry through untouched: delimiters, quotes, embedded
# line breaks, tabs, a leading "=" (no spreadsheet escaping in tables), emoji,
# CJK, empty strings and a very long row.
HOSTILE = [
    ("The movie was good, really good", 'say "hi", then leave'),
    ("A quiet film\nwith two lines of text", "line one\r\nline two"),
    ("Tabs\tinside the text are kept", "=SUM(A1:A3)"),
    ("Great fun 😀 for everyone", "猫と犬 😀"),
    ("An ordinary sentence about cats", ""),
    (LONG, "long"),
]
PROVENANCE = ["augment_source_row", "augment_copy", "augment_transforms"]


def write_csv(path: Path, rows: list[tuple[str, str]], delimiter: str = ",", newline: str = "\n",
              bom: bool = False) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(["text", "note", "label"])
    writer.writerows([text, note, str(i % 2)] for i, (text, note) in enumerate(rows))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


def read_csv(path: Path, delimiter: str = ",") -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def expand(src: Path, out: Path, **options):
    options = {"copies": 2, "workers": 1, **options}
    return api.expand(source=src, recipe=EDA, out=out, **options)


@pytest.mark.parametrize(("name", "delimiter", "newline", "bom"), [
    ("train.csv", ",", "\n", False), ("train.csv", ",", "\r\n", True), ("train.tsv", "\t", "\n", False)])
def test_hostile_cells_round_trip_and_copies_change_only_the_text(tmp_path, name, delimiter, newline, bom):
    src = write_csv(tmp_path / "src" / name, HOSTILE, delimiter, newline, bom)
    out = tmp_path / "out"
    summary = expand(src, out, include_originals=True)
    assert summary.exit_code == 0 and summary.files_read == len(HOSTILE)
    assert summary.copies_written == 2 * len(HOSTILE) and summary.layout == "table"
    written = (out / name).read_bytes()
    assert written.startswith(b"\xef\xbb\xbf") == bom
    assert written.split(b"\n", 1)[0].endswith(b"\r") == (newline == "\r\n")
    header, *rows = read_csv(out / name, delimiter)
    assert header == ["text", "note", "label", *PROVENANCE]
    source = read_csv(src, delimiter)[1:]
    assert len(rows) == 3 * len(source)
    for number, original in enumerate(source, 1):
        made = rows[3 * (number - 1): 3 * number]
        assert made[0] == [*original, str(number), "0", "[]"]  # the original, cell for cell
        for copy, row in enumerate(made[1:], 1):
            assert row[1:3] == original[1:3] and row[3:5] == [str(number), str(copy)]
            assert json.loads(row[5])[0]["transform"] in {"synonym_replace", "random_insert",
                                                           "random_swap", "random_delete"}
    assert any(row[0] != source[0][0] for row in rows[1:3])
    assert verify(out) == []


def test_json_lines_values_come_back_exactly_as_parsed(tmp_path):
    lines = [
        '{"id": 9007199254740993, "text": "The cat sat on the mat today", "label": null, "x": [1, {"a": 2}]}',
        '{"text": "A dog ran across the big field", "id": 2, "label": 3, "x": "str"}',
        '{"label": 1.5, "text": "Birds sing 😀 早上好 in the morning", "x": null}',
    ]
    src = tmp_path / "data.ndjson"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert expand(src, out, include_originals=True).exit_code == 0
    written = [json.loads(line) for line in (out / "data.ndjson").read_text(encoding="utf-8").splitlines()]
    assert len(written) == 9
    for number, line in enumerate(lines, 1):
        original = json.loads(line)
        copy0 = written[3 * (number - 1)]
        assert list(copy0) == [*original, *PROVENANCE]  # key order kept, provenance last
        assert copy0 == {**original, "augment_source_row": number, "augment_copy": 0,
                         "augment_transforms": "[]"}
    assert written[0]["id"] == 2**53 + 1 and type(written[4]["label"]) is int
    assert written[1]["label"] is None and written[1]["x"] == [1, {"a": 2}]


def test_output_is_identical_for_any_workers_and_chunk_size(tmp_path):
    rows = [(f"Sentence number {i} talks about a happy little dog", str(i)) for i in range(23)]
    src = write_csv(tmp_path / "src" / "train.csv", rows)
    outs = []
    for workers, chunk_rows in ((1, 1000), (2, 4), (1, 1), (2, 7)):
        out = tmp_path / f"out-{workers}-{chunk_rows}"
        assert expand(src, out, workers=workers, chunk_rows=chunk_rows, force_workers=True).exit_code == 0
        outs.append(tree_bytes(out))
    assert all(tree == outs[0] for tree in outs[1:])


def test_an_interrupted_run_resumes_from_its_finished_chunks(tmp_path, monkeypatch):
    rows = [(f"Row {i} says the weather is very nice today", str(i)) for i in range(10)]
    src = write_csv(tmp_path / "src" / "train.csv", rows)
    clean, out = tmp_path / "clean", tmp_path / "out"
    expand(src, clean, chunk_rows=3)
    real, calls = table_worker.process_chunk, []

    def stop_at_third(job):
        calls.append(job.first)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(table_worker, "process_chunk", stop_at_third)
    with pytest.raises(Interrupted, match="interrupted after 2 finished chunks"):
        expand(src, out, chunk_rows=3)
    assert not (out / "train.csv").exists()  # no half table: it is written whole at the end
    calls.clear()
    summary = expand(src, out, chunk_rows=3)
    assert calls == [7, 10] and summary.files_read == 10  # rows 1-6 were done before
    assert tree_bytes(out) == tree_bytes(clean) and verify(out) == []
    calls.clear()
    again = expand(src, out, chunk_rows=3)
    assert calls == [] and again.unchanged == 1 and tree_bytes(out) == tree_bytes(clean)


def test_bad_rows_are_reported_with_file_and_line_and_the_rest_goes_on(tmp_path, run_cli):
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.csv").write_text('text,label\nA good first row of text,1\nonly one field\n'
                                   '"a cell\nover two lines, fine",0\n,1\ntoo,many,fields\n')
    (src / "more.jsonl").write_text('{"text": "A valid line here", "label": 1}\n{not json}\n'
                                    '{"label": 2}\n{"text": null}\n[1, 2]\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("expand", src, "-r", EDA, "--copies", 1, "--out", out, "--workers", 1)
    assert result.exit_code == 1
    errors = read_csv(out / "errors.csv")
    assert [row[0] for row in errors[1:]] == ["more.jsonl:2", "more.jsonl:3", "more.jsonl:4",
                                              "more.jsonl:5", "train.csv:3", "train.csv:6", "train.csv:7"]
    reasons = {row[0]: row[3] for row in errors[1:]}
    assert reasons["train.csv:3"] == "expected 2 fields, found 1"
    assert reasons["train.csv:6"] == "the text in 'text' is empty"
    assert reasons["more.jsonl:3"] == "no key 'text'"
    assert reasons["more.jsonl:4"] == "the text in 'text' is null"
    assert reasons["more.jsonl:2"].startswith("not valid JSON")
    assert "Error: train.csv:3: expected 2 fields, found 1" in result.stderr
    assert len(read_csv(out / "train.csv")) == 1 + 2  # header + the two good rows' copies
    assert len((out / "more.jsonl").read_text().splitlines()) == 1


@pytest.mark.parametrize(("content", "name", "found"), [
    ("sentence,label\nhi there,1\n", "train.csv", "columns found: sentence, label"),
    ('{"sentence": "hi", "label": 1}\n', "train.jsonl", "columns found: sentence, label")])
def test_a_missing_text_column_is_exit_2_before_any_output(tmp_path, run_cli, content, name, found):
    (tmp_path / name).write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("expand", tmp_path / name, "-r", EDA, "--out", out)
    assert result.exit_code == 2 and "no column 'text' (--text-column)" in result.stderr
    assert found in result.stderr and not out.exists()
    named = run_cli("expand", tmp_path / name, "-r", EDA, "--out", out, "--text-column", "sentence",
                    "--label-column", "labels", "--workers", 1)
    assert named.exit_code == 2 and "no column 'labels' (--label-column)" in named.stderr
    ok = run_cli("expand", tmp_path / name, "-r", EDA, "--out", out, "--text-column", "sentence",
                 "--workers", 1, "--copies", 1)
    assert ok.exit_code == 0 and "Read 1 rows, wrote 1 copies" in ok.stderr


def test_sentence_pairs_transform_both_columns_with_one_copys_stream(tmp_path):
    src = tmp_path / "pairs.csv"
    src.write_text("premise,hypothesis,label\nThe tall man walks his small dog in the park,"
                   "A man is outside with an animal in the park,entailment\n", encoding="utf-8")
    out = tmp_path / "out"
    assert expand(src, out, copies=4, text_columns=("premise", "hypothesis")).exit_code == 0
    header, *rows = read_csv(out / "pairs.csv")
    assert header == ["premise", "hypothesis", "label", *PROVENANCE] and len(rows) == 4
    for row in rows:
        applied = json.loads(row[5])
        assert [entry["column"] for entry in applied] == ["premise", "hypothesis"]
        # one stream per copy: both sentences get the same operation
        assert applied[0]["applied"][0]["transform"] == applied[1]["applied"][0]["transform"]
        assert row[2] == "entailment"


def test_held_out_splits_are_copied_unchanged_unless_split_names_them(tmp_path, run_cli):
    src = tmp_path / "src"
    write_csv(src / "train.csv", HOSTILE[:2])
    write_csv(src / "test.csv", HOSTILE[2:4])
    write_csv(src / "sst2_validation.csv", HOSTILE[4:5])
    out = tmp_path / "out"
    result = run_cli("expand", src, "-r", EDA, "--copies", 1, "--out", out, "--workers", 1)
    assert result.exit_code == 0
    assert "test.csv: a held-out split (its name says test/val/dev), copied unchanged" in result.stderr
    assert (out / "test.csv").read_bytes() == (src / "test.csv").read_bytes()
    assert (out / "sst2_validation.csv").read_bytes() == (src / "sst2_validation.csv").read_bytes()
    assert len(read_csv(out / "train.csv")) == 3 and verify(out) == []
    other = tmp_path / "other"
    chosen = run_cli("expand", src, "-r", EDA, "--copies", 1, "--out", other, "--workers", 1,
                     "--split", "test")
    assert chosen.exit_code == 0 and "train.csv: not the split --split test names" in chosen.stderr
    assert (other / "train.csv").read_bytes() == (src / "train.csv").read_bytes()
    assert read_csv(other / "test.csv")[0][-1] == "augment_transforms"
    with pytest.raises(UsageError, match="--split 'nope' names none of the tables"):
        expand(src, tmp_path / "third", split="nope")


def test_verify_finds_an_edited_or_stray_table(tmp_path):
    src = write_csv(tmp_path / "train.csv", HOSTILE[:2])
    out = tmp_path / "out"
    expand(src, out)
    (out / "train.csv").write_bytes((out / "train.csv").read_bytes() + b"x,y,z,1,1,[]\n")
    (out / "extra.csv").write_text("a\n")
    assert verify(out) == ["train.csv: content differs from the recorded SHA-256",
                           "extra.csv: stray file (not a table this run wrote)"]
    again = expand(src, out)  # a re-run repairs the edited table
    assert again.added == 1 and verify(out) == ["extra.csv: stray file (not a table this run wrote)"]


def test_options_for_files_are_refused_for_tables(tmp_path, write_recipe):
    src = write_csv(tmp_path / "train.csv", HOSTILE[:1])
    with pytest.raises(UsageError, match="--balance and --max-copies are for files"):
        expand(src, tmp_path / "out", balance=True)
    image_only = write_recipe('[[image]]\ntransform = "hflip"\n')
    with pytest.raises(UsageError, match="has no \\[\\[text\\]\\] steps"):
        api.expand(source=src, recipe=image_only, out=tmp_path / "out", copies=1)
    assert not (tmp_path / "out").exists()


def test_dry_run_counts_rows_and_writes_nothing(tmp_path, run_cli):
    src = tmp_path / "src"
    write_csv(src / "train.csv", HOSTILE)
    write_csv(src / "dev.csv", HOSTILE[:1])
    out = tmp_path / "out"
    result = run_cli("expand", src, "-r", EDA, "--copies", 3, "--out", out, "--dry-run")
    assert result.exit_code == 0 and not out.exists()
    assert result.stdout.splitlines()[1:] == [
        "  dev.csv: a held-out split (its name says test/val/dev), copied unchanged",
        "  train.csv: 6 rows -> 18 rows (3 copies of each; text: text)"]


def test_a_changed_table_is_redone_and_a_removed_one_removed(tmp_path):
    src = tmp_path / "src"
    write_csv(src / "train.csv", HOSTILE[:2])
    write_csv(src / "extra.csv", HOSTILE[2:3])
    out = tmp_path / "out"
    assert expand(src, out).added == 2
    write_csv(src / "train.csv", HOSTILE[:3])
    (src / "extra.csv").unlink()
    again = expand(src, out, chunk_rows=1)
    assert (again.added, again.removed, again.unchanged) == (1, 1, 0)
    assert not (out / "extra.csv").exists() and len(read_csv(out / "train.csv")) == 1 + 3 * 2
    assert verify(out) == [] and not (out / ".augment-parts").exists()


def test_a_text_cell_keeps_its_line_endings_and_bom_in_every_copy(tmp_path):
    src = tmp_path / "t.jsonl"
    cells = ["First line of a review\r\nsecond line of the same review",
             "\ufeffA cell that starts with a BOM"]
    src.write_text("".join(json.dumps({"text": cell}) + "\n" for cell in cells), encoding="utf-8")
    out = tmp_path / "out"
    assert expand(src, out, copies=3).exit_code == 0
    written = [json.loads(line)["text"] for line in (out / "t.jsonl").read_text().splitlines()]
    assert all("\r\n" in text and "\n" not in text.replace("\r\n", "") for text in written[:3])
    assert all(text.startswith("\ufeff") for text in written[3:])


def test_a_rows_copy_is_the_one_the_online_augmenter_gives_for_its_key(tmp_path):
    from augment_cli import Augmenter

    src = write_csv(tmp_path / "train.csv", HOSTILE[:1])
    out = tmp_path / "out"
    expand(src, out, copies=3, seed=7)
    rows = read_csv(out / "train.csv")[1:]
    augmenter = Augmenter(EDA)
    for copy, row in enumerate(rows, 1):
        online = augmenter.text(HOSTILE[0][0], seed=7, source="train.csv\n1", copy=copy)
        assert row[0] == online.data and json.loads(row[5]) == online.params


@pytest.mark.slow
@pytest.mark.parametrize(("stop", "code"), [(signal.SIGINT, 130), (signal.SIGKILL, -9)],
                         ids=["sigint", "sigkill"])
def test_a_signalled_pool_run_resumes_to_the_same_table(tmp_path, stop, code):
    rows = [(f"Row {i} tells a long and happy story about a small brown dog in the park", str(i))
            for i in range(3000)]
    src = write_csv(tmp_path / "src" / "train.csv", rows)
    clean = tmp_path / "clean"
    expand(src, clean, copies=3, chunk_rows=100)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "augment_cli", "expand", str(src), "--recipe", str(EDA), "--copies", "3",
               "--out", str(out), "--workers", "2", "--chunk-rows", "100"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while _finished_chunks(out) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, stop) if stop == signal.SIGKILL else process.send_signal(stop)
    assert process.wait(timeout=60) == code
    _wait_for_group_gone(process.pid)  # its workers hold DIR's lock until they are gone
    assert not (out / "train.csv").exists() and _finished_chunks(out) < 30
    summary = expand(src, out, copies=3, chunk_rows=100, workers=2, force_workers=True)
    assert summary.files_read == 3000 and tree_bytes(out) == tree_bytes(clean) and verify(out) == []


def _wait_for_group_gone(group: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def _finished_chunks(out: Path) -> int:
    try:
        with sqlite3.connect(f"file:{out / '.augment-index.sqlite'}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM table_chunks").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet


def test_a_damaged_run_index_means_the_table_is_redone(tmp_path):
    src = write_csv(tmp_path / "train.csv", HOSTILE[:2])
    clean, out = tmp_path / "clean", tmp_path / "out"
    expand(src, clean)
    expand(src, out)
    (out / ".augment-index.sqlite").write_bytes(b"not a database" * 100)
    again = expand(src, out)
    assert again.added == 1 and tree_bytes(out) == tree_bytes(clean) and verify(out) == []


def test_a_csv_in_the_recipes_text_encoding_is_read_and_written_in_it(tmp_path, write_recipe):
    recipe = write_recipe(EDA.read_text() + '\n[output]\ntext_encoding = "cp1252"\n')
    src = tmp_path / "train.csv"
    src.write_bytes("text,label\nCafé crème is a very nice drink,1\n".encode("cp1252"))
    out = tmp_path / "out"
    summary = api.expand(source=src, recipe=recipe, out=out, copies=1, workers=1, include_originals=True)
    assert summary.exit_code == 0
    rows = list(csv.reader(io.StringIO((out / "train.csv").read_bytes().decode("cp1252"))))
    assert rows[1][:2] == ["Café crème is a very nice drink", "1"]


def test_a_table_source_that_is_neither_file_nor_folder_is_named_so(tmp_path, run_cli):
    # One check of a table SRC (layouts.table.check_source): a FIFO exists, so
    # "source not found" (the folder lister's own check, before) was wrong.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run_cli("expand", fifo, "-r", EDA, "--format", "table", "--out", tmp_path / "out")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert result.stderr == f"Error: the source {fifo} is neither a table file nor a folder of tables\n"
    missing = run_cli("expand", tmp_path / "nope", "-r", EDA, "--format", "table", "--out", tmp_path / "out")
    assert missing.exit_code == 2 and missing.stderr == f"Error: source not found: {tmp_path / 'nope'}\n"
