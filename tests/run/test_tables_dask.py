"""Tables through `--executor dask`: a table's chunks run on a Dask cluster
(a LocalCluster of the run's own, or a user's scheduler) and the table in
DIR is byte-identical to the local pool's."""

from __future__ import annotations

import pytest
from test_tables import HOSTILE, expand, write_csv

from augment_cli.run.engines import Engine
from conftest import tree_bytes

pytest.importorskip("distributed", reason="the dask extra (distributed) is not installed")

from dask_helpers import real_cluster  # noqa: E402

ROWS = [*HOSTILE, *((f"Sentence {i} says a small dog ran in the park", str(i)) for i in range(20))]


@pytest.mark.slow
def test_table_chunks_on_a_local_dask_cluster_match_the_local_pool(tmp_path):
    src = write_csv(tmp_path / "src" / "train.csv", ROWS)
    assert expand(src, tmp_path / "pool", copies=3, chunk_rows=4).exit_code == 0
    summary = expand(src, tmp_path / "dask", copies=3, chunk_rows=4, workers=2, force_workers=True,
                     engine=Engine("dask"))
    assert summary.exit_code == 0 and summary.files_read == len(ROWS)
    assert sum(summary.cluster.values()) == 7  # every chunk ran on a Dask worker
    assert tree_bytes(tmp_path / "dask") == tree_bytes(tmp_path / "pool")


@pytest.mark.slow
def test_table_chunks_on_a_users_scheduler_match_the_local_pool(tmp_path):
    src = write_csv(tmp_path / "src" / "train.tsv", ROWS, delimiter="\t")
    assert expand(src, tmp_path / "pool", copies=2, chunk_rows=5).exit_code == 0
    with real_cluster(workers=2) as cluster:
        summary = expand(src, tmp_path / "dask", copies=2, chunk_rows=5,
                         engine=Engine(scheduler=cluster.address))
        assert cluster.alive()  # a user's cluster is left running
        # its workers ran the chunks, not a LocalCluster of the run's own
        assert {address for address, _ in summary.cluster} <= cluster.worker_addresses()
    assert sum(summary.cluster.values()) == 6
    assert tree_bytes(tmp_path / "dask") == tree_bytes(tmp_path / "pool")

