"""Reading tables as they were written (layouts/table_formats.py): dialects,
quoting, encodings and the rows that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from augment_cli.errors import UsageError
from augment_cli.layouts.table import is_held_out, tables_of
from augment_cli.layouts.table_formats import (
    encode_rows,
    has_key,
    header_bytes,
    read_csv,
    read_jsonl,
    sniff_csv,
    sniff_jsonl,
)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_semicolon_file_with_every_field_quoted_is_written_back_alike(tmp_path):
    source = b'"text";"label"\r\n"a; b";"1"\r\n"say ""hi""";"2"\r\n'
    table = sniff_csv(write(tmp_path / "t.csv", source))
    assert (table.delimiter, table.quote_all, table.newline, table.columns) == (";", True, "\r\n",
                                                                               ("text", "label"))
    rows = [record.values for record in read_csv(tmp_path / "t.csv", table)]
    assert rows == [["a; b", "1"], ['say "hi"', "2"]]
    assert header_bytes(table) + encode_rows(rows, table) == source


def test_a_plain_csv_round_trips_byte_for_byte(tmp_path):
    source = 'text,label\n"a, b",1\n"two\nlines",2\n=1+1,3\n😀 猫,\n'.encode()
    table = sniff_csv(write(tmp_path / "t.csv", source))
    rows = [record.values for record in read_csv(tmp_path / "t.csv", table)]
    assert [record.line for record in read_csv(tmp_path / "t.csv", table)] == [2, 3, 5, 6]
    assert header_bytes(table) + encode_rows(rows, table) == source


def test_rows_that_cannot_be_read_name_their_line_and_the_rest_goes_on(tmp_path):
    table = sniff_csv(write(tmp_path / "t.csv", b"text,label\nok,1\nbad \xff byte,2\n\nfine,3\n"))
    records = list(read_csv(tmp_path / "t.csv", table))
    assert [(r.number, r.line, r.error) for r in records] == [
        (1, 2, None), (2, 3, "not valid utf-8 (byte 0xff)"), (3, 5, None)]
    broken = sniff_csv(write(tmp_path / "b.csv", b'text\nok\n"never closed\nmore\n'))
    *_, last = read_csv(tmp_path / "b.csv", broken)
    assert last.line == 3 and last.error.startswith("cannot be read as CSV")


def test_a_header_naming_a_column_twice_or_no_header_is_refused(tmp_path):
    with pytest.raises(UsageError, match="names a column twice"):
        sniff_csv(write(tmp_path / "d.csv", b"text,text\na,b\n"))
    with pytest.raises(UsageError, match="no header line"):
        sniff_csv(write(tmp_path / "e.csv", b"\n"))


def test_json_lines_keep_their_spacing_style_and_find_escaped_keys(tmp_path):
    path = write(tmp_path / "t.jsonl", b'{"te\\u0078t": "a", "n": 1}\n\n{"text": "b"}\n')
    table = sniff_jsonl(path)
    assert not table.compact and has_key(path, "text", table) and not has_key(path, "nope", table)
    records = list(read_jsonl(path, table))
    assert [(r.number, r.line) for r in records] == [(1, 1), (2, 3)]
    assert encode_rows([records[0].values], table) == b'{"text": "a", "n": 1}\n'


@pytest.mark.parametrize(("name", "held_out"), [
    ("train.csv", False), ("test.csv", True), ("imdb_test-00000-of-00001.parquet", True),
    ("sst2_validation.jsonl", True), ("dev.tsv", True), ("contest.csv", False), ("valid.ndjson", True)])
def test_held_out_splits_are_told_by_a_word_of_the_name(name, held_out):
    assert is_held_out(name) == held_out


def test_a_folder_lists_its_tables_in_name_order(tmp_path):
    for name in ("b.csv", "a.jsonl", "test.tsv", ".hidden.csv"):
        (tmp_path / name).write_text("text\nx\n")
    assert [(t.name, t.augment) for t in tables_of(tmp_path)] == [("a.jsonl", True), ("b.csv", True),
                                                                  ("test.tsv", False)]
    assert [(t.name, t.augment) for t in tables_of(tmp_path, "test")] == [
        ("a.jsonl", False), ("b.csv", False), ("test.tsv", True)]
