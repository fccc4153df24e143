"""One transform on an `Annotated`: pixels by the applier, targets by the
transform's declared geometry, from the same sampled params."""

from __future__ import annotations

from typing import Any

from augment_cli.annotations.mixing import mixed
from augment_cli.annotations.model import Annotated, Targets, image_of
from augment_cli.annotations.transform import finished, move_targets
from augment_cli.errors import SampleError
from augment_cli.plugins import resolve
from augment_cli.registry import PIXELS, UNKNOWN, TransformSpec


def apply_annotated(spec: TransformSpec, data: Annotated, params: dict[str, Any],
                    resources: Any = None) -> Annotated:
    """`data` after one step. `resources(name)` (mixing) may give an Annotated,
    whose objects then come along, or bare pixels, which bring none."""
    if spec.uses_partners:
        image = spec.apply_function()(data.image, params, _pixels_of(resources))
    else:
        image = spec.apply_function()(data.image, params)
    targets = moved_targets(spec, data, params, resources)
    if targets.mask is not None and targets.mask.shape[:2] != image.shape[:2]:
        raise SampleError(f"moved mask is {targets.mask.shape[1]}x{targets.mask.shape[0]}, "
                          f"the image {image.shape[1]}x{image.shape[0]}", transform=spec.name)
    return Annotated(image, targets, data.limits)


def moved_targets(spec: TransformSpec, data: Annotated, params: dict[str, Any],
                  resources: Any = None) -> Targets:
    """Where `spec` with `params` sends `data.targets` (they are not changed in place)."""
    if spec.geometry == PIXELS:
        return data.targets
    if spec.geometry in (None, UNKNOWN):
        raise SampleError("its geometry is not known, so annotations cannot follow the pixels",
                          transform=spec.name)
    height, width = data.image.shape[:2]
    geometry = resolve(spec.geometry)
    if spec.uses_partners:
        pieces = geometry(params, width, height, lambda name: _size(resources(name)))
        return mixed(pieces, lambda name: _targets(data, resources, name), data.limits)
    targets = data.targets
    for move in geometry(params, width, height):
        targets = move_targets(targets, move, data.limits.mask_fill)
    return targets


def finish(data: Annotated) -> Annotated:
    """A finished copy: objects failing the recipe's [annotations] limits removed (and counted)."""
    return Annotated(data.image, finished(data.targets, data.limits), data.limits)


def _pixels_of(resources: Any) -> Any:
    if resources is None:
        return None
    return lambda name: image_of(resources(name))


def _size(item: Any) -> tuple[int, int]:
    image = image_of(item)
    return int(image.shape[1]), int(image.shape[0])


def _targets(data: Annotated, resources: Any, name: str | None) -> Targets | None:
    if name is None:
        return data.targets
    partner = resources(name)
    return partner.targets if isinstance(partner, Annotated) else None
