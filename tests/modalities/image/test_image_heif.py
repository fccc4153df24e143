"""HEIC/HEIF and AVIF sources: read through Pillow's plugins, written as PNG,
refused with what to install when this Python cannot read them."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, features

from augment_cli import api
from augment_cli.errors import SampleError
from augment_cli.modalities.image import heif
from augment_cli.modalities.image.codec import decode
from augment_cli.modalities.image.header import read_header
from conftest import textured


def test_a_heic_photo_is_read_and_its_copies_are_png(tmp_path, write_recipe):
    import pillow_heif

    pillow_heif.register_heif_opener()
    src = tmp_path / "src"
    (src / "cat").mkdir(parents=True)
    Image.fromarray(textured()).save(src / "cat" / "photo.heic", quality=90)
    assert read_header(src / "cat" / "photo.heic")["width"] == 64
    summary = api.expand(source=src, recipe=write_recipe(), out=tmp_path / "o", copies=2, workers=1)
    assert summary.exit_code == 0 and summary.files_read == 1
    copy = Image.open(tmp_path / "o" / "cat" / "photo.heic__aug1.png")
    assert copy.format == "PNG" and copy.size == (64, 48)


def test_a_heic_photo_without_the_plugin_is_refused_saying_what_to_install(monkeypatch):
    monkeypatch.setattr(heif, "_heif_opener", lambda: False)
    payload = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic"
    with pytest.raises(SampleError, match=r"needs the optional pillow-heif package"):
        decode(payload)


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF codec")
def test_an_avif_image_is_read_by_pillow(tmp_path):
    path = tmp_path / "a.avif"
    Image.fromarray(textured()).save(path, quality=90)
    assert decode(path.read_bytes()).data.shape == (48, 64, 3)


def test_avif_without_a_codec_is_refused_saying_so(monkeypatch):
    monkeypatch.setattr(heif, "_avif", lambda: False)
    with pytest.raises(SampleError, match="this Pillow cannot read AVIF"):
        decode(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf")


def test_brands_tell_heif_from_avif_and_from_other_files():
    assert heif.brand(b"\0\0\0\x18ftypheic") == "heif" and heif.brand(b"\0\0\0\x18ftypavif") == "avif"
    assert heif.brand(np.zeros(16, np.uint8).tobytes()) is None and heif.brand(b"\x89PNG\r\n") is None
