"""Which files are which modality, and what an output file is called.

Kept free of heavy imports: the walker and `--dry-run` use it without
decoding anything.
"""

from __future__ import annotations

from pathlib import Path

EXTENSIONS = {
    "image": (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif"),
    "text": (".txt",),
    "audio": (".wav", ".flac", ".ogg", ".opus", ".mp3"),
}
IMAGE_FORMAT_EXTENSIONS = {"jpg": ".jpg", "png": ".png", "webp": ".webp"}
# Sample rates an MP3 frame header can state (MPEG-1, 2 and 2.5).
MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
AUDIO_FORMAT_EXTENSIONS = {"wav": ".wav", "flac": ".flac", "ogg": ".ogg", "mp3": ".mp3"}
# GIF is palette-only: writing a transformed copy back to GIF would
# re-quantise it to 256 colours, so "keep" writes GIF sources as PNG.
KEEP_AS = {".gif": ".png"}


def modality_of(path: str) -> str | None:
    suffix = _suffix(path.rpartition("/")[2]).lower()
    for modality, extensions in EXTENSIONS.items():
        if suffix in extensions:
            return modality
    return None


def output_extension(source: str, image_format: str, audio_format: str = "keep") -> str:
    """Extension of a written copy: the source's, unless [output] converts it."""
    suffix = _suffix(source.rpartition("/")[2])
    if modality_of(source) == "audio" and audio_format != "keep":
        wanted = AUDIO_FORMAT_EXTENSIONS[audio_format]
        return suffix if suffix.lower() == wanted else wanted
    if modality_of(source) == "image" and image_format != "keep":
        wanted = IMAGE_FORMAT_EXTENSIONS[image_format]
        return suffix if suffix.lower() in _same_format(wanted) else wanted
    return KEEP_AS.get(suffix.lower(), suffix)


def copy_name(source: str, copy: int, extension: str) -> str:
    """DIR-relative name of copy k of `source` (a POSIX path relative to SRC).

    Copy 0 is the original, under its own name. A copy in another format than
    its source keeps the source extension in its stem, so a.jpg and a.png
    converted to PNG become a.jpg__aug1.png and a__aug1.png: no collision.
    """
    if copy == 0:
        return source
    # Plain string work, same result as PurePosixPath's stem/suffix/with_name
    # on the walker's normalised paths: pathlib cost ~0.1 ms a name, which
    # made planning 100k files x 5 copies take ~50 s.
    folder, _, name = source.rpartition("/")
    suffix = _suffix(name)
    stem = name[: len(name) - len(suffix)] if extension.lower() == suffix.lower() else name
    return f"{folder}/{stem}__aug{copy}{extension}" if folder else f"{stem}__aug{copy}{extension}"


def _suffix(name: str) -> str:
    """PurePosixPath(name).suffix: from the last dot, unless it leads or ends the name."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def audio_files(folder: Path) -> list[Path]:
    """Visible audio files directly in `folder`, sorted by name (noise, IR folders)."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and modality_of(p.name) == "audio")


def _same_format(extension: str) -> tuple[str, ...]:
    return (".jpg", ".jpeg") if extension == ".jpg" else (extension,)
