"""Semantic masks: images/<path>.<ext> and masks/<path>.png (same relative stem).

A mask is a PNG with one integer class value per pixel: 8-bit grayscale,
16-bit grayscale, or a palette PNG whose indices are the classes. It must
be the image's size. Copies go to the same two trees under DIR, the mask
written as a grayscale PNG of the same depth (a palette mask's colours
are not kept, only its class indices). An image without a
mask and a mask without an image are refused. The split (the folder after
`images/`, if any) is the sample's label.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from augment_cli.errors import SampleError
from augment_cli.layouts.annotated import (
    SKIP_OUTSIDE,
    AnnotatedLayout,
    digest_of,
    file_bytes,
    read_label_bytes,
    split_of,
)
from augment_cli.layouts.base import Sample, Scan
from augment_cli.layouts.tree import SKIP_UNSUPPORTED, printable, unsafe_name, walk_files
from augment_cli.modalities import modality_of

if TYPE_CHECKING:  # numpy: imported by workers, not by the main process's walk
    import numpy as np

    from augment_cli.annotations.model import Annotated, Targets

IMAGES, MASK_FOLDER = "images", "masks"
NO_IMAGE = "a mask with no image (looked for its stem under images/)"
NO_MASK = "has no mask (looked for masks/<same path>.png)"
MASK_MODES = ("L", "P", "I;16", "I;16B", "I;16L", "I", "1")


def mask_path(image: str) -> str:
    """masks/<stem>.png of images/<stem>.<ext>."""
    return MASK_FOLDER + "/" + image.partition("/")[2].rsplit(".", 1)[0] + ".png"


class Masks(AnnotatedLayout):
    name = "masks"

    def detect(self, source: Path) -> bool:
        return (source / IMAGES).is_dir() and (source / MASK_FOLDER).is_dir()

    def walk(self, source: Path, follow_links: bool, scan: Scan) -> Iterator[Sample]:
        expected: set[str] = set()
        masks: list[str] = []
        for relative in walk_files(source, follow_links, scan):
            top = relative.split("/")[0]
            if top == MASK_FOLDER and "/" in relative:
                masks.append(relative)
            elif top != IMAGES or "/" not in relative:
                scan.skipped[SKIP_OUTSIDE] += 1
            elif modality_of(relative) != "image":
                scan.skipped[SKIP_UNSUPPORTED] += 1
            elif (problem := unsafe_name(relative)) is not None:
                scan.refused.append((printable(relative), IMAGES, "image", problem))
            else:
                expected.add(mask_path(relative))
                yield Sample(relative, split_of(relative.split("/")), "image")
        scan.refused += [(printable(mask), split_of(mask.split("/"), MASK_FOLDER), "image", NO_IMAGE)
                         for mask in masks if mask not in expected]

    def read_targets(self, source: Path, sample: Sample, size: tuple[int, int]) -> Targets:
        from augment_cli.annotations.model import Targets

        shown = mask_path(sample.relative)
        if not (source / shown).is_file():
            raise SampleError(f"{sample.relative}: {NO_MASK}")
        return Targets(mask=decode_mask(read_label_bytes(source / shown, shown), size, shown))

    def annotation_digest(self, source: Path, sample: Sample) -> str:
        shown = mask_path(sample.relative)
        return digest_of(file_bytes(source / shown, shown))

    def companion_names(self, media_name: str) -> tuple[str, ...]:
        return (mask_path(media_name),)

    def annotation_name(self, sample: Sample, media_name: str) -> str:
        return mask_path(media_name)

    def companions(self, sample: Sample, media_name: str, records: list[dict[str, Any]],
                   annotated: Annotated | None = None) -> dict[str, bytes]:
        if annotated is None or annotated.targets.mask is None:
            raise SampleError("a masks copy needs its mask")
        return {mask_path(media_name): encode_mask(annotated.targets.mask)}

    def check_annotations(self, out: Path, media_name: str, size: tuple[int, int]) -> list[str]:
        shown = mask_path(media_name)
        if not (out / shown).is_file():
            return []
        try:
            decode_mask(read_label_bytes(out / shown, shown), size, shown)
        except SampleError as exc:
            return [str(exc)]
        return []


def decode_mask(payload: bytes, size: tuple[int, int], shown: str) -> np.ndarray:
    """HxW uint8 or uint16 class values; SampleError unless one value per pixel, of `size`."""
    import numpy as np
    from PIL import Image

    try:
        with Image.open(io.BytesIO(payload)) as image:
            if image.format != "PNG":
                raise SampleError(f"{shown}: a mask must be a PNG, this is {image.format}")
            if image.mode not in MASK_MODES:
                raise SampleError(f"{shown}: a {image.mode} image is not a mask "
                                  "(one integer class value per pixel: L, P or 16-bit grayscale)")
            if image.size != size:
                raise SampleError(f"{shown}: the mask is {image.size[0]}x{image.size[1]}, "
                                  f"the image {size[0]}x{size[1]}")
            pixels = np.asarray(image)
    except (OSError, ValueError, SyntaxError) as exc:
        raise SampleError(f"{shown}: not a readable PNG ({exc})") from None
    if pixels.dtype == bool:
        return pixels.astype(np.uint8)
    if pixels.dtype != np.uint8:
        if pixels.min() < 0 or pixels.max() > 65535:
            raise SampleError(f"{shown}: class values must fit 16 bits")
        return pixels.astype(np.uint16)
    return pixels


def encode_mask(mask: np.ndarray) -> bytes:
    """A grayscale PNG of the mask's own depth (8 or 16 bit), byte-stable: no metadata."""
    import numpy as np
    from PIL import Image

    depth = np.uint8 if mask.dtype == np.uint8 else np.uint16
    image = Image.fromarray(np.ascontiguousarray(mask.astype(depth)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


MASKS = Masks()
