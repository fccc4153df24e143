"""What `augment stats` reads of a text file: all of it, since its words are
its header, decoded by the codec itself (UTF-8, the default text_encoding), so
stats refuses exactly the files expand refuses: binary, empty or whitespace
only, over the size limit, not UTF-8."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from augment_cli.modalities.text.codec import check_length, decode


def read_header(path: Path) -> dict[str, Any]:
    """Format and length in words; the codec's SampleError if expand would refuse it."""
    check_length(path.stat().st_size)  # before reading: a corpus dump is not read whole
    return {"format": "TXT", "words": len(decode(path.read_bytes()).data.split())}
