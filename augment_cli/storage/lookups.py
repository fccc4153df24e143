"""What the layouts ask of a URL SRC besides its walk: is this name a file or a folder, which
names a folder holds, a per-image label file's bytes, a dataset-level annotation file.

The local layouts ask the file system (`(source / "data.yaml").is_file()`, a glob, a stat);
layouts/annotated.py and splits.py send those questions here for a Remote. A question about a
name is answered from its folder's listing (one delimiter listing, as the walk's: walk.level),
so detecting a layout or resolving a COCO file_name costs a request per folder, not per name. A
per-image label file (a YOLO .txt, a VOC .xml, a mask) is read on the bucket: from what the
worker fetched with its image (storage/worker.py), else with one GET. A dataset-level file
(data.yaml, a COCO JSON) is read from a local copy (storage/copies.py), as its readers sniff,
parse and stat a file.

Listings and copies are remembered only inside `remembered()` (a URL run in the main process:
storage/runs.py; one batch in a worker: storage/worker.py), at most FOLDERS listings (names and
kinds only), so memory stays bounded and a later run in the same process sees the bucket as it
is then. Outside it every question is asked again. In the main process a re-run's unchanged
check reads every source's label file, so there a label file is fetched with the next names of
its folder (sources are checked in name order): a batch of requests, not one per source.
"""

from __future__ import annotations

import bisect
import contextlib
import posixpath
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

from augment_cli.outdir.index import Stamp
from augment_cli.storage.location import Remote, storage_error

FOLDERS = 8  # listings kept at once: a COCO file's image folders, a split's folders
_LISTINGS: OrderedDict[tuple[str, str], dict[str, bool]] = OrderedDict()
_COPIES: dict[tuple[str, str], Path | None] = {}
_EXISTS: dict[tuple[str, str], bool] = {}  # objects_among's answers
_DEPTH = [0]


# Label files read ahead by the main process (a re-run's unchanged check reads every one).
_LABELS: OrderedDict[tuple[str, str], tuple[Stamp, bytes] | OSError] = OrderedDict()
_READ_AHEAD = [False]


@contextlib.contextmanager
def remembered(read_ahead: bool = False) -> Iterator[None]:
    """Answers are kept until the outermost `remembered` ends. With `read_ahead` (the main
    process of a run), a label file read is fetched with the next ones of its folder."""
    _DEPTH[0] += 1
    _READ_AHEAD[0] = _READ_AHEAD[0] or read_ahead
    try:
        yield
    finally:
        _DEPTH[0] -= 1
        if not _DEPTH[0]:
            _LISTINGS.clear()
            _COPIES.clear()
            _EXISTS.clear()
            _LABELS.clear()
            _READ_AHEAD[0] = False


def listing(location: Remote, folder: str) -> dict[str, bool]:
    """name -> is a folder, of the entries directly in `folder` (relative to `location`), sorted
    by name; {} for a folder that does not exist. Hidden names are included (the caller decides)."""
    key = (location.url, folder)
    found = _LISTINGS.get(key)
    if found is None:
        from augment_cli.layouts.base import Scan
        from augment_cli.storage.walk import level

        found = {name: is_folder for name, is_folder, _, _ in level(location, folder, Scan())}
        if _DEPTH[0]:
            _LISTINGS[key] = found
            if len(_LISTINGS) > FOLDERS:
                _LISTINGS.popitem(last=False)
    else:
        _LISTINGS.move_to_end(key)
    return found


def kind(location: Remote, relative: str) -> str | None:
    """"file", "folder" or None (nothing by that name) for a name relative to `location`."""
    relative = relative.strip("/")
    if not relative or relative == ".":
        return "folder"
    folder, _, name = relative.rpartition("/")
    found = listing(location, folder).get(name)
    return None if found is None else ("folder" if found else "file")


def is_file(location: Remote, relative: str) -> bool:
    return kind(location, relative) == "file"


def is_folder(location: Remote, relative: str) -> bool:
    return kind(location, relative) == "folder"


def objects_among(location: Remote, relatives: list[str]) -> list[str]:
    """The names among `relatives` that are objects, by HEAD requests sent together (a name in
    a folder not worth listing whole: a Roboflow JSON in each top-level folder)."""
    from augment_cli.storage.objects import exist_each

    asked = [name for name in relatives if (location.url, name) not in _EXISTS]
    found = set(exist_each(location, asked))
    if _DEPTH[0]:
        _EXISTS.update({(location.url, name): name in found for name in asked})
    return [name for name in relatives if name in found or _EXISTS.get((location.url, name), False)]


def dataset_file(location: Remote, relative: str) -> Path | None:
    """A local copy of a dataset-level annotation file (data.yaml, a COCO JSON), current with its
    object; None when there is no such object."""
    from augment_cli.storage.copies import local_copy

    key = (location.url, relative)
    if key in _COPIES and (_COPIES[key] is None or _COPIES[key].is_file()):  # type: ignore[union-attr]
        return _COPIES[key]
    copy = local_copy(location, relative) if is_file(location, relative) else None
    if _DEPTH[0]:
        _COPIES[key] = copy
    return copy


def label_bytes(location: Remote, relative: str) -> bytes | None:
    """The bytes of a per-image label file, None when there is no such object; OSError when it
    cannot be read. A worker finds it among what it fetched with the image."""
    from augment_cli.storage.worker import fetched_label

    found = fetched_label(location.url, relative)
    if found is None and _READ_AHEAD[0]:
        found = _read_ahead(location, relative)
    if found is None:
        found = _fetch(location, relative)
    if isinstance(found, FileNotFoundError):
        return None
    if isinstance(found, OSError):
        raise found
    return found[1]


def _read_ahead(location: Remote, relative: str) -> tuple[Stamp, bytes] | OSError | None:
    """A label file from what was read ahead; on a miss, it and the next names of its folder's
    listing (the next sources' label files, as sources are checked in name order) are fetched
    together, objects.BATCH in flight. Memory holds 2 * BATCH label files at most."""
    from augment_cli.storage.objects import BATCH, fetch_many

    key = (location.url, relative)
    if key not in _LABELS:
        folder, _, name = relative.rpartition("/")
        names = sorted(entry for entry, is_folder in listing(location, folder).items() if not is_folder)
        at = bisect.bisect_left(names, name)
        following = [f"{folder}/{entry}" if folder else entry for entry in names[at:at + BATCH]
                     if entry != name]
        try:
            _LABELS.update({(location.url, found): answer for found, answer in
                            fetch_many(location, [relative, *following[:BATCH - 1]]).items()})
        except Exception:  # the request itself failed: `_fetch` says why, for this file
            return None
        while len(_LABELS) > 2 * BATCH:
            _LABELS.popitem(last=False)
    return _LABELS.pop(key, None)


def object_bytes(location: Remote, relative: str) -> bytes:
    """One object's bytes (one GET: a mixing partner); OSError when it cannot be read."""
    found = _fetch(location, relative)
    if isinstance(found, OSError):
        raise found
    return found[1]


def _fetch(location: Remote, relative: str) -> tuple[Stamp, bytes] | OSError:
    from augment_cli.storage.objects import fetch_many

    try:
        return fetch_many(location, [relative])[relative]
    except Exception as exc:  # the request itself failed (not the object): still per file
        return OSError(5, str(storage_error(location.child_url(relative), exc, "cannot read")))


def normalized(relative: str) -> str | None:
    """A relative name as the local `resolve` would place it under SRC, or None for one
    that leaves SRC (`../x`, an absolute path)."""
    if relative.startswith("/"):
        return None
    name = posixpath.normpath(relative)
    return None if name == ".." or name.startswith("../") else name
