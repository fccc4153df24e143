"""The fast path for 8-bit L/RGB/RGBA PNG through OpenCV.

Measured on 16x16 RGB (the small-files case, benchmarks/small_files.py):
cv2.imdecode takes ~17 us against Pillow's ~67 us and cv2.imencode ~60 us
against Pillow's ~160 us, nearly all of it Pillow's per-file Python; at
640x480 OpenCV is still faster at the same zlib level. PNG is lossless, so
decoded pixels are Pillow's exactly; encoded files use zlib level 6 as
Pillow does, but OpenCV's libpng picks row filters its own way, so the
bytes (not the pixels) differ from Pillow's and sizes are within a few %.
Pillow still reads the header first (size and bomb checks, mode, ICC
profile); anything this path does not cover stays with Pillow in codec.py.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

_MODES = ("L", "RGB", "RGBA")
_TO_RGB = {3: cv2.COLOR_BGR2RGB, 4: cv2.COLOR_BGRA2RGBA}
_TO_BGR = {3: cv2.COLOR_RGB2BGR, 4: cv2.COLOR_RGBA2BGRA}
_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"
PNG_LEVEL = 6  # Pillow's default compress_level


def decode(image: Image.Image, payload: bytes) -> np.ndarray | None:
    """Pixels of a PNG Pillow has opened (header only), or None when this
    path does not apply and Pillow should decode it: other modes, 16 bits,
    transparency by tRNS (which OpenCV would turn into an alpha channel), an
    EXIF block (Pillow applies its orientation) or a file without its end."""
    if image.format != "PNG" or image.mode not in _MODES or "transparency" in image.info:
        return None
    if len(payload) < 26 or payload[24] != 8 or b"eXIf" in payload or not payload.endswith(_IEND):
        return None
    try:
        pixels = cv2.imdecode(np.frombuffer(payload, np.uint8),
                              cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    except cv2.error:
        return None
    channels = 1 if image.mode == "L" else len(image.mode)
    width, height = image.size
    if pixels is None or pixels.dtype != np.uint8 or pixels.shape[:2] != (height, width) \
            or (pixels.shape[2] if pixels.ndim == 3 else 1) != channels:
        return None  # let Pillow decode it and report any problem its way
    return pixels if channels == 1 else cv2.cvtColor(pixels, _TO_RGB[channels])


def encode(pixels: np.ndarray, icc_profile: bytes | None = None) -> bytes | None:
    """PNG bytes of an 8-bit L, RGB or RGBA array (with its ICC profile), or
    None if this path does not apply."""
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    if pixels.dtype != np.uint8 or channels not in (1, 3, 4):
        return None
    pixels = cv2.cvtColor(pixels, _TO_BGR[channels]) if channels > 1 else np.ascontiguousarray(pixels)
    options = [cv2.IMWRITE_PNG_COMPRESSION, PNG_LEVEL]
    if icc_profile:
        if not hasattr(cv2, "imencodeWithMetadata"):  # OpenCV before 4.12: Pillow writes it
            return None
        ok, blob = cv2.imencodeWithMetadata(".png", pixels, [cv2.IMAGE_METADATA_ICCP],
                                            [np.frombuffer(icc_profile, np.uint8)], options)
    else:
        ok, blob = cv2.imencode(".png", pixels, options)
    return blob.tobytes() if ok else None
