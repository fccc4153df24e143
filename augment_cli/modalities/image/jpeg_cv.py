"""The fast path for the common case: 8-bit L/RGB JPEG through OpenCV.

Measured (benchmarks/profile_stages.py, 640x480 q95): cv2.imdecode takes
~1.1 ms against Pillow's ~1.7 ms and cv2.imencode ~0.9 ms against Pillow's
~1.3 ms, because Pillow stores RGB as 4 bytes a pixel and copies in and out
of that layout. Decoded pixels are identical to Pillow's (both use
libjpeg-turbo's default IDCT and upsampling). Everything else (other formats
and modes, ICC profiles on output, anything unusual) stays with Pillow in
image_codec.py, which also still reads the header first: size and bomb
checks, mode, ICC profile and EXIF orientation come from Pillow.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

# cv2.IMREAD_COLOR_RGB (OpenCV >= 4.11) saves a BGR->RGB pass when present.
_RGB_FLAG = getattr(cv2, "IMREAD_COLOR_RGB", None)
_IGNORE_EXIF = cv2.IMREAD_IGNORE_ORIENTATION  # orientation is applied below, from Pillow's read
# EXIF orientation -> the same operation as Pillow's ImageOps.exif_transpose.
_ORIENT = {
    2: lambda a: cv2.flip(a, 1),
    3: lambda a: cv2.rotate(a, cv2.ROTATE_180),
    4: lambda a: cv2.flip(a, 0),
    5: lambda a: cv2.transpose(a),
    6: lambda a: cv2.rotate(a, cv2.ROTATE_90_CLOCKWISE),
    7: lambda a: cv2.rotate(cv2.transpose(a), cv2.ROTATE_180),
    8: lambda a: cv2.rotate(a, cv2.ROTATE_90_COUNTERCLOCKWISE),
}
_EXIF_ORIENTATION = 0x0112


def decode(image: Image.Image, payload: bytes) -> np.ndarray | None:
    """Pixels of a JPEG Pillow has opened (header only), or None when this
    path does not apply and Pillow should decode it."""
    if image.format != "JPEG" or image.mode not in ("L", "RGB") or not _complete(payload):
        return None
    try:
        pixels = _imdecode(np.frombuffer(payload, np.uint8), image.mode)
    except cv2.error:
        return None
    width, height = image.size
    if pixels is None or pixels.shape[:2] != (height, width):
        return None  # let Pillow decode it and report any problem its way
    orient = _ORIENT.get(image.getexif().get(_EXIF_ORIENTATION, 1))  # 1 (upright) has no entry
    return np.ascontiguousarray(orient(pixels)) if orient else pixels


def _imdecode(buffer: np.ndarray, mode: str) -> np.ndarray | None:
    if mode == "L":
        return cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE | _IGNORE_EXIF)
    if _RGB_FLAG is not None:
        return cv2.imdecode(buffer, _RGB_FLAG | _IGNORE_EXIF)
    pixels = cv2.imdecode(buffer, cv2.IMREAD_COLOR | _IGNORE_EXIF)
    return None if pixels is None else cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)


def encode(pixels: np.ndarray, quality: int, icc_profile: bytes | None = None) -> bytes | None:
    """JPEG bytes of an 8-bit L or RGB array, or None if this path does not apply."""
    if pixels.dtype != np.uint8 or not (pixels.ndim == 2 or pixels.shape[2] == 3):
        return None
    if pixels.ndim == 3:
        pixels = cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    ok, blob = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        return None
    payload = blob.tobytes()
    return _with_icc(payload, icc_profile) if icc_profile else payload


_ICC_CHUNK = 65519  # 65535 - marker length (2) - "ICC_PROFILE\0" (12) - sequence (2)


def _with_icc(jpeg: bytes, icc: bytes) -> bytes | None:
    """Insert the ICC profile as APP2 segments after the JFIF APP0 header,
    where libjpeg (and so Pillow) writes it; None if the layout is unexpected."""
    if jpeg[:4] != b"\xff\xd8\xff\xe0":
        return None
    insert_at = 4 + int.from_bytes(jpeg[4:6], "big")
    chunks = [icc[i : i + _ICC_CHUNK] for i in range(0, len(icc), _ICC_CHUNK)]
    if len(chunks) > 255:
        return None
    segments = b"".join(
        b"\xff\xe2" + (16 + len(chunk)).to_bytes(2, "big") + b"ICC_PROFILE\0"
        + bytes((number, len(chunks))) + chunk
        for number, chunk in enumerate(chunks, 1))
    return jpeg[:insert_at] + segments + jpeg[insert_at:]


def _complete(payload: bytes) -> bool:
    """A JPEG that ends in its EOI marker. OpenCV fills a truncated file with
    grey and only warns, where Pillow raises: truncated files go to Pillow so
    they are still reported as errors."""
    return payload.rstrip(b"\x00\r\n ")[-2:] == b"\xff\xd9"
