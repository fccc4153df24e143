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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from augment_cli.errors import SampleError
from augment_cli.layouts.annotated import (
    SidecarLayout,
    label_bytes,
    read_label_bytes,
    split_of,
)
from augment_cli.layouts.base import Sample

if TYPE_CHECKING:  # numpy: imported by workers, not by the main process's walk
    import numpy as np

    from augment_cli.annotations.model import Annotated, Targets

IMAGES, MASK_FOLDER = "images", "masks"
NO_IMAGE = "a mask with no image (looked for its stem under images/)"
NO_MASK = "has no mask (looked for masks/<same path>.png)"
MASK_MODES = ("L", "P", "I;16", "I;16B", "I;16L", "I", "1")


class Masks(SidecarLayout):
    name = "masks"
    IMAGES, LABELS, SUFFIX, NO_IMAGE = IMAGES, MASK_FOLDER, ".png", NO_IMAGE

    def is_label(self, relative: str) -> bool:
        """Any file in a masks/ sub-path: one that is not a PNG mask of an image is refused."""
        return relative.split("/")[0] == MASK_FOLDER and "/" in relative

    def sample_label(self, relative: str, top: str) -> str:
        return split_of(relative.split("/"), top)

    def read_targets(self, source: Path, sample: Sample, size: tuple[int, int]) -> Targets:
        from augment_cli.annotations.model import Targets

        shown = self.label_path(sample.relative)
        # On disk a mask is a regular file: a folder of that name is no mask.
        missing = isinstance(source, Path) and not (source / shown).is_file()
        payload = None if missing else label_bytes(source, shown)
        if payload is None:
            raise SampleError(f"{sample.relative}: {NO_MASK}")
        return Targets(mask=decode_mask(payload, size, shown))

    def companions(self, sample: Sample, media_name: str, records: list[dict[str, Any]],
                   annotated: Annotated | None = None) -> dict[str, bytes]:
        if annotated is None or annotated.targets.mask is None:
            raise SampleError("a masks copy needs its mask")
        return {self.label_path(media_name): encode_mask(annotated.targets.mask)}

    def check_annotations(self, out: Path, media_name: str, size: tuple[int, int]) -> list[str]:
        shown = self.label_path(media_name)
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
