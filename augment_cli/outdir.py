"""The output folder: who made it, and claiming it for a run.

DIR/.augment-run.json records the tool version, recipe digest, seed and
copies of the run that wrote DIR. A non-empty DIR without it, or made by
another recipe, is refused unless --overwrite. (It is a file, not a folder:
torchvision's ImageFolder would take a hidden folder for a class.)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from augment_cli import __version__
from augment_cli.errors import UsageError
from augment_cli.files import atomic_write, remove_quietly
from augment_cli.manifest import ERRORS_NAME, MANIFEST_NAME, read_manifest
from augment_cli.recipe import Recipe

STATE_NAME = ".augment-run.json"


@dataclass(frozen=True)
class RunState:
    tool: str
    version: str
    recipe: str
    seed: int
    copies: int
    include_originals: bool
    complete: bool = False

    @classmethod
    def of(cls, recipe: Recipe, seed: int, copies: int, include_originals: bool) -> "RunState":
        return cls("augment", __version__, recipe.digest, seed, copies, include_originals)

    def completed(self) -> "RunState":
        return replace(self, complete=True)


def read_state(out: Path) -> RunState | None:
    try:
        return RunState(**json.loads((out / STATE_NAME).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_state(out: Path, state: RunState) -> None:
    atomic_write(out / STATE_NAME, (json.dumps(asdict(state), indent=2) + "\n").encode())


def claim(out: Path, recipe: Recipe, *, overwrite: bool, keep: set[str]) -> None:
    """Make DIR ready for a run, or refuse it (UsageError) before writing anything.

    A re-run of the same recipe, and --overwrite, first remove the files the
    previous run listed that this run will not write, so no stale copy stays.
    """
    if not out.exists() or not any(out.iterdir()):
        out.mkdir(parents=True, exist_ok=True)
        return
    state = read_state(out)
    if not overwrite:
        if state is None:
            raise UsageError(f"--out {out} is not empty and was not made by augment",
                             hint="choose an empty folder, or pass --overwrite to write into it")
        if state.recipe != recipe.digest:
            raise UsageError(f"--out {out} was made by a different recipe",
                             hint="pass --overwrite to replace that run's files, or choose another --out")
    _remove_previous(out, keep=set() if overwrite else keep)


def _remove_previous(out: Path, keep: set[str]) -> None:
    root = out.resolve()
    for row in _previous_rows(out):
        path = (out / row.file_name).resolve()
        # Never delete outside DIR, whatever a (hand-edited) manifest says.
        if row.file_name not in keep and root in path.parents and path.is_file():
            remove_quietly(path)
    for name in (MANIFEST_NAME, ERRORS_NAME, STATE_NAME):
        if name not in keep:
            remove_quietly(out / name)


def _previous_rows(out: Path) -> list:
    try:
        return read_manifest(out / MANIFEST_NAME)
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError):
        # An unreadable manifest cannot say what to remove; leave files be.
        return []
