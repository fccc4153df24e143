"""Resume, incremental re-runs, the pool and Dask against a bucket (moto server)."""

from __future__ import annotations

import shutil

import pytest

from augment_cli import api
from conftest import save, textured
from storage_helpers import crossed_runs_agree, interrupted_run, local_files, outputs


def _expand(src, recipe, out, **options):
    return api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1, **options)


def test_an_interrupted_run_resumes_from_another_machine(s3, image_tree, write_recipe, tmp_path,
                                                          monkeypatch):
    recipe = write_recipe()
    clean = _expand(image_tree, recipe, tmp_path / "clean")
    src, out = s3.upload(image_tree, "raw"), s3.url("aug")

    interrupted_run(lambda **stop: _expand(src, recipe, out, **stop))
    assert ".augment-lock" not in s3.objects("aug")  # released on the way out
    # "another machine": a cache folder of its own, so only what DIR holds can be resumed from
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "second-machine"))
    again = _expand(src, recipe, out)
    assert (again.unchanged, again.added) == (2, 3)
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "clean"))
    assert clean.copies_written == 10


def test_a_re_run_touches_exactly_the_added_changed_and_deleted_objects(s3, image_tree, write_recipe,
                                                                        tmp_path):
    recipe = write_recipe()
    src, out = s3.upload(image_tree, "raw"), s3.url("aug")
    _expand(src, recipe, out)
    first = s3.objects("aug")
    s3.fs.pipe_file(f"{s3.name}/raw/cat/b.png", save(tmp_path / "b.png", textured(seed=9)).read_bytes())
    s3.fs.rm_file(f"{s3.name}/raw/dog/d.jpg")
    s3.fs.pipe_file(f"{s3.name}/raw/dog/new.png", save(tmp_path / "new.png", textured(seed=8)).read_bytes())
    again = _expand(src, recipe, out)
    assert (again.added, again.regenerated, again.removed, again.unchanged) == (1, 1, 1, 3)
    second = s3.objects("aug")
    changed = {name for name in set(first) | set(second) if first.get(name) != second.get(name)}
    touched = {name for name in changed
               if not name.startswith(".augment-") and name not in ("manifest.csv", "metadata.csv")}
    assert touched == {"cat/b__aug1.png", "cat/b__aug2.png", "dog/d__aug1.jpg", "dog/d__aug2.jpg",
                       "dog/new__aug1.png", "dog/new__aug2.png"}
    # and the result is what a clean run on the same tree on disk gives
    local = tmp_path / "local"
    shutil.rmtree(local, ignore_errors=True)
    s3.fs.get(f"{s3.name}/raw/", str(local) + "/", recursive=True)
    _expand(local, recipe, tmp_path / "clean")
    assert outputs(second) == outputs(local_files(tmp_path / "clean"))


def test_pool_workers_reach_the_bucket_with_the_options_the_jobs_carry(s3, image_tree, write_recipe,
                                                                       tmp_path, monkeypatch):
    recipe = write_recipe()
    src, out = s3.upload(image_tree, "raw"), s3.url("aug")
    monkeypatch.delenv("AWS_ENDPOINT_URL")  # the endpoint reaches the workers only through the jobs
    summary = api.expand(source=src, recipe=recipe, out=out, copies=2, workers=2, force_workers=True,
                         storage_options=[f"endpoint_url={s3.endpoint}"])
    _expand(image_tree, recipe, tmp_path / "local")
    assert summary.copies_written == 10
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def test_a_second_run_is_refused_while_the_lease_is_held(s3, image_tree, write_recipe):
    from augment_cli.errors import UsageError
    from augment_cli.storage.lease import new_lease
    from augment_cli.storage.location import remote

    src, out = s3.upload(image_tree, "raw"), s3.url("aug")
    holder = new_lease(remote(out))
    holder.acquire()
    with pytest.raises(UsageError, match="in use by another augment run"):
        _expand(src, write_recipe(), out)
    holder.release()
    assert _expand(src, write_recipe(), out).copies_written == 10


