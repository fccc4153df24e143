"""Recipe side files and folders given as URLs: a synonyms file, noise and impulse-response folders.

A URL value is checked when the recipe is read, as a local one is: a folder
is listed one level deep (its visible audio files, sorted by name, the order
the local reader picks from) and each recording's header read through a
ranged read; a file must be one object under its size limit. The Recipe
carries what the check found (`Recipe.side_objects`: each object's URL and
stamp), so workers pick from the same list without listing again and cache
a recording per (URL, stamp): one GET per recording per worker process, never
one per copy, and a changed object (a new stamp) is fetched again.

The objects are reached with the run's --storage-option pairs (`OPTIONS`):
storage/runs.py sets them in the main process, and jobs carry them to
workers (Job.storage, ChunkJob.storage), which `serve` them before a source.
Reads are bounded: a synonyms file by inputs.MAX_SIDE_FILE_BYTES, a
recording by MAX_RECORDING_BYTES (both checked against the listing, and the
GET is a range request that cannot return more).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterator
from typing import Any

from augment_cli.errors import UsageError
from augment_cli.inputs import MAX_SIDE_FILE_BYTES
from augment_cli.modalities.audio.header import MAX_SAMPLES
from augment_cli.outdir.files import atomic_write
from augment_cli.storage.location import Options, Remote, remote, storage_error
from augment_cli.storage.walk import mtime_ns
from augment_cli.storage.workdir import cache_base

# A recording holds at most MAX_SAMPLES samples (audio/header.py); 8 bytes each
# (64-bit float WAV) plus a header is the most such a file can take.
MAX_RECORDING_BYTES = MAX_SAMPLES * 8 + 2**20
SideObject = tuple[str, int, int]  # (URL, size, mtime_ns)

OPTIONS: Options = ()  # the run's --storage-option pairs, in this process
_KNOWN: dict[str, tuple[SideObject, ...]] = {}  # a URL value -> its objects, from the recipe check
_STAMPS: dict[str, tuple[int, int]] = {}  # an object's URL -> (size, mtime_ns), from the same


@contextlib.contextmanager
def using(options: Options) -> Iterator[None]:
    """Reach URL side files with `options` while a run (or its dry run) lasts."""
    global OPTIONS
    before, OPTIONS = OPTIONS, options
    try:
        yield
    finally:
        OPTIONS = before


def serve(side_objects: tuple[tuple[str, tuple[SideObject, ...]], ...], options: Options) -> None:
    """In a worker: what the recipe check found, and the job's options, for the samplers and appliers."""
    global OPTIONS
    OPTIONS = options
    for value, objects in side_objects:
        _remember(value, objects)


def _remember(value: str, objects: tuple[SideObject, ...]) -> None:
    _KNOWN[value] = objects
    _STAMPS.update((url, (size, mtime)) for url, size, mtime in objects)


def checked(kind: str, value: str) -> tuple[str, tuple[SideObject, ...]]:
    """(the value as the recipe keeps it, its objects); ValueError with the reason.

    `kind` is the Param's: "folder" (the visible audio files directly in it;
    what they must hold is the Param's validator, which reads them through
    `opened`) or "path" (one object)."""
    location = _location(value)
    try:
        found = _folder(location) if kind == "folder" else (_one(location),)
    except UsageError as exc:  # a missing package or bucket, refused credentials: say where
        raise ValueError(str(exc)) from None
    _remember(location.url, found)
    return location.url, found


def _location(value: str) -> Remote:
    try:
        return remote(value, OPTIONS)
    except UsageError as exc:
        raise ValueError(str(exc)) from None


