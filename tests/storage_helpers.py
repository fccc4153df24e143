"""The object-storage tests' S3: a real S3 API on 127.0.0.1 (moto's server mode).

Started once per session on a free port, stopped afterwards; dummy
credentials and the endpoint go through the environment, as a user's would
(AWS_ENDPOINT_URL), so the code under test builds its filesystem the usual
way. tests/conftest.py imports the fixtures, so any test may ask for `s3`.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


DUMMY_CREDENTIALS = (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                     ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "us-east-1"))


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Bucket:
    """An empty bucket of its own, the environment pointing at the server, and an s3fs to look with."""
    import s3fs

    for name, value in (*DUMMY_CREDENTIALS, ("AWS_ENDPOINT_URL", s3_endpoint)):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "cache"))
    fs = s3fs.S3FileSystem(endpoint_url=s3_endpoint, key="testing", secret="testing",
                           use_listings_cache=False, skip_instance_cache=True)
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    fs.mkdir(bucket)
    return Bucket(fs, bucket, s3_endpoint)


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


def interrupted_run(expand, count: int = 2) -> None:
    """`expand(on_progress=...)` stopped by Ctrl-C once `count` sources are done (pytest sees Interrupted)."""
    from augment_cli.errors import Interrupted

    def stop(done: int, total: int) -> None:
        if done == count:
            raise KeyboardInterrupt

    with pytest.raises(Interrupted):
        expand(on_progress=stop)


def outputs(files: dict[str, bytes]) -> dict[str, bytes]:
    """A run's files without its state (.augment-*): what a user reads, to compare runs by."""
    return {name: blob for name, blob in files.items() if not name.startswith(".augment-")}


def crossed_runs_agree(s3: Bucket, src: Path, recipe: Path, tmp_path: Path, expand) -> None:
    """`expand(src, recipe, out)` disk -> disk, disk -> bucket and bucket -> disk write the same files."""
    expand(src, recipe, tmp_path / "local")
    expand(src, recipe, s3.url("from-disk"))
    expand(s3.upload(src, "raw"), recipe, tmp_path / "from-bucket")
    expected = outputs(local_files(tmp_path / "local"))
    assert outputs(s3.objects("from-disk")) == expected
    assert outputs(local_files(tmp_path / "from-bucket")) == expected


def resumed_elsewhere(expand, monkeypatch, cache):
    """`expand(**options)` stopped by Ctrl-C (interrupted_run), then run again as another machine
    would: with a cache folder of its own (`cache`), so only what DIR holds can be resumed from.
    The second run's summary."""
    interrupted_run(expand)
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(cache))
    return expand()


def verify_after_damage(s3: Bucket, run_cli, prefix: str, damaged: str, stray: str) -> str:
    """`augment verify` of a run in `prefix` says OK; then, with `damaged` overwritten and `stray`
    added, it exits 1: its report."""
    out = s3.url(prefix)
    ok = run_cli("verify", out)
    assert ok.exit_code == 0, ok.output
    assert f"{out}: OK" in ok.stderr
    s3.fs.pipe_file(f"{s3.name}/{prefix}/{damaged}", b"not what was written")
    s3.fs.pipe_file(f"{s3.name}/{prefix}/{stray}", b"stray")
    bad = run_cli("verify", out)
    assert bad.exit_code == 1
    return bad.stdout
