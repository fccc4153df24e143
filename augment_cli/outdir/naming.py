"""Output names as DIR's file system compares them, and claiming them for a run.

On ext4 `x.png` and `X.png` are two files, on a macOS or Windows volume one:
names are claimed exactly or casefolded as DIR compares them (asked once per
run). Two sources whose outputs would be one file collide; the one a
previous run already made them for keeps them, whatever the walk order, and
the newcomer is reported, so adding a file never evicts another's outputs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from augment_cli.outdir.index import Index
from augment_cli.outdir.lock import LOCK_NAME


def folds_case(folder: Path) -> bool:
    """Whether `folder`'s file system takes names differing in case for one file.

    Asked of an existing entry with an ASCII cased name (in a run, the lock
    file; else the nearest existing folder's entries): its swapped-case
    spelling names the same file only on a case-insensitive file system.
    Writes nothing. An empty folder, or none with such an entry, answers no.
    """
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    for name in _cased_names(folder):
        try:
            return os.path.samestat(os.lstat(folder / name), os.lstat(folder / name.swapcase()))
        except OSError:
            return False
    return False


def claim_key(name: str, folds: bool) -> str:
    """A name as DIR compares it: casefolded where the file system ignores case."""
    return name.casefold() if folds else name


def _cased_names(folder: Path) -> Iterator[str]:
    if (folder / LOCK_NAME).exists():
        yield LOCK_NAME
    try:
        with os.scandir(folder) as entries:
            yield from (e.name for e in entries if e.name.isascii() and e.name.swapcase() != e.name)
    except OSError:
        return


class NameClaims:
    """The run's Claim: reserves each source's output names in the index.

    `folds`: DIR compares names ignoring case (see folds_case)."""

    def __init__(self, index: Index, source: Path, folds: bool):
        self.index, self.source, self.folds = index, source, folds

    def key(self, name: str) -> str:
        return claim_key(name, self.folds)

    def __call__(self, source: str, names: list[str]) -> str | None:
        """Reserve `names` for `source`; return the source that holds one instead."""
        keys = [self.key(name) for name in names]
        holder = self.index.planned_holder(keys)
        if holder is None:
            owner = self.index.previous_owner(source, keys)
            # The source a previous run wrote them for keeps them if it is still in SRC.
            if owner is not None and self._in_source(owner):
                holder = owner
        if holder is None:
            self.index.plan_names(source, keys)
        return holder

    def _in_source(self, relative: str) -> bool:
        """Whether SRC holds `relative` under exactly that name: on a
        case-insensitive SRC, x.png renamed X.png still opens as x.png."""
        folder, _, name = relative.rpartition("/")
        if not isinstance(self.source, str | os.PathLike):  # a URL SRC: object names are exact
            from augment_cli.storage.walk import exists

            return exists(self.source, relative)
        try:
            return name in os.listdir(self.source / folder)
        except OSError:
            return False

    def taken(self, name: str) -> bool:
        """Whether this run claimed `name` (as DIR compares names): the output
        of a source gone from SRC under that name is now another's file."""
        return self.index.planned_holder([self.key(name)]) is not None
