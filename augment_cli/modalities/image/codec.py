"""Decode and encode images: bytes <-> numpy array, modes made explicit.

Decoding applies the EXIF orientation (so transforms see the upright image)
and maps every Pillow mode onto a small set of array kinds:

    1, L        -> HxW uint8             P (palette) -> RGB, or RGBA if it has
    LA, PA      -> HxWx2 / HxWx4 uint8                  transparency
    RGB, RGBA   -> HxWx3 / HxWx4 uint8   CMYK, YCbCr -> RGB
    I;16*       -> HxW uint16            I (32-bit)  -> uint16 when it fits
    16-bit RGB, RGBA PNG/TIFF -> HxWx3 / HxWx4 uint16 (16-bit LA PNG -> RGBA)

Pillow reads 16-bit colour PNG and TIFF as 8-bit, silently dropping the low
byte, so those files are decoded with OpenCV instead (BGR turned to RGB, EXIF
orientation applied the same way) and written back with OpenCV: the full
range goes through every transform. Anything else (LAB, float) is refused per
file with the mode named. Multi-frame files (GIF, APNG, TIFF) give their
first frame.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from PIL import Image, ImageOps

from augment_cli.errors import SampleError
from augment_cli.modalities.image import heif, jpeg_cv, png_cv
from augment_cli.modalities.image.header import check_size

if TYPE_CHECKING:  # codecs read [output] options; the recipe package is not theirs to import
    from augment_cli.recipe.model import OutputOptions

JPEG_BACKGROUND = 255  # alpha is flattened on white when writing JPEG
SAVE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP",
                ".bmp": "BMP", ".tif": "TIFF", ".tiff": "TIFF"}
DIRECT_MODES = {"L", "LA", "RGB", "RGBA"}
CONVERTED_MODES = {"1": "L", "PA": "RGBA", "CMYK": "RGB", "YCbCr": "RGB"}


@dataclass(frozen=True)
class DecodedImage:
    data: np.ndarray  # the pixels transforms work on
    icc_profile: bytes | None


def decode(payload: bytes, output: OutputOptions | None = None) -> DecodedImage:
    """Bytes of any supported file -> upright pixels; SampleError if unreadable.

    `output` (the recipe's [output] options) is unused for images; every codec
    takes it so decoding can depend on recipe options (text_encoding)."""
    if not payload:
        raise SampleError("empty file (0 bytes)")
    heif.ensure_readable(payload)
    try:
        with warnings.catch_warnings():
            # Pillow warns about recoverable oddities (corrupt EXIF...) on
            # stderr; the file still decodes, so they are not the user's news.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(payload)) as image:
                check_size(*image.size)
                icc = image.info.get("icc_profile")
                if _is_wide_colour(image, payload):
                    return DecodedImage(_decode_wide_colour(image, payload), icc)
                pixels = jpeg_cv.decode(image, payload)
                if pixels is None:
                    pixels = png_cv.decode(image, payload)
                if pixels is not None:
                    return DecodedImage(pixels, icc)
                upright = ImageOps.exif_transpose(image) or image
                return DecodedImage(_to_array(upright), icc)
    except SampleError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise SampleError(f"refused as a decompression bomb: {exc}") from None
    except Image.UnidentifiedImageError:
        raise SampleError("not a readable image (unknown or corrupt format)") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise SampleError(f"cannot decode image: {exc}") from None


def encode(pixels: np.ndarray, decoded: DecodedImage, extension: str,
           output: OutputOptions) -> bytes:
    """Array -> file bytes in the format the extension names; the source's
    colour profile is carried over."""
    target = SAVE_FORMATS[extension.lower()]
    icc_profile = decoded.icc_profile
    if pixels.dtype == np.uint16 and pixels.ndim == 3:
        return _encode_wide_colour(pixels, target, icc_profile)
    if target == "JPEG" and pixels.dtype == np.uint8:
        flat = _flatten_alpha(pixels) if pixels.ndim == 3 and pixels.shape[2] in (2, 4) else pixels
        blob = jpeg_cv.encode(flat, output.jpeg_quality, icc_profile)
        if blob is not None:
            return blob
    if target == "PNG":
        blob = png_cv.encode(pixels, icc_profile)
        if blob is not None:
            return blob
    image = _to_pillow(pixels, target)
    options: dict[str, Any] = {}
    if icc_profile and target in ("JPEG", "PNG", "WEBP", "TIFF"):
        options["icc_profile"] = icc_profile
    if target == "JPEG":
        options["quality"] = output.jpeg_quality
    elif target == "WEBP":
        options["quality"] = output.webp_quality
    elif target == "TIFF":
        options["compression"] = "tiff_deflate"
    buffer = io.BytesIO()
    image.save(buffer, format=target, **options)
    return buffer.getvalue()


def _to_array(image: Image.Image) -> np.ndarray:
    mode = image.mode
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode in CONVERTED_MODES:
        image = image.convert(CONVERTED_MODES[mode])
    elif mode.startswith("I;16"):
        return np.asarray(image).astype(np.uint16)
    elif mode == "I":
        return _int32_to_uint16(np.asarray(image))
    elif mode not in DIRECT_MODES:
        raise SampleError(f"unsupported image mode {mode}")
    return np.asarray(image)


def _is_wide_colour(image: Image.Image, payload: bytes) -> bool:
    """A colour PNG/TIFF with 16 bits per sample (which Pillow would truncate)."""
    if image.format == "PNG":  # IHDR: bit depth at byte 24, colour type at 25
        return len(payload) > 25 and payload[24] == 16 and payload[25] in (2, 4, 6)
    if image.format == "TIFF" and image.mode in ("RGB", "RGBA"):
        from PIL.TiffImagePlugin import TiffImageFile  # imported already: Pillow opened a TIFF

        if isinstance(image, TiffImageFile):
            bits = image.tag_v2.get(258, (8,))
            return max(bits if isinstance(bits, tuple) else (bits,)) > 8
    return False


def _decode_wide_colour(image: Image.Image, payload: bytes) -> np.ndarray:
    pixels = cv2.imdecode(np.frombuffer(payload, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None or pixels.dtype != np.uint16 or pixels.ndim != 3:
        raise SampleError("cannot decode 16-bit colour image")
    code = cv2.COLOR_BGRA2RGBA if pixels.shape[2] == 4 else cv2.COLOR_BGR2RGB
    pixels = cv2.cvtColor(pixels, code)
    return np.ascontiguousarray(orient(pixels, image.getexif().get(0x0112, 1)))


def orient(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1..8) as ImageOps.exif_transpose does."""
    swapped = pixels.swapaxes(0, 1)
    return {2: lambda: pixels[:, ::-1], 3: lambda: pixels[::-1, ::-1], 4: lambda: pixels[::-1],
            5: lambda: swapped, 6: lambda: swapped[:, ::-1], 7: lambda: swapped[::-1, ::-1],
            8: lambda: swapped[::-1]}.get(orientation, lambda: pixels)()


def _encode_wide_colour(pixels: np.ndarray, target: str, icc_profile: bytes | None) -> bytes:
    """16-bit colour -> PNG/TIFF through OpenCV (Pillow cannot write it). The
    colour profile goes into PNG where OpenCV can write metadata (4.12 and
    later); OpenCV writes none into TIFF."""
    if target not in ("PNG", "TIFF"):
        raise SampleError(f"a 16-bit image cannot be written as {target} without "
                          "losing its range; use [output] format = \"png\"")
    if pixels.shape[2] == 2:  # PNG has 16-bit LA, OpenCV writes only 1, 3 or 4 channels
        pixels = pixels[..., [0, 0, 0, 1]]
    code = cv2.COLOR_RGBA2BGRA if pixels.shape[2] == 4 else cv2.COLOR_RGB2BGR
    bgr = cv2.cvtColor(pixels, code)
    if icc_profile and target == "PNG" and hasattr(cv2, "imencodeWithMetadata"):
        ok, blob = cv2.imencodeWithMetadata(".png", bgr, [cv2.IMAGE_METADATA_ICCP],
                                            [np.frombuffer(icc_profile, np.uint8)])
    else:
        ok, blob = cv2.imencode(".png" if target == "PNG" else ".tiff", bgr)
    if not ok:
        raise SampleError(f"cannot encode 16-bit {target}")
    return blob.tobytes()


def _int32_to_uint16(values: np.ndarray) -> np.ndarray:
    if values.size and (values.min() < 0 or values.max() > 65535):
        raise SampleError("32-bit integer image with values outside 0..65535 is not supported")
    return values.astype(np.uint16)


def _to_pillow(pixels: np.ndarray, target: str) -> Image.Image:
    if pixels.dtype == np.uint16:
        if pixels.ndim != 2 or target not in ("PNG", "TIFF"):
            raise SampleError(f"a 16-bit image cannot be written as {target} without "
                              "losing its range; use [output] format = \"png\"")
        return Image.fromarray(np.ascontiguousarray(pixels))
    if target == "JPEG" and pixels.ndim == 3 and pixels.shape[2] in (2, 4):
        pixels = _flatten_alpha(pixels)
    return Image.fromarray(np.ascontiguousarray(pixels))


def _flatten_alpha(pixels: np.ndarray) -> np.ndarray:
    """JPEG has no alpha: composite on a white background."""
    alpha = pixels[..., -1:].astype(np.float32) / 255.0
    colour = pixels[..., :-1].astype(np.float32)
    flat = colour * alpha + JPEG_BACKGROUND * (1.0 - alpha)
    return np.rint(flat).astype(np.uint8).squeeze()
