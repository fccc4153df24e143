"""Quality maths: plain functions of (image, params) -> image.

Spatial filters work on every channel (alpha edges follow the blur, as in
`gaussian_blur`); noise and sharpening change colour channels only.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from augment_cli.errors import SampleError
from augment_cli.modalities.image.transforms.core_ops import INTERPOLATIONS, by_planes, max_value, on_colour

Params = dict[str, Any]
DEPTHS = {np.dtype(np.uint8): cv2.CV_8U, np.dtype(np.uint16): cv2.CV_16U}


def downscale(image: np.ndarray, params: Params) -> np.ndarray:
    height, width = image.shape[:2]
    small = (max(1, round(width * params["scale"])), max(1, round(height * params["scale"])))
    flags = INTERPOLATIONS[params["interpolation"]]
    return by_planes(image, lambda plane: cv2.resize(
        cv2.resize(plane, small, interpolation=flags), (width, height), interpolation=flags))


def jpeg(image: np.ndarray, params: Params) -> np.ndarray:
    if image.dtype != np.uint8:
        raise SampleError(f"JPEG holds 8 bits per channel; this {image.dtype} image would be "
                          "truncated (leave jpeg out of recipes for 16-bit data)", transform="jpeg")
    return on_colour(image, lambda colour: _jpeg_round_trip(colour, params["quality"]))


def _jpeg_round_trip(colour: np.ndarray, quality: int) -> np.ndarray:
    colour_image = colour.ndim == 3 and colour.shape[2] == 3
    pixels = cv2.cvtColor(colour, cv2.COLOR_RGB2BGR) if colour_image else colour
    ok, blob = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise SampleError("JPEG encoder failed", transform="jpeg")
    # libjpeg-turbo writes RGB directly: the same bytes as BGR then a swap, one pass fewer.
    decoded = cv2.imdecode(blob, cv2.IMREAD_COLOR_RGB if colour_image else cv2.IMREAD_UNCHANGED)
    if decoded is None:
        raise SampleError("JPEG decoder failed", transform="jpeg")
    return decoded


def gaussian_noise(image: np.ndarray, params: Params) -> np.ndarray:
    std = params["std"] * max_value(image)

    def add(colour: np.ndarray) -> np.ndarray:
        height, width = colour.shape[:2]
        channels = 1 if colour.ndim == 2 else colour.shape[2]
        count = height * width * (channels if params["per_channel"] else 1)
        noise = gaussian_field(params["noise_seed"], count, std).reshape(height, width, -1)
        if not params["per_channel"] and channels > 1:
            noise = np.repeat(noise, channels, axis=2)
        # OpenCV adds float noise to integer pixels with rounding and
        # saturation in one pass, without a float copy of the image.
        return cv2.add(colour, noise.reshape(colour.shape), dtype=DEPTHS[colour.dtype])

    return on_colour(image, add)


def gaussian_field(seed: int, count: int, std: float) -> np.ndarray:
    """`count` float32 draws of N(0, std^2), the same for the same seed.

    OpenCV's generator (cv2.randn: ziggurat over a 64-bit multiply-with-carry
    stream, seeded per call) draws them ~4x faster than numpy's
    standard_normal; its state is per thread, and the seed is set right
    before the one call that uses it, so each copy's noise depends only on the
    seed its sampler drew."""
    noise = np.empty((count, 1), np.float32)
    cv2.setRNGSeed(int(seed))
    cv2.randn(noise, np.zeros(1), np.full(1, float(std)))
    return noise


def motion_blur(image: np.ndarray, params: Params) -> np.ndarray:
    return _filter(image, motion_kernel(params["kernel"], params["angle_deg"]))


def motion_kernel(size: int, angle_deg: float) -> np.ndarray:
    """A normalised line of `size` pixels through the centre at angle_deg.

    The line is sampled once per pixel of its length: each step moves at
    most one pixel along either axis, so the cells form an unbroken
    (8-connected) digital line, the fewest taps that draw it; cv2.filter2D's
    time grows with the taps that are not zero."""
    kernel = np.zeros((size, size), np.float32)
    centre, radius = size // 2, (size - 1) / 2
    angle = math.radians(angle_deg)
    for t in np.linspace(-radius, radius, size):
        x = int(round(centre + t * math.cos(angle)))
        y = int(round(centre - t * math.sin(angle)))
        kernel[y, x] = 1.0
    return kernel / kernel.sum()


def median_blur(image: np.ndarray, params: Params) -> np.ndarray:
    size = params["kernel"]
    if image.dtype == np.uint8 or size <= 5:
        return by_planes(image, lambda plane: cv2.medianBlur(plane, size))
    # OpenCV takes 16-bit only up to 5x5.
    planes = image[..., None] if image.ndim == 2 else image
    out = np.stack([_median_16bit(np.ascontiguousarray(planes[..., c]), size)
                    for c in range(planes.shape[2])], axis=-1)
    return out.reshape(image.shape)


def _median_16bit(plane: np.ndarray, size: int) -> np.ndarray:
    """OpenCV's 8-bit median (any kernel, replicated edges) made exact for 16 bits.

    A median commutes with any non-decreasing map of the values. So the high
    byte of the median is the 8-bit median of the high bytes; and where that
    high byte is h, the low byte is the 8-bit median of the values clipped to
    [256h, 256h + 255] and shifted down. Tile by tile (with the kernel's
    margin, so every window sees its true neighbours), one 8-bit median per h
    that occurs in the tile. Working memory is a few planes of the image and
    at most 256 tables of 64 KiB, whatever the kernel (the window array this
    replaces was H x W x kernel^2: 73 GiB for 99 on 2000 x 2000 RGB); the
    result is the exact median, as before.
    """
    tile = max(128, 2 * size)  # tiles of about the kernel hold few distinct levels
    high = cv2.medianBlur((plane >> 8).astype(np.uint8), size)
    out = high.astype(np.uint16) << 8
    tables: dict[int, np.ndarray] = {}
    for top in range(0, plane.shape[0], tile):
        for left in range(0, plane.shape[1], tile):
            _add_low_bytes(plane, high, out, (top, left, tile), size, tables)
    return out


def _add_low_bytes(plane: np.ndarray, high: np.ndarray, out: np.ndarray, box: tuple[int, int, int],
                   size: int, tables: dict[int, np.ndarray]) -> None:
    """Add the median's low byte to one tile of `out`, per high byte found there."""
    (top, left, tile), half = box, size // 2
    bottom, right = min(plane.shape[0], top + tile), min(plane.shape[1], left + tile)
    y0, x0 = max(0, top - half), max(0, left - half)
    around = plane[y0 : bottom + half, x0 : right + half]  # the tile and the kernel's margin
    block, target = high[top:bottom, left:right], out[top:bottom, left:right]
    for level in np.unique(block).tolist():
        if level not in tables:
            tables[level] = np.clip(np.arange(65536) - 256 * level, 0, 255).astype(np.uint8)
        low = cv2.medianBlur(tables[level][around], size)
        here = block == level
        target[here] += low[top - y0 : bottom - y0, left - x0 : right - x0][here]


