"""What the annotated layouts (yolo, coco, voc, masks) share.

Each converts its files to `annotations.model.Targets` (pixels) when a
source is read and back when a copy is written; this module holds the parts
that are the same for all of them: output names mirror SRC, label files are
read as bounded regular files with one clear error naming them, numbers are
written short and stable, and an object wholly outside its image is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from augment_cli.errors import SampleError
from augment_cli.layouts.base import Sample, Scan
from augment_cli.layouts.names import copy_name
from augment_cli.layouts.reading import read_regular
from augment_cli.layouts.tree import SKIP_UNSUPPORTED, printable, unsafe_name, walk_files
from augment_cli.modalities import modality_of

# A label file is small; one far larger than this is not a label file.
MAX_LABEL_BYTES = 64 * 1024 * 1024
SKIP_OUTSIDE = "not under an images folder"


class AnnotatedLayout:
    """The parts of the Layout interface every annotated layout has alike."""

    annotated = True

    def output_name(self, sample: Sample, copy: int, extension: str) -> str:
        return copy_name(sample.relative, copy, extension)

    def dataset_files(self, rows: Iterable[Any] = ()) -> tuple[str, ...]:
        return ()

    def finish(self, source: Path, rows: Iterable[Any], out: Path) -> dict[str, bytes]:
        return {}

    def label_files(self, relative: str) -> tuple[str, ...]:
        """The per-image files of SRC `read_targets` reads for a source (a URL SRC's are
        fetched with the image: storage/worker.py)."""
        return ()


class SidecarLayout(AnnotatedLayout):
    """A layout whose every image `IMAGES/<path>.<ext>` has its labels in one
    file `LABELS/<path><SUFFIX>` (voc's XML, a semantic mask's PNG): detection,
    the walk and the label file's name, digest and companion are the same."""

    IMAGES: str
    LABELS: str
    SUFFIX: str
    NO_IMAGE: str  # why a label file without its image is refused

    def label_path(self, image: str) -> str:
        """LABELS/<stem><SUFFIX> of IMAGES/<stem>.<ext> (sub-folders kept)."""
        return self.LABELS + "/" + image.partition("/")[2].rsplit(".", 1)[0] + self.SUFFIX

    def is_label(self, relative: str) -> bool:
        return relative.split("/")[0] == self.LABELS and relative.endswith(self.SUFFIX)

    def sample_label(self, relative: str, top: str) -> str:
        """The label of an image (top = IMAGES), or of a label file without one (top = LABELS)."""
        return self.IMAGES

    def detect(self, source: Path) -> bool:
        return is_folder(source, self.IMAGES) and is_folder(source, self.LABELS)

    def walk(self, source: Path, follow_links: bool, scan: Scan) -> Iterator[Sample]:
        expected: set[str] = set()
        labels: list[str] = []
        for relative in walk_files(source, follow_links, scan):
            if self.is_label(relative):
                labels.append(relative)
            elif relative.split("/")[0] != self.IMAGES or "/" not in relative:
                scan.skipped[SKIP_OUTSIDE] += 1
            elif modality_of(relative) != "image":
                scan.skipped[SKIP_UNSUPPORTED] += 1
            elif (problem := unsafe_name(relative)) is not None:
                scan.refused.append((printable(relative), self.IMAGES, "image", problem))
            else:
                expected.add(self.label_path(relative))
                yield Sample(relative, self.sample_label(relative, self.IMAGES), "image")
        scan.refused += [(printable(label), self.sample_label(label, self.LABELS), "image", self.NO_IMAGE)
                         for label in labels if label not in expected]

    def annotation_digest(self, source: Path, sample: Sample) -> str:
        return digest_of(label_bytes(source, self.label_path(sample.relative)) or b"")

    def companion_names(self, media_name: str) -> tuple[str, ...]:
        return (self.label_path(media_name),)

    def label_files(self, relative: str) -> tuple[str, ...]:
        return (self.label_path(relative),)

    def annotation_name(self, sample: Sample, media_name: str) -> str:
        return self.label_path(media_name)


def is_file(source: Path, relative: str) -> bool:
    """Whether `relative` names a file of SRC (a URL SRC's: from its folder's listing)."""
    if isinstance(source, Path):
        return (source / relative).is_file()
    from augment_cli.storage.lookups import is_file as listed_file

    return listed_file(source, relative)


def is_folder(source: Path, relative: str) -> bool:
    """Whether `relative` names a folder of SRC (a URL SRC's: a prefix with objects under it)."""
    if isinstance(source, Path):
        return (source / relative).is_dir()
    from augment_cli.storage.lookups import is_folder as listed_folder

    return listed_folder(source, relative)


