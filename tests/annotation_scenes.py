"""Images with known shapes drawn in, and their exact annotations (tests/annotations).

A `Scene` draws filled shapes (rectangle, disc, triangle, a concave L, a
small box) and keypoint dots into an image, with each shape's box, polygon,
per-object mask and class in a `Targets`. `probe(i)` is a grey image holding
only shape i, `dot(k)` only keypoint k's dot: replaying a copy's records on
a probe shows where that shape's pixels really landed, to compare with where
the annotations say it went.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from augment_cli.annotations.limits import Limits
from augment_cli.annotations.model import Annotated, Object, Targets

DOT = 1  # keypoint dots are (2 * DOT + 1) pixels square, centred on the keypoint


def _centres(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (annotation convention: pixel i spans i..i+1)."""
    ys, xs = np.mgrid[0:height, 0:width]
    return xs + 0.5, ys + 0.5


def _inside_convex(polygon: np.ndarray, width: int, height: int) -> np.ndarray:
    """Pixels whose centre lies inside a convex polygon given clockwise on screen."""
    xs, ys = _centres(width, height)
    inside = np.ones((height, width), bool)
    for (x0, y0), (x1, y1) in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
        inside &= (x1 - x0) * (ys - y0) - (y1 - y0) * (xs - x0) >= 0
    return inside


def _rectangle(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)


@dataclass
class Shape:
    """One drawn object: its pixels and what its annotation carries."""

    pixels: np.ndarray            # HxW bool: exactly the drawn pixels
    box: np.ndarray | None
    polygons: list[np.ndarray] = field(default_factory=list)
    with_mask: bool = False
    keypoints: np.ndarray | None = None

    def object(self, category: int) -> Object:
        return Object(category, box=self.box, polygons=list(self.polygons),
                      keypoints=None if self.keypoints is None else self.keypoints.copy(),
                      mask=self.pixels.copy() if self.with_mask else None)


class Scene:
    """Shapes laid out on a width x height image; class of shape i is i + 1."""

    def __init__(self, width: int = 120, height: int = 90, shift: tuple[int, int] = (0, 0)):
        self.width, self.height = width, height
        self.shapes = self._layout(*shift)
        self.flip_idx = (1, 0, 2, 3)

    def _layout(self, dx: int, dy: int) -> list[Shape]:
        w, h = self.width, self.height
        rect = _rectangle(8 + dx, 10 + dy, 40 + dx, 34 + dy)
        # keypoints: left, right (a flip swaps them), top (occluded) and one
        # near the right image edge, which crops and turns push out.
        keypoints = np.array([[12.5 + dx, 22.5 + dy, 2], [36.5 + dx, 22.5 + dy, 2],
                              [24.5 + dx, 12.5 + dy, 1], [w - 3.5, 30.5 + dy, 2]], dtype=float)
        xs, ys = _centres(w, h)
        cx, cy, r = 0.62 * w, 0.3 * h, 11.0
        disc = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
        triangle = np.array([[0.15 * w, 0.55 * h], [0.45 * w, 0.92 * h], [0.1 * w, 0.92 * h]])
        triangle = triangle + (dx, dy)
        l_shape = np.array([[0.6, 0.55], [0.7, 0.55], [0.7, 0.8], [0.92, 0.8], [0.92, 0.93],
                            [0.6, 0.93]]) * (w, h) + (dx, dy)
        small = _rectangle(w - 14, 2, w - 4, 10)
        return [
            Shape(_inside_convex(rect, w, h), rect[[0, 2]].ravel(), [rect], keypoints=keypoints),
            Shape(disc, tight_box(disc), with_mask=True),  # as a box read from an RLE mask
            Shape(_inside_convex(triangle, w, h), _bounds(triangle), [triangle]),
            Shape(_l_pixels(l_shape, w, h), _bounds(l_shape), [l_shape]),
            Shape(_inside_convex(small, w, h), small[[0, 2]].ravel()),
        ]

    def targets(self, semantic: bool = True) -> Targets:
        objects = [shape.object(i + 1) for i, shape in enumerate(self.shapes)]
        return Targets(objects, self.semantic() if semantic else None, self.flip_idx)

    def annotated(self, limits: Limits | None = None, channels: int = 3) -> Annotated:
        return Annotated(self.image(channels), self.targets(), limits or Limits())

    def image(self, channels: int = 3) -> np.ndarray:
        """Every shape in its own colour on a dark ramp, with the keypoint dots."""
        xs, _ = _centres(self.width, self.height)
        image = np.repeat((xs * 0.3).astype(np.uint8)[..., None], channels, axis=2)
        for i, shape in enumerate(self.shapes):
            image[shape.pixels] = (60 + 40 * i, 250 - 35 * i, 120 + 25 * i)[:channels]
        for k in range(len(self.keypoints())):
            image[self.dot(k) > 0] = 255
        return image

    def semantic(self) -> np.ndarray:
        mask = np.zeros((self.height, self.width), np.uint8)
        for i, shape in enumerate(self.shapes):
            mask[shape.pixels] = i + 1
        return mask

    def keypoints(self) -> np.ndarray:
        return self.shapes[0].keypoints

    def probe(self, index: int) -> np.ndarray:
        return np.where(self.shapes[index].pixels, 255, 0).astype(np.uint8)

    def dot(self, k: int) -> np.ndarray:
        x, y = self.keypoints()[k, :2]
        probe = np.zeros((self.height, self.width), np.uint8)
        column, row = int(x), int(y)  # the pixel whose centre is the keypoint
        probe[row - DOT:row + DOT + 1, column - DOT:column + DOT + 1] = 255
        return probe

    def blank(self) -> np.ndarray:
        return np.zeros((self.height, self.width), np.uint8)