def sharpen(image: np.ndarray, params: Params) -> np.ndarray:
    amount, sigma = params["amount"], params["sigma"]
    if amount == 0:
        return image.copy()
    size = 2 * math.ceil(2 * sigma) + 1  # +-2 sigma holds 95 % of the Gaussian
    if size == 3:  # one 3x3 convolution: (1 + amount) x identity - amount x Gaussian
        gauss = cv2.getGaussianKernel(3, sigma)
        kernel = -amount * (gauss @ gauss.T)
        kernel[1, 1] += 1 + amount
        return on_colour(image, lambda colour: cv2.filter2D(
            colour, -1, kernel.astype(np.float32), borderType=cv2.BORDER_REFLECT_101))

    def unsharp(colour: np.ndarray) -> np.ndarray:
        blurred = cv2.GaussianBlur(colour, (size, size), sigma, borderType=cv2.BORDER_REFLECT_101)
        return cv2.addWeighted(colour, 1 + amount, blurred, -amount, 0)

    return on_colour(image, unsharp)


def defocus(image: np.ndarray, params: Params) -> np.ndarray:
    radius = params["radius"]
    size = 2 * radius + 1
    kernel = np.zeros((size, size), np.float32)
    cv2.circle(kernel, (radius, radius), radius, 1.0, thickness=-1)
    if params["alias_blur"] > 0:
        kernel = cv2.GaussianBlur(kernel, (0, 0), params["alias_blur"])
    return _filter(image, kernel / kernel.sum())


def _filter(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return by_planes(image, lambda plane: cv2.filter2D(plane, -1, kernel,
                                                       borderType=cv2.BORDER_REFLECT_101))