@pytest.mark.slow
def test_a_dask_cluster_reads_and_writes_the_bucket(s3, image_tree, write_recipe, tmp_path):
    from augment_cli.run.engines import Engine

    recipe = write_recipe()
    src, out = s3.upload(image_tree, "raw"), s3.url("aug")
    # Workers started before this test do not have its environment (as a user's cluster would not):
    # the endpoint and keys reach them in the jobs.
    options = [f"endpoint_url={s3.endpoint}", "key=testing", "secret=testing"]
    summary = api.expand(source=src, recipe=recipe, out=out, copies=2, workers=2,
                         engine=Engine("dask", batch_size=1), storage_options=options)
    assert summary.cluster, "the batches ran on Dask workers"
    _expand(image_tree, recipe, tmp_path / "local")
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def test_local_source_into_a_bucket_and_bucket_into_local_folder(s3, image_tree, write_recipe, tmp_path):
    crossed_runs_agree(s3, image_tree, write_recipe(), tmp_path, _expand)


def test_after_a_hard_kill_the_last_checkpoint_is_resumed_once_the_lease_ends(s3, image_tree, write_recipe,
                                                                              tmp_path, monkeypatch):
    from augment_cli.storage import lease, workdir

    recipe = write_recipe()
    src, out = s3.upload(image_tree, "raw"), s3.url("aug")
    monkeypatch.setattr(workdir, "CHECKPOINT_SECONDS", 0.0)  # a checkpoint after every source
    monkeypatch.setattr(lease, "LEASE_SECONDS", 0.5)
    checkpoint_only = workdir.WorkingCopy.put

    def lost_machine(self, names):  # the final put and the release never happen: the machine died
        if tuple(names) != self.names:
            checkpoint_only(self, names)

    def killed(done: int, total: int) -> None:
        if done == 3:
            raise SystemExit("killed")

    with monkeypatch.context() as dying:
        dying.setattr(workdir.WorkingCopy, "put", lost_machine)
        dying.setattr(lease.Lease, "release", lambda self: None)
        with pytest.raises(SystemExit):
            _expand(src, recipe, out, on_progress=killed)
    assert ".augment-lock" in s3.objects("aug") and "manifest.csv" not in s3.objects("aug")
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "second-machine"))
    import time

    time.sleep(0.6)  # the dead run's lease ends
    again = _expand(src, recipe, out)
    assert again.unchanged >= 2 and again.unchanged + again.added == 5
    _expand(image_tree, recipe, tmp_path / "local")
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def test_a_no_op_re_run_writes_no_output_and_no_report(s3, image_tree, write_recipe, monkeypatch):
    from augment_cli.storage import objects

    src, out = s3.upload(image_tree, "raw"), s3.url("aug")
    _expand(src, write_recipe(), out)
    sent: list[str] = []
    real = objects.put_many
    monkeypatch.setattr(objects, "put_many", lambda location, blobs: (sent.extend(blobs),
                                                                      real(location, blobs)))
    again = _expand(src, write_recipe(), out)
    assert again.unchanged == 5
    assert set(sent) <= {".augment-index.sqlite"}  # the index records the run (as on disk)


def test_an_object_rewritten_within_the_second_at_the_same_size_gets_a_new_stamp(s3):
    from augment_cli.storage.location import remote
    from augment_cli.storage.walk import stamp_of, walk_entries

    location = remote(s3.url("raw"))
    s3.fs.pipe_file(f"{s3.name}/raw/cat/a.png", b"aaaa")
    before = stamp_of(location, "cat/a.png")
    s3.fs.pipe_file(f"{s3.name}/raw/cat/a.png", b"bbbb")  # S3 keeps whole seconds: likely the same one
    after = stamp_of(location, "cat/a.png")
    assert before.size == after.size and before != after
    assert dict(walk_entries(location))["cat/a.png"] == after  # the listing's stamp is the HEAD's
