"""The labelled tree SRC/<label>/.../<file> -> a sorted list of Samples.

The label is the first folder under SRC; deeper folders are kept in the
output path. Hidden files and folders, files directly in SRC (no label) and
files of unknown type are skipped and counted, never an error.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from augment_cli.media import modality_of

SKIP_HIDDEN = "hidden"
SKIP_UNLABELLED = "no label folder"
SKIP_UNSUPPORTED = "not a supported media type"
SKIP_OUTSIDE_LINK = "symlink to outside the source folder (see --follow-links)"
SKIP_BROKEN_LINK = "broken symlink"
SKIP_LOOP = "folder already walked (symlink loop)"
SKIP_UNREADABLE_DIR = "unreadable folder"


@dataclass(frozen=True, order=True)
class Sample:
    """One source file; `relative` is its POSIX path relative to SRC."""

    relative: str
    label: str
    modality: str


@dataclass
class Scan:
    samples: list[Sample] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    unlabelled: list[str] = field(default_factory=list)
    refused: list[tuple[str, str, str, str]] = field(default_factory=list)  # path, label, modality, why


def scan(source: Path, follow_links: bool = False) -> Scan:
    """Walk `source` into a Scan whose samples are sorted (stats, preview)."""
    result = Scan()
    result.samples = sorted(walk_samples(source, follow_links, result))
    return result


def walk_samples(source: Path, follow_links: bool = False, scan: Scan | None = None) -> Iterator[Sample]:
    """Yield the samples under `source` one at a time, in a fixed order
    (entries sorted by name, folders entered where they sort); counts what is
    skipped or refused into `scan`, when one is given.

    Symlinks (to files or folders) whose target lies inside `source` are
    followed; those pointing outside are skipped unless `follow_links`. A
    folder is never entered twice, so symlink loops cannot hang the walk.
    """
    result = scan if scan is not None else Scan()
    walker = _Walker(source, follow_links, result)
    for relative in walker.files(source, ""):
        parts = relative.split("/")
        if len(parts) == 1:
            result.skipped[SKIP_UNLABELLED] += 1
            result.unlabelled.append(printable(relative))
        elif (modality := modality_of(relative)) is None:
            result.skipped[SKIP_UNSUPPORTED] += 1
        elif (problem := unsafe_name(relative)) is not None:
            result.refused.append((printable(relative), printable(parts[0]), modality, problem))
        else:
            yield Sample(relative, parts[0], modality)


def printable(name: str) -> str:
    """A name that can go into a UTF-8 report: undecodable bytes as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def unsafe_name(relative: str) -> str | None:
    """Names that would break a CSV line or a shell loop are refused, not guessed at."""
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError as exc:
        # os.walk hands undecodable bytes over as lone surrogates; such a name
        # cannot be written into a UTF-8 manifest.
        byte = ord(relative[exc.start]) - 0xDC00
        return f"its name is not valid UTF-8 (byte 0x{byte:02x}); rename the file or folder"
    for character in relative:
        # Cc: C0/C1 controls (newline, tab, ESC...); Zl/Zp: Unicode line breaks.
        if unicodedata.category(character) in ("Cc", "Zl", "Zp"):
            return (f"its name contains the control character U+{ord(character):04X}; "
                    "rename the file or folder")
    return None


class _Walker:
    def __init__(self, source: Path, follow_links: bool, result: Scan):
        self.root = source.resolve()
        self.follow_links, self.result = follow_links, result
        self.visited: set[tuple[int, int]] = set()

    def files(self, directory: Path, prefix: str) -> Iterator[str]:
        info = directory.stat()
        if (info.st_dev, info.st_ino) in self.visited:
            self.result.skipped[SKIP_LOOP] += 1
            return
        self.visited.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            self.result.skipped[SKIP_UNREADABLE_DIR] += 1
            return
        for entry in entries:
            relative = prefix + entry.name
            if entry.name.startswith("."):
                self.result.skipped[SKIP_HIDDEN] += 1
            elif entry.is_symlink() and not self._may_follow(entry):
                continue
            elif entry.is_dir():
                yield from self.files(Path(entry.path), relative + "/")
            elif entry.is_file():
                yield relative

    def _may_follow(self, entry: os.DirEntry) -> bool:
        target = Path(os.path.realpath(entry.path))
        if not target.exists():
            self.result.skipped[SKIP_BROKEN_LINK] += 1
            return False
        if self.follow_links or target == self.root or self.root in target.parents:
            return True
        self.result.skipped[SKIP_OUTSIDE_LINK] += 1
        return False
