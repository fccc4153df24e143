"""expand with SRC and DIR in a real S3 API (moto server): what works on disk works here."""

from __future__ import annotations

from pathlib import Path

from augment_cli import api
from storage_helpers import local_files, outputs


def test_bucket_to_bucket_matches_disk_byte_for_byte(s3, image_tree: Path, write_recipe, tmp_path: Path):
    recipe = write_recipe()
    local = api.expand(source=image_tree, recipe=recipe, out=tmp_path / "out", copies=3, workers=1)
    src = s3.upload(image_tree, "raw")
    remote = api.expand(source=src, recipe=recipe, out=s3.url("aug"), copies=3, workers=1)
    assert remote.copies_written == local.copies_written == 15
    written = s3.objects("aug")
    assert outputs(written) == outputs(local_files(tmp_path / "out"))
    assert "manifest.csv" in written and ".augment-index.sqlite" in written
    assert ".augment-lock" not in written  # released at the end
