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
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment_cli.errors import UsageError

TRAINING = ("train", "training")
SPLIT_NAMES = frozenset((*TRAINING, "val", "valid", "validation", "dev", "test", "testing", "eval"))


@dataclass(frozen=True)
class SplitChoice:
    """The folder a run reads, and the note the summary shows (None: no split tree)."""

    root: Path
    note: str | None = None


def read_root(source: Path, layout: str, split: str | None = None,
              explicit: bool = False) -> tuple[str, SplitChoice]:
    """The layout a command reads and what it reads of SRC: for class folders,
    the chosen split of a split tree (choose_split); other layouts read SRC
    whole (a layout with splits of its own handles `split` itself). A split
    tree whose split holds a metadata file is labelled by it, as `datasets`'
    imagefolder reads data/train/metadata.csv: detected unless a layout was
    asked for (`explicit`); `--format metadata` on a split tree reads its split."""
    from augment_cli.layouts import DEFAULT, get

    metadata = get("metadata")
    if layout not in (DEFAULT, "metadata") or (layout == "metadata" and metadata.detect(source)):
        return layout, SplitChoice(source)
    chosen = choose_split(source, split)
    if layout == DEFAULT and (explicit or chosen.root == source or not metadata.detect(chosen.root)):
        return layout, chosen
    return "metadata", choose_split(source, split, labels="its metadata file has the labels")


def split_of(label: str) -> str | None:
    """The split an annotated layout's sample label names, case-folded, or
    None: YOLO and mask folders label a sample by its split folder ("val"),
    COCO by its JSON file ("annotations/instances_val2017.json",
    "valid/_annotations.coco.json")."""
    for token in re.split(r"[/_.\-]+", label.casefold()):
        word = token.rstrip("0123456789")
        if word in SPLIT_NAMES:
            return word
    return None


def held_out(label: str, split: str | None) -> bool:
    """Whether an annotated sample's split is kept as it is (its original and
    labels copied unchanged, never augmented): every split but the training
    one, or but `split` when given. A label that names no split is expanded."""
    found = split_of(label)
    if found is None:
        return False
    return found != split.casefold() if split is not None else found not in TRAINING


def check_split_found(labels: Iterable[str], split: str | None, layout: str) -> str | None:
    """The summary note on what an annotated dataset's splits became; a
    UsageError when `split` names none of them."""
    splits = sorted({found for label in labels if (found := split_of(label)) is not None})
    if split is not None and split.casefold() not in splits:
        raise UsageError(f"--split {split}: this {layout} dataset has no split {split}"
                         + (f"; its splits: {', '.join(splits)}" if splits else " (it names no splits)"))
    kept = [name for name in splits if held_out(name, split)]
    if not kept:
        return None
    expanded = [name for name in splits if name not in kept]
    return (f"Splits: {', '.join(expanded) or 'none'} expanded; {', '.join(kept)} copied unchanged "
            "(originals with their labels, never augmented)"
            + ("" if split else "; --split NAME for another"))


def split_folders(source: Path) -> list[str] | None:
    """The split folders of SRC, sorted, or None when SRC is not a split tree:
    at least two visible entries, every one a folder with a split name, one
    of them a training split."""
    if not isinstance(source, Path):  # a URL SRC (storage.location.Remote): its top level's listing
        return _split_names(_listed_entries(source))
    try:
        entries = sorted((e for e in os.scandir(source) if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError:
        return None
    return _split_names([(entry.name, entry.is_dir()) for entry in entries])


def _split_names(entries: list[tuple[str, bool]]) -> list[str] | None:
    names = [name for name, _ in entries]
    if len(names) < 2 or not all(folder and name.casefold() in SPLIT_NAMES for name, folder in entries):
        return None
    return names if any(name.casefold() in TRAINING for name in names) else None


def _listed_entries(source: Any) -> list[tuple[str, bool]]:
    from augment_cli.storage.lookups import listing

    return [(name, folder) for name, folder in listing(source, "").items() if not name.startswith(".")]


def choose_split(source: Path, split: str | None, labels: str = "its folders are the labels") -> SplitChoice:
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
    note = (f"Splits in {source}: {', '.join(found)}; reading {chosen}/ only ({labels}), "
            f"{', '.join(others)} left out, not copied" + ("" if split else " (--split NAME for another)"))
    return SplitChoice(source / chosen if isinstance(source, Path) else source.child(chosen), note)
