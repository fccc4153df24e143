"""The OpenCV PNG fast path (modalities/image/png_cv.py) gives exactly the
pixels the Pillow path gives, hands every case it does not cover to Pillow,
and writes PNGs that decode to the pixels it was given."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from augment_cli.errors import SampleError
from augment_cli.modalities.image import codec as image_codec
from augment_cli.modalities.image import png_cv
from augment_cli.recipe import OutputOptions


def _png(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return buffer.getvalue()


def _pillow_pixels(payload: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(payload)) as image:
        upright = ImageOps.exif_transpose(image)
        if upright.mode == "P":
            upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
        return np.asarray(upright)


def _fast_path_taken(payload: bytes) -> bool:
    with Image.open(io.BytesIO(payload)) as image:
        return png_cv.decode(image, payload) is not None


@pytest.fixture(scope="module")
def picture() -> np.ndarray:
    """A non-symmetric 24x40 RGBA picture."""
    y, x = np.mgrid[0:24, 0:40]
    return np.stack([x * 6, y * 10, 250 - (x + y) * 3, 255 - x * 5], axis=-1).astype(np.uint8)


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_plain_png_decodes_to_pillows_pixels_through_opencv(picture, mode):
    payload = _png(Image.fromarray(picture).convert(mode))
    assert _fast_path_taken(payload)
    decoded = image_codec.decode(payload).data
    assert decoded.dtype == np.uint8
    assert np.array_equal(decoded, _pillow_pixels(payload))


@pytest.mark.parametrize("case", ["palette", "grey-alpha", "tRNS", "16-bit grey", "exif orientation"])
def test_what_the_fast_path_does_not_cover_goes_to_pillow(picture, case):
    image = Image.fromarray(picture)
    options = {}
    if case == "palette":
        image = image.convert("RGB").convert("P")
    elif case == "grey-alpha":
        image = image.convert("LA")
    elif case == "tRNS":
        image = image.convert("RGB")
        options["transparency"] = (0, 10, 250)
    elif case == "16-bit grey":
        image = Image.fromarray(picture[..., 0].astype(np.uint16) * 257)
    else:
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90: a fast path ignoring it would keep the 24x40 shape
        image, options["exif"] = image.convert("RGB"), exif.tobytes()
    payload = _png(image, **options)
    assert not _fast_path_taken(payload)
    decoded = image_codec.decode(payload).data
    expected = _pillow_pixels(payload)
    if case == "16-bit grey":
        expected = expected.astype(np.uint16)
    assert np.array_equal(decoded, expected)
    if case == "exif orientation":
        assert decoded.shape[:2] == (40, 24)


def test_a_truncated_png_is_still_an_error(picture):
    payload = _png(Image.fromarray(picture))
    truncated = payload[: len(payload) // 2]
    with Image.open(io.BytesIO(truncated)) as image:
        assert png_cv.decode(image, truncated) is None
    with pytest.raises(SampleError):
        image_codec.decode(truncated)


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_encode_is_lossless_and_deterministic(picture, channels):
    pixels = picture[..., 0] if channels == 1 else picture[..., :channels]
    flipped = pixels[:, ::-1]  # a view with negative strides, as a flip gives
    blob = png_cv.encode(flipped)
    assert blob is not None and blob == png_cv.encode(np.ascontiguousarray(flipped))
    with Image.open(io.BytesIO(blob)) as image:
        assert image.format == "PNG"
        assert np.array_equal(np.asarray(image), flipped)


def test_encode_keeps_the_icc_profile(picture):
    profile = b"\x00\x00\x01\x00fake icc profile" * 8
    decoded = image_codec.DecodedImage(picture[..., :3], profile)
    blob = image_codec.encode(picture[..., :3], decoded, ".png", OutputOptions())
    with Image.open(io.BytesIO(blob)) as image:
        assert image.info.get("icc_profile") == profile
        assert np.array_equal(np.asarray(image), picture[..., :3])


def test_two_channel_and_16_bit_arrays_are_left_to_the_other_encoders(picture):
    assert png_cv.encode(picture[..., :2]) is None
    assert png_cv.encode(picture[..., 0].astype(np.uint16)) is None
