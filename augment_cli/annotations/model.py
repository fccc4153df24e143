"""The in-memory annotations of one image, in pixels, whatever format they came from.

Layouts convert their files to `Targets` when a source is read and back
when a copy is written; transforms move `Targets` with the pixels. All
coordinates are float pixel coordinates of the *current* image, with (0, 0)
the top-left corner of the top-left pixel and (width, height) the
bottom-right corner of the bottom-right pixel (the convention YOLO, COCO
and VOC boxes use once scaled to pixels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from augment_cli.annotations.limits import Limits


@dataclass
class Object:
    """One annotated object.

    `box` is (x0, y0, x1, y1). `polygons` are (N, 2) arrays of (x, y) (COCO
    allows several per object). `keypoints` is (K, 3) of (x, y, v) with v
    the COCO visibility (0 not labelled / outside, 1 occluded, 2 visible); K
    never changes. `mask` is a per-object HxW bool array (COCO RLE, kept as
    a mask so it can be warped). `extra` holds what the format carries and
    augment does not interpret (COCO iscrowd and ids, VOC name, difficult,
    truncated, pose and attributes), written back unchanged. `visibility`
    is the fraction of the object's area still in the image after the
    transforms so far (1.0 as read; the recipe's min_visibility tests it).
    """

    category: int
    box: np.ndarray | None = None
    polygons: list[np.ndarray] = field(default_factory=list)
    keypoints: np.ndarray | None = None
    mask: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    visibility: float = 1.0


@dataclass
class Targets:
    """Everything annotated on one image.

    `mask` is the semantic-segmentation mask of the `masks` layout (HxW,
    uint8 or uint16, one class value per pixel). `flip_idx` is the keypoint
    permutation a mirroring step applies (YOLO pose's data.yaml; augment
    applies it to hflip, vflip and any mirroring affine, docs/annotations.md).
    `dropped` counts objects removed so far (outside the image, or failing
    the recipe's [annotations] limits), for the manifest.
    """

    objects: list[Object] = field(default_factory=list)
    mask: np.ndarray | None = None
    flip_idx: tuple[int, ...] | None = None
    dropped: int = 0


@dataclass
class Annotated:
    """What the steps of an annotated image sample transform: pixels and targets together.

    The worker builds it from the codec's decoded array and the layout's
    targets; `steps.augment` applies every transform to `image` and moves
    `targets` by the transform's geometry. `limits` are the recipe's
    [annotations] values (Recipe.annotations): the mask fill used while
    moving, and which objects the finished copy keeps."""

    image: np.ndarray
    targets: Targets
    limits: Limits = field(default_factory=Limits)


def image_of(data: Any) -> Any:
    """The pixels of an item: an Annotated's image, or the item itself."""
    return data.image if isinstance(data, Annotated) else data
