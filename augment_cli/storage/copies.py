"""Single objects a run reads as local files: a metadata file beside a URL SRC's media, a table SRC.

The readers of these files (layouts/metadata.py, layouts/table_formats.py,
pyarrow) read a file, sniff it and read it again, so the object is copied to
local disk once, streamed (the filesystem's get copies in blocks: memory
stays flat however big the table), into the cache folder
($AUGMENT_CACHE_DIR/objects/<hash of the URL>/<size>-<mtime>/<name>). The
stamp in the path makes the copy a function of the object's version: the
walk and the dataset files of one run, and a re-run with the object
unchanged, read the copy already there (one HEAD request), while a changed
object is fetched again and the older copy removed. A copy is written under
a temporary name and renamed, so a killed run never leaves a partial copy
that a later run would read.

Messages name the URL, not the copy: `named` puts each copy's URL back into
an error's text (storage/runs.py applies it to what a URL run raises).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from augment_cli.errors import AugmentError, UsageError
from augment_cli.storage.location import Remote, storage_error
from augment_cli.storage.walk import folder_names, mtime_ns
from augment_cli.storage.workdir import cache_base

COPIES: dict[str, str] = {}  # a local copy's path -> the URL of its object


def local_copy(location: Remote, name: str) -> Path | None:
    """A local copy of the object `name` under `location`, current with its stamp; None if there
    is no such object. UsageError naming the URL when it cannot be read."""
    url = location.child_url(name) if name else location.url
    key = location.key(name)
    try:
        info = location.fs.info(key)
    except FileNotFoundError:
        return None
    except Exception as exc:
        raise storage_error(url, exc, "cannot read") from None
    if info.get("type") == "directory":
        return None
    folder = cache_base() / "objects" / hashlib.sha256(url.encode()).hexdigest()[:24]
    target = folder / f"{int(info.get('size') or 0)}-{mtime_ns(info)}" / Path(name or key).name
    if not target.is_file():
        _fetch(location, key, url, target)
    COPIES[str(target)] = url
    return target


def _fetch(location: Remote, key: str, url: str, target: Path) -> None:
    if target.parent.parent.is_dir():  # older versions of this object: not read again
        for older in target.parent.parent.iterdir():
            if older != target.parent:
                shutil.rmtree(older, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    stream_to(location, key, url, target)


def stream_to(location: Remote, key: str, url: str, target: Path, mtime_ns: int | None = None) -> None:
    """Copy an object to `target` in blocks, through a temporary name; with `mtime_ns`, the copy
    takes that modification time. UsageError naming the URL when it cannot."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        location.fs.get_file(key, str(partial))
        if mtime_ns is not None:
            os.utime(partial, ns=(mtime_ns, mtime_ns))
        os.replace(partial, target)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError | PermissionError):
            raise UsageError(f"{url}: cannot copy it to {target.parent}: {exc.strerror or exc}") from None
        raise storage_error(url, exc, "cannot read") from None


def top_level_copy(location: Remote, names: tuple[str, ...], what: str) -> Path:
    """The local copy of the one object among `names` directly under `location`; UsageError naming
    the URL when there is none or several (the message a local folder gets)."""
    found = [name for name in names if name in folder_names(location, "")]
    copy = local_copy(location, found[0]) if len(found) == 1 else None
    if copy is None:
        raise UsageError(f"{location.url} holds {'several' if len(found) > 1 else 'no'} {what} "
                         f"({', '.join(names)})", hint="keep exactly one")
    return copy


def named(text: str) -> str:
    """`text` with every local copy's path replaced by its object's URL."""
    for path, url in COPIES.items():
        text = text.replace(path, url)
    return text


@contextlib.contextmanager
def urls_in_messages() -> Iterator[None]:
    """Errors raised inside name the objects a run read through local copies by their URLs."""
    try:
        yield
    except AugmentError as exc:
        if COPIES and exc.args and isinstance(exc.args[0], str):
            exc.args = (named(exc.args[0]), *exc.args[1:])
        raise
