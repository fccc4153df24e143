"""audio_codec: formats kept or converted, clipping never wraps, bytes reproducible."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from audio_signals import RATE, dominant_hz, sine
from augment_cli.errors import SampleError
from augment_cli.modalities.audio import codec as audio_codec
from augment_cli.modalities.audio.codec import Audio, decode, encode
from augment_cli.modalities.audio.ogg import fix_serial
from augment_cli.recipe import OutputOptions


def file_bytes(audio: Audio, fmt: str, subtype: str) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, audio.samples.T, audio.sample_rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def info(blob: bytes) -> sf._SoundFileInfo:
    return sf.info(io.BytesIO(blob))


@pytest.mark.parametrize("fmt, subtype, extension", [
    ("FLAC", "PCM_24", ".flac"), ("WAV", "PCM_16", ".wav"), ("WAV", "FLOAT", ".wav"),
    ("WAV", "PCM_24", ".wav"), ("OGG", "VORBIS", ".ogg"), ("MP3", "MPEG_LAYER_III", ".mp3")])
def test_a_copy_keeps_container_subtype_rate_and_channels(fmt, subtype, extension):
    source = sine(440, rate=44100, channels=2)
    decoded = decode(file_bytes(source, fmt, subtype))
    assert decoded.data.samples.shape[0] == 2 and decoded.data.sample_rate == 44100
    written = info(encode(decoded.data, decoded, extension, OutputOptions()))
    assert (written.format, written.subtype, written.samplerate, written.channels) == (
        fmt, subtype, 44100, 2)


def test_24_bit_flac_round_trips_its_samples():
    source = sine(440, amplitude=0.3)
    blob = file_bytes(source, "FLAC", "PCM_24")
    decoded = decode(blob)
    again = encode(decoded.data, decoded, ".flac", OutputOptions())
    assert info(again).subtype == "PCM_24"
    assert np.array_equal(decode(again).data.samples, decoded.data.samples)


@pytest.mark.parametrize("fmt, subtype", [("OGG", "VORBIS"), ("OGG", "OPUS"), ("FLAC", "PCM_16"),
                                          ("MP3", "MPEG_LAYER_III"), ("WAV", "PCM_16")])
def test_encoding_is_byte_reproducible(fmt, subtype):
    source = sine(440, rate=48000 if subtype == "OPUS" else RATE)
    decoded = decode(file_bytes(source, fmt, subtype))
    extension = {"OPUS": ".opus", "VORBIS": ".ogg"}.get(subtype, "." + fmt.lower())
    first = encode(decoded.data, decoded, extension, OutputOptions())
    second = encode(decoded.data, decoded, extension, OutputOptions())
    assert first == second
    assert decode(first).data.frames == pytest.approx(source.frames, rel=0.01)


def test_fixed_ogg_pages_keep_valid_checksums():
    blob = file_bytes(sine(440), "OGG", "VORBIS")
    fixed = fix_serial(blob)
    assert fixed != blob and len(fixed) == len(blob)
    assert fix_serial(fix_serial(blob, 5)) == fixed  # only serial and checksum differ
    with pytest.raises(ValueError):
        fix_serial(fixed[:-10])
    assert decode(fixed).data.frames == decode(blob).data.frames


def test_output_can_force_format_rate_and_mono():
    source = sine(1000, rate=44100, channels=2)
    decoded = decode(file_bytes(source, "WAV", "PCM_24"))
    options = OutputOptions(audio_format="flac", sample_rate=16000, mono=True)
    out = encode(decoded.data, decoded, ".flac", options)
    written = info(out)
    assert (written.format, written.subtype, written.samplerate, written.channels) == (
        "FLAC", "PCM_24", 16000, 1)
    again = decode(out).data
    assert again.frames == pytest.approx(source.frames * 16000 / 44100, abs=2)
    assert dominant_hz(again) == pytest.approx(1000, abs=5)


def test_mp3_source_converted_to_wav_gets_pcm():
    decoded = decode(file_bytes(sine(440), "MP3", "MPEG_LAYER_III"))
    assert info(encode(decoded.data, decoded, ".wav", OutputOptions())).subtype == "PCM_16"


@pytest.mark.parametrize("mode", ["normalize", "limit"])
def test_loud_copies_are_brought_in_range_never_wrapped(mode):
    loud = sine(440, amplitude=2.0)
    decoded = decode(file_bytes(sine(440), "WAV", "PCM_16"))
    back = decode(encode(loud, decoded, ".wav", OutputOptions(clipping=mode))).data.samples
    assert np.abs(back).max() <= 1.0
    # Wrapping would flip the sign of the loudest samples; the shape must follow the input.
    loudest = np.abs(loud.samples) > 0.5
    assert np.all(np.sign(back[loudest]) == np.sign(loud.samples[loudest]))
    if mode == "normalize":
        assert np.allclose(back, loud.samples * 0.999 / 2.0, atol=1e-4)
    else:
        quiet = np.abs(loud.samples) < 0.8
        assert np.allclose(back[quiet], loud.samples[quiet], atol=1e-4)


def test_float_wav_keeps_values_over_full_scale():
    loud = sine(440, amplitude=2.0)
    decoded = decode(file_bytes(sine(440), "WAV", "FLOAT"))
    back = decode(encode(loud, decoded, ".wav", OutputOptions())).data.samples
    assert np.abs(back).max() == pytest.approx(2.0, rel=1e-3)


@pytest.mark.parametrize("payload, reason", [
    (b"", "empty file"), (b"RIFF\x00\x00\x00\x00WAVEjunk" * 3, "not a readable audio file"),
    (b"this is a text file, not audio\n" * 20, "not a readable audio file")])
def test_unreadable_files_raise_sample_error(payload, reason):
    with pytest.raises(SampleError, match=reason):
        decode(payload)


def test_zero_frame_file_is_refused():
    empty = Audio(np.zeros((1, 0), np.float32), RATE)
    with pytest.raises(SampleError, match="0 frames"):
        decode(file_bytes(empty, "WAV", "PCM_16"))


def test_opus_at_an_unsupported_rate_is_a_clear_error():
    decoded = decode(file_bytes(sine(440), "WAV", "PCM_16"))
    with pytest.raises(SampleError, match="OPUS cannot be written at 44100 Hz"):
        encode(decoded.data, decoded, ".opus", OutputOptions(sample_rate=44100))


def test_resample_keeps_channels_together():
    samples = audio_codec.resample(sine(440, channels=2).samples, RATE, 8000)
    assert samples.shape == (2, 4000) and np.array_equal(samples[0], samples[1])


def test_flac_without_a_frame_count_is_refused_with_the_reason():
    blob = bytearray(file_bytes(sine(440), "FLAC", "PCM_16"))
    # STREAMINFO starts at byte 8; its total-samples field is the low 4 bits of
    # byte 13 and bytes 14-17. Zero means "unknown" in FLAC.
    blob[8 + 13] &= 0xF0
    blob[8 + 14:8 + 18] = b"\x00\x00\x00\x00"
    with pytest.raises(SampleError, match="does not state the number of frames"):
        decode(bytes(blob))
