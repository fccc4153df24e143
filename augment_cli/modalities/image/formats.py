"""Which extension an image copy is written with (no heavy imports: the plan uses it)."""

from __future__ import annotations

from typing import Any

FORMAT_EXTENSIONS = {"jpg": ".jpg", "png": ".png", "webp": ".webp"}
# GIF is palette-only: writing a transformed copy back to GIF would
# re-quantise it to 256 colours, so "keep" writes GIF sources as PNG.
# HEIC/HEIF and AVIF copies are PNG too (see heif.py: repeatable bytes).
KEEP_AS = {".gif": ".png", ".heic": ".png", ".heif": ".png", ".avif": ".png"}


def output_extension(suffix: str, output: Any) -> str:
    """The source's suffix, unless [output] format converts it (.jpeg stays .jpeg for jpg)."""
    if output.format != "keep":
        wanted = FORMAT_EXTENSIONS[output.format]
        same = (".jpg", ".jpeg") if wanted == ".jpg" else (wanted,)
        return suffix if suffix.lower() in same else wanted
    return KEEP_AS.get(suffix.lower(), suffix)
