"""The listing of a URL SRC or DIR, in the order the local walk gives.

The local walk (layouts/tree.py) sorts each folder's entries by name and
enters a folder where it sorts; a flat bucket listing is in byte order of
whole keys, which differs ("a.png" < "a/x.png" there, "a" < "a.png" here). So
the prefix is listed one level at a time (one delimiter listing per folder,
paginated by the filesystem) and each level is sorted: outputs, manifest and
seeds then match a run on the same tree on disk byte for byte. Memory is one
folder's listing as the filesystem returns it (s3fs: roughly 1 KB per object)
and the sorted entries of the folders on the current path, never the whole
bucket's; filesystems are built without a listings cache
(location.filesystem_kwargs), so nothing accumulates either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from augment_cli.layouts.base import Scan
from augment_cli.layouts.tree import SKIP_HIDDEN, SKIP_UNREADABLE_DIR
from augment_cli.outdir.index import Stamp
from augment_cli.storage.location import Remote, storage_error

Entry = tuple[str, bool, int, int]  # (name within its folder, is a folder, size, mtime_ns)


def walk_names(location: Remote, scan: Scan | None = None, hidden: bool = False) -> Iterator[str]:
    """Names relative to `location` of the objects under it, in local-walk order.

    Hidden entries (a name starting with ".") are skipped and counted, as on
    disk, unless `hidden` (DIR's own state objects: verify lists them)."""
    for relative, stamp in walk_entries(location, scan, hidden):
        _remember(location, relative, stamp)
        yield relative


# The stamps the listing just gave, for the incremental check that follows the
# walk source by source (incremental.py): a re-run then needs no HEAD request per
# unchanged source. Bounded: the check comes right after the walk met the name.
_RECENT: OrderedDict[tuple[str, str], Stamp] = OrderedDict()
RECENT_MAX = 4096


def _remember(location: Remote, relative: str, stamp: Stamp) -> None:
    _RECENT[(location.url, relative)] = stamp
    if len(_RECENT) > RECENT_MAX:
        _RECENT.popitem(last=False)


def recent_stamp(location: Remote, relative: str) -> Stamp:
    """The stamp the last listing gave for an object, else one HEAD request."""
    found = _RECENT.get((location.url, relative))
    return found if found is not None else stamp_of(location, relative)


def walk_entries(location: Remote, scan: Scan | None = None,
                 hidden: bool = False) -> Iterator[tuple[str, Stamp]]:
    """(relative name, stamp) of every object under `location`, in local-walk order."""
    scan = scan if scan is not None else Scan()
    stack: list[tuple[str, Iterator[Entry]]] = [("", iter(level(location, "", scan)))]
    while stack:
        prefix, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name, is_folder, size, mtime_ns = entry
        if name.startswith(".") and not hidden:
            scan.skipped[SKIP_HIDDEN] += 1
        elif is_folder:
            stack.append((prefix + name + "/", iter(level(location, prefix + name, scan))))
        else:
            yield prefix + name, Stamp(size, mtime_ns)


def level(location: Remote, relative: str, scan: Scan) -> list[Entry]:
    """One folder's entries, sorted by name as os.scandir's are in the local walk."""
    fs, key = location.fs, location.key(relative)
    try:
        listed = fs.ls(key, detail=True)
    except FileNotFoundError:
        return []  # an empty prefix: nothing under it
    except PermissionError as exc:
        if not relative:
            raise storage_error(location.url, exc) from None
        scan.skipped[SKIP_UNREADABLE_DIR] += 1
        return []
    entries = []
    own = key.rstrip("/")
    for info in listed:
        path = info["name"].rstrip("/")
        if path == own:  # a zero-byte "folder marker" object, or the prefix itself
            continue
        name = path.rsplit("/", 1)[-1]
        folder = info.get("type") == "directory"
        entries.append((name, folder, 0 if folder else int(info.get("size") or 0), mtime_ns(info)))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return entries


def mtime_ns(info: dict[str, Any]) -> int:
    """An object's last-modified time in ns, from whichever field its filesystem fills
    (s3fs LastModified, gcsfs updated, adlfs last_modified, memory created).

    S3 keeps whole seconds (its listing and its HEAD/GET headers give them at
    different precisions, so only the seconds are taken), which would let an
    object rewritten within the second at the same size keep its stamp. So
    the object's ETag (a digest of its content, whatever the upload) fills the
    nanoseconds: the stamp then changes whenever the bytes do."""
    for field in ("LastModified", "last_modified", "updated", "mtime", "created"):
        value = info.get(field)
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            return int(value.timestamp()) * 1_000_000_000 + _etag_ns(info)
        if isinstance(value, int | float):
            return int(value * 1_000_000_000)
        if isinstance(value, str):
            try:
                return int(dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1e9)
            except ValueError:
                continue
    return 0


def _etag_ns(info: dict[str, Any]) -> int:
    etag = info.get("ETag") or info.get("etag")
    if not etag:
        return 0
    return int(hashlib.sha256(str(etag).strip('"').encode()).hexdigest()[:8], 16) % 1_000_000_000


def stamp_of(location: Remote, relative: str) -> Stamp:
    """The stamp of one object (one HEAD request); OSError when it is gone."""
    info = location.fs.info(location.key(relative))
    if info.get("type") == "directory":
        raise IsADirectoryError(relative)
    return Stamp(int(info.get("size") or 0), mtime_ns(info))


def folder_names(location: Remote, folder: str) -> frozenset[str]:
    """Names directly in one folder of the prefix (files and folders), for the removal guard."""
    return frozenset(entry[0] for entry in level(location, folder, _SCRATCH))


def exists(location: Remote, relative: str) -> bool:
    try:
        stamp_of(location, relative)
        return True
    except OSError:
        return False


_SCRATCH = Scan()
