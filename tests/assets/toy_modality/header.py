"""What `augment stats` reads of a toy file: the codec's own decode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from augment_cli.modalities.toy.codec import decode


def read_header(path: Path) -> dict[str, Any]:
    return {"format": "TOY", "values": len(decode(path.read_bytes()).data)}
