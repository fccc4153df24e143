"""Fusion: consecutive steps of one copy applied as one, at apply time.

Sampling, records and the manifest stay step by step; only the pixels are
computed differently. Consecutive geometric steps that declare `warp`
settings (registry.py) and agree on them become one matrix (the product of
their `geometry` warps, each at the size the one before makes) sampled once
at the last one's size; consecutive point operations that declare a `lut`
become one table. Any other step, or a warp whose settings differ, ends the
run. A run of one step is that step's own applier, so a recipe with no two
fusible steps in a row gives the bytes it always did.

A warp run may change the size (crops, pad, resize) while its input is
still unchanged: `pending_meta` is the size the run makes, which later
samplers (they read only size, channels and dtype) must see, so they draw
what they draw unfused.
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
_MERGED, _FRAMES, _FRAMED = f"{_OPS}:merged", f"{_OPS}:frames", f"{_OPS}:FRAMED"
_INTEGER_MAP = f"{_OPS}:integer_map"
_WARP = "augment_cli.annotations.moves:Warp"  # through resolve: OpenCV is not for audio or text workers


@dataclass
class _Run:
    kind: str  # "warp" or "lut"
    settings: dict[str, Any]
    steps: list[tuple[TransformSpec, Params]] = field(default_factory=list)
    # warp runs: the (width, height) of the image the run starts from, the
    # composed Warp (annotations/moves.py) so far, and whether a step that
    # must meet the source's own frame (fused_ops.FRAMED) asks to join.
    source: tuple[int, int] = (0, 0)
    move: Any = None
    framed: bool = False
    # Every step an integer map (flips, crops inside the image, pads): each
    # step's own applier is a view, slice or border, the same bytes as the
    # composed map, and cheaper than composing it (fusion saves no pixel work).
    exact: bool = True


class Fuser:
    """Takes a copy's steps in order; applies them, fused where allowed.

    `apply_one(data, spec, params)` applies one step the ordinary way."""

    def __init__(self, apply_one: ApplyOne, enabled: bool = True):
        self.apply_one = apply_one
        self.enabled = enabled
        self.run: _Run | None = None

    def add(self, data: Any, spec: TransformSpec, params: Params) -> Any:
        joining = self._joinable(data, spec, params) if self.enabled else None
        if joining is not None and self._join(joining):
            return data
        data = self.flush(data)
        if joining is None:
            return self.apply_one(data, spec, params)
        self.run = joining
        return data

    def pending_meta(self) -> dict[str, Any]:
        """The size (meta keys) the pending run makes, {} if none: `data` is
        still the run's input, later samplers must see its output."""
        if self.run is None or self.run.move is None:
            return {}
        width, height = self.run.move.size
        return {"width": width, "height": height}

    def flush(self, data: Any) -> Any:
        """`data` after the pending run (if any)."""
        run, self.run = self.run, None
        if run is None:
            return data
        if len(run.steps) == 1 or (run.kind == "warp" and run.exact):
            for spec, params in run.steps:
                data = self.apply_one(data, spec, params)
            return data
        try:
            return _fused_warp(data, run) if run.kind == "warp" else _fused_lut(data, run)
        except SampleError:
            raise
        except Exception as exc:  # as apply_one: an odd input must not kill the run
            names = "+".join(spec.name for spec, _ in run.steps)
            raise SampleError(f"{type(exc).__name__}: {exc}", transform=names) from exc

    def _join(self, step: _Run) -> bool:
        """Whether the one-step run `step` joined the pending run."""
        run = self.run
        if run is None or run.kind != step.kind:
            return False
        settings = resolve(_MERGED)(run.settings, step.settings)
        if settings is None:
            return False
        if step.kind == "warp":
            if step.framed and not resolve(_FRAMES)(run.move.opencv(), run.source, run.move.size):
                return False
            run.move = _then(run.move, step.move)
            run.exact = run.exact and step.exact
        run.settings = settings
        run.steps += step.steps
        return True

    def _joinable(self, data: Any, spec: TransformSpec, params: Params) -> _Run | None:
        """`spec` with `params` as a run of its own, None if not fusible."""
        if spec.warp is not None:
            pending = self.run is not None and self.run.move is not None
            size = self.run.move.size if pending else _size_of(data)  # type: ignore[union-attr]
            settings = resolve(spec.warp)(params, *size)
            if settings is None:
                return None
            framed = bool(settings.pop(resolve(_FRAMED), False))
            move = _step_move(spec, params, size)
            exact = resolve(_INTEGER_MAP)(move.opencv()) is not None
            return _Run("warp", settings, [(spec, params)], size, move, framed, exact)
        if spec.lut is not None:
            return _Run("lut", {}, [(spec, params)])
        return None


def composed_warp(steps: list[tuple[TransformSpec, Params]], width: int, height: int) -> Any:
    """The one Warp (annotations/moves.py) that the steps' geometries make in
    turn from a width x height image; its size is the last step's."""
    move = resolve(_WARP)(np.eye(3), (width, height))
    for spec, params in steps:
        move = _then(move, _step_move(spec, params, move.size))
    return move


def _step_move(spec: TransformSpec, params: Params, size: tuple[int, int]) -> Any:
    moves = resolve(str(spec.geometry))(params, *size)
    if len(moves) != 1 or not isinstance(moves[0], resolve(_WARP)):
        raise SampleError("a fused step is not one warp", transform=spec.name)
    return moves[0]


def _then(first: Any, second: Any) -> Any:
    """`first`, then `second` (Warps)."""
    return type(first)(second.matrix @ first.matrix, second.size)


def _size_of(data: Any) -> tuple[int, int]:
    height, width = image_of(data).shape[:2]
    return int(width), int(height)


def _fused_warp(data: Any, run: _Run) -> Any:
    image = image_of(data)
    move = run.move
    pixels = resolve(f"{_OPS}:warp")(image, move.opencv(), run.settings, move.size)
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
