"""A toy dataset layout for tests/layouts/test_layouts.py: proof that a layout
is one module plus one table entry. SRC holds media files and `labels.txt`
("<file> <label>" per line); each copy carries a `<copy>.label` file beside
it, and the run ends with DIR/labels.txt listing every output and its label."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from augment_cli.layouts.base import Sample, Scan, Unannotated
from augment_cli.layouts.names import copy_name
from augment_cli.modalities import modality_of

LIST = "labels.txt"


class Listed(Unannotated):
    name = "listed"

    def detect(self, source: Path) -> bool:
        return (source / LIST).is_file()

    def walk(self, source: Path, follow_links: bool, scan: Scan) -> Iterator[Sample]:
        for line in sorted((source / LIST).read_text(encoding="utf-8").splitlines()):
            relative, label = line.split()
            modality = modality_of(relative)
            if modality is None or not (source / relative).is_file():
                scan.skipped["not listed media"] += 1
                continue
            yield Sample(relative, label, modality)

    def output_name(self, sample: Sample, copy: int, extension: str) -> str:
        return copy_name(f"{sample.label}/{sample.relative}", copy, extension)

    def companion_names(self, media_name: str) -> tuple[str, ...]:
        return (media_name + ".label",)

    def companions(self, sample: Sample, media_name: str, records: list[dict[str, Any]],
                   annotated: Any = None) -> dict[str, bytes]:
        return {media_name + ".label": f"{sample.label}\n".encode()}

    def finish(self, source: Path, rows: Iterable[Any], out: Path) -> dict[str, bytes]:
        return {LIST: "".join(f"{row.file_name} {row.label}\n" for row in rows).encode()}

    def dataset_files(self, rows: Iterable[Any] = ()) -> tuple[str, ...]:
        return (LIST,)


LISTED = Listed()
