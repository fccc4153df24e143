"""What `augment stats` reads of an image: its header, through the same size
checks the codec applies, so stats never calls readable what expand refuses
for its size. Pillow's lazy open decodes no pixels."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from PIL import Image

from augment_cli.errors import SampleError
from augment_cli.modalities.image import heif
from augment_cli.modalities.image.limits import MAX_PIXELS

# Pillow's own decompression-bomb threshold (about 89 megapixels, limits.py);
# refusing at the header check keeps a 50,000 x 50,000 PNG from allocating
# gigabytes, and transforms that enlarge an image are held to the same limit.
__all__ = ["MAX_PIXELS", "check_size", "read_header"]


def check_size(width: int, height: int) -> None:
    """SampleError for an image without pixels or over the pixel limit."""
    if width <= 0 or height <= 0:
        raise SampleError(f"image has no pixels ({width}x{height})")
    if width * height > MAX_PIXELS:
        raise SampleError(f"refused as a decompression bomb: {width}x{height} pixels "
                          f"is over the {MAX_PIXELS:,} limit")


def read_header(path: Path) -> dict[str, Any]:
    """Format, size and mode from the header; nothing is decoded."""
    with open(path, "rb") as handle:
        heif.ensure_readable(handle.read(16))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
                info = {"format": image.format or path.suffix.lstrip(".").upper(),
                        "width": width, "height": height, "mode": image.mode}
    except Image.UnidentifiedImageError:
        raise SampleError("not a readable image (unknown or corrupt format)") from None
    except Image.DecompressionBombError:
        raise SampleError("refused as a decompression bomb (over Pillow's pixel limit)") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise SampleError(f"cannot read image header: {exc}") from None
    check_size(width, height)
    return info
