"""The same recipe online: augment in-memory items during training.

    from augment_cli import Augmenter

    augmenter = Augmenter("recipes/light.toml")          # load and validate once
    out = augmenter.image(pixels, rng=generator)         # a fresh draw per call
    out = augmenter.image(pixels, seed=0, source="cat/a.png", copy=3)
    out.data, out.params                                  # result, applied transforms

With `seed`, `source` (the path relative to SRC) and `copy`, the result is
the one `expand --seed` wrote for that copy, pixel for pixel before encoding:
the random stream is the same (seeding.copy_seed) and so is the pipeline
(unless expand redrew that copy for repeating another: run/distinct.py).
With a numpy Generator instead, each call draws new parameters from it.
`params` is the list the manifest's `transforms` column holds, so an online
draw can be logged and replayed with pipeline.replay (files a step picked
are named relative to the recipe file: give replay `base=` its folder).

Each modality turns its in-memory form into what its transforms receive, and
back, with the `online` module its modality-table entry names
(modalities/<name>/online.py: image a numpy array; audio samples and a
sample rate; text a str). `augment(modality, item)` takes any modality of the
table; `image`, `audio` and `text` are it with their own argument names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from augment_cli import modalities
from augment_cli.errors import UsageError
from augment_cli.recipe import Recipe, load_recipe, parse_recipe
from augment_cli.run.recorded_files import relative_to
from augment_cli.run.seeding import Stream, copy_seed
from augment_cli.run.steps import Record
from augment_cli.run.steps import augment as augment_steps


@dataclass(frozen=True)
class Augmented:
    """One augmented item: the data and the transforms applied to it."""

    data: Any
    params: list[Record]
    sample_rate: int | None = None  # audio only


def read_image(path: str | Path) -> np.ndarray:
    """Decode an image file exactly as `expand` does (EXIF upright, same modes)."""
    from augment_cli.modalities.image.codec import decode

    return decode(Path(path).read_bytes()).data


class Augmenter:
    """A recipe loaded and validated once, applied to items in memory.

    Args:
        recipe: a recipe file, or a Recipe (see `from_toml` for a string).
        seed: the run seed used when a call gives neither `seed` nor `rng`.
    """

    def __init__(self, recipe: str | Path | Recipe, *, seed: int = 0):
        self.recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
        self.seed = seed
        # `params` name picked files (noise_file, ir_file) relative to it, as the manifest does.
        self._recipe_folder = Path(self.recipe.path).resolve().parent

    @classmethod
    def from_toml(cls, text: str, *, seed: int = 0, name: str = "<recipe>") -> Augmenter:
        """An Augmenter from recipe text instead of a file."""
        return cls(parse_recipe(text, name), seed=seed)

    def image(self, pixels: np.ndarray, *, seed: int | None = None, rng: np.random.Generator | None = None,
              source: str = "", copy: int = 1, partners: Any = None) -> Augmented:
        """Augment an HxW or HxWxC uint8/uint16 array (RGB(A) channel order).

        `partners` gives mixing transforms (mixup, cutmix, mosaic) the other
        images of the item's label: a partners.Partners over files, or a
        partners.InMemoryPartners over arrays. Without it they keep the item."""
        return self.augment("image", pixels, seed=seed, rng=rng, source=source, copy=copy, partners=partners)

    def audio(self, samples: np.ndarray, sample_rate: int, *, seed: int | None = None,
              rng: np.random.Generator | None = None, source: str = "", copy: int = 1) -> Augmented:
        """Augment float samples, shape (frames,) or (channels, frames)."""
        return self.augment("audio", (samples, sample_rate), seed=seed, rng=rng, source=source, copy=copy)

    def text(self, text: str, *, seed: int | None = None, rng: np.random.Generator | None = None,
             source: str = "", copy: int = 1) -> Augmented:
        """Augment a string."""
        return self.augment("text", text, seed=seed, rng=rng, source=source, copy=copy)

    def augment(self, modality: str, item: Any, *, seed: int | None = None,
                rng: np.random.Generator | None = None, source: str = "", copy: int = 1,
                partners: Any = None) -> Augmented:
        """Augment an item of any modality of the table, in the form its
        modalities/<name>/online.py takes (image, audio and text above are this
        with their own argument names)."""
        if modality not in modalities.MODALITIES:
            raise UsageError(f"unknown modality {modality!r}; known: {', '.join(modalities.NAMES)}")
        steps = self.recipe.steps_for(modality)
        if not steps:
            raise UsageError(f"{self.recipe.path} has no [[{modality}]] steps")
        conversion = modalities.part(modality, "online")
        data, records = augment_steps(conversion.to_data(item), steps, modality,
                                      self._sequence(seed, rng, source, copy), partners,
                                      fuse=self.recipe.output.fuse)
        return Augmented(params=relative_to(records, self._recipe_folder), **conversion.from_data(item, data))

    def _sequence(self, seed: int | None, rng: np.random.Generator | None, source: str,
                  copy: int) -> Stream:
        if rng is not None:
            if seed is not None:
                raise UsageError("give either seed or rng, not both")
            # Four words from the caller's generator: a new, reproducible stream per call.
            return np.random.SeedSequence(rng.integers(0, 2**32, size=4, dtype=np.uint64).tolist())
        if copy < 1:
            raise UsageError("copy must be at least 1 (copy 0 is the unchanged original)")
        return copy_seed(self.seed if seed is None else seed, source, copy)