def label_bytes(source: Path, relative: str) -> bytes | None:
    """A per-image label file's bytes (`relative` to SRC), None when there is none (a
    background image); SampleError naming it when it cannot be read. A URL SRC's is read
    on the bucket (storage/lookups.py): a worker has it from its image's fetch."""
    if isinstance(source, Path):
        path = source / relative
        return read_label_bytes(path, relative) if path.exists() else None
    from augment_cli.storage.lookups import label_bytes as object_bytes

    try:
        payload = object_bytes(source, relative)
    except OSError as exc:
        raise SampleError(f"{relative}: cannot read: {exc.strerror or exc}") from None
    if payload is not None and len(payload) > MAX_LABEL_BYTES:
        raise SampleError(f"{relative}: {len(payload):,} bytes is too large for a label file")
    return payload


def label_text(source: Path, relative: str) -> str | None:
    """label_bytes as UTF-8 text (a BOM dropped)."""
    payload = label_bytes(source, relative)
    try:
        return None if payload is None else payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SampleError(f"{relative}: not UTF-8 text (byte {exc.start})") from None


def dataset_file(source: Path, relative: str) -> Path | None:
    """The file a dataset-level annotation file (data.yaml, a COCO JSON) is read from: SRC's
    own, or a URL SRC's object copied to local disk (storage/copies.py); None when it is not
    a file."""
    if isinstance(source, Path):
        path = source / relative
        return path if path.is_file() else None
    from augment_cli.storage.lookups import dataset_file as local_copy

    return local_copy(source, relative)


def dir_files(out: Path, named: Iterable[tuple[Any, str]]) -> Iterator[tuple[Any, bytes]]:
    """(item, bytes of the DIR-relative name) for each (item, name), in order: the files the
    copies carry beside their media, read back for the dataset files (`finish`). In a URL
    DIR they are objects, fetched a batch at a time (storage/objects.py)."""
    from augment_cli import storage

    mirror = storage.mirror_of(out)
    if mirror is not None:
        from augment_cli.storage.objects import fetched_in_order

        pairs = (((item, name), name) for item, name in named)
        for (item, name), found in fetched_in_order(mirror.location, pairs):
            if isinstance(found, OSError):
                raise SampleError(f"{name}: cannot read: {found.strerror or found}")
            yield item, found
        return
    for item, name in named:
        yield item, read_label_bytes(out / name, name)


def digest_of(*parts: bytes) -> str:
    """SHA-256 over several byte strings, each length-prefixed (no two splits collide)."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big") + part)
    return hasher.hexdigest()


def file_bytes(path: Path, shown: str) -> bytes:
    """A label file's bytes for a digest; b"" when it does not exist (a background image)."""
    return read_label_bytes(path, shown) if path.exists() else b""


def read_label_bytes(path: Path, shown: str) -> bytes:
    """A label file's bytes; SampleError naming it (`shown`) when it cannot be read."""
    try:
        info, payload = read_regular(path)
    except OSError as exc:
        raise SampleError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if info.st_size > MAX_LABEL_BYTES:
        raise SampleError(f"{shown}: {info.st_size:,} bytes is too large for a label file")
    return payload


def read_label_text(path: Path, shown: str) -> str:
    try:
        return read_label_bytes(path, shown).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SampleError(f"{shown}: not UTF-8 text (byte {exc.start})") from None


def number(value: float) -> str:
    """A coordinate as label files write it: at most 6 decimals, no trailing zeros."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def outside(box: tuple[float, float, float, float], size: tuple[int, int]) -> bool:
    """True when a pixel box (x0, y0, x1, y1) has no part inside an image of `size`."""
    x0, y0, x1, y1 = box
    return x1 <= 0 or y1 <= 0 or x0 >= size[0] or y0 >= size[1]


def check_box(box: tuple[float, float, float, float], size: tuple[int, int], where: str) -> None:
    """SampleError for a box without area or wholly outside the image."""
    if not box[2] > box[0] or not box[3] > box[1]:
        raise SampleError(f"{where}: the box has no area")
    if outside(box, size):
        raise SampleError(f"{where}: the box lies wholly outside the {size[0]}x{size[1]} image")


def split_of(parts: list[str], folder: str = "images") -> str:
    """The split an image is in: the folder after the last `folder`/ (images/train/a.jpg),
    else the one before it (train/images/a.jpg), else `folder` itself."""
    at = len(parts) - 2 - parts[-2::-1].index(folder)
    if at + 1 < len(parts) - 1:
        return parts[at + 1]
    return parts[at - 1] if at > 0 else folder
