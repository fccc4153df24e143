"""Where a transform sends points: the geometry annotations move by.

A geometric image transform declares (registry `geometry=`) a function of
its sampled params and the input size that returns a list of moves, applied
in order (a policy's ops are several). A move is one of:

- `Warp`: a 3x3 projective matrix (flips, rotate, affine, perspective,
  crops, pad, resize, random_resized_crop), in annotation coordinates:
  (0, 0) is the top-left corner of the top-left pixel. Matrices built in
  OpenCV's pixel-centre coordinates (what the appliers warp with) convert
  exactly with `Warp.from_opencv`.
- `PointMap`: a smooth non-linear map given as cv2.remap's maps (elastic);
  points go forward by inverting it, masks go through remap itself.

A mixing transform (mosaic, cutmix, mixup) returns `Piece`s instead: which
image (the source, or a partner) lands where, and on which part of the output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from augment_cli.annotations.polygons import keep_side

# Annotation coordinates are OpenCV's pixel-centre coordinates + 0.5.
_TO_CENTRES = np.array([[1.0, 0.0, -0.5], [0.0, 1.0, -0.5], [0.0, 0.0, 1.0]])
_TO_CORNERS = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]])
# Fixed-point steps that invert an elastic field (it moves a pixel by
# alpha with a gradient well under 1, so each step shrinks the error).
_INVERSE_STEPS = 30
# Smallest w a perspective point may keep (the matrices have w = 1 at the
# origin): nearer the horizon it lands thousands of images away anyway.
_NEAREST_W = 1e-3


@dataclass(frozen=True)
class Warp:
    """A projective map from source to output (annotation coordinates).

    `size` is the output (width, height)."""

    matrix: np.ndarray
    size: tuple[int, int]

    @classmethod
    def from_opencv(cls, matrix: np.ndarray, size: tuple[int, int]) -> Warp:
        """The same map, from a 3x3 matrix in OpenCV's pixel-centre coordinates."""
        return cls(_TO_CORNERS @ np.asarray(matrix, dtype=float) @ _TO_CENTRES, size)

    def opencv(self) -> np.ndarray:
        """The matrix in pixel-centre coordinates, as cv2.warpPerspective takes it."""
        return _TO_CENTRES @ self.matrix @ _TO_CORNERS

    @property
    def affine(self) -> bool:
        # exact: every affine matrix here is built with this bottom row
        return bool(self.matrix[2, 0] == 0 and self.matrix[2, 1] == 0 and self.matrix[2, 2] == 1)

    @property
    def mirrors(self) -> bool:
        """True when the map reverses orientation (left and right swap)."""
        return bool(np.linalg.det(self.matrix) < 0)

    def points(self, xy: np.ndarray) -> np.ndarray:
        homogeneous = np.column_stack([xy, np.ones(len(xy))]) @ self.matrix.T
        with np.errstate(divide="ignore", invalid="ignore"):  # behind the camera: see in_front
            return homogeneous[:, :2] / homogeneous[:, 2:3]

    def in_front(self, xy: np.ndarray) -> np.ndarray:
        """Which source points a perspective keeps in front of the camera
        (w > 0; a strong distortion sends the rest through infinity)."""
        return np.column_stack([xy, np.ones(len(xy))]) @ self.matrix[2] > _NEAREST_W

    def front(self, polygon: np.ndarray) -> np.ndarray:
        """The part of a source polygon in front of the camera: w is linear in
        (x, y), so it is one more half-plane clip, before projecting."""
        if self.affine or len(polygon) == 0:
            return polygon
        a, b, c = self.matrix[2]
        return keep_side(polygon, a, b, c - _NEAREST_W)

    def warp_mask(self, mask: np.ndarray, fill: int) -> np.ndarray:
        """Nearest-neighbour, constant `fill` outside: a mask gains no new values."""
        matrix, size = self.opencv(), self.size
        if self.affine:
            return cv2.warpAffine(mask, matrix[:2], size, flags=cv2.INTER_NEAREST,
                                  borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
        return cv2.warpPerspective(mask, matrix, size, flags=cv2.INTER_NEAREST,
                                   borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


@dataclass(frozen=True)
class PointMap:
    """A non-linear map given backwards: output pixel centre (x, y) shows the
    source point (map_x[y, x], map_y[y, x]) (pixel-centre coordinates)."""

    map_x: np.ndarray
    map_y: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        return int(self.map_x.shape[1]), int(self.map_x.shape[0])

    mirrors = False

    def in_front(self, xy: np.ndarray) -> np.ndarray:
        return np.ones(len(xy), bool)

    def front(self, polygon: np.ndarray) -> np.ndarray:
        return polygon

    def points(self, xy: np.ndarray) -> np.ndarray:
        """Forward: the output point whose backward map is each source point,
        by fixed-point iteration q <- q + (p - back(q))."""
        source = np.asarray(xy, dtype=float) - 0.5
        found = source.copy()
        for _ in range(_INVERSE_STEPS):
            found += source - self._backward(found)
        return found + 0.5

    def _backward(self, centres: np.ndarray) -> np.ndarray:
        """Where output pixel-centre points sample the source: the maps read
        bilinearly; beyond the edge a point moves as the nearest edge point does."""
        width, height = self.size
        inside = np.clip(centres, 0, [width - 1, height - 1])
        x, y = inside[:, 0], inside[:, 1]
        x0 = np.minimum(np.floor(x).astype(int), max(width - 2, 0))
        y0 = np.minimum(np.floor(y).astype(int), max(height - 2, 0))
        x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
        fx, fy = x - x0, y - y0
        sampled = np.empty_like(centres)
        for column, grid in enumerate((self.map_x, self.map_y)):
            top = grid[y0, x0] * (1 - fx) + grid[y0, x1] * fx
            bottom = grid[y1, x0] * (1 - fx) + grid[y1, x1] * fx
            sampled[:, column] = top * (1 - fy) + bottom * fy
        return sampled + (centres - inside)

    def warp_mask(self, mask: np.ndarray, fill: int) -> np.ndarray:
        return cv2.remap(mask, self.map_x, self.map_y, cv2.INTER_NEAREST,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


Move = Warp | PointMap


@dataclass(frozen=True)
class Piece:
    """One image of a mix: `source` None is the transformed image itself,
    else a partner's name (what the applier loads). Its points go by `move`;
    it shows on `region` (x0, y0, x1, y1) of the output, where its objects
    are clipped. `covers`: painted over the pieces before it (cutmix, mosaic)
    rather than blended with them (mixup)."""

    source: str | None
    move: Warp
    region: tuple[float, float, float, float]
    covers: bool = True


SizeOf = Callable[[str], "tuple[int, int]"]


def scale_into(size: tuple[int, int], box: tuple[int, int, int, int], out: tuple[int, int]) -> Warp:
    """An image of `size` (w, h) scaled into `box` (x, y, w, h) of an `out`-sized image."""
    (width, height), (x, y, w, h) = size, box
    matrix = np.array([[w / width, 0.0, x], [0.0, h / height, y], [0.0, 0.0, 1.0]])
    return Warp(matrix, out)
