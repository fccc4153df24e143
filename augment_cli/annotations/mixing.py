"""Targets of a mixed copy (mosaic, cutmix, mixup): every piece's objects,
moved to where its pixels went and clipped to its region.

Objects a covering piece is painted over keep their box and polygons (an
object's extent does not change because something hides part of it) but
lose that part of their visibility and per-object mask, and their keypoints
there become v = 1 (labelled, not visible); an object wholly covered is
dropped. The semantic mask is painted piece by piece in order, so for a
blend (mixup) the last piece, the heavier image, gives it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from augment_cli.annotations.limits import Limits
from augment_cli.annotations.model import Object, Targets
from augment_cli.annotations.moves import Piece
from augment_cli.annotations.polygons import Rect, area, clip
from augment_cli.annotations.transform import move_targets, outline, within

TargetsOf = Callable[["str | None"], "Targets | None"]


def mixed(pieces: list[Piece], targets_of: TargetsOf, limits: Limits) -> Targets:
    """The copy's targets; `targets_of(None)` is the source's, `targets_of(name)`
    a partner's (None when the partner carries no annotations)."""
    source = targets_of(None)
    assert source is not None
    placed: list[tuple[bool, Object]] = []  # (from the source, object)
    for piece in pieces:
        if piece.covers:
            placed = [(own, o) for own, o in ((own, covered(o, piece.region)) for own, o in placed)
                      if o is not None]
        targets = targets_of(piece.source)
        if targets is not None:
            moved = move_targets(targets, piece.move, limits.mask_fill, piece.region)
            placed += [(piece.source is None, o) for o in moved.objects]
    objects = [o for own, o in placed if own] + [o for own, o in placed if not own]
    lost = len(source.objects) - sum(own for own, _ in placed)
    mask = None if source.mask is None else _painted(pieces, targets_of, limits.mask_fill, source.mask)
    return Targets(objects, mask, source.flip_idx, source.dropped + lost)


def covered(obj: Object, region: Rect) -> Object | None:
    """`obj` with `region` painted over it; None if nothing of it shows."""
    shapes = outline(obj)
    whole = sum(area(p) for p in shapes)
    hidden = sum(area(clip(p, region)) for p in shapes)
    showing = 1.0 - hidden / whole if whole > 0 else 1.0
    if showing <= 0:
        return None
    mask = None if obj.mask is None else obj.mask & ~within(np.ones_like(obj.mask), region)
    return replace(obj, visibility=obj.visibility * showing, mask=mask,
                   keypoints=_hidden_keypoints(obj.keypoints, region))


def _hidden_keypoints(keypoints: np.ndarray | None, region: Rect) -> np.ndarray | None:
    if keypoints is None or keypoints.shape[1] < 3:
        return keypoints
    x0, y0, x1, y1 = region
    out = np.array(keypoints, dtype=float)
    under = (out[:, 0] >= x0) & (out[:, 0] <= x1) & (out[:, 1] >= y0) & (out[:, 1] <= y1)
    out[under, 2] = np.minimum(out[under, 2], 1)
    return out


def _painted(pieces: list[Piece], targets_of: TargetsOf, fill: int, like: np.ndarray) -> np.ndarray:
    width, height = pieces[0].move.size
    canvas = np.full((height, width), fill, dtype=like.dtype)
    for piece in pieces:
        targets = targets_of(piece.source)
        x0, y0, x1, y1 = (int(round(v)) for v in piece.region)
        if targets is None or targets.mask is None:
            canvas[y0:y1, x0:x1] = fill
            continue
        warped = piece.move.warp_mask(targets.mask.astype(like.dtype, copy=False), fill)
        canvas[y0:y1, x0:x1] = warped[y0:y1, x0:x1]
    return canvas
