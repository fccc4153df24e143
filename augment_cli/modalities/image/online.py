"""Images in memory for the online Augmenter: an HxW or HxWxC uint8/uint16 array."""

from __future__ import annotations

from typing import Any

import numpy as np

from augment_cli.errors import UsageError


def to_data(pixels: Any) -> np.ndarray:
    """The array transforms receive; UsageError for a shape or dtype they cannot take."""
    pixels = np.asarray(pixels)
    if pixels.dtype not in (np.uint8, np.uint16) or pixels.ndim not in (2, 3):
        raise UsageError(f"an image must be an HxW or HxWxC uint8/uint16 array, got "
                         f"{pixels.dtype} with shape {pixels.shape}")
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        return pixels[:, :, 0]  # transforms take single-channel images as HxW
    if pixels.ndim == 3 and pixels.shape[2] > 4:
        raise UsageError(f"an image has 1 to 4 channels, got {pixels.shape[2]}")
    return pixels


def from_data(item: Any, data: np.ndarray) -> dict[str, Any]:
    """The result in the caller's shape (an HxWx1 input gets HxWx1 back)."""
    shape = np.shape(item)
    return {"data": data[:, :, None] if len(shape) == 3 and data.ndim == 2 else data}
