"""`augment verify URL`: the checks of outdir/verify.py, on a URL DIR.

The manifest, run record and index are fetched into a temporary folder and
read as on disk; every row's object is fetched (objects.BATCH at a time,
concurrently), hashed and decoded, and DIR is listed once (streamed) for
objects no row names. A table run's tables are hashed as they stream in.
There are no half-written objects to find: each is one PUT (or a multipart
upload, visible once complete). An annotated layout's label files are fetched
with their images and checked as on disk (outdir/verify.py), from a temporary
folder holding one batch's at a time. `--repair` is not offered on URLs in this version.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from augment_cli import layouts
from augment_cli.errors import SampleError, UsageError
from augment_cli.modalities import codec_for
from augment_cli.outdir.claim import OWN_FILES, STATE_NAME, read_state
from augment_cli.outdir.index import INDEX_NAME
from augment_cli.outdir.manifest import MANIFEST_NAME, ManifestRow
from augment_cli.outdir.table_index import Output, recorded_outputs
from augment_cli.outdir.verify import DAMAGED, STRAY, Problem, _read_rows
from augment_cli.storage.lease import LOCK_NAME
from augment_cli.storage.location import Remote, check_reachable, parse_options, remote, storage_error
from augment_cli.storage.objects import BATCH, fetch_many
from augment_cli.storage.walk import walk_names


def verify(url: str, layout: str | None = None,
           storage_options: list[str] | tuple[str, ...] | None = None) -> list[str]:
    """One line per problem of a URL DIR; [] when it holds exactly what its manifest says."""
    location = remote(url, parse_options(storage_options))
    check_reachable(location, must_exist=False)
    with tempfile.TemporaryDirectory(prefix="augment-verify-") as folder:
        local = Path(folder)
        for name in (MANIFEST_NAME, STATE_NAME, INDEX_NAME):
            try:
                (local / name).write_bytes(location.fs.cat_file(location.key(name)))
            except FileNotFoundError:
                continue
            except Exception as exc:
                raise storage_error(url, exc, "cannot read") from None
        state = read_state(local)
        written = state.layout if state is not None else layouts.DEFAULT
        if layout not in (None, written):
            raise UsageError(f"{url} was written from a {written!r} dataset, not {layout!r}",
                             hint="leave out --format: verify reads it from the run record")
        if written == "table":
            return [problem.text for problem in _table_problems(location, recorded_outputs(local) or [])]
        if not (local / MANIFEST_NAME).is_file():
            raise UsageError(f"{url} has no {MANIFEST_NAME}: not a folder written by augment expand")
        found: list[Problem] = []
        try:
            rows, named = _read_rows(local, found)
        except (OSError, ValueError) as exc:
            return [p.text for p in found] + [f"{MANIFEST_NAME}: cannot be read ({exc})"]
        read_as = layouts.get(written)
        found += _check_rows(location, rows, read_as, local)
    listed = {row.file_name for row in rows} | named | set(read_as.dataset_files(rows))
    listed |= {extra for row in rows for extra in read_as.companion_names(row.file_name)}
    for name in walk_names(location, hidden=True):
        if name not in listed and name not in OWN_FILES and name != LOCK_NAME:
            found.append(Problem(STRAY, name, f"{name}: stray object not in "
                                 f"{MANIFEST_NAME}"))
    return [problem.text for problem in found]


def _table_problems(location: Remote, outputs: list[Output]) -> list[Problem]:
    """A table run's DIR: each recorded table an object with its SHA-256 (streamed), nothing else."""
    found = []
    for output in outputs:
        try:
            with location.fs.open(location.key(output.name), "rb") as handle:
                same = hashlib.file_digest(handle, "sha256").hexdigest() == output.sha256
            text = None if same else f"{output.name}: content differs from the recorded SHA-256"
        except FileNotFoundError:
            text = f"{output.name}: missing"
        except Exception as exc:
            raise storage_error(location.child_url(output.name), exc, "cannot read") from None
        if text is not None:
            found.append(Problem(DAMAGED, output.name, text))
    listed = {output.name for output in outputs} | set(OWN_FILES)
    found += [Problem(STRAY, name, f"{name}: stray object (not a table this run wrote)")
              for name in walk_names(location, hidden=True) if name not in listed]
    return found


def _check_rows(location: Remote, rows: list[ManifestRow], read_as: layouts.Layout,
                local: Path) -> list[Problem]:
    """Each row's object (and the files its layout carries beside it) fetched BATCH rows at a
    time: hashed and decoded; an annotated layout's label files are checked as on disk, from
    `local` (its dataset files, and each batch's label files while it is checked)."""
    problems, missing = [], []
    for name in read_as.dataset_files() if read_as.annotated else ():  # data.yaml: the class names
        found = fetch_many(location, [name])[name]
        if isinstance(found, tuple):
            (local / name).write_bytes(found[1])
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        extras = {row.file_name: read_as.companion_names(row.file_name) for row in chunk}
        fetched = fetch_many(location, [row.file_name for row in chunk] +
                             [extra for names in extras.values() for extra in names])
        for row in chunk:
            missing += [(extra, row.file_name) for extra in extras[row.file_name]
                        if isinstance(fetched[extra], FileNotFoundError)]
            text, decoded = _problem(row, fetched[row.file_name])
            if text is not None:
                problems.append(Problem(DAMAGED, row.file_name, text))
            elif read_as.annotated and decoded is not None:
                size = (int(decoded.data.shape[1]), int(decoded.data.shape[0]))
                problems += [Problem(DAMAGED, row.file_name, problem) for problem in
                             _annotation_problems(read_as, local, row.file_name, size, extras, fetched)]
    problems += [Problem(DAMAGED, media, f"{extra}: missing") for extra, media in sorted(missing)]
    return problems


def _annotation_problems(read_as: layouts.Layout, local: Path, media: str, size: tuple[int, int],
                         extras: dict[str, tuple[str, ...]], fetched: dict[str, Any]) -> list[str]:
    """check_annotations of one image on its label files, written into `local` and removed."""
    written = []
    for extra in extras[media]:
        if isinstance(fetched[extra], tuple):
            path = local / extra
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(fetched[extra][1])
            written.append(path)
    try:
        return read_as.check_annotations(local, media, size)
    finally:
        for path in written:
            path.unlink(missing_ok=True)


def _problem(row: ManifestRow, found: object) -> tuple[str | None, Any]:
    """The row's problem, or None and the decoded object."""
    if isinstance(found, FileNotFoundError):
        return f"{row.file_name}: missing", None
    if isinstance(found, OSError):
        return f"{row.file_name}: unreadable ({found.strerror or found})", None
    assert isinstance(found, tuple)
    payload = found[1]
    if hashlib.sha256(payload).hexdigest() != row.sha256:
        return f"{row.file_name}: content differs from the recorded SHA-256", None
    try:
        return None, codec_for(row.modality).decode(payload)
    except SampleError as exc:
        return f"{row.file_name}: does not decode ({exc})", None
