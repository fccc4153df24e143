"""Table datasets with SRC and DIR in the bucket (moto server): the tables a run on disk writes,
re-runs that fetch and send only what changed, resume, verify, and the plan."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from augment_cli import api
from augment_cli.errors import Interrupted, UsageError
from augment_cli.run import table_worker
from storage_helpers import local_files, outputs, verify_after_damage

EDA = Path(__file__).parents[2] / "recipes" / "eda.toml"
ROWS = [f"Row {i} says the weather is very nice today, and the film was good" for i in range(10)]


def _tables(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "train.csv").write_text("text,label\n" + "".join(f"\"{row}\",{i % 2}\n" for i, row in
                                                            enumerate(ROWS)) + "\"bad,1\n", encoding="utf-8")
    (root / "train_b.jsonl").write_text("".join(json.dumps({"text": row, "label": i}) + "\n"
                                                for i, row in enumerate(ROWS[:4])), encoding="utf-8")
    (root / "test.csv").write_text("text,label\nheld out,0\n", encoding="utf-8")
    return root


def _expand(src, out, **options):
    return api.expand(source=src, recipe=EDA, out=out, **{"copies": 2, "workers": 1, "chunk_rows": 3,
                                                          **options})


def test_a_folder_of_tables_bucket_to_bucket_matches_disk_byte_for_byte(s3, tmp_path):
    src = _tables(tmp_path / "src")
    local = _expand(src, tmp_path / "local")
    remote = _expand(s3.upload(src, "raw"), s3.url("aug"))
    assert remote.layout == "table" and remote.copies_written == local.copies_written == 28
    written = s3.objects("aug")
    assert outputs(written) == outputs(local_files(tmp_path / "local"))
    assert set(outputs(written)) == {"train.csv", "train_b.jsonl", "test.csv", "errors.csv"}
    assert ".augment-lock" not in written and not any(".augment-parts" in name for name in written)
    state = json.loads(written[".augment-run.json"])
    assert state["src"] == s3.url("raw") and state["layout"] == "table"


def test_one_table_object_into_a_local_dir_and_a_local_table_into_the_bucket(s3, tmp_path):
    src = _tables(tmp_path / "src")
    _expand(src / "train.csv", tmp_path / "local")
    url = s3.upload(src, "raw") + "/train.csv"
    _expand(url, tmp_path / "from-bucket")
    _expand(src / "train.csv", s3.url("from-disk"))
    expected = outputs(local_files(tmp_path / "local"))
    assert outputs(local_files(tmp_path / "from-bucket")) == expected
    assert outputs(s3.objects("from-disk")) == expected
    state = json.loads((tmp_path / "from-bucket" / ".augment-run.json").read_text())
    assert state["src"] == url  # the URL, not this machine's copy


def test_a_re_run_from_another_machine_sends_nothing_and_a_changed_table_is_redone(s3, tmp_path,
                                                                                  monkeypatch):
    from augment_cli.storage import tables

    src, out = s3.upload(_tables(tmp_path / "src"), "raw"), s3.url("aug")
    _expand(src, out)
    sent: list[str] = []
    real = tables._Tables._put
    def counted(self, name, local, sha):
        sent.append(name)
        real(self, name, local, sha)

    monkeypatch.setattr(tables._Tables, "_put", counted)
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "second-machine"))
    again = _expand(src, out)
    assert again.unchanged == 3 and again.copies_written == 0 and sent == []
    edited = json.dumps({"text": ROWS[5], "label": 1}) + "\n"
    s3.fs.pipe_file(f"{s3.name}/raw/train_b.jsonl", edited.encode())
    changed = _expand(src, out)
    assert (changed.unchanged, changed.regenerated + changed.added) == (2, 1) and sent == ["train_b.jsonl"]
    s3.fs.rm_file(f"{s3.name}/raw/test.csv")
    gone = _expand(src, out)
    assert gone.removed == 1 and "test.csv" not in s3.objects("aug")
    local = tmp_path / "local-src"
    s3.fs.get(f"{s3.name}/raw/", str(local) + "/", recursive=True)
    _expand(local, tmp_path / "clean")
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "clean"))


def test_an_interrupted_table_run_resumes_its_finished_chunks(s3, tmp_path, monkeypatch):
    src = _tables(tmp_path / "src")
    url, out = s3.upload(src, "raw"), s3.url("aug")
    real, calls = table_worker.process_chunk, []
    monkeypatch.setattr(table_worker, "process_chunk", partial(_counted, real, calls, 3))
    with pytest.raises(Interrupted, match="interrupted after 2 finished chunks"):
        _expand(url, out)
    assert ".augment-lock" not in s3.objects("aug")
    calls.clear()
    monkeypatch.setattr(table_worker, "process_chunk", partial(_counted, real, calls, 0))
    _expand(url, out)
    assert len(calls) == 4  # of 6 chunks: the 2 finished ones are kept (this machine has their parts)
    _expand(src, tmp_path / "local")
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def _counted(real, calls: list[int], stop_at: int, job):
    """table_worker.process_chunk, noting each chunk; Ctrl-C at the `stop_at`-th (0: never)."""
    calls.append(job.first)
    if len(calls) == stop_at:
        raise KeyboardInterrupt
    return real(job)


def test_verify_a_table_run_in_the_bucket(s3, tmp_path, run_cli):
    out = s3.url("aug")
    _expand(s3.upload(_tables(tmp_path / "src"), "raw"), out)
    found = verify_after_damage(s3, run_cli, "aug", "train.csv", "extra.csv")
    assert "train.csv: content differs from the recorded SHA-256" in found
    assert "extra.csv: stray object (not a table this run wrote)" in found


def test_the_dry_run_plan_of_a_bucket_table_names_its_urls(s3, tmp_path, run_cli):
    src = s3.upload(_tables(tmp_path / "src"), "raw")
    result = run_cli("expand", src, "--recipe", EDA, "--out", s3.url("aug"), "--dry-run", "--copies", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Plan for {src} -> {s3.url('aug')} (nothing written)"
    assert "  train.csv: 11 rows -> 20 rows" in result.stdout
    split = run_cli("expand", src, "--recipe", EDA, "--out", s3.url("aug"), "--dry-run", "--split", "test")
    assert split.exit_code == 0, split.output
    assert "  train.csv: not the split --split test names, copied unchanged" in split.stdout
    assert s3.objects("aug") == {}


def test_table_errors_name_the_object(s3, tmp_path):
    root = tmp_path / "src"
    root.mkdir()
    (root / "train.csv").write_text("review,label\nfine,1\n", encoding="utf-8")
    src = s3.upload(root, "raw")
    with pytest.raises(UsageError) as caught:
        _expand(src, s3.url("aug"))
    assert str(caught.value).startswith(f"{src}/train.csv: no column 'text' (--text-column)")
    assert s3.objects("aug") == {}


def _index_records(blob: bytes, folder: Path) -> list[str]:
    """Every row of an index, as SQL, sorted."""
    import contextlib
    import sqlite3

    path = folder / "index-copy.sqlite"
    path.write_bytes(blob)
    with contextlib.closing(sqlite3.connect(path)) as db:
        records = sorted(db.iterdump())
    path.unlink()
    return records


@pytest.mark.slow
def test_dask_workers_run_a_bucket_table_run_and_it_matches_the_pool_byte_for_byte(s3, tmp_path,
                                                                                   monkeypatch):
    import os

    from augment_cli.run import table_run
    from augment_cli.run.engines import Engine

    moved: list[str] = []  # parts the driver took from the bucket (the workers put them there)
    bring = table_run._bring_part
    monkeypatch.setattr(table_run, "_bring_part", lambda remote, out, part: (moved.append(part),
                                                                             bring(remote, out, part))[1])

    src = s3.upload(_tables(tmp_path / "src"), "raw")
    _expand(src, s3.url("pool"), workers=2)
    _expand(tmp_path / "src", tmp_path / "local")
    # The workers get the endpoint and keys in the jobs (a user's cluster has not this environment).
    options = [f"endpoint_url={s3.endpoint}", "key=testing", "secret=testing"]
    summary = _expand(src, s3.url("aug"), workers=2, engine=Engine("dask"), storage_options=options)
    pids = {pid for (_, pid) in summary.cluster}
    assert pids and os.getpid() not in pids, "the chunks ran in Dask worker processes"
    assert sum(summary.cluster.values()) == 6  # 3 rows a chunk: train.csv 11 rows in 4, train_b.jsonl 2
    assert len(moved) == 6 and all(part.startswith(".augment-parts/") for part in moved)
    pool, dask = s3.objects("pool"), s3.objects("aug")
    # Tables, errors.csv and run record alike byte for byte (the record names SRC); the index holds
    # the same records (its pages depend on the order chunks finished in, with the pool's 2 workers too;
    # a local SRC's index keys hold the files' mtimes, not the objects').
    index = ".augment-index.sqlite"
    assert {**dask, index: b""} == {**pool, index: b""}
    assert _index_records(dask[index], tmp_path) == _index_records(pool[index], tmp_path)
    assert outputs(dask) == outputs(local_files(tmp_path / "local"))
    assert not any(".augment-parts" in name for name in dask)  # moved in by the driver as recorded
    s3.fs.pipe_file(f"{s3.name}/aug/.augment-parts/train.csv/left-by-a-killed-run.csv", b"stale")
    again = _expand(src, s3.url("aug"), workers=2, engine=Engine("dask"), storage_options=options)
    assert again.unchanged == 3 and set(s3.objects("aug")) == set(pool)  # what workers left is removed
    into_disk = _expand(src, tmp_path / "from-bucket", workers=2, engine=Engine("dask"),
                        storage_options=options)
    assert into_disk.cluster and os.getpid() not in {pid for (_, pid) in into_disk.cluster}
    assert outputs(local_files(tmp_path / "from-bucket")) == outputs(local_files(tmp_path / "local"))


def test_a_table_run_renews_its_lease_from_a_thread_and_stops_when_it_is_lost(monkeypatch):
    import time
    from types import SimpleNamespace

    from augment_cli.errors import OutputError
    from augment_cli.storage import lease, tables

    monkeypatch.setattr(lease, "LEASE_SECONDS", 0.08)  # renewed every 0.02 s
    renewed: list[float] = []
    held = SimpleNamespace(lease=SimpleNamespace(renew=lambda: renewed.append(time.monotonic())))
    with tables._renewed(held):  # type: ignore[arg-type]
        time.sleep(0.2)
    assert len(renewed) >= 3

    def taken() -> None:
        raise OutputError("lost the lock of s3://b/aug to another run")

    lost = SimpleNamespace(lease=SimpleNamespace(renew=taken))
    with pytest.raises(OutputError, match="lost the lock"), tables._renewed(lost):  # type: ignore[arg-type]
        time.sleep(0.1)


def test_stats_of_one_table_object_reads_its_rows(s3, tmp_path, run_cli):
    url = s3.upload(_tables(tmp_path / "src"), "raw") + "/train.csv"
    result = run_cli("stats", url, "--json", "--quiet")
    assert result.exit_code == 0, result.output
    assert f'"source": "{url}"' in result.stdout and '"unit": "rows"' in result.stdout
