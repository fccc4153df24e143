"""The output folder: who made it, and claiming it for a run.

DIR/.augment-run.json records the tool version, the recipe (path and
digest), seed, copies, dataset layout and SRC of the run that wrote DIR. A
non-empty DIR without it, made by another recipe file or from another SRC, is
refused unless --overwrite, and so is a run that would remove the outputs of
most of DIR's sources because SRC lost them, unless --allow-removals. (It is
a file, not a folder: torchvision's ImageFolder would take a folder for a class.)
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from augment_cli import __version__, storage
from augment_cli.errors import UsageError
from augment_cli.layouts import DEFAULT
from augment_cli.outdir.files import TEMP_PREFIX, atomic_write, check_regular, remove_quietly
from augment_cli.outdir.index import INDEX_FILES, Index
from augment_cli.outdir.lock import LOCK_NAME
from augment_cli.outdir.manifest import ERRORS_NAME, MANIFEST_NAME, read_manifest
from augment_cli.outdir.statefiles import STATE_NAME, UNSHARDED, StateFiles, is_shard_file, shards_in
from augment_cli.recipe import Recipe

WORDS = {"recipe": "the recipe changed", "inputs": "a file or folder the recipe reads changed",
         "distinct": "--allow-duplicates changed"}
OWN_FILES = (MANIFEST_NAME, ERRORS_NAME, STATE_NAME, LOCK_NAME, *INDEX_FILES)


@dataclass(frozen=True)
class RunState:
    tool: str
    version: str
    recipe_path: str
    recipe: str
    seed: int
    copies: int
    include_originals: bool
    layout: str = DEFAULT  # how SRC was read (layouts.LAYOUTS); verify asks it what DIR holds
    # SRC, resolved: another SRC is refused (see same_source). "" in a state
    # written before it was recorded: any SRC is taken then.
    src: str = ""
    # Content of the files the recipe reads (recipe/inputs.py); "" for none.
    inputs: str = ""
    complete: bool = False
    # Duplicate copies redrawn (run/distinct.py); False for --allow-duplicates
    # and in a state written before copies were made distinct.
    distinct: bool = False
    # How copies per file were decided and files found, for `verify --repair`
    # to run the same expand again (not compared: changing them changes names).
    balance: bool = False
    max_copies: int | None = None
    follow_links: bool = False
    # The COCO JSON of --annotations FILE, relative to SRC (`merge` and `verify
    # --repair` read it alone); None, and left out of the record, without one.
    annotations: str | None = None
    # A table run's options that shape its rows (text_columns, label_column,
    # split), for `verify --repair`; None (and not written) for a run of files.
    table: dict[str, Any] | None = None

    @classmethod
    def of(cls, recipe: Recipe, seed: int, copies: int, include_originals: bool,
           layout: str = DEFAULT, source: Path | None = None, inputs: str = "",
           distinct: bool = True, balance: bool = False, max_copies: int | None = None,
           follow_links: bool = False, annotations: str | None = None,
           table: dict[str, Any] | None = None) -> RunState:
        path = str(Path(recipe.path).resolve())
        return cls("augment", __version__, path, recipe.digest, seed, copies, include_originals, layout,
                   storage.source_url(str(source.resolve())) if source else "",  # a URL SRC's: its URL
                   inputs, distinct=distinct, balance=balance,
                   max_copies=max_copies, follow_links=follow_links, annotations=annotations,
                   table=table)

    def same_source(self, other: RunState) -> bool:
        """Whether `other` reads the SRC this state's run read: the same folder,
        or one at the same place relative to the recipe file (the project
        moved or checked out elsewhere, as manifest paths of noise files are
        relative to the recipe). A SRC moved on its own cannot be told from
        another dataset. DIR's own path is not recorded: two DIRs of the same
        run stay byte-identical."""
        if not self.src or self.src == other.src:
            return True
        return (os.path.relpath(self.src, Path(self.recipe_path).parent)
                == os.path.relpath(other.src, Path(other.recipe_path).parent))

    def completed(self) -> RunState:
        return replace(self, complete=True)

    def differences(self, other: RunState) -> list[str]:
        """What changed between two runs that makes every output different."""
        names = ("version", "recipe", "inputs", "seed", "copies", "include_originals", "layout", "distinct")
        return [WORDS.get(name) or f"{name} changed ({getattr(self, name)} -> {getattr(other, name)})"
                for name in names if getattr(self, name) != getattr(other, name)]


def read_state(out: Path, name: str = STATE_NAME) -> RunState | None:
    try:
        return RunState(**json.loads((out / name).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_state(out: Path, state: RunState, name: str = STATE_NAME) -> None:
    atomic_write(out / name, state_bytes(state))


def state_bytes(state: RunState) -> bytes:
    record = asdict(state)
    for optional in ("annotations", "table"):  # records of runs without them stay as they were
        if record[optional] is None:
            del record[optional]
    return (json.dumps(record, indent=2) + "\n").encode()


def check_claim(out: Path, state: RunState, overwrite: bool, files: StateFiles = UNSHARDED) -> None:
    """Refuse (UsageError) a DIR this run (or shard: `files`) must not write into; writes nothing."""
    for name in files.names():  # even with --overwrite: never write through a planted symlink
        check_regular(out / name)
    if overwrite or not has_files(out):
        return
    previous = _previous_state(out, state, files)
    if previous is None and files.shard is not None and shards_in(out):
        return  # other shards of this split are starting in DIR and have not written their record yet
    if previous is None:
        raise UsageError(f"--out {out} is not empty and was not made by augment",
                         hint="choose an empty folder, or pass --overwrite to write into it")
    if previous.recipe != state.recipe and previous.recipe_path != state.recipe_path:
        raise UsageError(f"--out {out} was made by a different recipe ({previous.recipe_path})",
                         hint="pass --overwrite to replace that run's files, or choose another --out")
    if not previous.same_source(state):
        raise UsageError(f"--out {out} was made from another source folder ({previous.src})",
                         hint=f"pass --overwrite to replace that run's files with copies of {state.src}, "
                              "or choose another --out")


def _previous_state(out: Path, state: RunState, files: StateFiles) -> RunState | None:
    """The record of the run that wrote DIR, as this run (or shard) sees it.

    An unsharded run refuses shards not merged yet. A shard takes its own
    record, or that of another shard of the same run (shards may share DIR);
    it refuses a finished unsharded run and shards of another one."""
    shards = shards_in(out)
    if files.shard is None:
        if shards and read_state(out) is None:
            raise UsageError(f"--out {out} holds shards of a run that are not merged yet",
                             hint=f"run `augment merge {out}` first")
        return read_state(out)
    if read_state(out) is not None:
        raise UsageError(f"--out {out} holds an unsharded (or merged) run",
                         hint="update it with an unsharded run, or give the shards an empty --out")
    for shard in sorted(shards, key=str):
        other = read_state(out, StateFiles.of(shard).state)
        if shard.count != files.shard.count:
            raise UsageError(f"--out {out} holds shard {shard} of another split than --shard {files.shard}",
                             hint="use the same M for every shard of one --out, or another --out")
        if other is not None and shard != files.shard and other.differences(state):
            raise UsageError(f"--out {out} holds shard {shard} of another run: "
                             f"{'; '.join(other.differences(state))}",
                             hint="run every shard of one --out with the same recipe, seed and options")
    return read_state(out, files.state) or next(
        (found for shard in sorted(shards, key=str)
         if (found := read_state(out, StateFiles.of(shard).state)) is not None), None)


def check_removals(out: Path, source: Path, index: Index, files: StateFiles = UNSHARDED) -> None:
    """Refuse a run that would remove the outputs of a large share of DIR's
    sources because they are gone from SRC (an unmounted share, a wrong or
    half-copied folder); writes nothing. See `too_many_gone`."""
    known = gone = 0
    listing = _folder_listing(source)
    # A fresh index (damaged and not rebuilt) knows nothing: the manifest does.
    recorded = (index.sources() if index.has_sources()
                else sorted({r.source for r in _manifest_rows(out, files.manifest)}))
    for relative in recorded:
        known += 1
        folder, _, name = relative.rpartition("/")
        gone += name not in listing(folder)
    if too_many_gone(gone, known):
        raise UsageError(f"{gone} of the {known} sources --out {out} was made from are gone from "
                         f"{source}: this run would remove their outputs",
                         hint="if they were deleted on purpose, pass --allow-removals (or --overwrite "
                              "to start afresh); if SRC is a share or disk, check that it is mounted")


def _folder_listing(root: Any) -> Callable[[str], frozenset[str]]:
    """Names in a folder of SRC, listed once per folder: a stat per source
    costs ~6 us, 0.6 s a run at 100k sources. The index yields sources in
    name order, so a few folders listed at a time suffice (memory stays flat).
    A URL SRC's folders are listed by storage/walk.py."""
    @functools.lru_cache(maxsize=64)
    def listing(folder: str) -> frozenset[str]:
        if not isinstance(root, str | os.PathLike):  # a URL SRC (storage.location.Remote)
            from augment_cli.storage.walk import folder_names

            return folder_names(root, folder)
        try:
            return frozenset(os.listdir(os.path.join(root, folder)))
        except OSError:
            return frozenset()

    return listing


