"""Fusion: consecutive steps of one copy applied as one, at apply time.

Sampling, records and the manifest stay step by step; only the pixels are
computed differently. Consecutive geometric steps that declare `warp`
settings (registry.py) and agree on them become one matrix (the product of
their `geometry` warps) sampled once; consecutive point operations that
declare a `lut` become one table. Any other step, or a warp whose settings
differ, ends the run. A run of one step is that step's own applier, so a
recipe with no two fusible steps in a row gives the bytes it always did.
Every fusible transform keeps the size, so later samplers (which read only
size, channels and dtype) see the same meta whether or not the run is applied yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from augment_cli.annotations.model import Annotated, image_of
from augment_cli.errors import SampleError
from augment_cli.plugins import resolve
from augment_cli.registry import TransformSpec

Params = dict[str, Any]
ApplyOne = Callable[[Any, TransformSpec, Params], Any]
_OPS = "augment_cli.modalities.image.transforms.fused_ops"


@dataclass
class _Run:
    kind: str  # "warp" or "lut"
    settings: dict[str, Any]
    steps: list[tuple[TransformSpec, Params]] = field(default_factory=list)


class Fuser:
    """Takes a copy's steps in order; applies them, fused where allowed.

    `apply_one(data, spec, params)` applies one step the ordinary way."""

    def __init__(self, apply_one: ApplyOne, enabled: bool = True):
        self.apply_one = apply_one
        self.enabled = enabled
        self.run: _Run | None = None

    def add(self, data: Any, spec: TransformSpec, params: Params) -> Any:
        joining = self._joinable(spec, params) if self.enabled else None
        if joining is not None and self.run is not None and self.run.kind == joining[0]:
            settings = resolve(f"{_OPS}:merged")(self.run.settings, joining[1])
            if settings is not None:
                self.run.settings = settings
                self.run.steps.append((spec, params))
                return data
        data = self.flush(data)
        if joining is None:
            return self.apply_one(data, spec, params)
        self.run = _Run(joining[0], joining[1], [(spec, params)])
        return data

    def flush(self, data: Any) -> Any:
        """`data` after the pending run (if any)."""
        run, self.run = self.run, None
        if run is None:
            return data
        if len(run.steps) == 1:
            return self.apply_one(data, *run.steps[0])
        try:
            return _fused_warp(data, run) if run.kind == "warp" else _fused_lut(data, run)
        except SampleError:
            raise
        except Exception as exc:  # as apply_one: an odd input must not kill the run
            names = "+".join(spec.name for spec, _ in run.steps)
            raise SampleError(f"{type(exc).__name__}: {exc}", transform=names) from exc

    @staticmethod
    def _joinable(spec: TransformSpec, params: Params) -> tuple[str, dict[str, Any]] | None:
        if spec.warp is not None:
            settings = resolve(spec.warp)(params)
            return None if settings is None else ("warp", settings)
        if spec.lut is not None:
            return "lut", {}
        return None


def composed_warp(steps: list[tuple[TransformSpec, Params]], width: int, height: int) -> Any:
    """The one Warp (annotations/moves.py) that the steps' geometries make in turn."""
    from augment_cli.annotations.moves import Warp

    matrix = np.eye(3)
    for spec, params in steps:
        for move in resolve(str(spec.geometry))(params, width, height):
            if not isinstance(move, Warp) or move.size != (width, height):
                raise SampleError("a fused step is not a same-size warp", transform=spec.name)
            matrix = move.matrix @ matrix
    return Warp(matrix, (width, height))


def _fused_warp(data: Any, run: _Run) -> Any:
    image = image_of(data)
    height, width = image.shape[:2]
    move = composed_warp(run.steps, width, height)
    pixels = resolve(f"{_OPS}:warp")(image, move.opencv(), run.settings)
    if not isinstance(data, Annotated):
        return pixels
    # The targets ride the same matrix the pixels were sampled with.
    from augment_cli.annotations.transform import move_targets

    return Annotated(pixels, move_targets(data.targets, move, data.limits.mask_fill), data.limits)


def _fused_lut(data: Any, run: _Run) -> Any:
    image = image_of(data)
    tables = [resolve(str(spec.lut))(params, image.dtype) for spec, params in run.steps]
    pixels = resolve(f"{_OPS}:look_up")(image, resolve(f"{_OPS}:composed_table")(tables))
    return Annotated(pixels, data.targets, data.limits) if isinstance(data, Annotated) else pixels
