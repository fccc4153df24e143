"""Class folders: SRC/<label>/.../<file>, the label being the first folder.

Deeper folders are kept in the output path, and DIR mirrors SRC. Files
directly in SRC have no label and are skipped (and listed, for the summary's
warning); files of unknown type are skipped and counted; never an error.
This layout carries nothing beside a copy's media. The folder names are
the labels, which Hugging Face's imagefolder/audiofolder take from the
parent folder only when every file sits at one depth and there are two
labels or more; for any other tree the run writes DIR/metadata.csv
(file_name, label), the file those loaders read instead, so a plain
`load_dataset("imagefolder", data_dir=DIR)` gives every row its label (a
string then; a ClassLabel when the folders alone suffice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from augment_cli.layouts.base import Sample, Scan, Unannotated
from augment_cli.layouts.tree import SKIP_UNSUPPORTED, printable, unsafe_name, walk_files
from augment_cli.modalities import modality_of

SKIP_UNLABELLED = "no label folder"
METADATA_NAME = "metadata.csv"
LOADER_MODALITIES = ("image", "audio")  # what imagefolder/audiofolder read


class Folders(Unannotated):
    name = "folders"

    def detect(self, source: Path) -> bool:
        """Any tree can be read as class folders: this is the fallback layout."""
        return True

    def walk(self, source: Path, follow_links: bool, scan: Scan) -> Iterator[Sample]:
        for relative in walk_files(source, follow_links, scan):
            parts = relative.split("/")
            if len(parts) == 1:
                scan.skipped[SKIP_UNLABELLED] += 1
                scan.unlabelled.append(printable(relative))
            elif (modality := modality_of(relative)) is None:
                scan.skipped[SKIP_UNSUPPORTED] += 1
            elif (problem := unsafe_name(relative)) is not None:
                scan.refused.append((printable(relative), printable(parts[0]), modality, problem))
            else:
                yield Sample(relative, parts[0], modality)

    def finish(self, source: Path, rows: Iterable[Any], out: Path) -> dict[str, bytes]:
        """DIR/metadata.csv when the folder names alone do not label every file for Hugging Face."""
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["file_name", "label"])
        labels, depths = set(), set()
        for row in rows:
            if row.modality in LOADER_MODALITIES:
                writer.writerow([row.file_name, row.label])
                labels.add(row.label)
                depths.add(row.file_name.count("/"))
        if not labels or (len(labels) > 1 and len(depths) == 1):
            return {}
        return {METADATA_NAME: buffer.getvalue().encode("utf-8")}

    def dataset_files(self, rows: Iterable[Any] = ()) -> tuple[str, ...]:
        return (METADATA_NAME,)


FOLDERS = Folders()
