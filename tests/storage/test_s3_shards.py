"""--shard K/M into a bucket DIR, from several machines, then `augment merge URL` (moto server):
the unsharded run's objects, byte for byte."""

from __future__ import annotations

import pytest

from augment_cli import api
from augment_cli.errors import UsageError
from conftest import save, textured
from storage_helpers import local_files, outputs

FLIP = '[[image]]\ntransform = "hflip"\np = 0.5\n'


def _expand(src, recipe, out, **options):
    return api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1, seed=4, **options)


@pytest.mark.parametrize("metadata", [False, True])
def test_shards_on_two_machines_merged_in_the_bucket_are_the_unsharded_run(s3, image_tree, write_recipe,
                                                                           tmp_path, monkeypatch, run_cli,
                                                                           metadata):
    if metadata:  # media with a metadata file beside them: merge writes DIR's metadata file
        save(image_tree / "top.png", textured(seed=7))
        (image_tree / "metadata.csv").write_text(
            "file_name,label\ncat/a.jpg,cat\ncat/b.png,cat\ndog/d.jpg,dog\ntop.png,top\n", encoding="utf-8")
    recipe = write_recipe(FLIP)
    local = _expand(image_tree, recipe, tmp_path / "local")
    src, out = s3.upload(image_tree, "raw"), s3.url("aug")
    for k in (1, 2):
        monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / f"machine{k}"))
        _expand(src, recipe, out, shard=f"{k}/2")
    assert any(name.startswith(".augment-shard-2-of-2.") for name in s3.objects("aug"))
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "machine3"))
    merged = run_cli("merge", out)
    assert merged.exit_code == 0, merged.output
    assert f"-> {out}" in merged.stderr
    written = s3.objects("aug")
    assert not any(name.startswith(".augment-shard-") for name in written)
    assert outputs(written) == outputs(local_files(tmp_path / "local")) and local.copies_written
    assert run_cli("verify", out).exit_code == 0
    again = _expand(src, recipe, out)  # an unsharded re-run takes the merged DIR as its own
    assert again.unchanged == local.files_read and again.copies_written == 0


def test_merge_refuses_a_running_or_missing_shard_and_an_unsharded_run_waits_for_it(s3, image_tree,
                                                                                    write_recipe, run_cli):
    from augment_cli.storage.lease import new_lease
    from augment_cli.storage.location import remote

    recipe = write_recipe(FLIP)
    src, out = s3.upload(image_tree, "raw"), s3.url("aug")
    _expand(src, recipe, out, shard="1/2")
    missing = run_cli("merge", out)
    assert missing.exit_code == 2 and "shard 2/2 is missing" in missing.stderr
    with pytest.raises(UsageError, match="holds shards of a run that are not merged yet"):
        _expand(src, recipe, out)
    running = new_lease(remote(out), ".augment-shard-2-of-2.lock")
    running.acquire()
    try:
        busy = run_cli("merge", out)
        assert busy.exit_code == 2 and "a shard is still running" in busy.stderr
    finally:
        running.release()
    assert any(name.startswith(".augment-shard-1-of-2.") for name in s3.objects("aug"))  # untouched
