"""What `augment stats` reads of a recording: soundfile's header read, through
the same length checks the codec applies, so stats never calls readable what
expand refuses for its size. soundfile is imported on first use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from augment_cli.errors import SampleError

# 2**28 float32 samples is 1 GiB: a bigger file would not fit a worker's memory.
MAX_SAMPLES = 2**28


def check_size(frames: int, channels: int) -> None:
    """SampleError for a length the header does not state or that is over the limit."""
    if frames >= 2**62:  # libsndfile's "unknown" (e.g. a FLAC without total samples)
        raise SampleError("the header does not state the number of frames (unknown length); "
                          "re-encode the file with a tool that writes it")
    if frames * channels > MAX_SAMPLES:
        raise SampleError(f"audio too long: {frames:,} frames x {channels} channels is over "
                          f"the {MAX_SAMPLES:,}-sample limit")


def check_output(frames: int, channels: int, transform: str | None = None) -> None:
    """SampleError (for this file) before a recording over the read limit is
    made: expand must never write a copy that `verify` and the next run's
    reader refuse as too long (pad_or_crop to an hour, speed and time_stretch
    at a quarter rate, [output] sample_rate far above the source's)."""
    if frames * channels > MAX_SAMPLES:
        raise SampleError(f"an output of {frames:,} frames x {channels} channels is over the "
                          f"{MAX_SAMPLES:,}-sample limit recordings are read with", transform=transform)


def read_header(path: Path) -> dict[str, Any]:
    """Container, sample rate, channels and duration from the header."""
    import soundfile

    try:
        info = soundfile.info(str(path))
    except (RuntimeError, OSError, soundfile.LibsndfileError) as exc:
        raise SampleError(f"not a readable audio file: {exc}") from None
    if info.frames <= 0:
        raise SampleError("audio file has no samples")
    check_size(info.frames, info.channels)
    return {"format": info.format, "sample_rate": int(info.samplerate),
            "channels": int(info.channels), "seconds": round(float(info.duration), 3)}
