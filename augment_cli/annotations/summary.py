"""What the manifest, stats and preview say about a copy's targets."""

from __future__ import annotations

import numpy as np

from augment_cli.annotations.model import Object, Targets


def object_count(targets: Targets) -> int:
    """Objects on the image; for a semantic mask, the classes present other than 0 (background)."""
    if targets.objects or targets.mask is None:
        return len(targets.objects)
    return int(np.count_nonzero(np.unique(targets.mask)))


def class_name(obj: Object) -> str:
    """The name a layout gave the object's class (its id when it has none)."""
    return str(obj.extra.get("name", obj.category))


def mask_classes(mask: np.ndarray) -> list[int]:
    """The class values of a semantic mask other than 0 (background)."""
    return [int(value) for value in np.unique(mask) if value != 0]
