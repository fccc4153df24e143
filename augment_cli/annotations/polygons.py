"""Polygon maths on (N, 2) float arrays of (x, y): area, clipping, bounds."""

from __future__ import annotations

import numpy as np

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def area(polygon: np.ndarray) -> float:
    """Shoelace area (unsigned); 0 for fewer than 3 points."""
    if len(polygon) < 3:
        return 0.0
    x, y = polygon[:, 0], polygon[:, 1]
    # the shoelace sum over edges (i, i + 1), the closing edge (last, first) added apart
    inner = np.dot(x[:-1], y[1:]) - np.dot(y[:-1], x[1:])
    return float(abs(inner + x[-1] * y[0] - y[-1] * x[0]) / 2)


def clip(polygon: np.ndarray, rect: Rect) -> np.ndarray:
    """The part of `polygon` inside `rect` (Sutherland-Hodgman: exact for any
    polygon against a convex region; a concave polygon cut in two comes back
    as one outline joined along the edge, with the right area)."""
    x0, y0, x1, y1 = rect
    out = np.asarray(polygon, dtype=float)
    # left, right, top, bottom: keep a*x + b*y + c >= 0
    for a, b, c in ((1.0, 0.0, -x0), (-1.0, 0.0, x1), (0.0, 1.0, -y0), (0.0, -1.0, y1)):
        if len(out) == 0:
            break
        out = keep_side(out, a, b, c)
    # an intersection may land a rounding error outside: the result lies in rect exactly
    return np.clip(out, (x0, y0), (x1, y1))


def keep_side(points: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    """The part of a polygon where a * x + b * y + c >= 0 (one Sutherland-Hodgman pass)."""
    values = points @ np.array([a, b]) + c
    inside = values >= 0
    if inside.all():
        return points
    kept: list[np.ndarray] = []
    previous, previous_value = points[-1], values[-1]
    for point, value in zip(points, values, strict=True):
        if (value >= 0) != (previous_value >= 0):
            t = previous_value / (previous_value - value)
            kept.append(previous + t * (point - previous))
        if value >= 0:
            kept.append(point)
        previous, previous_value = point, value
    return np.array(kept, dtype=float).reshape(-1, 2)


def bounds(polygons: list[np.ndarray]) -> np.ndarray | None:
    """Tight (x0, y0, x1, y1) of every point of `polygons`; None if there are none."""
    points = [p for p in polygons if len(p)]
    if not points:
        return None
    stacked = np.concatenate(points)
    return np.concatenate([stacked.min(axis=0), stacked.max(axis=0)])


def box_corners(box: np.ndarray) -> np.ndarray:
    """A box (x0, y0, x1, y1) as its 4-corner polygon, clockwise on screen."""
    x0, y0, x1, y1 = (float(v) for v in box)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def densified(polygon: np.ndarray, step: float) -> np.ndarray:
    """`polygon` with points added along each edge at most `step` apart, so a
    non-linear map (elastic) bends its edges too."""
    if len(polygon) < 2:
        return polygon
    pieces = []
    for start, end in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
        count = max(1, int(np.ceil(np.hypot(*(end - start)) / step)))
        t = np.arange(count)[:, None] / count
        pieces.append(start + t * (end - start))
    return np.concatenate(pieces)
