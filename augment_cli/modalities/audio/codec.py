"""Decode and encode audio: bytes <-> Audio (float32, channels x frames).

soundfile (libsndfile) reads and writes in memory, so a worker never touches a
temporary file. By default a copy keeps its source's container, subtype, sample
rate and channel count (a 24-bit FLAC stays a 24-bit FLAC); `[output]` can
force the format, the sample rate (resampled with soxr) and mono.

Before writing to an integer or lossy subtype, samples beyond full scale are
brought back per `[output] clipping` (peak-normalised or soft-limited): never
wrapped, and never silently hard-clipped.
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from augment_cli.errors import SampleError
from augment_cli.modalities.audio.formats import MP3_RATES
from augment_cli.modalities.audio.header import check_output, check_size
from augment_cli.modalities.audio.ogg import fix_serial
from augment_cli.modalities.audio.wav import zero_peak_timestamp

if TYPE_CHECKING:  # codecs read [output] options; the recipe package is not theirs to import
    from augment_cli.recipe.model import OutputOptions

# Container per written extension, and the subtype used when the source's own
# subtype does not exist in that container.
CONTAINERS = {".wav": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".opus": "OGG", ".mp3": "MP3"}
DEFAULT_SUBTYPES = {".wav": "PCM_16", ".flac": "PCM_16", ".ogg": "VORBIS", ".opus": "OPUS",
                    ".mp3": "MPEG_LAYER_III"}
FLOAT_SUBTYPES = ("FLOAT", "DOUBLE")
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
LIMIT_KNEE = 0.9  # the soft limiter is linear below this level


@dataclass(frozen=True)
class Audio:
    """What audio transforms receive and return."""

    samples: np.ndarray  # float32, shape (channels, frames)
    sample_rate: int

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def frames(self) -> int:
        return int(self.samples.shape[1])

    def with_samples(self, samples: np.ndarray) -> Audio:
        return Audio(np.ascontiguousarray(samples, dtype=np.float32), self.sample_rate)


@dataclass(frozen=True)
class DecodedAudio:
    data: Audio
    container: str  # soundfile format name: WAV, FLAC, OGG, MP3
    subtype: str    # e.g. PCM_16, PCM_24, FLOAT, VORBIS, OPUS


def decode(payload: bytes, output: OutputOptions | None = None) -> DecodedAudio:
    """Bytes of any supported file -> Audio; SampleError naming the reason.

    `output` is unused (decoding audio needs no option); it keeps the codec
    signature of the other modalities."""
    if not payload:
        raise SampleError("empty file (0 bytes)")
    try:
        with sf.SoundFile(io.BytesIO(payload)) as handle:
            check_size(handle.frames, handle.channels)
            # Some WAV codecs (GSM 6.10, G.721, NMS ADPCM) are not seekable in
            # libsndfile, and soundfile reads those only with a frame count.
            frames = -1 if handle.seekable() else handle.frames
            samples = handle.read(frames, dtype="float32", always_2d=True)
            container, subtype, rate = handle.format, handle.subtype, handle.samplerate
    except SampleError:
        raise
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise SampleError(f"not a readable audio file (unknown, unsupported or corrupt): "
                          f"{reason(exc)}") from None
    if samples.shape[0] == 0:
        raise SampleError("audio file has no frames (0 frames)")
    if not np.isfinite(samples).all():
        raise SampleError("audio contains NaN or infinite samples")
    return DecodedAudio(Audio(np.ascontiguousarray(samples.T), int(rate)), container, subtype)


def encode(audio: Audio, decoded: DecodedAudio, extension: str, output: OutputOptions) -> bytes:
    """Audio -> file bytes in the container the extension names."""
    extension = extension.lower()
    container, subtype = _target(decoded, extension)
    samples, rate = audio.samples, audio.sample_rate
    if output.mono and samples.shape[0] > 1:
        samples = samples.mean(axis=0, keepdims=True)
    if output.sample_rate and output.sample_rate != rate:
        check_output(math.ceil(samples.shape[1] * output.sample_rate / rate), samples.shape[0])
        samples, rate = resample(samples, rate, output.sample_rate), output.sample_rate
    _check_rate(subtype, rate)
    if subtype not in FLOAT_SUBTYPES:
        samples = prevent_clipping(samples, output.clipping)
    buffer = io.BytesIO()
    try:
        sf.write(buffer, samples.T, rate, format=container, subtype=subtype)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise SampleError(f"cannot encode {container}/{subtype}: {reason(exc)}") from None
    blob = buffer.getvalue()
    # libsndfile gives every Ogg stream a random serial number, and float WAV
    # a PEAK chunk stamped with the clock: fix both so the same input always
    # gives the same bytes.
    if container == "OGG":
        return fix_serial(blob)
    return zero_peak_timestamp(blob) if container == "WAV" else blob


def resample(samples: np.ndarray, rate: float, target: float) -> np.ndarray:
    """(channels, frames) from `rate` to `target` Hz with soxr (HQ)."""
    import soxr

    if samples.shape[1] == 0:
        return samples
    out = soxr.resample(np.ascontiguousarray(samples.T), rate, target, quality="HQ")
    return np.ascontiguousarray(np.asarray(out, dtype=np.float32).reshape(-1, samples.shape[0]).T)


def prevent_clipping(samples: np.ndarray, mode: str) -> np.ndarray:
    """Bring samples over full scale back in range without wrapping.

    "normalize" scales the whole clip down so its peak is just under full
    scale (the waveform is unchanged); "limit" applies a soft limiter that
    leaves samples below LIMIT_KNEE untouched and bends louder ones smoothly
    towards full scale.
    """
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    if peak <= 1.0:
        return samples
    if mode == "normalize":
        return (samples * np.float32(0.999 / peak)).astype(np.float32)
    magnitude = np.abs(samples)
    over = magnitude > LIMIT_KNEE
    bent = LIMIT_KNEE + (1 - LIMIT_KNEE) * np.tanh((magnitude - LIMIT_KNEE) / (1 - LIMIT_KNEE))
    return np.where(over, np.sign(samples) * bent, samples).astype(np.float32)


def _target(decoded: DecodedAudio, extension: str) -> tuple[str, str]:
    """Container and subtype: the source's subtype whenever the target takes it."""
    container = CONTAINERS.get(extension)
    if container is None:
        raise SampleError(f"cannot write audio as {extension}")
    if extension == ".opus":
        return container, "OPUS"
    subtype = decoded.subtype
    portable = subtype.startswith("PCM") or subtype in FLOAT_SUBTYPES
    if (container == decoded.container or portable) and subtype in _subtypes(container):
        return container, subtype
    return container, DEFAULT_SUBTYPES[extension]


@functools.cache
def _subtypes(container: str) -> frozenset[str]:
    """libsndfile's subtypes of a container (asked once: it walks every format)."""
    return frozenset(sf.available_subtypes(container))


def _check_rate(subtype: str, rate: int) -> None:
    allowed = OPUS_RATES if subtype == "OPUS" else MP3_RATES if subtype.startswith("MPEG") else None
    if allowed and rate not in allowed:
        raise SampleError(f"{subtype} cannot be written at {rate} Hz; set [output] sample_rate "
                          f"to one of {', '.join(map(str, allowed))}")


def reason(exc: Exception) -> str:
    """libsndfile's own words, without soundfile's "Error opening <BytesIO at 0x...>"
    prefix (an address would make errors.csv differ from run to run)."""
    text = getattr(exc, "error_string", None) or str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
