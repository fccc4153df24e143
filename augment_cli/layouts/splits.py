"""Train/val/test trees: SRC/<split>/<label>/.../<file>.

A class-folder tree whose top-level folders are all split names (train, val,
test, ...) is not three labels called "train", "val" and "test": the labels
are one level down, and only one split is expanded, the training split
unless `--split NAME` names another. The other splits are never read, copied
or augmented (a test split augmented by accident leaks into the scores); the
summary says they were left out. The run then reads SRC/<split> as its
class-folder tree, so DIR holds the augmented split as SRC/<split> holds it
(DIR/<label>/...) and the run record names SRC/<split>: another split into
the same DIR is refused as another source folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from augment_cli.errors import UsageError

TRAINING = ("train", "training")
SPLIT_NAMES = frozenset((*TRAINING, "val", "valid", "validation", "dev", "test", "testing", "eval"))


@dataclass(frozen=True)
class SplitChoice:
    """The folder a run reads, and the note the summary shows (None: no split tree)."""

    root: Path
    note: str | None = None


def read_root(source: Path, layout: str, split: str | None = None) -> SplitChoice:
    """What a command reads of SRC under `layout`: for class folders, the
    chosen split of a split tree (choose_split); other layouts read SRC whole
    (a layout with splits of its own handles `split` itself)."""
    from augment_cli.layouts import DEFAULT

    if layout == DEFAULT:
        return choose_split(source, split)
    if split is not None:  # never ignored silently: a split left in would be augmented
        raise UsageError(f"--split {split}: a {layout} dataset is read whole, every split with its labels",
                         hint="leave out --split, or give SOURCE a dataset of only the split to expand")
    return SplitChoice(source)


def split_folders(source: Path) -> list[str] | None:
    """The split folders of SRC, sorted, or None when SRC is not a split tree:
    at least two visible entries, every one a folder with a split name, one
    of them a training split."""
    try:
        entries = sorted((e for e in os.scandir(source) if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError:
        return None
    names = [entry.name for entry in entries]
    if len(names) < 2 or not all(e.is_dir() and e.name.casefold() in SPLIT_NAMES for e in entries):
        return None
    return names if any(name.casefold() in TRAINING for name in names) else None


def choose_split(source: Path, split: str | None) -> SplitChoice:
    """The split a run expands: `split`, else the training split of a split tree."""
    found = split_folders(source)
    if found is None:
        if split is not None:
            raise UsageError(f"--split {split}: {source} has no split folders (train/, val/, test/, ...)",
                             hint="leave out --split for a tree of class folders")
        return SplitChoice(source)
    chosen = split if split is not None else next(n for n in found if n.casefold() in TRAINING)
    if chosen not in found:
        raise UsageError(f"--split {chosen}: {source} has no folder {chosen}/; "
                         f"its splits: {', '.join(found)}")
    others = [name for name in found if name != chosen]
    note = (f"Splits in {source}: {', '.join(found)}; reading {chosen}/ only (its folders are the labels), "
            f"{', '.join(others)} left out, not copied" + ("" if split else " (--split NAME for another)"))
    return SplitChoice(source / chosen, note)
