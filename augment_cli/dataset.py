"""The labelled tree SRC/<label>/.../<file> -> a sorted list of Samples.

The label is the first folder under SRC; deeper folders are kept in the
output path. Hidden files and folders, files directly in SRC (no label) and
files of unknown type are skipped and counted, never an error.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from augment_cli.media import modality_of

SKIP_HIDDEN = "hidden"
SKIP_UNLABELLED = "no label folder"
SKIP_UNSUPPORTED = "not a supported media type"


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

    def labels(self) -> list[str]:
        return sorted({s.label for s in self.samples})


def scan(source: Path) -> Scan:
    """Walk `source` in sorted order. Directory symlinks are not followed, so
    a symlink loop can never hang the walk; file symlinks are read."""
    result = Scan()
    for relative in _walk_files(source):
        parts = relative.split("/")
        if any(part.startswith(".") for part in parts):
            result.skipped[SKIP_HIDDEN] += 1
        elif len(parts) == 1:
            result.skipped[SKIP_UNLABELLED] += 1
            result.unlabelled.append(relative)
        elif (modality := modality_of(relative)) is None:
            result.skipped[SKIP_UNSUPPORTED] += 1
        else:
            result.samples.append(Sample(relative, parts[0], modality))
    result.samples.sort()
    return result


def _walk_files(source: Path):
    for directory, subdirectories, files in os.walk(source):
        subdirectories.sort()
        base = Path(directory).relative_to(source)
        for name in sorted(files):
            yield (base / name).as_posix()
