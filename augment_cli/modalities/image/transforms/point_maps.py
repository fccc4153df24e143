"""Where each geometric image transform sends points: its registry `geometry`.

Each function takes the transform's sampled params and the input (width,
height), and returns the moves its applier makes (annotations/moves.py), so
annotations follow the pixels from the same params a manifest records. The
warps use the very matrices their appliers warp with (matrices.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from augment_cli import registry
from augment_cli.annotations.moves import Move, Piece, PointMap, SizeOf, Warp, scale_into
from augment_cli.errors import SampleError
from augment_cli.modalities.image.transforms.geometry_ops import elastic_maps
from augment_cli.modalities.image.transforms.matrices import (
    affine_matrix,
    perspective_matrix,
    rotate_matrix,
)
from augment_cli.plugins import resolve

Params = dict[str, Any]


def _matrix(rows: list[list[float]]) -> np.ndarray:
    return np.array([*rows, [0.0, 0.0, 1.0]], dtype=float)


def hflip(params: Params, width: int, height: int) -> list[Move]:
    return [Warp(_matrix([[-1, 0, width], [0, 1, 0]]), (width, height))]


def vflip(params: Params, width: int, height: int) -> list[Move]:
    return [Warp(_matrix([[1, 0, 0], [0, -1, height]]), (width, height))]


def rotate(params: Params, width: int, height: int) -> list[Move]:
    return [Warp.from_opencv(rotate_matrix(width, height, params), (width, height))]


def affine(params: Params, width: int, height: int) -> list[Move]:
    return [Warp.from_opencv(affine_matrix(width, height, params), (width, height))]


def perspective(params: Params, width: int, height: int) -> list[Move]:
    return [Warp.from_opencv(perspective_matrix(width, height, params), (width, height))]


def elastic(params: Params, width: int, height: int) -> list[Move]:
    return [PointMap(*elastic_maps(width, height, params))]


def crop(params: Params, width: int, height: int) -> list[Move]:
    """geometry_ops.crop: padded (centred) to the box size first if smaller, then cut."""
    out_w, out_h = params["width"], params["height"]
    left, top = max(0, out_w - width) // 2, max(0, out_h - height) // 2
    shift = [[1, 0, left - params["x"]], [0, 1, top - params["y"]]]
    return [Warp(_matrix(shift), (out_w, out_h))]


def pad(params: Params, width: int, height: int) -> list[Move]:
    size = (width + params["left"] + params["right"], height + params["top"] + params["bottom"])
    return [Warp(_matrix([[1, 0, params["left"]], [0, 1, params["top"]]]), size)]


def resize(params: Params, width: int, height: int) -> list[Move]:
    # cv2.resize aligns pixel edges: corner coordinates scale by out / in.
    return [scale_into((width, height), (0, 0, params["width"], params["height"]),
                       (params["width"], params["height"]))]


def random_resized_crop(params: Params, width: int, height: int) -> list[Move]:
    """The box (x, y, w, h) scaled back to the source size."""
    x, y, w, h = params["x"], params["y"], params["w"], params["h"]
    sx, sy = width / w, height / h
    return [Warp(_matrix([[sx, 0, -x * sx], [0, sy, -y * sy]]), (width, height))]


def policy(params: Params, width: int, height: int) -> list[Move]:
    """randaugment / trivial_augment: the moves of their geometric ops, in order."""
    moves: list[Move] = []
    for op in params["ops"]:
        spec = registry.require("image", op["transform"])
        if spec.geometry == registry.PIXELS:
            continue
        if spec.geometry in (None, registry.UNKNOWN):
            raise SampleError(f"op {spec.name}: its geometry is not known", transform="policy")
        moves += resolve(spec.geometry)(op["params"], width, height)
        width, height = moves[-1].size
    return moves


def _whole(width: int, height: int) -> Piece:
    return Piece(None, Warp(np.eye(3), (width, height)), (0, 0, width, height))


def mixup(params: Params, width: int, height: int, size_of: SizeOf) -> list[Piece]:
    """Both images' objects; the heavier image last, so it gives the semantic mask."""
    partner, lam = params["partner"], params["lam"]
    if partner is None or lam == 1:
        return [_whole(width, height)]
    other = Piece(partner, scale_into(size_of(partner), (0, 0, width, height), (width, height)),
                  (0, 0, width, height), covers=False)
    source = Piece(None, Warp(np.eye(3), (width, height)), (0, 0, width, height), covers=False)
    return [other, source] if lam >= 0.5 else [source, other]


def cutmix(params: Params, width: int, height: int, size_of: SizeOf) -> list[Piece]:
    """The source, with the partner (scaled to the source size) showing in the box."""
    x, y, w, h = params["box"]
    partner = params["partner"]
    if partner is None or w * h == 0:
        return [_whole(width, height)]
    pasted = scale_into(size_of(partner), (0, 0, width, height), (width, height))
    return [_whole(width, height), Piece(partner, pasted, (x, y, x + w, y + h))]


def mosaic(params: Params, width: int, height: int, size_of: SizeOf) -> list[Piece]:
    """Each tile's image scaled into its tile (mix_ops.mosaic's boxes)."""
    if all(tile is None for tile in params["tiles"]):
        return [_whole(width, height)]
    cx, cy = params["centre_px"]
    boxes = [(0, 0, cx, cy), (cx, 0, width - cx, cy), (0, cy, cx, height - cy),
             (cx, cy, width - cx, height - cy)]
    pieces = []
    for tile, (x, y, w, h) in zip(params["tiles"], boxes, strict=True):
        if w and h:
            size = (width, height) if tile is None else size_of(tile)
            pieces.append(Piece(tile, scale_into(size, (x, y, w, h), (width, height)),
                                (x, y, x + w, y + h), covers=False))
    return pieces
