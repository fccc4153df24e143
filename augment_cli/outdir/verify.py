"""`augment verify DIR`: does DIR still hold exactly what its manifest says?

Checks that every manifest row's file exists, matches its recorded SHA-256
and decodes, that the files its layout carries beside each copy exist (and,
for an annotated layout, parse and lie inside their image), and that no
stray or half-written files are present.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment_cli import layouts
from augment_cli.errors import SampleError, UsageError
from augment_cli.layouts.reading import read_regular
from augment_cli.modalities import codec_for
from augment_cli.outdir.claim import OWN_FILES, read_state
from augment_cli.outdir.files import TEMP_PREFIX
from augment_cli.outdir.manifest import MANIFEST_NAME, ManifestRow, read_manifest, unescape
from augment_cli.outdir.table_index import recorded_outputs
from augment_cli.outdir.table_output import intact

DAMAGED, STRAY, MANIFEST = "damaged", "stray", "manifest"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in DIR: `text` is verify's line; `output` is the
    manifest row's file a damaged or missing file belongs to (a companion's
    media), or the stray file itself."""

    kind: str  # DAMAGED, STRAY or MANIFEST
    output: str
    text: str


def verify(out: Path, layout: str | None = None) -> list[str]:
    """One line per problem; an empty list means DIR is intact. `layout`, when
    given, must be the one the run recorded (a UsageError otherwise)."""
    return [problem.text for problem in problems(out, layout)]


def problems(out: Path, layout: str | None = None) -> list[Problem]:
    """Every problem in DIR, in verify's order (`verify --repair` acts on them)."""
    state = read_state(out)
    if state is not None and state.layout == "table":
        _layout_of(out, layout)
        return _table_problems(out)
    if not (out / MANIFEST_NAME).is_file():
        raise UsageError(f"{out} has no {MANIFEST_NAME}: not a folder written by augment expand")
    found: list[Problem] = []
    try:
        rows, named = _read_rows(out, found)
    except (OSError, ValueError) as exc:
        return [*found, Problem(MANIFEST, MANIFEST_NAME, f"{MANIFEST_NAME}: cannot be read ({exc})")]
    read_as = _layout_of(out, layout)
    for row in rows:
        text, decoded = _check_row(out, row)
        if text is not None:
            found.append(Problem(DAMAGED, row.file_name, text))
        elif read_as.annotated and decoded is not None:
            size = (int(decoded.data.shape[1]), int(decoded.data.shape[0]))
            found += [Problem(DAMAGED, row.file_name, problem)
                      for problem in read_as.check_annotations(out, row.file_name, size)]
    listed = {row.file_name for row in rows} | named | set(read_as.dataset_files(rows))
    companions = {extra: row.file_name for row in rows for extra in read_as.companion_names(row.file_name)}
    found += [Problem(DAMAGED, companions[name], f"{name}: missing") for name in sorted(companions)
              if not (out / name).is_file()]
    listed |= set(companions)
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        if name in listed or name in OWN_FILES:
            continue
        kind = "half-written temporary file" if path.name.startswith(TEMP_PREFIX) else "stray file"
        found.append(Problem(STRAY, name, f"{name}: {kind} not in {MANIFEST_NAME}"))
    return found


def _table_problems(out: Path) -> list[Problem]:
    """A table run's DIR: each recorded table present with its SHA-256, nothing else (it has no
    manifest.csv: each table is its own manifest)."""
    outputs = recorded_outputs(out) or []
    found = [Problem(DAMAGED, output.name, f"{output.name}: missing" if not (out / output.name).is_file()
                     else f"{output.name}: content differs from the recorded SHA-256")
             for output in outputs if not intact(out, output)]
    listed = {output.name for output in outputs} | set(OWN_FILES)
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        if name not in listed:
            kind = "half-written temporary file" if path.name.startswith(TEMP_PREFIX) else "stray file"
            found.append(Problem(STRAY, name, f"{name}: {kind} (not a table this run wrote)"))
    return found


def _read_rows(out: Path, found: list[Problem]) -> tuple[list[ManifestRow], set[str]]:
    """The manifest's rows; a row that cannot be read is a problem naming its
    line, and the file it names (its first cell) is not called stray on top."""
    named: set[str] = set()

    def bad_row(line: int, reason: str, cells: list[str]) -> None:
        text = f"{MANIFEST_NAME}:{line}: row cannot be read ({reason})"
        found.append(Problem(MANIFEST, MANIFEST_NAME, text))
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


def _check_row(out: Path, row) -> tuple[str | None, Any]:
    """The row's problem, or None and the decoded file."""
    path = out / row.file_name
    try:
        payload = read_regular(path)[1]
    except FileNotFoundError:
        return f"{row.file_name}: missing", None
    except OSError as exc:
        return f"{row.file_name}: unreadable ({exc.strerror or exc})", None
    if hashlib.sha256(payload).hexdigest() != row.sha256:
        return f"{row.file_name}: content differs from the recorded SHA-256", None
    try:
        return None, codec_for(row.modality).decode(payload)
    except SampleError as exc:
        return f"{row.file_name}: does not decode ({exc})", None
