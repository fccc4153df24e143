"""A hostile image corpus made by the tests: every file gives a correct output or a
clear per-file error; never a crash, a hang or a traceback."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from test_expand_cli import read_rows
from test_faults import png_header_only

RGB = np.random.default_rng(0).integers(0, 256, (32, 48, 3), dtype=np.uint8)


def encoded(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def frames(count: int) -> list[Image.Image]:
    return [Image.fromarray(np.full((32, 48, 3), 60 * i, np.uint8)) for i in range(count)]


def corpus() -> dict[str, bytes]:
    first, *rest = frames(3)
    return {
        "animated.gif": encoded(first, "GIF", save_all=True, append_images=rest),
        "animated.png": encoded(first, "PNG", save_all=True, append_images=rest),  # APNG
        "pages.tiff": encoded(first, "TIFF", save_all=True, append_images=rest),
        "cmyk.jpg": encoded(Image.fromarray(RGB).convert("CMYK"), "JPEG"),
        "lab.tif": encoded(Image.fromarray(RGB).convert("LAB"), "TIFF"),
        "float.tif": encoded(Image.fromarray(RGB[..., 0].astype(np.float32) / 255), "TIFF"),
        "bits.png": encoded(Image.fromarray(RGB[..., 0] > 127), "PNG"),
        "deep.png": encoded(Image.fromarray(RGB[..., 0].astype(np.uint16) * 257), "PNG"),
        "palette.png": encoded(Image.fromarray(RGB).convert("P"), "PNG"),
        "png_named.jpg": encoded(Image.fromarray(RGB), "PNG"),
        "bomb.png": png_header_only(40000, 40000),
        "zero.jpg": b"",
        "garbage.webp": bytes(range(256)) * 8,
        "truncated.png": encoded(Image.fromarray(RGB), "PNG")[:200],
    }


EXPECTED_ERRORS = {
    "lab.tif": "unsupported image mode LAB",
    "float.tif": "unsupported image mode F",
    "bomb.png": "decompression bomb",
    "zero.jpg": "empty file",
    "garbage.webp": "not a readable image",
    "truncated.png": "cannot decode image",
}


@pytest.fixture
def hostile(tmp_path):
    src = tmp_path / "src" / "odd"
    src.mkdir(parents=True)
    for name, payload in corpus().items():
        (src / name).write_bytes(payload)
    return src.parent


def test_every_hostile_file_gives_an_output_or_a_clear_error(hostile, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    started = time.monotonic()
    result = run_cli("expand", hostile, "--recipe", write_recipe(), "--copies", 1, "--out", out,
                     "--workers", 1)
    assert time.monotonic() - started < 30
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = {line.split(": ", 2)[1]: line
              for line in result.stderr.splitlines() if line.startswith("Error: odd/")}
    assert {name.split("/")[1] for name in errors} == set(EXPECTED_ERRORS)
    for name, reason in EXPECTED_ERRORS.items():
        assert reason in errors[f"odd/{name}"], errors[f"odd/{name}"]
    made = {row["source"].split("/")[1]: out / row["file_name"] for row in read_rows(out)}
    assert set(made) == set(corpus()) - set(EXPECTED_ERRORS)
    expectations = {  # (format, mode, size) of each output
        "animated.gif": ("PNG", "RGB", (48, 32)),  # first frame; GIF written as PNG
        "animated.png": ("PNG", "RGB", (48, 32)),
        "pages.tiff": ("TIFF", "RGB", (48, 32)),
        "cmyk.jpg": ("JPEG", "RGB", (48, 32)),
        "bits.png": ("PNG", "L", (48, 32)),
        "deep.png": ("PNG", "I;16", (48, 32)),
        "palette.png": ("PNG", "RGB", (48, 32)),
        "png_named.jpg": ("JPEG", "RGB", (48, 32)),  # content sniffed; written as its extension says
    }
    for name, expected in expectations.items():
        with Image.open(made[name]) as image:
            assert (image.format, image.mode, image.size) == expected, name
    with Image.open(made["animated.gif"]) as image:
        assert np.asarray(image).max() == 0  # the first frame is the black one
    with Image.open(made["deep.png"]) as image:
        assert np.asarray(image).max() > 255  # 16-bit range kept
