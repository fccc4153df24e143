"""What a validated recipe is: frozen steps per modality, output options and
the digest of what it means. recipe_checker builds these from TOML; recipe.py
is the entry point (load_recipe / parse_recipe) and re-exports every name here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from augment_cli.annotations.limits import Limits
from augment_cli.registry import MODALITIES, Param

FORMAT_VERSION = 1
GROUP_KINDS = ("one_of", "some_of", "shuffle")
# Keys a group takes besides its member list and p.
GROUP_KEYS = {"one_of": (), "some_of": ("n",), "shuffle": ()}
OUTPUT_PARAMS = (
    Param("format", "choice", "keep", choices=("keep", "jpg", "png", "webp"),
          help="image output format; keep writes each file in its source format"),
    Param("jpeg_quality", "int", 95, bounds=(1, 100), ranged=False, help="JPEG quality"),
    Param("webp_quality", "int", 90, bounds=(1, 100), ranged=False, help="WebP quality"),
    Param("text_encoding", "str", "utf-8", validator="augment_cli.modalities.text.codec:check_encoding",
          help="encoding of the source .txt files (e.g. latin-1, cp1252); copies are written as UTF-8"),
    Param("audio_format", "choice", "keep", choices=("keep", "wav", "flac", "ogg", "mp3"),
          help="audio output format; keep writes each file in its source format and subtype"),
    Param("sample_rate", "int", 0, bounds=(0, 384000), ranged=False,
          help="audio sample rate in Hz (resampled with soxr); 0 keeps each file's rate"),
    Param("mono", "bool", False, help="mix audio down to one channel"),
    Param("clipping", "choice", "normalize", choices=("normalize", "limit"),
          help="audio beyond full scale: peak-normalise the clip, or soft-limit the peaks"),
    Param("column_streams", "choice", "shared", choices=("shared", "each"),
          help="tables with several --text-column: shared gives every column of a copy the same "
               "operations (one random stream), each gives each column its own"),
    Param("fuse", "bool", True,
          help="apply consecutive warps as one warp and point operations as one table (docs/fusion.md)"),
)
TOP_LEVEL_KEYS = ("version", "output", "copies", "annotations", *MODALITIES)


@dataclass(frozen=True)
class TransformStep:
    """One transform with its validated values (ranges as (low, high))."""

    transform: str
    p: float
    values: tuple[tuple[str, Any], ...]
    where: str

    def values_dict(self) -> dict[str, Any]:
        return dict(self.values)


@dataclass(frozen=True)
class GroupStep:
    """A group of transforms; `kind` says which members run.

    one_of: one member, weighted by the members' p. some_of: `n` distinct
    members (a count or a (low, high) range), weighted by p, applied in the
    listed order. shuffle: every member in a random order, each applied with
    its own probability p.
    """

    kind: str
    p: float
    members: tuple[TransformStep, ...]
    where: str
    n: int | tuple[int, int] = 1


Step = TransformStep | GroupStep


@dataclass(frozen=True)
class OutputOptions:
    format: str = "keep"
    jpeg_quality: int = 95
    webp_quality: int = 90
    text_encoding: str = "utf-8"
    audio_format: str = "keep"
    sample_rate: int = 0
    mono: bool = False
    clipping: str = "normalize"
    # Not in repr (so not in the digest text): recipe_digest marks column_streams
    # = "each" and fuse = false itself, and recipes that set neither keep their digest.
    column_streams: str = field(default="shared", repr=False)
    fuse: bool = field(default=True, repr=False)


@dataclass(frozen=True)
class Recipe:
    path: str
    steps: tuple[tuple[str, tuple[Step, ...]], ...]
    output: OutputOptions
    digest: str
    # [copies] label = N: copies per file for those labels (overrides --copies).
    # Not part of the digest: it changes how many copies, never their bytes.
    copies: tuple[tuple[str, int], ...] = ()
    # [annotations]: which objects an annotated copy keeps, and the mask fill.
    annotations: Limits = Limits()
    # Side files and folders given as URLs -> their objects (URL, size, mtime_ns) as the
    # check listed them (storage/sidefiles.py). Not part of the digest: names, not meaning.
    side_objects: tuple[tuple[str, tuple[tuple[str, int, int], ...]], ...] = ()

    def copies_per_label(self) -> dict[str, int]:
        return dict(self.copies)

    def steps_for(self, modality: str) -> tuple[Step, ...]:
        return dict(self.steps).get(modality, ())

    @property
    def modalities(self) -> tuple[str, ...]:
        return tuple(m for m, steps in self.steps if steps)


def recipe_digest(steps: tuple, output: OutputOptions, relative: dict[str, str] | None = None,
                  annotations: Limits | None = None) -> str:
    """Hash of what the recipe means (not its comments or layout). `relative`
    maps absolute file and folder values to their spelling relative to the
    recipe file, so moving a checkout does not change the digest. Default
    [annotations] are left out, so recipes without the table keep their digest."""
    parts = [FORMAT_VERSION, repr(steps_without_where(steps, relative or {})), repr(output)]
    if annotations is not None and annotations != Limits():
        parts.append(repr(annotations))
    if output.column_streams != "shared":
        parts.append(f"column_streams={output.column_streams}")
    canonical = json.dumps(parts)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return digest if output.fuse else unfused_digest(digest)


def unfused_digest(digest: str) -> str:
    """The digest of a recipe run with fusion off: its bytes differ."""
    return hashlib.sha256(f"{digest}:no-fuse".encode()).hexdigest()


def unfused(recipe: Recipe) -> Recipe:
    """`recipe` with fusion off (expand --no-fuse), as if it said [output] fuse = false."""
    if not recipe.output.fuse:
        return recipe
    return replace(recipe, output=replace(recipe.output, fuse=False), digest=unfused_digest(recipe.digest))


def steps_without_where(steps: tuple, relative: dict[str, str]) -> list:
    def plain(step: Step) -> Any:
        if isinstance(step, GroupStep):
            # n only for some_of, so one_of recipes keep the digest they had.
            count = [step.n] if step.kind == "some_of" else []
            return [step.kind, step.p, [plain(m) for m in step.members], *count]
        values = tuple((key, relative.get(value, value) if isinstance(value, str) else value)
                       for key, value in step.values)
        return [step.transform, step.p, values]

    return [[modality, [plain(s) for s in items]] for modality, items in steps]
