"""Audio output naming and the rates formats allow (no heavy imports: the plan uses it)."""

from __future__ import annotations

from typing import Any

FORMAT_EXTENSIONS = {"wav": ".wav", "flac": ".flac", "ogg": ".ogg", "mp3": ".mp3"}
# Sample rates an MP3 frame header can state (MPEG-1, 2 and 2.5).
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)


def output_extension(suffix: str, output: Any) -> str:
    """The source's suffix, unless [output] audio_format converts it."""
    if output.audio_format == "keep":
        return suffix
    wanted = FORMAT_EXTENSIONS[output.audio_format]
    return suffix if suffix.lower() == wanted else wanted
