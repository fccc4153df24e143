"""Helpers of the object-storage tests (tests/storage/): a bucket to upload to and read back."""

from __future__ import annotations

from pathlib import Path


class Bucket:
    def __init__(self, fs, name: str, endpoint: str):
        self.fs, self.name, self.endpoint = fs, name, endpoint

    def url(self, prefix: str) -> str:
        return f"s3://{self.name}/{prefix}"

    def upload(self, folder: Path, prefix: str) -> str:
        """Every file under `folder` as an object under `prefix`; returns the prefix's URL."""
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                self.fs.pipe_file(f"{self.name}/{prefix}/{path.relative_to(folder).as_posix()}",
                                  path.read_bytes())
        return self.url(prefix)

    def objects(self, prefix: str) -> dict[str, bytes]:
        """name relative to `prefix` -> bytes of every object under it."""
        root = f"{self.name}/{prefix}"
        return {key[len(root) + 1:]: self.fs.cat_file(key) for key in sorted(self.fs.find(root))}


def local_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}
