"""URL parsing, storage options and the listing, on fsspec's memory:// (fast, no server)."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

import fsspec
import pytest

from augment_cli.errors import UsageError
from augment_cli.layouts.base import Scan
from augment_cli.layouts.tree import walk_files
from augment_cli.storage import is_url
from augment_cli.storage.location import filesystem_kwargs, masked, parse_options, remote
from augment_cli.storage.objects import fetch_many, put_many, remove
from augment_cli.storage.walk import walk_entries, walk_names

# Names whose flat key order differs from the local walk's folder-by-folder order.
TRICKY = ["a.png", "a/x.png", "a-b/y.png", "a/b/z.png", "ab.png", "B/u.png", "b/v.png", ".hidden/w.png",
          "a/.dot.png", "é/t.png", "z"]


@pytest.fixture
def memory_prefix() -> str:
    url = f"memory://bucket-{uuid.uuid4().hex[:8]}/raw"
    yield url
    with contextlib.suppress(FileNotFoundError):  # a test that removed everything
        fsspec.filesystem("memory").rm(url.split("://")[1].split("/")[0], recursive=True)


def test_is_url_tells_urls_from_paths():
    assert is_url("s3://bucket/x") and is_url("memory://b") and is_url("gs://b/p")
    assert not is_url("data/raw") and not is_url("/abs/path") and not is_url(Path("s3://b"))
    assert not is_url("C:\\data") and not is_url(None)


def test_storage_options_parse_type_nest_and_never_show_values():
    options = parse_options(["endpoint_url=http://127.0.0.1:9000", "anon=true",
                             "client_kwargs.region_name=eu", "max_concurrency=16", "secret=s3cr3t"])
    assert filesystem_kwargs(options) == {"use_listings_cache": False, "endpoint_url": "http://127.0.0.1:9000",
                                          "anon": True, "client_kwargs": {"region_name": "eu"},
                                          "max_concurrency": 16, "secret": "s3cr3t"}
    assert "s3cr3t" not in masked(options) and "secret=***" in masked(options)
    with pytest.raises(UsageError, match="--storage-option oops: expected key=value"):
        parse_options(["oops"])


def test_a_url_needs_a_bucket():
    with pytest.raises(UsageError, match="a URL needs a bucket"):
        remote("s3://")


def test_the_listing_gives_the_local_walk_order(memory_prefix: str, tmp_path: Path):
    location = remote(memory_prefix)
    for name in TRICKY:
        location.fs.pipe_file(location.key(name), name.encode())
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(name.encode())
    local_scan, remote_scan = Scan(), Scan()
    expected = list(walk_files(tmp_path, False, local_scan))
    assert list(walk_names(location, remote_scan)) == expected
    assert list(walk_files(location, False, Scan())) == expected  # the layouts' walk takes a Remote
    assert remote_scan.skipped == local_scan.skipped  # hidden entries counted alike
    sizes = {name: stamp.size for name, stamp in walk_entries(location)}
    assert sizes["a/x.png"] == len(b"a/x.png")


def test_writes_reads_and_removals_of_objects(memory_prefix: str):
    location = remote(memory_prefix)
    put_many(location, {"cat/a.png": b"one", "cat/deep/b.png": b"two"})
    found = fetch_many(location, ["cat/a.png", "cat/deep/b.png", "cat/gone.png"])
    assert found["cat/a.png"][1] == b"one" and found["cat/deep/b.png"][1] == b"two"
    assert isinstance(found["cat/gone.png"], FileNotFoundError)
    remove(location, ["cat/a.png", "cat/gone.png"])
    assert list(walk_names(location)) == ["cat/deep/b.png"]


def test_a_recipe_side_file_given_as_a_url_is_checked_and_kept_with_its_stamp(memory_prefix: str,
                                                                               write_recipe, run_cli):
    from augment_cli.recipe import load_recipe

    location = remote(memory_prefix)
    location.fs.pipe_file(location.key("syn.txt"), b"gpu = graphics card\n")
    recipe = write_recipe(f'[[text]]\ntransform = "synonym_replace"\nsynonyms = "{memory_prefix}/syn.txt"\n')
    assert run_cli("validate", recipe).exit_code == 0
    ((value, ((url, size, _),)),) = load_recipe(recipe).side_objects
    assert value == url == f"{memory_prefix}/syn.txt" and size == 20
    location.fs.pipe_file(location.key("bad.txt"), b"gpu\n")
    bad = run_cli("validate", write_recipe(f'[[text]]\ntransform = "random_insert"\n'
                                           f'synonyms = "{memory_prefix}/bad.txt"\n', "bad.toml"))
    assert bad.exit_code == 2 and "bad.txt:1: expected 'word = synonym" in bad.stderr


def test_the_lock_object_refuses_a_second_holder_and_frees_itself_when_its_lease_ends(memory_prefix: str,
                                                                                   monkeypatch):
    from augment_cli.errors import OutputError
    from augment_cli.storage import lease

    location = remote(memory_prefix)
    first, second = lease.new_lease(location), lease.new_lease(location)
    first.acquire()
    with pytest.raises(UsageError, match="in use by another augment run"):
        second.acquire()
    monkeypatch.setattr(lease, "LEASE_SECONDS", -1.0)  # every lease written from now on has ended
    first.renew()
    second.acquire()  # takes the expired lock over
    with pytest.raises(OutputError, match="lost the lock"):
        first.renew()
    assert first.lost
    first.release()  # not its lock any more: left alone
    assert location.fs.exists(location.key(lease.LOCK_NAME))
    second.release()
    assert not location.fs.exists(location.key(lease.LOCK_NAME))
