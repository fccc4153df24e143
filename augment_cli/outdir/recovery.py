"""Rebuilding a damaged run index from what DIR itself says.

The index is written without fsync (outdir/index.py), so a power cut can
damage any of its pages. When the last run did not finish, the index is
checked on opening; a damaged one is rebuilt from manifest.csv instead of
redoing every source. A source is taken back when every output its manifest
rows name is on disk with the recorded SHA-256 (the outputs are what the
manifest says), and the source has not changed since the manifest was
written: its mtime and ctime are older than the manifest's mtime (ctime
cannot be set back by hand, so `cp -p` or `touch -d` of an edited file does
not fool it). Everything else is redone. No manifest, or one that cannot be
read, means starting afresh. This reads every recorded output and source once
and holds the manifest in memory: cheaper than regenerating, and only after
damage.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from pathlib import Path

from augment_cli.layouts import Layout, Sample
from augment_cli.outdir.index import Index, Stamp
from augment_cli.outdir.manifest import MANIFEST_NAME, ManifestRow, read_manifest
from augment_cli.outdir.statefiles import UNSHARDED, StateFiles


def open_index(out: Path, source: Path, layout: Layout, unclean: bool,
               reusable: bool, files: StateFiles = UNSHARDED) -> tuple[Index, str | None]:
    """DIR's index, checked when the last run was `unclean`, and rebuilt from
    manifest.csv if damaged and its outputs are `reusable` (the run state
    matches: else every output is redone anyway). Returns the index and, after
    damage, a warning saying what was recovered."""
    index = Index(out, check=unclean, name=files.index)
    if not index.damaged:
        return index, None
    kept, known = rebuild(index, out, source, layout, files.manifest) if reusable else (0, 0)
    return index, (f"the run index in {out} was damaged and has been rebuilt from {files.manifest}: "
                   f"{kept} of {known} sources kept, the others are redone")


def rebuild(index: Index, out: Path, source: Path, layout: Layout,
            manifest_name: str = MANIFEST_NAME) -> tuple[int, int]:
    """Put every source the manifest vouches for into the (fresh) index;
    returns (sources kept, sources in the manifest)."""
    manifest = out / manifest_name
    try:
        rows = read_manifest(manifest)
        written = manifest.stat().st_mtime_ns
    except (OSError, ValueError, KeyError, TypeError):
        return 0, 0
    by_source: dict[str, list[ManifestRow]] = defaultdict(list)
    for row in rows:
        by_source[row.source].append(row)
    kept = 0
    for relative, its_rows in by_source.items():
        its_rows.sort(key=lambda row: row.copy)  # the order a worker records them in
        companions = [extra for row in its_rows for extra in layout.companion_names(row.file_name)]
        recovered = _recover(source / relative, out, its_rows, companions, written)
        if recovered is not None:
            stamp, digest = recovered
            if layout.annotated:  # as the worker records it (worker.source_digest)
                first = its_rows[0]
                sample = Sample(relative, first.label, first.modality)
                digest += ":" + layout.annotation_digest(source, sample)
            index.put(relative, stamp, digest, its_rows, companions)
            kept += 1
    index.commit()
    return kept, len(by_source)


def _recover(path: Path, out: Path, rows: list[ManifestRow], companions: list[str],
             written: int) -> tuple[Stamp, str] | None:
    """The source's stamp and SHA-256 if its outputs stand, else None."""
    try:
        info = os.stat(path)
        if max(info.st_mtime_ns, info.st_ctime_ns) >= written:
            return None  # changed since the manifest was written (or at the same tick)
        if not all(_sha256(out / row.file_name) == row.sha256 for row in rows):
            return None
        if not all((out / name).is_file() for name in companions):
            return None
        return Stamp(info.st_size, info.st_mtime_ns), _sha256(path)
    except OSError:
        return None


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
