"""`augment stats` and `augment preview` of a URL SRC: its objects staged in a temporary folder.

Both commands read every file's header or decode a few files through the
local layouts, so a URL SRC is listed once (streamed) and its objects are
fetched (objects.BATCH at a time, concurrently) into a temporary folder with
the same names, which the command then reads as on disk and which is
removed afterwards. The cost is the dataset's size on local disk (not in
memory) for the command's duration; expand does not stage: it reads objects
directly.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from augment_cli.errors import UsageError
from augment_cli.storage import is_url
from augment_cli.storage.copies import stream_to
from augment_cli.storage.location import Remote, check_reachable, parse_options, remote, storage_error
from augment_cli.storage.objects import BATCH, fetch_many
from augment_cli.storage.walk import walk_names


@contextlib.contextmanager
def staged_with(source: str | None, storage_options: list[str] | tuple[str, ...] | None,
                annotations: str | None) -> Iterator[tuple[str | Path | None, str | None]]:
    """`staged` of SOURCE (else of a URL FILE's folder) and `--annotations FILE`: a URL FILE
    must lie under a URL SOURCE, and becomes its staged copy's path."""
    if is_url(annotations) and not is_url(source):
        if source is not None:
            raise UsageError(f"--annotations {annotations} is not inside the source folder {source}",
                             hint="give the COCO JSON's folder (or one above it) as SOURCE")
        source = str(annotations).rsplit("/", 1)[0]
    with staged(source, storage_options) as local:
        if not is_url(annotations):
            yield local, annotations
            return
        root = remote(str(source), parse_options(storage_options)).url
        file = remote(str(annotations)).url
        if not file.startswith(root + "/"):
            raise UsageError(f"--annotations {annotations} is not inside the source folder {source}",
                             hint="give the COCO JSON's folder (or one above it) as SOURCE")
        yield local, str(Path(str(local)) / file[len(root) + 1:])


@contextlib.contextmanager
def staged(source: str | Path | None,
           storage_options: list[str] | tuple[str, ...] | None) -> Iterator[str | Path | None]:
    """`source` itself for a path; for a URL, a temporary folder holding its objects (for a URL
    naming one object, a table, that object's copy there)."""
    if not is_url(source):
        yield source
        return
    assert isinstance(source, str)
    location = remote(source, parse_options(storage_options))
    check_reachable(location, must_exist=True)
    with tempfile.TemporaryDirectory(prefix="augment-staged-") as folder:
        root = Path(folder)
        if _one_object(location):  # a table file: staged under its own name
            target = root / location.url.rsplit("/", 1)[-1]
            stream_to(location, location.root, location.url, target)
            yield target
            return
        batch: list[str] = []
        for name in walk_names(location):
            batch.append(name)
            if len(batch) == BATCH:
                _fetch(location, batch, root)
        _fetch(location, batch, root)
        yield root


def _one_object(location: Remote) -> bool:
    try:
        return location.fs.info(location.root).get("type") != "directory"
    except Exception as exc:
        raise storage_error(location.url, exc, "cannot read") from None


def _fetch(location, names: list[str], root: Path) -> None:
    for name, found in fetch_many(location, names).items():
        if isinstance(found, OSError):
            continue  # gone since the listing: not part of the dataset any more
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(found[1])
    names.clear()
