"""Objects of a URL SRC or DIR: read a source, write outputs, remove them.

A write is one PUT of the finished bytes (`pipe`): an object store makes it
visible whole or not at all, which is what temporary-name-then-rename gives
on disk (outdir/files.py), so no half-written output is ever in place and
nothing is left to sweep. Several objects are sent at once (the filesystem's
async batch), which hides the round trip of each small request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from augment_cli.outdir.index import Stamp
from augment_cli.storage.location import Remote

T = TypeVar("T")
# Objects fetched or sent in one concurrent batch: enough to hide ~10 ms of
# latency per request on small files, few enough to bound memory per worker.
BATCH = 16


def fetch_many(location: Remote, relatives: list[str]) -> dict[str, tuple[Stamp, bytes] | OSError]:
    """The stamp (size, last-modified) and bytes of several objects, BATCH requests in flight
    on an async filesystem; the stamp is taken no later than the bytes (a change meanwhile
    moves it, and the next run redoes the source, as on disk).

    Used to prefetch one batch of a worker's sources; a failure is kept per
    object (the worker reports it for that source only)."""
    found: dict[str, tuple[Stamp, bytes] | OSError] = {}
    if hasattr(location.fs, "_call_s3"):  # s3fs: one GET gives the bytes and the stamp
        for start in range(0, len(relatives), BATCH):
            found.update(_s3_gets(location, relatives[start:start + BATCH]))
        return found
    for start in range(0, len(relatives), BATCH):
        chunk = relatives[start:start + BATCH]
        stamps = _infos(location, chunk)
        keys = [location.key(relative) for relative in chunk if not isinstance(stamps[relative], OSError)]
        payloads = location.fs.cat(keys, on_error="return") if keys else {}
        for relative in chunk:
            stamp = stamps[relative]
            payload = payloads.get(location.key(relative)) if not isinstance(stamp, OSError) else None
            if isinstance(stamp, OSError):
                found[relative] = stamp
            elif isinstance(payload, bytes):
                found[relative] = (stamp, payload)
            else:
                found[relative] = _os_error(payload)
    return found


def _s3_gets(location: Remote, relatives: list[str]) -> dict[str, tuple[Stamp, bytes] | OSError]:
    """GetObject for each name, in parallel: the body, and the stamp from the same response
    (half the requests of a HEAD then a GET; the stamp still describes the bytes read)."""
    from fsspec.asyn import sync
    from s3fs.errors import translate_boto_error

    from augment_cli.storage.walk import mtime_ns

    fs = location.fs

    async def get(relative: str) -> tuple[Stamp, bytes]:
        bucket, key, _ = fs.split_path(location.key(relative))
        try:
            response = await fs._call_s3("get_object", Bucket=bucket, Key=key)
            body = response["Body"]
            try:
                payload = await body.read()
            finally:
                body.close()
        except OSError:
            raise
        except Exception as exc:
            raise translate_boto_error(exc) from None
        return Stamp(int(response["ContentLength"]), mtime_ns(response)), payload

    async def all_gets() -> list[Any]:
        import asyncio

        return await asyncio.gather(*(get(relative) for relative in relatives), return_exceptions=True)

    answers = sync(fs.loop, all_gets)
    return {relative: answer if isinstance(answer, tuple) else _os_error(answer)
            for relative, answer in zip(relatives, answers, strict=True)}


def _infos(location: Remote, relatives: list[str]) -> dict[str, Stamp | OSError]:
    """Stamps of several objects: HEAD requests in parallel on an async filesystem."""
    fs = location.fs
    if getattr(fs, "async_impl", False):
        from fsspec.asyn import sync

        async def all_infos() -> list[Any]:
            import asyncio

            return await asyncio.gather(*(fs._info(location.key(r)) for r in relatives),
                                        return_exceptions=True)

        answers = sync(fs.loop, all_infos)
    else:
        answers = []
        for relative in relatives:
            try:
                answers.append(fs.info(location.key(relative)))
            except Exception as exc:
                answers.append(exc)
    from augment_cli.storage.walk import mtime_ns

    stamps: dict[str, Stamp | OSError] = {}
    for relative, info in zip(relatives, answers, strict=True):
        if isinstance(info, BaseException):
            stamps[relative] = _os_error(info)
        elif info.get("type") == "directory":
            stamps[relative] = IsADirectoryError(21, "not a file (a folder)", relative)
        else:
            stamps[relative] = Stamp(int(info.get("size") or 0), mtime_ns(info))
    return stamps


def _os_error(error: Any) -> OSError:
    if isinstance(error, OSError):
        return error
    return OSError(5, f"{type(error).__name__}: {error}" if error is not None else "not readable")


def put_many(location: Remote, blobs: dict[str, bytes]) -> None:
    """Write each DIR-relative name's bytes as one object (one PUT each, sent together)."""
    if blobs:
        location.fs.pipe({location.key(name): bytes(blob) for name, blob in blobs.items()})


def remove(location: Remote, names: Iterable[str]) -> None:
    """Delete the objects of DIR-relative names (batched: S3 deletes up to 1000 per request);
    a name already gone is no error."""
    keys = [location.key(name) for name in names if name and ".." not in name.split("/")]
    for start in range(0, len(keys), 1000):
        try:
            location.fs.rm(keys[start:start + 1000])
        except FileNotFoundError:  # some filesystems refuse a whole batch for one missing key
            for key in keys[start:start + 1000]:
                with contextlib.suppress(FileNotFoundError):
                    location.fs.rm_file(key)


def exists_all(location: Remote, names: Iterable[str]) -> bool:
    """Whether every name is an object in DIR (HEAD requests, in parallel on an async filesystem)."""
    relatives = list(names)
    if not relatives:
        return True
    return not any(isinstance(found, OSError) for found in _infos(location, relatives).values())


def exist_each(location: Remote, relatives: list[str]) -> list[str]:
    """The names among `relatives` that are objects (HEAD requests, BATCH * 4 in flight)."""
    found = []
    for start in range(0, len(relatives), BATCH * 4):
        chunk = relatives[start:start + BATCH * 4]
        found += [name for name, stamp in _infos(location, chunk).items() if not isinstance(stamp, OSError)]
    return found


def fetched_in_order(location: Remote, named: Iterable[tuple[T, str]]) -> Iterator[tuple[T, bytes | OSError]]:
    """(item, bytes of its object, or why it cannot be read) for each (item, name), in order,
    BATCH fetched at a time: memory holds one batch."""
    chunk: list[tuple[T, str]] = []
    for pair in named:
        chunk.append(pair)
        if len(chunk) == BATCH:
            yield from _in_order(location, chunk)
            chunk = []
    yield from _in_order(location, chunk)


def _in_order(location: Remote, chunk: list[tuple[T, str]]) -> Iterator[tuple[T, bytes | OSError]]:
    if not chunk:
        return
    found = fetch_many(location, sorted({name for _, name in chunk}))
    for item, name in chunk:
        answer = found[name]
        yield item, answer[1] if isinstance(answer, tuple) else answer
