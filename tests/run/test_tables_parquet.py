"""Parquet tables (the optional `parquet` extra): types kept, schema extended
by the provenance columns, chunk-independent output, and a clear refusal
without pyarrow."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from augment_cli import api
from augment_cli.layouts import table_parquet
from conftest import tree_bytes

EDA = Path(__file__).parents[2] / "recipes" / "eda.toml"
ROWS = [
    {"text": "The movie was good, really \"good\"", "label": 1, "score": 2**53 + 1, "tags": ["a", "b"]},
    {"text": "A quiet film\nwith two lines 😀 猫", "label": None, "score": -3, "tags": []},
    {"text": "=SUM(A1) is not a formula here, just text", "label": 0, "score": None, "tags": None},
]


def write_table(path: Path) -> Path:
    schema = pa.schema([("text", pa.string()), ("label", pa.int8()), ("score", pa.int64()),
                        ("tags", pa.list_(pa.string()))])
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(ROWS, schema=schema), path)
    return path


def test_parquet_rows_keep_their_types_and_gain_provenance(tmp_path):
    src = write_table(tmp_path / "src" / "train.parquet")
    out = tmp_path / "out"
    summary = api.expand(source=src, recipe=EDA, out=out, copies=2, workers=1, include_originals=True)
    assert summary.exit_code == 0 and summary.files_read == 3 and summary.copies_written == 6
    table = pq.read_table(out / "train.parquet")
    source_schema = pq.read_schema(src)
    assert table.schema.names == [*source_schema.names, "augment_source_row", "augment_copy",
                                  "augment_transforms"]
    assert [table.schema.field(name).type for name in source_schema.names] == list(source_schema.types)
    rows = table.to_pylist()
    for number, original in enumerate(ROWS, 1):
        made = rows[3 * (number - 1): 3 * number]
        assert made[0] == {**original, "augment_source_row": number, "augment_copy": 0,
                           "augment_transforms": "[]"}
        for row in made[1:]:
            assert {k: row[k] for k in ("label", "score", "tags")} == {k: original[k] for k in
                                                                        ("label", "score", "tags")}


def test_parquet_output_is_the_same_for_any_chunk_size_and_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(table_parquet, "GROUP_ROWS", 4)  # row groups that cut across the chunks
    src = write_table(tmp_path / "src" / "train.parquet")
    one, two = tmp_path / "one", tmp_path / "two"
    api.expand(source=src, recipe=EDA, out=one, copies=3, workers=1)
    api.expand(source=src, recipe=EDA, out=two, copies=3, workers=2, chunk_rows=1, force_workers=True)
    assert pq.read_table(one / "train.parquet").equals(pq.read_table(two / "train.parquet"))
    assert tree_bytes(one) == tree_bytes(two)
    assert pq.ParquetFile(one / "train.parquet").metadata.num_row_groups == 3


def test_without_pyarrow_a_parquet_table_is_exit_2_with_the_extra_to_install(tmp_path, monkeypatch, run_cli):
    src = write_table(tmp_path / "train.parquet")
    for name in [name for name in sys.modules if name == "pyarrow" or name.startswith("pyarrow.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    result = run_cli("expand", src, "-r", EDA, "--out", tmp_path / "out", "--workers", 1)
    assert result.exit_code == 2
    assert "Error: Parquet tables need pyarrow, which is not installed" in result.stderr
    assert 'pip install "augment-cli[parquet]"' in result.stderr and not (tmp_path / "out").exists()
