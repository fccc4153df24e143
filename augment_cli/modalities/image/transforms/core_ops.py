"""Image maths: plain functions of (image, params) -> image.

Images are numpy arrays, HxW (L, 16-bit) or HxWxC with C in 2..4, channels in
RGB(A) order, dtype uint8 or uint16. Every function keeps shape, dtype and
channel count, and uses no randomness: all of it was drawn by the sampler.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from augment_cli.modalities.image.transforms.matrices import rotate_matrix

try:  # SIMD byte translation: the same table lookup as cv2.LUT, ~10x faster
    import stringzilla as _stringzilla
except ImportError:  # pragma: no cover - a platform without its wheel
    _stringzilla = None

BORDERS = {
    "reflect": cv2.BORDER_REFLECT_101,
    "constant": cv2.BORDER_CONSTANT,
    "replicate": cv2.BORDER_REPLICATE,
}
INTERPOLATIONS = {
    "nearest": cv2.INTER_NEAREST,
    "linear": cv2.INTER_LINEAR,
    "cubic": cv2.INTER_CUBIC,
    "area": cv2.INTER_AREA,
}


def hflip(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    return cv2.flip(image, 1)


def vflip(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    return cv2.flip(image, 0)


def rotate(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """Rotate counter-clockwise about the centre; same size, borders filled."""
    height, width = image.shape[:2]
    return warp_affine(image, rotate_matrix(width, height, params)[:2], params)


def warp_affine(image: np.ndarray, matrix: np.ndarray, params: dict[str, Any],
                size: tuple[int, int] | None = None) -> np.ndarray:
    """warpAffine by a 2x3 matrix with the shared `interpolation`/`border`/`fill`
    options, to `size` (w, h; default the input's)."""
    return warp(image, matrix, params, size)


def warp(image: np.ndarray, matrix: np.ndarray, params: dict[str, Any],
         size: tuple[int, int] | None = None) -> np.ndarray:
    """warpAffine (a 2x3 matrix) or warpPerspective (3x3) with the shared
    `interpolation`/`border`/`fill` options, to `size` (w, h; default the input's)."""
    fill = params.get("fill", 0)
    flags = INTERPOLATIONS[params.get("interpolation", "linear")]
    border = BORDERS[params.get("border", "reflect")]
    size = size or (image.shape[1], image.shape[0])
    if matrix.shape[0] == 3:
        return by_planes(image, lambda plane: _warp_projective(plane, matrix, flags, border, fill, size))
    # OpenCV's vectorised warp covers 1- and 4-channel uint8 but not 3:
    # padding RGB to RGBA and back gives identical pixels ~2x faster.
    if image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8:
        out = _warp(cv2.cvtColor(image, cv2.COLOR_RGB2RGBA), matrix, flags, border, fill, size)
        return cv2.cvtColor(out, cv2.COLOR_RGBA2RGB)
    return by_planes(image, lambda plane: _warp(plane, matrix, flags, border, fill, size))


# Source pixels a sample may reach beyond its coordinates (bicubic: 2).
WARP_TAPS = 3
# Padding that would more than double the pixels is not worth its copy; nor
# is a padded image past a few MiB, whose rotated reads then miss the cache
# (measured, +-15 deg: 10-14 % faster up to 800x600 RGBA, even at 1024x768,
# 7 % slower at 1920x1080).
MOST_PADDING = 2.0
MOST_PADDED_BYTES = 4 * 2**20


def _warp(image: np.ndarray, matrix: np.ndarray, flags: int, border: int, fill: int,
          size: tuple[int, int]) -> np.ndarray:
    """warpAffine to `size`. OpenCV fills reflected or replicated borders
    pixel by pixel on a slow path (a +-15 deg rotation: ~25% of its time);
    padding the source first with the same border and warping the padded
    image keeps every sample on the fast path, for images small enough that
    the padded copy stays in cache. The padded path can round a border pixel
    1 level differently from OpenCV's own border path."""
    height, width = image.shape[:2]
    inverse = cv2.invertAffineTransform(matrix)
    pixel_bytes = image.itemsize * (image.shape[2] if image.ndim == 3 else 1)
    pads = None if border == cv2.BORDER_CONSTANT else _padding(inverse, width, height, pixel_bytes, size)
    if pads is None:
        return cv2.warpAffine(two_pixels_thick(image, border), matrix, size, flags=flags,
                              borderMode=border, borderValue=(fill,) * 4)
    top, bottom, left, right = pads
    padded = cv2.copyMakeBorder(image, top, bottom, left, right, border)
    inverse[0, 2] += left
    inverse[1, 2] += top
    return cv2.warpAffine(padded, inverse, size, flags=flags | cv2.WARP_INVERSE_MAP,
                          borderMode=border)


def _warp_projective(image: np.ndarray, matrix: np.ndarray, flags: int, border: int, fill: int,
                     size: tuple[int, int]) -> np.ndarray:
    """warpPerspective to `size`. With a reflected or replicated border
    OpenCV takes a slow path for every pixel (RGB uint8: ~2.3x the time of a
    constant border), so the source is padded with that border first, far
    enough that no sample reaches past it, and warped with a constant border
    it never reads: within 1 level of OpenCV's own border path (its two
    paths round differently; ~0.2 % of values). Padding is worth it at any
    size here, so only the padded/source ratio caps it."""
    height, width = image.shape[:2]
    pads = inverse = None
    if border != cv2.BORDER_CONSTANT:
        inverse = np.linalg.inv(matrix)
        pads = _padding(inverse, width, height, 0, size)
    if pads is None or inverse is None:
        return cv2.warpPerspective(two_pixels_thick(image, border), matrix, size, flags=flags,
                                   borderMode=border, borderValue=(fill,) * 4)
    top, bottom, left, right = pads
    padded = cv2.copyMakeBorder(image, top, bottom, left, right, border)
    # The padded source is the source moved by (left, top), in homogeneous
    # coordinates: x' = x + left * w.
    inverse[0] += left * inverse[2]
    inverse[1] += top * inverse[2]
    return cv2.warpPerspective(padded, inverse, size, flags=flags | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_CONSTANT)


def two_pixels_thick(image: np.ndarray, border: int) -> np.ndarray:
    """The image with a 1-pixel side doubled, for OpenCV's warps and remaps
    with a reflected border: with bicubic sampling they never return on a
    1-pixel side (OpenCV 5.0; 1x1, 1xN and Nx1 alike). Reflecting one pixel
    and reflecting two copies of it give the same infinite plane, so the
    result is what the warp means; the output size is the caller's."""
    height, width = image.shape[:2]
    if border != cv2.BORDER_REFLECT_101 or (height > 1 and width > 1):
        return image
    return np.repeat(np.repeat(image, 2 if height == 1 else 1, axis=0), 2 if width == 1 else 1, axis=1)


def _padding(inverse: np.ndarray, width: int, height: int, pixel_bytes: int,
             size: tuple[int, int] | None = None) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) that put every source coordinate of a
    warp to `size` (default the source's) inside the padded image, or None if
    not worth it (pixel_bytes 0: no cap on the padded bytes). An affine map's
    extremes are at the output's corners; so are a projective one's while its
    denominator stays positive over the output (it is linear, so positive at
    the four corners is enough): the rectangle then maps onto the
    quadrilateral of its corners. (Plain floats: numpy on four points costs
    more than the arithmetic.)"""
    rows = inverse.tolist()
    (a, b, c), (d, e, f) = rows[:2]
    g, h, i = rows[2] if len(rows) == 3 else (0.0, 0.0, 1.0)
    out_w, out_h = size or (width, height)
    corners = ((0, 0), (out_w - 1, 0), (0, out_h - 1), (out_w - 1, out_h - 1))
    weights = [g * x + h * y + i for x, y in corners]
    if min(weights) <= 1e-6:
        return None
    xs = [(a * x + b * y + c) / w for (x, y), w in zip(corners, weights, strict=True)]
    ys = [(d * x + e * y + f) / w for (x, y), w in zip(corners, weights, strict=True)]
    left, right = _reach(-min(xs)), _reach(max(xs) - (width - 1))
    top, bottom = _reach(-min(ys)), _reach(max(ys) - (height - 1))
    padded = (width + left + right) * (height + top + bottom)
    if padded > MOST_PADDING * width * height or padded * pixel_bytes > MOST_PADDED_BYTES:
        return None
    return top, bottom, left, right


def _reach(beyond: float) -> int:
    return max(0, math.ceil(beyond) + WARP_TAPS)


def random_resized_crop(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """Cut the sampled box and scale it back to the source size."""
    height, width = image.shape[:2]
    x, y, w, h = params["x"], params["y"], params["w"], params["h"]
    crop = image[y : y + h, x : x + w]
    shrinking = w * h > width * height
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(crop, (width, height), interpolation=interpolation)


def brightness_contrast(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """out = in * (1 + contrast) + brightness * max_value, clipped."""
    if image.dtype == np.uint8:
        # A 256-entry table is exact and several times faster than float maths.
        table = brightness_contrast_table(params, image.dtype)
        return on_colour(image, lambda colour: lut8(colour, table))
    alpha = 1.0 + params["contrast"]
    beta = params["brightness"] * max_value(image)
    return on_colour(image, lambda colour: _clip_round(colour * alpha + beta, image.dtype))


def brightness_contrast_table(params: dict[str, Any], dtype: np.dtype) -> np.ndarray:
    """The same maths over every level of `dtype` (exact: each level is one float expression)."""
    top = int(np.iinfo(dtype).max)
    alpha = 1.0 + params["contrast"]
    beta = params["brightness"] * top
    return np.clip(np.arange(top + 1) * alpha + beta, 0, top).round().astype(dtype)


def grayscale(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """Luma (ITU-R 601) copied to every colour channel; alpha and mode kept."""
    if image.ndim == 2 or image.shape[2] < 3:
        return image.copy()
    luma = cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2GRAY)
    return grey_to_channels(luma, image)


def grey_to_channels(grey: np.ndarray, image: np.ndarray) -> np.ndarray:
    """`grey` in every colour channel of an RGB(A) image's layout, alpha kept."""
    if image.shape[2] == 3:
        return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
    return cv2.merge((grey, grey, grey, np.ascontiguousarray(image[..., 3])))


def lut8(values: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Look every uint8 value up in a 256-entry uint8 table (any shape)."""
    values = np.ascontiguousarray(values)
    if _stringzilla is None:
        return cv2.LUT(values, table)
    out = np.empty_like(values)
    _stringzilla.translate(values.data.cast("B"), table.data, out=out.data.cast("B"))
    return out


def gaussian_blur(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """The separable Gaussian filter with float taps (cv2.sepFilter2D: 5-25 %
    faster than cv2.GaussianBlur's fixed-point 8-bit path on 512x512 RGB, within
    2 levels of it); kernel 0 is OpenCV's own size for sigma."""
    sigma, kernel = params["sigma"], params.get("kernel", 0)  # manifests before `kernel`: 0
    if sigma <= 0 or kernel == 1:
        return image.copy()
    size = kernel or gaussian_size(sigma, image.dtype)
    taps = cv2.getGaussianKernel(size, sigma)
    return cv2.sepFilter2D(image, -1, taps, taps, borderType=cv2.BORDER_REFLECT_101)


def gaussian_size(sigma: float, dtype: np.dtype) -> int:
    """The window cv2.GaussianBlur takes for sigma with ksize 0: 3 sigma each
    side for 8-bit images, 4 for deeper ones, rounded to the next odd size."""
    return int(round(sigma * (3 if dtype == np.uint8 else 4) * 2 + 1)) | 1


def by_planes(image: np.ndarray, operation) -> np.ndarray:
    """Run an OpenCV operation that takes 1, 3 or 4 channels on any image:
    a 2-channel (LA) image goes plane by plane. The result keeps the layout."""
    if image.ndim == 3 and image.shape[2] == 2:
        planes = [operation(np.ascontiguousarray(image[..., i])) for i in range(2)]
        return np.stack(planes, axis=-1)
    out = operation(image)
    return out[..., None] if image.ndim == 3 and out.ndim == 2 else out


def max_value(image: np.ndarray) -> int:
    return int(np.iinfo(image.dtype).max)


def on_colour(image: np.ndarray, operation) -> np.ndarray:
    """Apply to colour channels only: alpha (the last of 2 or 4) is kept."""
    if image.ndim == 3 and image.shape[2] in (2, 4):
        out = image.copy()
        colour = np.ascontiguousarray(image[..., :-1])
        out[..., :-1] = operation(colour).reshape(colour.shape)
        return out
    return operation(image)


def _clip_round(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    info = np.iinfo(dtype)
    return np.clip(np.rint(values), info.min, info.max).astype(dtype)
