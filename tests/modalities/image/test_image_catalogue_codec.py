"""Image kinds end to end: 16-bit colour kept at full range, explicit mode
conversions, [output] format conversion and alpha flattening for JPEG."""

from __future__ import annotations

import csv
import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from augment_cli import api
from augment_cli.errors import SampleError
from augment_cli.modalities.image import codec as image_codec
from augment_cli.recipe import OutputOptions
from catalogue_helpers import kinds, smooth_rgb

WIDE = kinds()["rgb16"]
WIDE_RGBA = kinds()["rgba16"]
RECIPE = """
[[image]]
transform = "affine"
[[image]]
transform = "hue_saturation_value"
[[image]]
transform = "gaussian_noise"
[[image]]
transform = "random_erasing"
"""


def cv2_bytes(pixels: np.ndarray, extension: str) -> bytes:
    code = cv2.COLOR_RGBA2BGRA if pixels.shape[2] == 4 else cv2.COLOR_RGB2BGR
    return cv2.imencode(extension, cv2.cvtColor(pixels, code))[1].tobytes()


@pytest.mark.parametrize("extension", [".png", ".tiff"])
@pytest.mark.parametrize("pixels", [WIDE, WIDE_RGBA], ids=["rgb16", "rgba16"])
def test_16_bit_colour_decodes_and_encodes_at_full_range(pixels, extension):
    decoded = image_codec.decode(cv2_bytes(pixels, extension))
    np.testing.assert_array_equal(decoded.data, pixels)  # RGB order, no lost low byte
    blob = image_codec.encode(decoded.data, decoded, extension, OutputOptions())
    np.testing.assert_array_equal(image_codec.decode(blob).data, pixels)


@pytest.mark.skipif(not hasattr(cv2, "imencodeWithMetadata"), reason="OpenCV before 4.12 writes no ICC")
@pytest.mark.parametrize("pixels", [WIDE, WIDE_RGBA], ids=["rgb16", "rgba16"])
def test_16_bit_colour_png_keeps_its_colour_profile(pixels):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    source = cv2.imencodeWithMetadata(".png", cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGRA if pixels.shape[2] == 4
                                                           else cv2.COLOR_RGB2BGR),
                                      [cv2.IMAGE_METADATA_ICCP], [np.frombuffer(profile, np.uint8)])[1]
    decoded = image_codec.decode(source.tobytes())
    assert decoded.icc_profile == profile
    blob = image_codec.encode(decoded.data, decoded, ".png", OutputOptions())
    copy = image_codec.decode(blob)
    assert copy.icc_profile == profile
    np.testing.assert_array_equal(copy.data, pixels)


def test_16_bit_colour_refuses_jpeg_output():
    decoded = image_codec.decode(cv2_bytes(WIDE, ".png"))
    with pytest.raises(SampleError, match="16-bit"):
        image_codec.encode(decoded.data, decoded, ".jpg", OutputOptions())


def test_orient_matches_pillow_exif_transpose():
    image = smooth_rgb(5, 7)
    for orientation in range(1, 9):
        source = Image.fromarray(image)
        exif = source.getexif()
        exif[0x0112] = orientation
        buffer = io.BytesIO()
        source.save(buffer, format="PNG", exif=exif)
        expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(buffer.getvalue()))))
        np.testing.assert_array_equal(image_codec.orient(image, orientation), expected)


def test_palette_and_cmyk_are_converted_explicitly():
    rgb = smooth_rgb(8, 8)
    palette = Image.fromarray(rgb).quantize(16)
    out = io.BytesIO()
    palette.save(out, format="PNG")
    assert image_codec.decode(out.getvalue()).data.shape == (8, 8, 3)
    out = io.BytesIO()
    palette.save(out, format="PNG", transparency=0)
    assert image_codec.decode(out.getvalue()).data.shape == (8, 8, 4)
    out = io.BytesIO()
    Image.fromarray(rgb).convert("CMYK").save(out, format="JPEG")
    assert image_codec.decode(out.getvalue()).data.shape == (8, 8, 3)


def test_rgba_written_as_jpeg_is_flattened_on_white():
    pixels = np.zeros((8, 8, 4), np.uint8)
    pixels[..., 0] = 200
    pixels[:, 4:, 3] = 255  # left half transparent, right half opaque red
    decoded = image_codec.DecodedImage(pixels, None)
    blob = image_codec.encode(pixels, decoded, ".jpg", OutputOptions(jpeg_quality=100))
    flat = np.asarray(Image.open(io.BytesIO(blob)))
    assert flat.shape == (8, 8, 3)
    assert (np.abs(flat[:, :2].astype(int) - 255) <= 3).all()  # transparent -> white
    assert np.abs(flat[:, 6:].astype(int) - (200, 0, 0)).max() <= 8


def test_expand_keeps_16_bit_colour_and_reports_jpeg_per_file(tmp_path):
    source = tmp_path / "src"
    (source / "a").mkdir(parents=True)
    (source / "a" / "wide.png").write_bytes(cv2_bytes(WIDE, ".png"))
    Image.fromarray(smooth_rgb()).save(source / "a" / "plain.png")
    recipe = tmp_path / "r.toml"
    recipe.write_text(RECIPE)
    summary = api.expand(source=source, recipe=recipe, out=tmp_path / "out", copies=2, workers=1)
    assert summary.exit_code == 0
    written = cv2.imread(str(tmp_path / "out" / "a" / "wide__aug1.png"), cv2.IMREAD_UNCHANGED)
    assert written.dtype == np.uint16 and written.shape == WIDE.shape
    assert (written % 257 != 0).mean() > 0.5  # low byte alive, not an 8-bit image scaled up
    recipe.write_text(RECIPE + '[[image]]\ntransform = "jpeg"\n')
    summary = api.expand(source=source, recipe=recipe, out=tmp_path / "out2", copies=2, workers=1)
    assert summary.exit_code == 1 and [f.source for f in summary.failed] == ["a/wide.png"]
    assert "jpeg" in summary.failed[0].error and "16" in summary.failed[0].error
    with open(tmp_path / "out2" / "manifest.csv", newline="", encoding="utf-8") as handle:
        assert {row["source"] for row in csv.DictReader(handle)} == {"a/plain.png"}
