"""Move one image's `Targets` by a move (annotations/moves.py), and apply
the recipe's [annotations] limits to a finished copy.

Rules (docs/annotations.md): polygons move point by point and are clipped
to the image (or a mix's region); a box becomes the tight box of the moved
polygon, else of the moved mask, else of the moved corners (each clipped);
masks warp nearest-neighbour with a constant fill; keypoints that leave
become v = 0, clamped into the image, and a mirroring map permutes them by
`flip_idx`. An object with nothing left in the image is dropped and counted.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from augment_cli.annotations.limits import Limits
from augment_cli.annotations.model import Object, Targets
from augment_cli.annotations.moves import Move, PointMap, Warp
from augment_cli.annotations.polygons import Rect, area, bounds, box_corners, clip, densified

# Largest gap between outline points sent through a non-linear map, in pixels.
DENSIFY_STEP_PX = 2.0


def move_targets(targets: Targets, move: Move, fill: int, region: Rect | None = None) -> Targets:
    """`targets` after `move`; objects are clipped to `region` (default: the whole output)."""
    region = region or (0.0, 0.0, float(move.size[0]), float(move.size[1]))
    kept = [moved for moved in (move_object(o, move, region, targets.flip_idx) for o in targets.objects)
            if moved is not None]
    mask = None if targets.mask is None else move.warp_mask(targets.mask, fill)
    lost = len(targets.objects) - len(kept)
    return Targets(kept, mask, targets.flip_idx, targets.dropped + lost)


def move_object(obj: Object, move: Move, region: Rect, flip_idx: tuple[int, ...] | None) -> Object | None:
    """One object after `move`, clipped to `region`; None if nothing of it is left there."""
    moved = [move.points(move.front(p)) for p in outline(obj, dense=isinstance(move, PointMap))]
    clipped = [clip(p, region) for p in moved]
    before = sum(area(p) for p in moved)
    kept = sum(area(p) for p in clipped) / before if before > 0 else 1.0
    if moved and (kept == 0 or not any(len(p) for p in clipped)):
        return None
    mask = None if obj.mask is None else within(_warp_bool(obj.mask, move), region)
    return replace(obj, box=_moved_box(obj, move, region, clipped, mask),
                   polygons=[p for p in clipped if len(p) >= 3] if obj.polygons else [],
                   keypoints=_moved_keypoints(obj.keypoints, move, region, flip_idx),
                   mask=mask, visibility=obj.visibility * kept)


def outline(obj: Object, dense: bool = False) -> list[np.ndarray]:
    """What an object's area is measured on: its polygons, else its box, else its mask's box."""
    if obj.polygons:
        shapes = [np.asarray(p, dtype=float) for p in obj.polygons]
    else:
        box = obj.box if obj.box is not None else mask_box(obj.mask)
        shapes = [] if box is None else [box_corners(box)]
    return [densified(p, DENSIFY_STEP_PX) for p in shapes] if dense else shapes


def _moved_box(obj: Object, move: Move, region: Rect, clipped: list[np.ndarray],
               mask: np.ndarray | None) -> np.ndarray | None:
    """The tight box of the moved, clipped polygons (else of the moved mask),
    never beyond the box of the moved, clipped box corners (which it is
    when the object has neither)."""
    if obj.box is None:
        return None
    corners = box_corners(obj.box)
    corners = densified(corners, DENSIFY_STEP_PX) if isinstance(move, PointMap) else corners
    moved = bounds([clip(move.points(move.front(corners)), region)])
    tight = bounds(clipped) if obj.polygons else mask_box(mask)
    if moved is None or tight is None:
        return tight if moved is None else moved
    both = np.concatenate([np.maximum(moved[:2], tight[:2]), np.minimum(moved[2:], tight[2:])])
    return both if (both[2:] >= both[:2]).all() else tight


def _moved_keypoints(keypoints: np.ndarray | None, move: Move, region: Rect,
                     flip_idx: tuple[int, ...] | None) -> np.ndarray | None:
    if keypoints is None:
        return None
    out = np.array(keypoints, dtype=float)
    xy = move.points(out[:, :2])
    x0, y0, x1, y1 = region
    outside = ~move.in_front(out[:, :2])
    xy[outside] = (x0, y0)  # behind the camera: nowhere in the image
    outside |= (xy[:, 0] < x0) | (xy[:, 0] > x1) | (xy[:, 1] < y0) | (xy[:, 1] > y1)
    out[:, 0], out[:, 1] = np.clip(xy[:, 0], x0, x1), np.clip(xy[:, 1], y0, y1)
    if out.shape[1] > 2:
        out[outside, 2] = 0
    if move.mirrors and flip_idx:
        out = out[list(flip_idx)]
    return out


def _warp_bool(mask: np.ndarray, move: Move) -> np.ndarray:
    """A per-object mask moved. Through a Warp only the object's own box is
    warped, onto the part of the output it can reach (an object is usually a
    small part of the image, and a copy moves every object's mask each step)."""
    out = np.zeros((move.size[1], move.size[0]), bool)
    support = mask_box(mask)
    if support is None:
        return out
    if not isinstance(move, Warp) or not move.in_front(box_corners(support)).all():
        return move.warp_mask(mask.astype(np.uint8), 0) > 0
    reach = _reach(support, move)
    if reach is None:
        return out
    (sx0, sy0, sx1, sy1), (x0, y0, x1, y1) = support.astype(int), reach
    local = np.array([[1.0, 0, -x0], [0, 1.0, -y0], [0, 0, 1.0]]) @ move.matrix
    local = local @ np.array([[1.0, 0, sx0], [0, 1.0, sy0], [0, 0, 1.0]])
    part = mask[sy0:sy1, sx0:sx1].astype(np.uint8)
    out[y0:y1, x0:x1] = Warp(local, (x1 - x0, y1 - y0)).warp_mask(part, 0) > 0
    return out


def _reach(support: np.ndarray, move: Warp) -> tuple[int, int, int, int] | None:
    """Output pixels (x0, y0, x1, y1) the box `support` can land on, with a
    pixel of margin for nearest rounding; None if none of the output."""
    width, height = move.size
    corners = move.points(box_corners(support))
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    return None if x1 <= x0 or y1 <= y0 else (int(x0), int(y0), int(x1), int(y1))


def within(mask: np.ndarray, region: Rect) -> np.ndarray:
    """`mask` with every pixel outside `region` cleared (a copy if anything is)."""
    height, width = mask.shape[:2]
    x0, y0, x1, y1 = (int(round(v)) for v in region)
    if (x0, y0, x1, y1) == (0, 0, width, height):
        return mask
    out = np.zeros_like(mask)
    out[max(y0, 0):y1, max(x0, 0):x1] = mask[max(y0, 0):y1, max(x0, 0):x1]
    return out


def mask_box(mask: np.ndarray | None) -> np.ndarray | None:
    """Tight box (pixel edges) of a mask's set pixels; None if none are set."""
    if mask is None or not mask.any():
        return None
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return np.array([columns[0], rows[0], columns[-1] + 1, rows[-1] + 1], dtype=float)


def finished(targets: Targets, limits: Limits) -> Targets:
    """The copy's targets without the objects that fail the [annotations] limits."""
    kept = [o for o in targets.objects if passes(o, limits)]
    return replace(targets, objects=kept, dropped=targets.dropped + len(targets.objects) - len(kept))


def passes(obj: Object, limits: Limits) -> bool:
    if obj.visibility < limits.min_visibility:
        return False
    shapes = outline(obj)
    if limits.min_area_px and shapes and _area(obj, shapes) < limits.min_area_px:
        return False
    extent = obj.box if obj.box is not None else bounds(shapes)
    if limits.min_size_px and extent is not None:
        return min(extent[2] - extent[0], extent[3] - extent[1]) >= limits.min_size_px
    return True


def _area(obj: Object, shapes: list[np.ndarray]) -> float:
    if not obj.polygons and obj.mask is not None:
        return float(np.count_nonzero(obj.mask))
    return sum(area(p) for p in shapes)
