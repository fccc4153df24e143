"""`augment verify DIR`: does DIR still hold exactly what its manifest says?

Checks that every manifest row's file exists, matches its recorded SHA-256
and decodes, that the files its layout carries beside each copy exist, and
that no stray or half-written files are present.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from augment_cli import layouts
from augment_cli.errors import SampleError, UsageError
from augment_cli.layouts.reading import read_regular
from augment_cli.modalities import codec_for
from augment_cli.outdir.claim import OWN_FILES, read_state
from augment_cli.outdir.files import TEMP_PREFIX
from augment_cli.outdir.manifest import MANIFEST_NAME, ManifestRow, read_manifest, unescape


def verify(out: Path, layout: str | None = None) -> list[str]:
    """One line per problem; an empty list means DIR is intact. `layout`, when
    given, must be the one the run recorded (a UsageError otherwise)."""
    if not (out / MANIFEST_NAME).is_file():
        raise UsageError(f"{out} has no {MANIFEST_NAME}: not a folder written by augment expand")
    problems: list[str] = []
    try:
        rows, named = _read_rows(out, problems)
    except (OSError, ValueError) as exc:
        return [*problems, f"{MANIFEST_NAME}: cannot be read ({exc})"]
    problems += [problem for row in rows if (problem := _check_row(out, row)) is not None]
    found = _layout_of(out, layout)   # the Layout named (or recorded) by `layout`
    listed = {row.file_name for row in rows} | named | set(found.dataset_files())
    companions = {extra for row in rows for extra in found.companion_names(row.file_name)}
    problems += [f"{name}: missing" for name in sorted(companions) if not (out / name).is_file()]
    listed |= companions
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        if name in listed or name in OWN_FILES:
            continue
        kind = "half-written temporary file" if path.name.startswith(TEMP_PREFIX) else "stray file"
        problems.append(f"{name}: {kind} not in {MANIFEST_NAME}")
    return problems


def _read_rows(out: Path, problems: list[str]) -> tuple[list[ManifestRow], set[str]]:
    """The manifest's rows; a row that cannot be read is a problem naming its
    line, and the file it names (its first cell) is not called stray on top."""
    named: set[str] = set()

    def bad_row(line: int, reason: str, cells: list[str]) -> None:
        problems.append(f"{MANIFEST_NAME}:{line}: row cannot be read ({reason})")
        named.add(unescape(cells[0]))

    return read_manifest(out / MANIFEST_NAME, on_bad_row=bad_row), named


def _layout_of(out: Path, asked: str | None) -> layouts.Layout:
    """The layout the run recorded (class folders for a DIR from before layouts)."""
    state = read_state(out)
    name = state.layout if state is not None and state.layout in layouts.LAYOUTS else layouts.DEFAULT
    if asked is not None and layouts.target_of(asked) and asked != name:
        raise UsageError(f"{out} was written from a {name!r} dataset, not {asked!r}",
                         hint="leave out --format: verify reads it from the run record")
    return layouts.get(name)


def _check_row(out: Path, row) -> str | None:
    path = out / row.file_name
    try:
        payload = read_regular(path)[1]
    except FileNotFoundError:
        return f"{row.file_name}: missing"
    except OSError as exc:
        return f"{row.file_name}: unreadable ({exc.strerror or exc})"
    if hashlib.sha256(payload).hexdigest() != row.sha256:
        return f"{row.file_name}: content differs from the recorded SHA-256"
    try:
        codec_for(row.modality).decode(payload)
    except SampleError as exc:
        return f"{row.file_name}: does not decode ({exc})"
    return None