def _bounds(points: np.ndarray) -> np.ndarray:
    return np.concatenate([points.min(axis=0), points.max(axis=0)])


def _l_pixels(outline: np.ndarray, width: int, height: int) -> np.ndarray:
    """The L as the union of its two rectangles (it is concave)."""
    (x0, y0), (x1, _), (_, y2), (x3, _) = outline[0], outline[1], outline[2], outline[3]
    y3 = outline[4][1]
    upright = _inside_convex(_rectangle(x0, y0, x1, y3), width, height)
    foot = _inside_convex(_rectangle(x0, y2, x3, y3), width, height)
    return upright | foot


def where_it_landed(probe_out: np.ndarray) -> np.ndarray:
    """The pixels a replayed probe's shape covers: at least half its brightest value
    (a blend keeps the shape's weight, interpolation softens its edges)."""
    peak = int(probe_out.max())
    return probe_out >= max(peak / 2, 1) if peak else np.zeros(probe_out.shape, bool)


def centroid(probe_out: np.ndarray) -> np.ndarray | None:
    """Brightness-weighted centre of a replayed dot, in annotation coordinates."""
    weights = probe_out.astype(float)
    total = weights.sum()
    if total == 0:
        return None
    ys, xs = np.mgrid[0:probe_out.shape[0], 0:probe_out.shape[1]]
    return np.array([(weights * (xs + 0.5)).sum() / total, (weights * (ys + 0.5)).sum() / total])


def tight_box(pixels: np.ndarray) -> np.ndarray | None:
    if not pixels.any():
        return None
    rows, columns = np.flatnonzero(pixels.any(axis=1)), np.flatnonzero(pixels.any(axis=0))
    return np.array([columns[0], rows[0], columns[-1] + 1, rows[-1] + 1], dtype=float)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 1.0


def rasterised(polygons: list[np.ndarray], width: int, height: int) -> np.ndarray:
    """Pixels whose centre is inside any of the polygons (even-odd crossings)."""
    xs, ys = _centres(width, height)
    inside = np.zeros((height, width), bool)
    for polygon in polygons:
        crossings = np.zeros((height, width), bool)
        for (x0, y0), (x1, y1) in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
            spans = (y0 > ys) != (y1 > ys)
            with np.errstate(divide="ignore", invalid="ignore"):
                at = x0 + (ys - y0) * (x1 - x0) / (y1 - y0)
            crossings ^= spans & (xs < at)
        inside |= crossings
    return inside