def _folder(location: Remote) -> tuple[SideObject, ...]:
    from augment_cli.modalities import MODALITIES, modality_of

    try:
        listed = location.fs.ls(location.root, detail=True)
    except FileNotFoundError:
        listed = []
    except Exception as exc:
        raise storage_error(location.url, exc, "cannot list") from None
    own = location.root.rstrip("/")
    files = sorted((info["name"].rstrip("/").rsplit("/", 1)[-1], info) for info in listed
                   if info.get("type") != "directory" and info["name"].rstrip("/") != own)
    found = tuple((location.child_url(name), int(info.get("size") or 0), mtime_ns(info))
                  for name, info in files if not name.startswith(".") and modality_of(name) == "audio")
    if not found:
        raise ValueError(f"folder {location.url} holds no audio files "
                         f"({', '.join(MODALITIES['audio'].extensions)})")
    for url, size, _ in found:
        if size > MAX_RECORDING_BYTES:
            raise ValueError(f"{url} is larger than the {MAX_RECORDING_BYTES // 2**20} MiB limit")
    return found


def _one(location: Remote) -> SideObject:
    try:
        info = location.fs.info(location.root)
    except FileNotFoundError:
        raise ValueError(f"not found: {location.url}") from None
    except Exception as exc:
        raise storage_error(location.url, exc, "cannot read") from None
    if info.get("type") == "directory":
        raise ValueError(f"{location.url} is a prefix, not one object: a URL names a file here "
                         "(folders such as models are read from local disk)")
    size = int(info.get("size") or 0)
    if size > MAX_SIDE_FILE_BYTES:
        raise ValueError(f"{location.url} is larger than the {MAX_SIDE_FILE_BYTES // 2**20} MiB limit")
    return location.url, size, mtime_ns(info)


@contextlib.contextmanager
def opened(url: str) -> Iterator[Any]:
    """A seekable file of an object, read in small ranges (a header costs a few KB, not the file)."""
    location = _location(url)
    try:
        with location.fs.open(location.root, "rb", block_size=2**16) as handle:
            yield handle
    except (ValueError, UsageError):
        raise
    except Exception as exc:
        raise ValueError(str(storage_error(url, exc, "cannot read"))) from None


def files_of(folder: str) -> tuple[str, ...]:
    """The URLs of a URL folder's recordings, as the recipe check listed them."""
    if folder not in _KNOWN:  # not from a checked recipe in this process (a direct call)
        checked("folder", folder)
    return tuple(url for url, _, _ in _KNOWN[folder])


def version_of(url: str) -> tuple[int, int]:
    """(size, mtime_ns) of a side object: from the recipe check, else one HEAD request."""
    found = _STAMPS.get(url)
    if found is None:
        _, size, mtime = _one(_location(url))
        found = _STAMPS[url] = (size, mtime)
    return found


def read(url: str, limit: int) -> bytes:
    """The bytes of a side object, at most `limit` (one range GET); OSError if unreadable,
    ValueError when it is over the limit."""
    location = _location(url)
    try:
        payload = location.fs.cat_file(location.root, start=0, end=limit + 1)
    except OSError:
        raise
    except Exception as exc:
        raise OSError(5, str(storage_error(url, exc, "cannot read"))) from None
    if len(payload) > limit:
        raise ValueError(f"is larger than the {limit // 2**20} MiB limit")
    return payload


def recording(url: str) -> io.BytesIO:
    """A recording's bytes as a file soundfile reads (its caller caches the decoded samples
    per stamp: mix_ops.load_recording)."""
    return io.BytesIO(read(url, MAX_RECORDING_BYTES))


def digest(url: str) -> str:
    """SHA-256 of a side object's bytes (for recipe/inputs.py): streamed once per version of the
    object, then kept in the cache folder under its URL and stamp, so a re-run on this machine
    reads nothing (a changed object has a new stamp: hashed again)."""
    size, mtime = version_of(url)
    key = hashlib.sha256(f"{url}\n{size}\n{mtime}".encode()).hexdigest()[:32]
    kept = cache_base() / "side-digests" / key
    with contextlib.suppress(OSError):
        found = kept.read_text(encoding="ascii").strip()
        if len(found) == 64:
            return found
    location = _location(url)
    try:
        with location.fs.open(location.root, "rb") as handle:
            found = hashlib.file_digest(handle, "sha256").hexdigest()
    except Exception as exc:
        raise OSError(5, str(storage_error(url, exc, "cannot read"))) from None
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs the next run a read
        atomic_write(kept, found.encode())
    return found
