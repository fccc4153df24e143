"""Mixing maths: pure functions of (image, params, partners) -> image, where
partners(path) returns a partner's decoded pixels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from augment_cli.modalities.image.transforms.core_ops import by_planes, max_value

Params = dict[str, Any]
Loader = Callable[[str], np.ndarray]


def matched(partner: np.ndarray, image: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """The partner in the image's dtype, channels and (or the given) size (w, h)."""
    has_alpha = partner.ndim == 3 and partner.shape[2] in (2, 4)
    colour = partner[..., :-1] if has_alpha else partner
    if colour.ndim == 3 and colour.shape[2] == 1:
        colour = colour[..., 0]
    alpha = partner[..., -1] if has_alpha else None
    channels = 1 if image.ndim == 2 else image.shape[2]
    if channels in (3, 4) and colour.ndim == 2:
        colour = np.repeat(colour[..., None], 3, axis=2)
    elif channels in (1, 2) and colour.ndim == 3:
        colour = cv2.cvtColor(np.ascontiguousarray(colour), cv2.COLOR_RGB2GRAY)
    if channels in (2, 4):
        alpha = alpha if alpha is not None else np.full(colour.shape[:2], max_value(partner), partner.dtype)
        colour = np.dstack([colour, alpha])
    out = _depth(np.ascontiguousarray(colour), image.dtype)
    width, height = size or (image.shape[1], image.shape[0])
    if out.shape[:2] != (height, width):
        shrink = out.shape[0] * out.shape[1] > width * height
        out = by_planes(out, lambda p: cv2.resize(
            p, (width, height), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR))
    return out


def _depth(pixels: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if pixels.dtype == dtype:
        return pixels
    if dtype == np.uint16:
        return pixels.astype(np.uint16) * 257
    return np.rint(pixels / 257.0).astype(np.uint8)


def mixup(image: np.ndarray, params: Params, partners: Loader) -> np.ndarray:
    lam = params["lam"]
    if params["partner"] is None or lam == 1:
        return image.copy()
    other = matched(partners(params["partner"]), image)
    return cv2.addWeighted(image, lam, other, 1 - lam, 0).reshape(image.shape)


def cutmix(image: np.ndarray, params: Params, partners: Loader) -> np.ndarray:
    out = image.copy()
    x, y, w, h = params["box"]
    if params["partner"] is None or w * h == 0:
        return out
    other = matched(partners(params["partner"]), image)
    out[y:y + h, x:x + w] = other[y:y + h, x:x + w]
    return out


def mosaic(image: np.ndarray, params: Params, partners: Loader) -> np.ndarray:
    if all(tile is None for tile in params["tiles"]):
        return image.copy()
    height, width = image.shape[:2]
    cx, cy = params["centre_px"]
    boxes = [(0, 0, cx, cy), (cx, 0, width - cx, cy), (0, cy, cx, height - cy),
             (cx, cy, width - cx, height - cy)]
    out = np.empty_like(image)
    for tile, (x, y, w, h) in zip(params["tiles"], boxes, strict=True):
        if w and h:
            source = image if tile is None else partners(tile)
            out[y:y + h, x:x + w] = matched(source, image, (w, h))
    return out
