"""The steps of an annotated image (pixels + targets), until transforms move targets.

MERGE NOTE (annot-formats -> annot-core): `steps.augment` of the annot-core
branch takes an `Annotated` and moves its targets with every transform's
geometry; once it is merged, `worker.make_copy` calls it directly and this
module goes. Until then the steps run on the pixels and the targets are
kept as they are, so only transforms that leave the geometry alone
(colour, blur, noise...) give right labels; a step that changes the image
size is refused per file rather than writing labels that no longer fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from augment_cli.annotations.model import Annotated
from augment_cli.errors import SampleError
from augment_cli.recipe.model import Step
from augment_cli.run.steps import Record, augment


def augment_annotated(annotated: Annotated, steps: tuple[Step, ...], modality: str,
                      sequence: np.random.SeedSequence,
                      resources: Any = None) -> tuple[Annotated, list[Record]]:
    """Run the steps on the pixels; the targets stay (see the module note)."""
    pixels = _PixelPartners(resources) if resources is not None else None
    image, records = augment(annotated.image, steps, modality, sequence, pixels)
    if image.shape[:2] != annotated.image.shape[:2]:
        raise SampleError("a step changed the image size, and this build cannot move annotations with it")
    return Annotated(image, annotated.targets), records


class _PixelPartners:
    """Annotated partners seen as pixels only, as today's mixing transforms take them."""

    def __init__(self, partners: Any):
        self._partners = partners
        self.paths: Sequence[str] = partners.paths

    def __call__(self, relative: str) -> Any:
        found = self._partners(relative)
        return found.image if isinstance(found, Annotated) else found
