"""The modality table: everything one kind of media is, in one entry.

Each modality is a folder here (image/, audio/, text/) holding its codec,
header reader, preview renderer, online conversion, output naming and
transform families; its entry in MODALITIES names those parts as
"module:attr" strings, resolved on first use (see plugins.py). Adding a
modality is one folder plus one entry: the walker, registry, recipe checker,
worker, stats, preview, verify and the online API all read this table.

This module imports nothing heavy, and of augment_cli only plugins and
errors: the main process consults it for every walked file.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

from augment_cli.errors import SampleError
from augment_cli.plugins import resolve

PACKAGE = "augment_cli.modalities"


@dataclass(frozen=True)
class Modality:
    """One modality's parts. Every string is a "module:attr" (or a module).

    codec: module with decode(bytes, output) -> decoded (its `.data` is what
        transforms receive) and encode(data, decoded, extension, output) -> bytes.
    header: path -> dict with at least "format" (stats), SampleError if unreadable.
    preview: a commands.sheet.Renderer for `augment preview`.
    online: module with to_data(item) and from_data(item, data) -> dict of
        online.Augmented fields besides params.
    output_extension: (source suffix, OutputOptions) -> the written extension.
    meta: data -> the dict samplers may read (sizes, rates...).
    families: modules whose import registers the modality's transforms.
    """

    name: str
    extensions: tuple[str, ...]
    codec: str
    header: str
    preview: str
    online: str
    output_extension: str
    meta: str
    families: tuple[str, ...]


def _parts(name: str, extensions: tuple[str, ...], families: tuple[str, ...]) -> Modality:
    """An entry whose parts follow the folder convention modalities/<name>/."""
    here = f"{PACKAGE}.{name}"
    return Modality(name, extensions, codec=f"{here}.codec", header=f"{here}.header:read_header",
                    preview=f"{here}.preview:RENDERER", online=f"{here}.online",
                    output_extension=f"{here}.formats:output_extension",
                    meta=f"{here}.transforms.core:meta",
                    families=tuple(f"{here}.transforms.{family}" for family in families))


# The one table. Order matters: recipes, docs and `augment transforms` list
# modalities in this order.
MODALITIES: dict[str, Modality] = {
    "image": _parts("image", (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif",
                              ".heic", ".heif", ".avif"),
                    ("core", "geometry", "colour", "quality", "occlusion", "policy", "mix")),
    "audio": _parts("audio", (".wav", ".flac", ".ogg", ".opus", ".mp3"), ("core",)),
    "text": _parts("text", (".txt",), ("core",)),
}
NAMES = tuple(MODALITIES)


def modality_of(path: str) -> str | None:
    """The modality a file name's extension (any case) belongs to, or None."""
    suffix = file_suffix(path.rpartition("/")[2]).lower()
    for modality in MODALITIES.values():
        if suffix in modality.extensions:
            return modality.name
    return None


def file_suffix(name: str) -> str:
    """PurePosixPath(name).suffix: from the last dot, unless it leads or ends the name."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def part(modality: str, field: str) -> Any:
    """One resolved part of a modality's entry, e.g. part("image", "header")."""
    return resolve(getattr(MODALITIES[modality], field))


def codec_for(modality: str) -> ModuleType:
    """The codec module of a modality (imported on first use); SampleError for
    a name no entry has (a hand-edited manifest row, say)."""
    if modality not in MODALITIES:
        raise SampleError(f"no codec for modality {modality}")
    return resolve(MODALITIES[modality].codec)


def output_extension(source: str, output: Any) -> str:
    """Extension of a written copy of `source`: its own, unless [output] converts it."""
    suffix = file_suffix(source.rpartition("/")[2])
    modality = modality_of(source)
    return part(modality, "output_extension")(suffix, output) if modality else suffix
