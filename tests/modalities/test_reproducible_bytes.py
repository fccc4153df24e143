"""Same input, same bytes, whatever the clock: every format every codec writes
is encoded twice across a wall-clock second and compared (hidden timestamps
such as float WAV's PEAK chunk, random ids such as Ogg's stream serial)."""

from __future__ import annotations

import io
import struct
import time
from collections.abc import Callable

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from augment_cli import modalities
from augment_cli.modalities.audio import codec as audio_codec
from augment_cli.modalities.image import codec as image_codec
from augment_cli.modalities.text import codec as text_codec
from augment_cli.recipe import OutputOptions

Encoder = Callable[[], bytes]
SLOW_RATES = {"GSM610": 8000, "G721_32": 8000, "OPUS": 48000}  # codecs with fixed rates
MIN_AUDIO_CASES = 23  # what libsndfile 1.2 writes through the codec: the test cannot pass empty


def audio_source(container: str, subtype: str) -> bytes | None:
    """A short stereo (mono for the telephone codecs) file in that format, or
    None when libsndfile cannot write it (then the codec cannot either)."""
    rate = SLOW_RATES.get(subtype, 16000)
    t = np.arange(rate // 4) / rate
    wave = 0.4 * np.sin(2 * np.pi * 440 * t) * np.linspace(0.2, 1.0, t.size)
    mono = subtype.startswith(("GSM", "G72", "NMS"))
    samples = (wave[:, None] if mono else np.stack([wave, wave[::-1]], axis=1)).astype(np.float32)
    buffer = io.BytesIO()
    try:
        with sf.SoundFile(buffer, "w", rate, samples.shape[1], subtype, format=container) as handle:
            handle.write(samples)
    except (sf.LibsndfileError, RuntimeError, ValueError):
        return None
    return buffer.getvalue()


def audio_cases() -> dict[str, Encoder]:
    cases = {}
    for extension, container in audio_codec.CONTAINERS.items():
        for subtype in sorted(sf.available_subtypes(container)):
            payload = audio_source(container, subtype)
            if payload is None:
                continue
            decoded = audio_codec.decode(payload)
            cases[f"audio {extension} {subtype}"] = (
                lambda d=decoded, e=extension: audio_codec.encode(d.data, d, e, OutputOptions()))
    return cases


def image_cases() -> dict[str, Encoder]:
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    rgba = np.dstack([rgb, rng.integers(0, 256, (24, 32), dtype=np.uint8)])
    deep = rng.integers(0, 65536, (24, 32, 3), dtype=np.uint16)
    icc = b"\x00" * 128  # carried over as bytes: enough to take the metadata paths
    sources = {
        "jpg": _pillow(rgb, "JPEG", icc_profile=icc), "png": _pillow(rgb, "PNG"),
        "png rgba": _pillow(rgba, "PNG"), "webp": _pillow(rgb, "WEBP"), "bmp": _pillow(rgb, "BMP"),
        "tiff": _pillow(rgb, "TIFF"), "gif": _pillow(rgb, "GIF"),
        "png 16-bit": _opencv(deep, ".png"), "tiff 16-bit": _opencv(deep, ".tiff"),
    }
    cases = {}
    for name, payload in sources.items():
        decoded = image_codec.decode(payload)
        extension = modalities.output_extension(f"x.{name.split()[0]}", OutputOptions())
        # Kept, and converted by [output] format (16-bit colour stays PNG or TIFF).
        targets = {extension} if "16-bit" in name else {extension, ".jpg", ".png", ".webp"}
        for target in sorted(targets):
            cases[f"image {name} -> {target}"] = (
                lambda d=decoded, e=target: image_codec.encode(d.data, d, e, OutputOptions()))
    return cases


def text_cases() -> dict[str, Encoder]:
    sources = {"utf-8": b"a line\nanother\n", "bom crlf": b"\xef\xbb\xbfa\r\nb\r\n",
               "latin-1": "caf\xe9\n".encode("latin-1")}
    cases = {}
    for name, payload in sources.items():
        output = OutputOptions(text_encoding="latin-1" if name == "latin-1" else "utf-8")
        decoded = text_codec.decode(payload, output)
        cases[f"text {name}"] = lambda d=decoded, o=output: text_codec.encode(d.data, d, ".txt", o)
    return cases


def _pillow(pixels: np.ndarray, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _opencv(pixels: np.ndarray, extension: str) -> bytes:
    import cv2

    return cv2.imencode(extension, pixels)[1].tobytes()


@pytest.fixture(scope="module")
def encoded_twice() -> dict[str, tuple[bytes, bytes]]:
    """Every case encoded, then again after the wall clock moved to the next second."""
    cases = {**audio_cases(), **image_cases(), **text_cases()}
    first = {name: encode() for name, encode in cases.items()}
    time.sleep(1.01 - time.time() % 1.0)  # libsndfile stamps whole seconds
    return {name: (first[name], encode()) for name, encode in cases.items()}


def test_every_format_gives_the_same_bytes_a_second_later(encoded_twice):
    differing = [name for name, (first, second) in encoded_twice.items() if first != second]
    assert differing == []
    audio = [name for name in encoded_twice if name.startswith("audio")]
    assert len(audio) >= MIN_AUDIO_CASES, audio
    assert {"audio .wav FLOAT", "audio .wav DOUBLE", "audio .ogg VORBIS", "audio .opus OPUS",
            "audio .mp3 MPEG_LAYER_III", "audio .wav GSM610"} <= set(audio)


@pytest.mark.parametrize("subtype", ["FLOAT", "DOUBLE"])
def test_float_wav_keeps_a_peak_chunk_with_no_timestamp_and_stays_readable(encoded_twice, subtype):
    blob = encoded_twice[f"audio .wav {subtype}"][0]
    start = blob.index(b"PEAK")
    version, timestamp = struct.unpack_from("<II", blob, start + 8)
    assert (version, timestamp) == (1, 0)
    with sf.SoundFile(io.BytesIO(blob)) as handle:
        assert (handle.subtype, handle.channels) == (subtype, 2)
        assert np.abs(handle.read()).max() > 0.3
