"""The OpenCV JPEG fast path (augment_cli/jpeg_cv.py) behaves exactly like the
Pillow path it shortcuts: same pixels, EXIF orientation, modes, errors."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from augment_cli.errors import SampleError
from augment_cli.modalities.image import codec as image_codec
from augment_cli.modalities.image import jpeg_cv
from augment_cli.modalities.image.transforms import core_ops as image_ops
from augment_cli.recipe import OutputOptions


def _jpeg(pixels, orientation: int | None = None, **options) -> bytes:
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92, **options)
    return buffer.getvalue()


def _pillow_pixels(payload: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(payload)) as image:
        return np.asarray(ImageOps.exif_transpose(image))


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """A non-symmetric 40x64 RGB picture (so every orientation differs)."""
    y, x = np.mgrid[0:40, 0:64]
    return np.stack([x * 4, y * 6, 250 - (x + y) * 2], axis=-1).astype(np.uint8)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_decode_applies_exif_orientation_like_pillow(photo, orientation):
    payload = _jpeg(photo, orientation)
    with Image.open(io.BytesIO(payload)) as image:
        assert jpeg_cv.decode(image, payload) is not None  # the fast path was taken
    decoded = image_codec.decode(payload).data
    assert np.array_equal(decoded, _pillow_pixels(payload))
    expected_shape = (64, 40, 3) if orientation >= 5 else (40, 64, 3)
    assert decoded.shape == expected_shape


def test_grayscale_jpeg_stays_two_dimensional(photo):
    payload = _jpeg(photo[..., 0], orientation=6)
    decoded = image_codec.decode(payload).data
    assert decoded.ndim == 2 and decoded.dtype == np.uint8
    assert np.array_equal(decoded, _pillow_pixels(payload))


def test_truncated_jpeg_is_still_an_error(photo):
    payload = _jpeg(photo)
    with pytest.raises(SampleError):
        image_codec.decode(payload[: len(payload) // 2])


def test_cmyk_jpeg_takes_the_pillow_path(photo):
    payload = _jpeg(Image.fromarray(photo).convert("CMYK"))
    with Image.open(io.BytesIO(payload)) as image:
        assert image.mode == "CMYK" and jpeg_cv.decode(image, payload) is None
    assert image_codec.decode(payload).data.shape == (40, 64, 3)


def _encode(pixels: np.ndarray, icc: bytes | None = None) -> bytes:
    return image_codec.encode(pixels, image_codec.DecodedImage(pixels, icc), ".jpg",
                              OutputOptions(jpeg_quality=95))


def test_encode_is_deterministic_and_faithful(photo):
    blob = _encode(photo)
    assert blob == _encode(photo.copy())
    with Image.open(io.BytesIO(blob)) as image:
        assert image.mode == "RGB"
        back = np.asarray(image).astype(float)
    assert np.abs(back - photo).mean() < 2  # quality kept
    assert np.abs(back - photo[..., ::-1]).mean() > 20  # red and blue not swapped


def test_encode_keeps_grayscale_and_flattens_alpha_on_white(photo):
    with Image.open(io.BytesIO(_encode(photo[..., 0]))) as image:
        assert image.mode == "L"
    transparent = np.zeros((40, 64, 4), np.uint8)  # black, fully transparent
    with Image.open(io.BytesIO(_encode(transparent))) as image:
        assert image.mode == "RGB" and np.asarray(image).min() >= 250


def test_encode_with_icc_profile_keeps_it(photo):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for profile in (icc, icc * 200):  # one APP2 segment, and a profile split over several
        assert jpeg_cv.encode(photo, 95, profile) is not None  # the fast path was taken
        with Image.open(io.BytesIO(_encode(photo, profile))) as image:
            assert image.info.get("icc_profile") == profile
            assert np.abs(np.asarray(image).astype(float) - photo).mean() < 2


@pytest.mark.parametrize("border", ["reflect", "constant", "replicate"])
@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_rotate_matches_plain_warp_affine(photo, border, channels):
    image = photo[..., 0] if channels == 1 else np.dstack([photo, photo[..., :1]])[..., :channels]
    image = np.ascontiguousarray(image)
    params = {"angle_deg": 12.5, "border": border, "fill": 7}
    matrix = cv2.getRotationMatrix2D((63 / 2, 39 / 2), 12.5, 1.0)
    # The RGBA padding of 3-channel images must give what a plain warp (per
    # plane for LA, as image_ops.by_planes does) gives. Reflected and
    # replicated borders are padded before the warp: only OpenCV's own
    # border path may round a border pixel one level differently.
    expected = image_ops.by_planes(image, lambda plane: cv2.warpAffine(
        plane, matrix, (64, 40), flags=cv2.INTER_LINEAR,
        borderMode=image_ops.BORDERS[border], borderValue=(7, 7, 7, 7)))
    rotated = image_ops.rotate(image, params)
    difference = np.abs(rotated.astype(int) - expected)
    if border == "constant":
        assert difference.max() == 0
    else:
        assert difference.max() <= 1 and (difference > 0).mean() < 0.03
        planes = [image_ops.rotate(np.ascontiguousarray(image[..., c]), params)
                  for c in range(channels)] if channels > 1 else [rotated]
        assert np.array_equal(rotated, np.dstack(planes) if channels > 1 else planes[0])


# Where padding is not worth it, OpenCV's own border path is used, exactly:
# a 45 deg turn of a 10:1 strip reaches far outside it (padding would more
# than double the pixels); past a few MiB the padded copy costs more than
# OpenCV's border path saves.
@pytest.mark.parametrize(("height", "width", "angle"), [(16, 160, 45.0), (1000, 1100, 9.0)])
def test_rotate_without_padding_is_exactly_opencvs_warp(height, width, angle):
    image = np.random.default_rng(3).integers(0, 256, (height, width, 3), dtype=np.uint8)
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), angle, 1.0)
    assert image_ops._padding(cv2.invertAffineTransform(matrix), width, height, 4) is None
    expected = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REFLECT_101)
    params = {"angle_deg": angle, "border": "reflect", "fill": 0}
    assert np.array_equal(image_ops.rotate(image, params), expected)
