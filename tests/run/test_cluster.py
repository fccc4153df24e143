"""--executor dask: the same bytes on a Dask cluster, and clear refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager

import pytest

from augment_cli import api
from augment_cli import run as run_package
from augment_cli.errors import Interrupted, UsageError
from augment_cli.outdir.verify import verify
from augment_cli.run.engines import Engine
from conftest import save, textured, tree_bytes

pytest.importorskip("distributed", reason="the dask extra (distributed) is not installed")

from augment_cli.run import cluster as cluster_module  # noqa: E402  (needs distributed)

MIXUP = ('[[image]]\ntransform = "mixup"\nlam = [0.2, 0.5]\n\n'
         '[[image]]\ntransform = "rotate"\nangle_deg = 10\n')


@pytest.fixture
def tree(tmp_path):
    """16 small images over two labels: enough single-file batches for two workers."""
    src = tmp_path / "src"
    for n in range(16):
        save(src / ("cat" if n % 2 else "dog") / f"{n:02d}.png", textured(seed=n))
    return src


def _run(src, recipe, out, workers, engine=None, **options):
    return api.expand(source=src, recipe=recipe, out=out, copies=2, workers=workers, force_workers=True,
                      engine=engine, **options)


@pytest.mark.slow
@pytest.mark.parametrize("where", ["local-1", "local-2", "dask-local-2"])
def test_every_executor_writes_the_same_tree_and_manifest(tree, write_recipe, tmp_path, where):
    recipe = write_recipe()
    expected = _run(tree, recipe, tmp_path / "reference", 1)
    engine = Engine("dask", batch_size=1) if where.startswith("dask") else None
    summary = _run(tree, recipe, tmp_path / where, int(where[-1]), engine)
    assert summary.exit_code == 0 and summary.files_read == expected.files_read == 16
    assert tree_bytes(tmp_path / where) == tree_bytes(tmp_path / "reference")
    if engine is not None:  # both worker processes, not this one, did work
        pids = {pid for _, pid in summary.cluster}
        assert len(pids) == 2 and os.getpid() not in pids
        assert sum(summary.cluster.values()) == 16


@pytest.mark.slow
def test_a_mixing_recipe_on_a_cluster_writes_the_local_bytes(tree, write_recipe, tmp_path):
    """The label lists reach the workers through the plugin (jobs carry only
    their key): without them every file would fail."""
    recipe = write_recipe(MIXUP)
    _run(tree, recipe, tmp_path / "local", 1)
    summary = _run(tree, recipe, tmp_path / "dask", 2, Engine("dask", batch_size=2))
    assert summary.exit_code == 0, summary.failed
    assert tree_bytes(tmp_path / "dask") == tree_bytes(tmp_path / "local")


@pytest.mark.slow
def test_ctrl_c_on_a_cluster_leaves_dir_resumable(tree, write_recipe, tmp_path):
    recipe, out = write_recipe(), tmp_path / "o"

    def interrupt(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted):
        _run(tree, recipe, out, 2, Engine("dask", batch_size=1), on_progress=interrupt)
    assert verify(out) == []  # the manifest matches what is on disk
    again = _run(tree, recipe, out, 2, Engine("dask", batch_size=1))
    _run(tree, recipe, tmp_path / "reference", 1)
    assert again.unchanged >= 3 and again.unchanged + again.added == 16
    assert tree_bytes(out) == tree_bytes(tmp_path / "reference")


def test_an_unreachable_scheduler_is_named_and_given_up_on(image_tree, write_recipe, run_cli, tmp_path):
    from dask_helpers import free_port

    address = f"tcp://127.0.0.1:{free_port()}"
    result = run_cli("expand", image_tree, "-r", write_recipe(), "--out", tmp_path / "o",
                     "--scheduler", address, "--scheduler-timeout", "1")
    assert result.exit_code == 2
    assert f"Error: cannot reach the Dask scheduler at {address} within 1 s" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


def test_without_distributed_the_extra_is_named(image_tree, write_recipe, run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    monkeypatch.delitem(sys.modules, "augment_cli.run.cluster")
    monkeypatch.delattr(run_package, "cluster")  # else `from augment_cli.run import cluster` finds it
    result = run_cli("expand", image_tree, "-r", write_recipe(), "--out", tmp_path / "o",
                     "--executor", "dask")
    assert result.exit_code == 2
    assert "--executor dask needs Dask's distributed package" in result.stderr
    assert "pip install 'augment-cli[dask]'" in result.stderr and not (tmp_path / "o").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--executor", "spark"], "--executor 'spark' is not one of: local, dask"),
    (["--executor", "local", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --executor dask"),
    (["--executor", "dask", "--scheduler-timeout", "0"], "--scheduler-timeout must be more than 0"),
])
def test_bad_executor_options_are_usage_errors(image_tree, write_recipe, run_cli, tmp_path, args, message):
    result = run_cli("expand", image_tree, "-r", write_recipe(), "--out", tmp_path / "o", *args)
    assert result.exit_code == 2 and message in result.stderr and not (tmp_path / "o").exists()


class _FakeClient:
    """A client whose one worker answers the up-front probe with `facts`."""

    def __init__(self, **facts):
        self.facts = {**cluster_module.versions(), "pid": 1, "problem": None, **facts}

    def run(self, function, *args):
        return {"tcp://10.1.2.3:4567": self.facts}

    def close(self):
        pass


@contextmanager
def _connected_to(client):
    yield cluster_module.Cluster(client, None, "tcp://10.1.2.3:8786")


@pytest.mark.parametrize(("facts", "message"), [
    ({"problem": "cannot see the source folder /data/src"},
     "Dask worker tcp://10.1.2.3:4567 cannot see the source folder /data/src"),
    ({"augment": "0.0.1"}, "Dask worker tcp://10.1.2.3:4567 runs augment 0.0.1, this process augment "),
    ({"distributed": "2020.1.0"}, "runs distributed 2020.1.0, this process distributed "),
])
def test_a_worker_that_cannot_do_the_run_is_refused_before_any_output(image_tree, write_recipe, tmp_path,
                                                                      monkeypatch, facts, message):
    monkeypatch.setattr(cluster_module, "connected", lambda *args: _connected_to(_FakeClient(**facts)))
    with pytest.raises(UsageError, match="Dask worker") as refused:
        api.expand(source=image_tree, recipe=write_recipe(), out=tmp_path / "o", copies=1,
                   engine=Engine("dask", "tcp://10.1.2.3:8786"))
    assert message in str(refused.value) and refused.value.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_the_probe_reports_what_a_worker_cannot_see_or_write(image_tree, tmp_path):
    (tmp_path / "file").write_text("not a folder")
    assert cluster_module.probe(str(tmp_path / "nowhere"), str(tmp_path))["problem"] == (
        f"cannot see the source folder {tmp_path / 'nowhere'}")
    problem = cluster_module.probe(str(image_tree), str(tmp_path / "file"))["problem"]
    assert problem.startswith(f"cannot write to the output folder {tmp_path / 'file'}")
    facts = cluster_module.probe(str(image_tree), str(tmp_path))
    assert facts["problem"] is None and facts["pid"] == os.getpid()
    assert sorted(os.listdir(tmp_path)) == ["file", "src"]  # the trial file is gone


class _RecordingClient:
    """Records what a DaskExecutor registers and submits, and runs nothing."""

    def __init__(self):
        self.plugins: list = []
        self.submitted: list = []

    def register_plugin(self, plugin, name=None):
        self.plugins.append((name, plugin))

    def scheduler_info(self):
        return {"workers": {}}

    def get_executor(self, **options):
        client = self

        class Inner:
            def submit(self, function, *args):
                client.submitted.append(args)
                from concurrent.futures import Future
                return Future()

            def shutdown(self, wait=True):
                pass

        return Inner()


def test_a_labels_file_list_goes_to_the_workers_once_not_with_every_task(write_recipe):
    import pickle

    from augment_cli.layouts.base import Sample
    from augment_cli.recipe import load_recipe
    from augment_cli.run.jobs import Job, run_batch
    from augment_cli.run.partners import label_files

    paths = tuple(f"cat/{n:05d}.png" for n in range(10_000))
    files = label_files({("cat", "image"): paths})[("cat", "image")]
    recipe = load_recipe(write_recipe(MIXUP))
    client = _RecordingClient()
    executor = cluster_module.DaskExecutor(cluster_module.Cluster(client, None, "tcp://x:1"),
                                           {files.key: paths})
    for n in range(3):
        jobs = [Job("/src", "/out", Sample(paths[n], "cat", "image"), ((1, f"o{n}.png"),), recipe, 0, files)]
        executor.submit(run_batch, jobs)
    # The lists: once, to every worker, under a name of this run's lists (files.key[0], their token).
    assert [name for name, _ in client.plugins] == [f"{cluster_module.PLUGIN_NAME}-{files.key[0]}"]
    assert client.plugins[0][1].shared == {files.key: paths}
    sizes = [len(payload) for (payload,) in client.submitted]
    assert len(sizes) == 3 and max(sizes) < len(pickle.dumps(paths)) / 20  # a task carries only the key


def test_the_event_loops_error_loggers_are_silent_during_a_run():
    # distributed's logging config gives tornado.application a level of its
    # own (ERROR): a callback's traceback cut short by Ctrl-C reached the
    # user when only the parent loggers were silenced.
    import logging

    names = ("tornado.application", "distributed.client", "distributed.worker", "asyncio")
    with cluster_module._quiet():
        assert [name for name in names if logging.getLogger(name).isEnabledFor(logging.ERROR)] == []
    assert logging.getLogger("tornado.application").isEnabledFor(logging.ERROR)  # restored after


@pytest.mark.slow
def test_a_runs_own_cluster_does_not_import_all_of_dasks_optional_packages(tree, write_recipe, tmp_path):
    # Dask's own preload list imports every optional package distributed can
    # use (pandas among them) in the driver and the worker server: seconds of
    # a short run's start (cluster.FORKSERVER_PRELOAD).
    pytest.importorskip("pandas", reason="the check needs pandas installed to show it is not imported")
    script = (
        "import sys\n"
        "from augment_cli import api\n"
        "from augment_cli.run.engines import Engine\n"
        "if __name__ == '__main__':\n"
        f"    summary = api.expand(source={str(tree)!r}, recipe={str(write_recipe())!r}, "
        f"out={str(tmp_path / 'o')!r}, copies=1, workers=2, force_workers=True, engine=Engine('dask'))\n"
        "    print(summary.exit_code, 'pandas' in sys.modules)\n")
    (tmp_path / "run.py").write_text(script)
    done = subprocess.run([sys.executable, str(tmp_path / "run.py")], capture_output=True, text=True,
                          timeout=240)
    assert done.stdout.split() == ["0", "False"], done.stderr
