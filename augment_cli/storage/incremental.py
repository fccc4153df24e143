"""The incremental check (outdir/incremental.py) for a URL SRC or DIR.

The same rule as on disk: a source is unchanged when the index lists exactly
the outputs this run would write, all of them exist, and the object still
has the recorded size and last-modified time (or, if those moved, the same
SHA-256). Stamps come from the listing the walk just made (no request per
source), and a URL DIR's outputs are looked up in the listing taken when
the run started (storage/workdir.py), not with a request per output.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import cast

from augment_cli import storage
from augment_cli.errors import AugmentError
from augment_cli.layouts.reading import open_regular
from augment_cli.outdir.index import Known, Stamp
from augment_cli.plugins import resolve
from augment_cli.run.jobs import Job
from augment_cli.storage import is_url
from augment_cli.storage.location import Remote
from augment_cli.storage.walk import recent_stamp


def still_valid(known: Known, job: Job, names: tuple[str, ...]) -> tuple[bool, Stamp | None]:
    if known.names != names or not _outputs_exist(job, names):
        return False, None
    recorded, _, annotations = known.sha256.partition(":")
    try:
        if not _same_annotations(job, annotations):
            return False, None
        stamp, digest = _source_check(job, known.stamp)
    except (OSError, AugmentError):
        return False, None  # unreadable now: let the worker report it
    if stamp == known.stamp:
        return True, None
    return (True, stamp) if digest() == recorded else (False, None)


def _same_annotations(job: Job, recorded: str) -> bool:
    """Whether an annotated source's labels are what its copies were made from (its label
    file is read on the bucket, one GET; a dataset-level file from its local copy)."""
    layout = resolve(job.layout)
    if not layout.annotated:
        return True
    root = Remote(job.source_root, job.storage) if is_url(job.source_root) else Path(job.source_root)
    return bool(layout.annotation_digest(cast(Path, root), job.sample) == recorded)


def _outputs_exist(job: Job, names: tuple[str, ...]) -> bool:
    if not is_url(job.out_root):
        return all((Path(job.out_root) / name).is_file() for name in names)
    mirror = next((m for m in storage.MIRRORS.values() if m.location.url == job.out_root), None)
    if mirror is not None:
        return bool(mirror.exist(names))
    from augment_cli.storage.objects import exists_all

    return exists_all(Remote(job.out_root, job.storage), names)


def _source_check(job: Job, recorded: Stamp):
    """The source's stamp now, and a function hashing its bytes (streamed) if needed."""
    relative = job.sample.relative
    if not is_url(job.source_root):
        path = Path(job.source_root) / relative

        def local_digest() -> str:
            with open_regular(path) as (handle, _):
                return hashlib.file_digest(handle, "sha256").hexdigest()

        return Stamp.of(path), local_digest
    location = Remote(job.source_root, job.storage)

    def remote_digest() -> str:
        with location.fs.open(location.key(relative), "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()

    return recent_stamp(location, relative), remote_digest
