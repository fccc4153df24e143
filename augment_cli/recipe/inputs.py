"""What a recipe reads besides itself, and one digest of its content.

A synonyms file, a folder of noise or impulse-response recordings, a model
folder: the recipe digest covers their names as the recipe spells them
(recipe_digest), not what they hold. `inputs_digest` covers the content: each
file's SHA-256 under its path relative to the recipe file, so the same
project in another checkout gives the same digest, while editing the
synonyms file or adding a recording changes it. A run records it in DIR's
run state and regenerates when it changes. Kept apart from the recipe digest
so recipes without side files keep the digest (and manifests) they had.

A "folder" value lists the visible files directly in it (what the recordings
reader picks from); a "path" value that is a folder (a model) is read whole.
Hashing costs about 1 s per GB, once per run; a recipe without side files
costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from augment_cli import registry
from augment_cli.errors import RecipeError
from augment_cli.recipe.model import GroupStep, Recipe, TransformStep
from augment_cli.storage import is_url

SIDE_KINDS = ("path", "folder")


def inputs_digest(recipe: Recipe) -> str:
    """SHA-256 of every side file the recipe reads; "" when it reads none.
    RecipeError naming the file if one cannot be read (it changed since the
    recipe was checked)."""
    base = Path(recipe.path).resolve().parent
    entries = []
    for kind, value in sorted(set(side_values(recipe))):
        if is_url(value):
            entries.append([kind, value, _url_files(value, recipe)])
            continue
        files = [[_relative(path, base), _sha256(path, recipe)] for path in _files(Path(value), kind)]
        entries.append([kind, _relative(Path(value), base), files])
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest() if entries else ""


def side_values(recipe: Recipe) -> Iterator[tuple[str, str]]:
    """(kind, absolute path) of every file or folder value of the recipe's steps."""
    for modality, steps in recipe.steps:
        for step in steps:
            for member in step.members if isinstance(step, GroupStep) else (step,):
                yield from _step_values(modality, member)


def _step_values(modality: str, step: TransformStep) -> Iterator[tuple[str, str]]:
    spec = registry.get(modality, step.transform)
    for key, value in step.values:
        param = spec.param(key) if spec else None
        if param is not None and param.kind in SIDE_KINDS and isinstance(value, str) and value:
            yield param.kind, value


def _files(path: Path, kind: str) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    found = (path.iterdir() if kind == "folder" else
             (p for p in path.rglob("*") if not any(part.startswith(".")
                                                      for part in p.relative_to(path).parts)))
    return sorted(p for p in found if p.is_file() and not p.name.startswith("."))


def _url_files(value: str, recipe: Recipe) -> list[list[str]]:
    """[name within the value, SHA-256] of each object of a URL value (storage/sidefiles.py),
    as the recipe check listed them: what a run reads, by content."""
    from augment_cli.storage import sidefiles

    found = []
    try:
        for url, _, _ in dict(recipe.side_objects).get(value, ()):
            found.append([url[len(value) + 1:] or url.rsplit("/", 1)[-1], sidefiles.digest(url)])
    except OSError as exc:
        raise RecipeError(f"cannot read {value}: {exc.strerror or exc}", recipe=recipe.path) from None
    return found


def _relative(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def _sha256(path: Path, recipe: Recipe) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise RecipeError(f"cannot read {path}: {exc.strerror or exc}", recipe=recipe.path) from None
