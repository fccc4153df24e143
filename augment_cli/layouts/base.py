"""What every layout yields and the one small interface a layout implements.

A layout is one way a dataset is laid out on disk and labelled (class
folders today; annotation files, metadata files and tables plug in the same
way). The run never asks which layout it has: it walks samples, names their
outputs, lets the worker write what a copy carries beside its media, and
lets the layout finish its dataset-level files, all through `Layout`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from augment_cli.layouts.names import copy_name

if TYPE_CHECKING:  # the main process never imports numpy for a class-folder run
    from augment_cli.annotations.model import Annotated, Targets


@dataclass(frozen=True, order=True)
class Sample:
    """One source file; `relative` is its POSIX path relative to SRC."""

    relative: str
    label: str
    modality: str


@dataclass
class Scan:
    """What a walk met besides samples: skipped files per reason, refused files."""

    samples: list[Sample] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    unlabelled: list[str] = field(default_factory=list)
    refused: list[tuple[str, str, str, str]] = field(default_factory=list)  # path, label, modality, why


class Layout(Protocol):
    """One way of laying out and labelling a dataset.

    Instances hold no run state; the worker resolves the layout again from
    its table entry, so only its "module:attr" name crosses processes.
    """

    name: str
    # True when samples carry annotation files (yolo, coco, voc, masks): the
    # worker then reads `read_targets`, and the manifest gains its annotation columns.
    annotated: bool

    def detect(self, source: Path) -> bool:
        """True when `source` looks laid out this way (cheap: a few names, no walk)."""
        ...

    def walk(self, source: Path, follow_links: bool, scan: Scan) -> Iterator[Sample]:
        """The samples under `source`, one at a time in a fixed order; what is
        skipped or refused is counted into `scan`."""
        ...

    def output_name(self, sample: Sample, copy: int, extension: str) -> str:
        """DIR-relative name of copy `copy` of `sample` (0: the original)."""
        ...

    def annotation_digest(self, source: Path, sample: Sample) -> str:
        """SHA-256 of what the sample's annotations are read from ("" without any):
        a re-run redoes a source whose labels changed, even if its image did not."""
        ...

    def annotation_name(self, sample: Sample, media_name: str) -> str:
        """The annotation file the manifest names beside a written image."""
        ...

    def companion_names(self, media_name: str) -> tuple[str, ...]:
        """Names of the files a copy carries beside its media (labels, masks)."""
        ...

    def read_targets(self, source: Path, sample: Sample, size: tuple[int, int]) -> Targets | None:
        """The annotations of one image of `size` (width, height), in pixels; None
        for a layout without annotations. SampleError naming the label file (and
        line or object) when they are malformed."""
        ...

    def companions(self, sample: Sample, media_name: str, records: list[dict[str, Any]],
                   annotated: Annotated | None = None) -> dict[str, bytes]:
        """The bytes of those files for one written copy; `annotated` is the
        copy's pixels and moved targets (annotated layouts)."""
        ...

    def check_annotations(self, out: Path, media_name: str, size: tuple[int, int]) -> list[str]:
        """`augment verify`: problems of the annotation files of one written
        image of `size` (they parse, objects lie in the image)."""
        ...

    def finish(self, source: Path, rows: Iterable[Any], out: Path) -> dict[str, bytes]:
        """Dataset-level files written into DIR once the run's rows are final
        (a data.yaml, an annotations file); `rows` are manifest rows in name
        order; `out` is DIR (where the copies' companion files are)."""
        ...

    def dataset_files(self, rows: Iterable[Any] = ()) -> tuple[str, ...]:
        """Names `finish` may write (for a DIR's manifest `rows`, when given):
        `verify` counts them as the run's own."""
        ...


class Unannotated:
    """The Layout members a layout without annotation files has alike (class
    folders, tables): nothing to read, digest, name or check beside a copy."""

    annotated = False

    def read_targets(self, source: Path, sample: Sample, size: tuple[int, int]) -> None:
        return None

    def annotation_digest(self, source: Path, sample: Sample) -> str:
        return ""

    def annotation_name(self, sample: Sample, media_name: str) -> str:
        return ""

    def check_annotations(self, out: Path, media_name: str, size: tuple[int, int]) -> list[str]:
        return []

    def output_name(self, sample: Sample, copy: int, extension: str) -> str:
        """Copies beside their source, as `<name>__aug<k>.<ext>` (DIR mirrors SRC)."""
        return copy_name(sample.relative, copy, extension)

    def companion_names(self, media_name: str) -> tuple[str, ...]:
        return ()

    def companions(self, sample: Sample, media_name: str, records: list[dict[str, Any]],
                   annotated: Any = None) -> dict[str, bytes]:
        return {}
