"""A real S3 API on 127.0.0.1 (moto's server mode) for the object-storage tests.

Started once per session on a free port, stopped afterwards; dummy
credentials and the endpoint go through the environment, as a user's would
(AWS_ENDPOINT_URL), so the code under test builds its filesystem the usual way.
"""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_helpers import Bucket

moto_server = pytest.importorskip("moto.server")
s3fs = pytest.importorskip("s3fs")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """An empty bucket of its own, the environment pointing at the server, and an s3fs to look with."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "us-east-1"),
                        ("AWS_ENDPOINT_URL", s3_endpoint)):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "cache"))
    fs = s3fs.S3FileSystem(endpoint_url=s3_endpoint, key="testing", secret="testing",
                           use_listings_cache=False, skip_instance_cache=True)
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    fs.mkdir(bucket)
    return Bucket(fs, bucket, s3_endpoint)
