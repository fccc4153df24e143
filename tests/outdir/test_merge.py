"""--shard K/M then `augment merge DIR`: the unsharded run, byte for byte."""

from __future__ import annotations

import json
import shutil
import threading

import pytest

from augment_cli import api
from augment_cli.outdir.merge import merge
from augment_cli.outdir.verify import verify
from conftest import tree_bytes

MIXUP = '[[image]]\ntransform = "mixup"\nlam = [0.2, 0.5]\n\n[[image]]\ntransform = "hflip"\np = 0.5\n'


def _expand(src, recipe, out, **options):
    return api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1, **options)


def _sharded(src, recipe, out, count=3, **options):
    for k in range(1, count + 1):
        summary = _expand(src, recipe, out, shard=f"{k}/{count}", **options)
        assert summary.exit_code == 0 and summary.shard == f"{k}/{count}"
    return merge(out)


@pytest.mark.parametrize("recipe_text", [None, MIXUP], ids=["folders", "mixup"])
def test_three_shards_merged_are_the_unsharded_run(image_tree, write_recipe, tmp_path, recipe_text):
    recipe = write_recipe(recipe_text) if recipe_text else write_recipe()
    _expand(image_tree, recipe, tmp_path / "whole")
    merged = _sharded(image_tree, recipe, tmp_path / "parts")
    assert merged.shards == 3 and merged.sources == 5 and merged.files == 10
    assert tree_bytes(tmp_path / "parts") == tree_bytes(tmp_path / "whole")  # manifest, run record, outputs
    assert verify(tmp_path / "parts") == []


def test_each_shard_does_only_its_part(image_tree, write_recipe, tmp_path):
    for n in range(12):
        shutil.copy(image_tree / "cat" / "b.png", image_tree / "cat" / f"more{n}.png")
    done = [_expand(image_tree, write_recipe(), tmp_path / "o", shard=f"{k}/3").files_read for k in (1, 2, 3)]
    assert sum(done) == 17 and max(done) < 17 and min(done) > 0


def test_shards_run_at_the_same_time_on_one_dir(image_tree, write_recipe, tmp_path):
    recipe = write_recipe()
    _expand(image_tree, recipe, tmp_path / "whole")
    errors: list[BaseException] = []

    def shard(k: int) -> None:
        try:
            _expand(image_tree, recipe, tmp_path / "shared", shard=f"{k}/3")
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=shard, args=(k,)) for k in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    merge(tmp_path / "shared")
    assert tree_bytes(tmp_path / "shared") == tree_bytes(tmp_path / "whole")


def test_shards_from_separate_jobs_copied_together_merge(image_tree, write_recipe, tmp_path):
    recipe = write_recipe()
    _expand(image_tree, recipe, tmp_path / "whole")
    for k in (1, 2, 3):  # each CI job has its own DIR; then they are copied into one
        _expand(image_tree, recipe, tmp_path / f"job{k}", shard=f"{k}/3")
        shutil.copytree(tmp_path / f"job{k}", tmp_path / "all", dirs_exist_ok=True)
    merge(tmp_path / "all")
    assert tree_bytes(tmp_path / "all") == tree_bytes(tmp_path / "whole")


def test_an_unsharded_rerun_takes_the_merged_dir_as_its_own(image_tree, write_recipe, tmp_path):
    recipe = write_recipe()
    _sharded(image_tree, recipe, tmp_path / "o")
    again = _expand(image_tree, recipe, tmp_path / "o")
    assert (again.unchanged, again.added, again.regenerated, again.files_read) == (5, 0, 0, 0)
    assert not [p for p in (tmp_path / "o").iterdir() if p.name.startswith(".augment-shard-")]


def test_a_shard_resumes_and_a_rerun_of_a_done_shard_redoes_nothing(image_tree, write_recipe, tmp_path):
    recipe = write_recipe()
    first = _expand(image_tree, recipe, tmp_path / "o", shard="1/2")
    again = _expand(image_tree, recipe, tmp_path / "o", shard="1/2")
    assert again.unchanged == first.files_read and again.files_read == 0


def test_the_json_summary_names_the_shard(image_tree, write_recipe, run_cli, tmp_path):
    result = run_cli("expand", image_tree, "-r", write_recipe(), "-n", "2", "--out", tmp_path / "o",
                     "--shard", "2/3", "--json", "--workers", "1")
    found = json.loads(result.stdout)
    assert result.exit_code == 0 and found["shard"] == "2/3" and found["dask_workers"] == []


def test_merge_names_a_missing_shard(image_tree, write_recipe, run_cli, tmp_path):
    for k in (1, 3):
        _expand(image_tree, write_recipe(), tmp_path / "o", shard=f"{k}/3")
    result = run_cli("merge", tmp_path / "o")
    assert result.exit_code == 2
    assert "Error: shard 2/3 is missing from" in result.stderr
    assert not (tmp_path / "o" / "manifest.csv").exists()


def test_merge_refuses_shards_of_another_seed(image_tree, write_recipe, run_cli, tmp_path):
    recipe = write_recipe()
    for k in (1, 2):
        _expand(image_tree, recipe, tmp_path / f"job{k}", shard=f"{k}/2", seed=k)
        shutil.copytree(tmp_path / f"job{k}", tmp_path / "all", dirs_exist_ok=True)
    result = run_cli("merge", tmp_path / "all")
    assert result.exit_code == 2 and "shard 2/2" in result.stderr and "seed changed (1 -> 2)" in result.stderr


def test_merge_refuses_shards_of_different_splits(image_tree, write_recipe, run_cli, tmp_path):
    recipe = write_recipe()
    _expand(image_tree, recipe, tmp_path / "a", shard="1/2")
    _expand(image_tree, recipe, tmp_path / "b", shard="2/3")
    shutil.copytree(tmp_path / "a", tmp_path / "all")
    shutil.copytree(tmp_path / "b", tmp_path / "all", dirs_exist_ok=True)
    result = run_cli("merge", tmp_path / "all")
    assert result.exit_code == 2 and "different splits (M = 2, 3)" in result.stderr


def test_merge_refuses_a_dir_without_shards(tmp_path, run_cli):
    result = run_cli("merge", tmp_path)
    assert result.exit_code == 2 and "holds no shards to merge" in result.stderr


def test_a_shard_of_another_split_is_refused_on_a_shared_dir(image_tree, write_recipe, run_cli, tmp_path):
    recipe = write_recipe()
    _expand(image_tree, recipe, tmp_path / "o", shard="1/2")
    result = run_cli("expand", image_tree, "-r", recipe, "-n", "2", "--out", tmp_path / "o", "--shard", "1/3")
    assert result.exit_code == 2 and "holds shard 1/2 of another split than --shard 1/3" in result.stderr


def test_an_unsharded_run_refuses_unmerged_shards(image_tree, write_recipe, run_cli, tmp_path):
    recipe = write_recipe()
    _expand(image_tree, recipe, tmp_path / "o", shard="1/2")
    result = run_cli("expand", image_tree, "-r", recipe, "-n", "2", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "holds shards of a run that are not merged yet" in result.stderr
    assert "augment merge" in result.stderr


@pytest.mark.parametrize("shard", ["0/3", "4/3", "2", "x"])
def test_a_bad_shard_is_a_usage_error_before_any_output(image_tree, write_recipe, run_cli, tmp_path, shard):
    result = run_cli("expand", image_tree, "-r", write_recipe(), "--out", tmp_path / "o", "--shard", shard)
    assert result.exit_code == 2 and "is not K/M" in result.stderr and not (tmp_path / "o").exists()
