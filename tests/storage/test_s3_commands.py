"""verify, stats and the one-line errors with URLs, through the CLI (moto server)."""

from __future__ import annotations

import sys

import pytest

from storage_helpers import verify_after_damage


def test_verify_a_bucket_dir_then_find_a_changed_and_a_stray_object(s3, image_tree, write_recipe, run_cli):
    src, out = s3.upload(image_tree, "raw"), s3.url("aug")
    assert run_cli("expand", src, "--recipe", write_recipe(), "--copies", "2", "--out", out,
                   "--workers", "1", "--quiet").exit_code == 0
    found = verify_after_damage(s3, run_cli, "aug", "cat/a__aug1.jpg", "cat/extra.png")
    assert "cat/a__aug1.jpg: content differs from the recorded SHA-256" in found
    assert "cat/extra.png: stray object not in manifest.csv" in found


def test_stats_of_a_bucket_source_names_the_url(s3, image_tree, run_cli):
    src = s3.upload(image_tree, "raw")
    result = run_cli("stats", src, "--json", "--quiet")
    assert result.exit_code == 0, result.output
    assert f'"source": "{src}"' in result.stdout
    assert '"cat"' in result.stdout and '"dog"' in result.stdout


def test_a_missing_bucket_is_one_line_exit_2_before_any_output(s3, image_tree, write_recipe, run_cli):
    result = run_cli("expand", "s3://no-such-bucket-here/raw", "--recipe", write_recipe(), "--out",
                     s3.url("aug"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "Error: s3://no-such-bucket-here/raw: no such bucket or prefix"
    assert s3.objects("aug") == {}


def test_bad_credentials_are_one_line_and_never_print_the_secret(s3, image_tree, write_recipe, run_cli,
                                                                 monkeypatch):
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    src = s3.upload(image_tree, "raw")
    monkeypatch.setattr(settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # the server now checks keys
    monkeypatch.setattr(ActionAuthenticatorMixin, "request_count", 0)
    result = run_cli("expand", src, "--recipe", write_recipe(), "--out", s3.url("aug"),
                     "--storage-option", "key=AKIAUNKNOWN", "--storage-option", "secret=hunter2-secret")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {src}: permission denied")
    assert "hunter2-secret" not in result.output


def test_a_missing_protocol_package_names_the_extra(monkeypatch, image_tree, write_recipe, run_cli,
                                                    tmp_path):
    from augment_cli.storage.location import filesystem

    filesystem.cache_clear()
    monkeypatch.setitem(sys.modules, "s3fs", None)  # as if not installed
    known = sys.modules["fsspec.registry"]._registry  # fsspec's classes imported so far
    monkeypatch.delitem(known, "s3", raising=False)
    try:
        result = run_cli("expand", "s3://bucket/raw", "--recipe", write_recipe(), "--out", tmp_path / "o")
    finally:
        filesystem.cache_clear()
    assert result.exit_code == 2
    assert "Error: s3:// URLs need the s3fs package" in result.stderr
    assert "augment-cli[s3]" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("option", ["--format=yolo", "--follow-links", "--annotations=coco.json"])
def test_what_urls_do_not_support_yet_is_refused_in_one_line(s3, image_tree, write_recipe, run_cli, option):
    src = s3.upload(image_tree, "raw")
    result = run_cli("expand", src, "--recipe", write_recipe(), "--out", s3.url("aug"), option)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert s3.objects("aug") == {}


def test_a_sharded_table_run_on_urls_is_refused_in_one_line(s3, tmp_path, run_cli):
    table = tmp_path / "train.csv"
    table.write_text("text,label\na fine short review,1\n", encoding="utf-8")
    recipe = tmp_path / "eda.toml"
    recipe.write_text('[[text]]\ntransform = "random_swap"\n')
    result = run_cli("expand", table, "--recipe", recipe, "--out", s3.url("aug"), "--shard", "1/2")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --shard does not work with a URL ({s3.url('aug')}) yet")
    assert s3.objects("aug") == {}


def test_a_bucket_is_detected_as_the_same_tree_on_disk(s3, image_tree, write_recipe, run_cli):
    (image_tree / "data.yaml").write_text("names: [cat, dog]\n")  # YOLO, whose images are elsewhere
    src, recipe = s3.upload(image_tree, "raw"), write_recipe()
    local = run_cli("expand", str(image_tree), "--recipe", recipe, "--out", str(image_tree.parent / "out"))
    result = run_cli("expand", src, "--recipe", recipe, "--out", s3.url("aug"))
    assert result.exit_code == local.exit_code == 2
    assert result.stderr == local.stderr.replace(str(image_tree), src)
    assert "nothing to expand" in result.stderr
    folders = run_cli("expand", src, "--recipe", recipe, "--out", s3.url("aug"), "--format", "folders")
    assert folders.exit_code == 0, folders.output  # read as class folders when asked


def test_dry_run_lists_the_plan_of_a_bucket_and_writes_nothing(s3, image_tree, write_recipe, run_cli):
    src = s3.upload(image_tree, "raw")
    result = run_cli("expand", src, "--recipe", write_recipe(), "--copies", "2", "--out", s3.url("aug"),
                     "--dry-run")
    assert result.exit_code == 0, result.output
    assert "5 files -> 10 outputs:" in result.stdout and "  cat/deep/c__aug2.png" in result.stdout
    assert s3.objects("aug") == {}


def test_a_table_source_into_a_bucket_dir_through_the_cli(s3, tmp_path, run_cli):
    table = tmp_path / "train.csv"
    table.write_text("text,label\na fine short review,1\na dull long one,0\n", encoding="utf-8")
    recipe = tmp_path / "eda.toml"
    recipe.write_text('[[text]]\ntransform = "random_swap"\n')
    result = run_cli("expand", table, "--recipe", recipe, "--out", s3.url("aug"), "--quiet")
    assert result.exit_code == 0, result.output
    assert run_cli("expand", table, "--recipe", recipe, "--out", tmp_path / "local", "--quiet").exit_code == 0
    assert s3.objects("aug")["train.csv"] == (tmp_path / "local" / "train.csv").read_bytes()
    assert run_cli("verify", s3.url("aug")).exit_code == 0
