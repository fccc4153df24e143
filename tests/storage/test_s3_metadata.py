"""Media with a metadata file beside them (layouts/metadata.py) in the bucket (moto server): the same
outputs, metadata file and manifest as the same tree on disk; re-runs, resume, verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from augment_cli import api
from augment_cli.errors import UsageError
from conftest import save, textured
from storage_helpers import local_files, outputs, resumed_elsewhere

FLIP = '[[image]]\ntransform = "hflip"\np = 0.5\n'
CSV = ("file_name,label,caption\nimg0.png,cat,\"a cat, sitting\"\nimg1.png,dog,=dog\n"
       "sub/x.png,cat,deep\nimg2.png,1,two\nmissing.png,dog,gone\n")


def _tree(root: Path, metadata: tuple[str, str] = ("metadata.csv", CSV)) -> Path:
    for i in range(3):
        save(root / f"img{i}.png", textured(seed=i))
    save(root / "sub" / "x.png", textured(seed=5))
    save(root / "stray.png", textured(seed=6))
    (root / metadata[0]).write_text(metadata[1], encoding="utf-8")
    return root


def _expand(src, recipe, out, **options):
    return api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1, seed=3, **options)


@pytest.mark.parametrize("metadata", [
    ("metadata.csv", CSV),
    ("metadata.jsonl", "".join(json.dumps({"file_name": name, "label": label}) + "\n" for name, label in
                               (("img0.png", "cat"), ("img1.png", "dog"), ("sub/x.png", "cat")))),
])
def test_a_metadata_dataset_in_the_bucket_matches_disk_byte_for_byte(s3, tmp_path, write_recipe, metadata):
    src = _tree(tmp_path / "src", metadata)
    recipe = write_recipe(FLIP)
    local = _expand(src, recipe, tmp_path / "local")
    remote = _expand(s3.upload(src, "raw"), recipe, s3.url("aug"))
    assert remote.layout == local.layout == "metadata"
    assert (remote.files_read, remote.copies_written) == (local.files_read, local.copies_written)
    reasons = [sorted((r.source, r.error) for r in run.failed) for run in (local, remote)]
    assert reasons[0] == reasons[1]
    written = s3.objects("aug")
    assert outputs(written) == outputs(local_files(tmp_path / "local"))
    assert metadata[0] in written  # the output metadata file, in DIR


def test_a_re_run_after_editing_objects_redoes_exactly_those(s3, tmp_path, write_recipe):
    src = _tree(tmp_path / "src")
    recipe = write_recipe(FLIP)
    url, out = s3.upload(src, "raw"), s3.url("aug")
    _expand(url, recipe, out)
    again = _expand(url, recipe, out)
    assert again.unchanged == 4 and again.copies_written == 0
    s3.fs.pipe_file(f"{s3.name}/raw/img1.png", save(tmp_path / "new.png", textured(seed=9)).read_bytes())
    s3.fs.rm_file(f"{s3.name}/raw/img2.png")
    edited = CSV.replace("img2.png,1,two\n", "")
    s3.fs.pipe_file(f"{s3.name}/raw/metadata.csv", edited.encode())
    changed = _expand(url, recipe, out)
    assert (changed.regenerated, changed.removed, changed.unchanged) == (1, 1, 2)
    (src / "img1.png").write_bytes((tmp_path / "new.png").read_bytes())
    (src / "img2.png").unlink()
    (src / "metadata.csv").write_text(edited, encoding="utf-8")
    _expand(src, recipe, tmp_path / "local")
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def test_an_interrupted_metadata_run_resumes_from_another_machine(s3, tmp_path, write_recipe, monkeypatch):
    src = _tree(tmp_path / "src")
    recipe = write_recipe(FLIP)
    url, out = s3.upload(src, "raw"), s3.url("aug")
    again = resumed_elsewhere(lambda **stop: _expand(url, recipe, out, **stop), monkeypatch,
                              tmp_path / "second-machine")
    assert (again.unchanged, again.added) == (2, 2)
    _expand(src, recipe, tmp_path / "local")
    assert outputs(s3.objects("aug")) == outputs(local_files(tmp_path / "local"))


def test_verify_a_metadata_run_in_the_bucket(s3, tmp_path, write_recipe, run_cli):
    url, out = s3.upload(_tree(tmp_path / "src"), "raw"), s3.url("aug")
    _expand(url, write_recipe(FLIP), out)
    ok = run_cli("verify", out)
    assert ok.exit_code == 0, ok.output  # metadata.csv is the run's, not a stray object
    s3.fs.pipe_file(f"{s3.name}/aug/img0__aug1.png", b"not a png")
    assert "img0__aug1.png: content differs" in run_cli("verify", out).stdout


def test_metadata_file_errors_name_the_url(s3, tmp_path, write_recipe):
    src = _tree(tmp_path / "src", ("metadata.csv", "path,label\nimg0.png,cat\n"))
    url = s3.upload(src, "raw")
    with pytest.raises(UsageError) as caught:
        _expand(url, write_recipe(FLIP), s3.url("aug"))
    assert str(caught.value) == f"{url}/metadata.csv: no 'file_name' column; columns found: path, label"
    s3.fs.pipe_file(f"{s3.name}/raw/metadata.jsonl", b'{"file_name": "img0.png"}\n')
    with pytest.raises(UsageError, match=f"{url} holds several metadata files"):
        _expand(url, write_recipe(FLIP), tmp_path / "out", layout="metadata")
    assert s3.objects("aug") == {}