def too_many_gone(gone: int, known: int) -> bool:
    """All of DIR's sources, or more than one and over 10 % of them.

    Editing a dataset removes a few files at a time; losing most of them at
    once is nearly always an accident, whose cost is the dataset. One file
    (or 10 %) is free so that ordinary deletions need no flag."""
    return gone > 0 and (gone == known or (gone > 1 and gone * 10 > known))


def reset_reasons(out: Path, state: RunState, overwrite: bool, index: Any, state_name: str) -> list[str]:
    """Why DIR's previous outputs cannot be kept (another recipe, seed, copies or
    version; --overwrite), or [] when they can. An index without a run record
    is not trusted: it is emptied here (the outputs it named are redone)."""
    previous = read_state(out, state_name)
    if previous is None and not overwrite:
        index.clear()
        return []
    return ["--overwrite"] if overwrite else previous.differences(state) if previous else []


def reset_if_needed(out: Path, state: RunState, overwrite: bool, index: Index,
                    files: StateFiles = UNSHARDED) -> str | None:
    """Start from nothing when the previous outputs cannot be kept.

    Returns why (for the summary) when the recipe, seed, copies or tool
    version changed, or with --overwrite: every previous output is removed
    here and the index emptied. Returns None when the index may be used.
    """
    reasons = reset_reasons(out, state, overwrite, index, files.state)
    if not reasons:
        return None
    names = list(index.all_names()) or [row.file_name for row in _manifest_rows(out, files.manifest)]
    remove_outputs(out, names)
    index.clear()
    return "; ".join(reasons)


def remove_outputs(out: Path, names: list[str]) -> None:
    if (mirror := storage.mirror_of(out)) is not None:  # a URL DIR's working copy: delete in DIR
        mirror.remove(names)
        return
    root = out.resolve()
    for name in names:
        path = (out / name).resolve()
        # Never delete outside DIR, whatever a (hand-edited) index says.
        if root in path.parents and path.is_file():
            remove_quietly(path)


def sweep_temporary_files(out: Path) -> None:
    """Remove half-written files a killed run left (they all carry TEMP_PREFIX)."""
    for path in out.rglob(f"{TEMP_PREFIX}*"):
        remove_quietly(path)


def has_files(out: Path) -> bool:
    """True if DIR holds anything besides lock files."""
    return out.is_dir() and any(p.name != LOCK_NAME and not (is_shard_file(p.name) and p.suffix == ".lock")
                                for p in out.iterdir())


def _manifest_rows(out: Path, name: str = MANIFEST_NAME) -> list:
    try:
        return read_manifest(out / name)
    except (OSError, ValueError, KeyError, TypeError):
        # No manifest, or one that cannot say what to remove: leave files be.
        return []
