"""Colour maths: plain functions of (image, params) -> image.

Point operations build a table over every level of the dtype (256 for uint8,
65,536 for uint16) once per call and look pixels up in it: exact, no float
image, and several times faster than per-pixel arithmetic. Alpha (the last of
2 or 4 channels) is never changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from augment_cli.errors import SampleError
from augment_cli.modalities.image.transforms.core_ops import grey_to_channels, lut8, max_value, on_colour

Params = dict[str, Any]
SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
GREY_WEIGHTS = {"weighted": (0.299, 0.587, 0.114), "average": (1 / 3, 1 / 3, 1 / 3)}


def table(image: np.ndarray, curve: Callable[[np.ndarray, int], np.ndarray]) -> np.ndarray:
    """curve(levels, max) over every level of the dtype, rounded and clipped."""
    return curve_table(image.dtype, curve)


def curve_table(dtype: np.dtype, curve: Callable[[np.ndarray, int], np.ndarray]) -> np.ndarray:
    top = int(np.iinfo(dtype).max)
    values = curve(np.arange(top + 1, dtype=np.int64), top)
    return np.clip(np.rint(values), 0, top).astype(dtype)


def look_up(values: np.ndarray, lut: np.ndarray) -> np.ndarray:
    if lut.dtype == np.uint8:
        return lut8(values, lut)
    return lut[values]


def point(image: np.ndarray, curve: Callable[[np.ndarray, int], np.ndarray]) -> np.ndarray:
    """Apply the same level curve to every colour channel."""
    lut = table(image, curve)
    return on_colour(image, lambda colour: look_up(colour, lut))


def is_colour(colour: np.ndarray) -> bool:
    return colour.ndim == 3 and colour.shape[2] == 3


def luma(colour: np.ndarray) -> np.ndarray:
    """ITU-R 601 grey (HxW) of colour channels; a grey image is its own luma."""
    return cv2.cvtColor(colour, cv2.COLOR_RGB2GRAY) if is_colour(colour) else colour.reshape(colour.shape[:2])


def hue_saturation(colour: np.ndarray, hue_deg: float, saturation: float) -> np.ndarray:
    """Rotate hue by hue_deg and scale saturation by (1 + saturation), RGB in and out."""
    if not is_colour(colour) or (hue_deg == 0 and saturation == 0):
        return colour
    if colour.dtype == np.uint8:
        # H in 0..179 (half degrees). One split and one merge: with OpenCV 5.1
        # they cost 20 % less (on 512x512) than taking the changed planes out and
        # putting them back one at a time.
        hue, sat, value = cv2.split(cv2.cvtColor(colour, cv2.COLOR_RGB2HSV))
        levels = np.arange(256)
        if hue_deg != 0:
            hue = lut8(hue, np.mod(np.rint(levels + hue_deg / 2), 180).astype(np.uint8))
        if saturation != 0:
            sat = lut8(sat, np.clip(np.rint(levels * (1 + saturation)), 0, 255).astype(np.uint8))
        return cv2.cvtColor(cv2.merge((hue, sat, value)), cv2.COLOR_HSV2RGB)
    top = max_value(colour)  # 16-bit: float32 HSV keeps far more than 16 bits
    hsv = cv2.cvtColor(colour.astype(np.float32) / top, cv2.COLOR_RGB2HSV)
    hsv[..., 0] = np.mod(hsv[..., 0] + hue_deg, 360)
    hsv[..., 1] = np.clip(hsv[..., 1] * (1 + saturation), 0, 1)
    rgb = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB) * top
    return np.clip(np.rint(rgb), 0, top).astype(colour.dtype)


def hue_saturation_value(image: np.ndarray, params: Params) -> np.ndarray:
    """Hue and saturation in HSV space; value as a scale of every channel
    (the same thing as scaling HSV's V, without a lossy round trip)."""
    image = on_colour(image, lambda c: hue_saturation(c, params["hue_shift_deg"], params["saturation"]))
    return scale(image, 1 + params["value"])


def scale(image: np.ndarray, factor: float) -> np.ndarray:
    return image.copy() if factor == 1 else point(image, lambda x, top: x * factor)


def color_jitter(image: np.ndarray, params: Params) -> np.ndarray:
    """Apply the four adjustments in the sampled order (as torchvision does)."""
    for name in params["order"]:
        amount = params[name]
        if amount == 0:
            continue
        if name == "brightness":
            image = scale(image, 1 + amount)
        elif name == "contrast":
            image = contrast(image, 1 + amount)
        elif name == "saturation":
            image = on_colour(image, lambda c, f=1 + amount: saturate(c, f))
        else:
            image = on_colour(image, lambda c, deg=amount * 360: hue_saturation(c, deg, 0.0))
    return image


def contrast(image: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the mean grey: out = mean + (in - mean) x factor."""
    colour = image[..., :-1] if image.ndim == 3 and image.shape[2] in (2, 4) else image
    # cv2.mean sums the integers exactly, as np.mean's float64 sum does, ~10x faster
    mean = float(cv2.mean(luma(np.ascontiguousarray(colour)))[0])
    return point(image, lambda x, top: mean + (x - mean) * factor)


def saturate(colour: np.ndarray, factor: float) -> np.ndarray:
    """Blend with the colour's own grey: factor 0 = grey, 1 = unchanged."""
    if not is_colour(colour):
        return colour
    grey = cv2.cvtColor(luma(colour), cv2.COLOR_GRAY2RGB)
    return cv2.addWeighted(colour, factor, grey, 1 - factor, 0)


def gamma(image: np.ndarray, params: Params) -> np.ndarray:
    return apply_table(image, gamma_table(params, image.dtype))


def gamma_table(params: Params, dtype: np.dtype) -> np.ndarray:
    g = params["gamma"]
    return curve_table(dtype, lambda x, top: top * (x / top) ** g)


def apply_table(image: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Every colour value through `lut` (a table of every level of the dtype); alpha kept."""
    return on_colour(image, lambda colour: look_up(colour, lut))


def clahe(image: np.ndarray, params: Params) -> np.ndarray:
    tiles = params["tiles"]
    # OpenCV's limit is per histogram bin relative to a flat histogram, and a
    # 16-bit histogram has 256x the bins: scale it so a limit means the same
    # clipping of an image's levels at either depth.
    bins_ratio = (max_value(image) + 1) // 256
    tool = cv2.createCLAHE(clipLimit=params["clip_limit"] * bins_ratio, tileGridSize=(tiles, tiles))

    def run(colour: np.ndarray) -> np.ndarray:
        if not is_colour(colour):
            return tool.apply(np.ascontiguousarray(colour.reshape(colour.shape[:2])))
        # Equalise brightness only; YCrCb (unlike Lab) also takes 16-bit input.
        ycc = cv2.cvtColor(colour, cv2.COLOR_RGB2YCrCb)
        ycc[..., 0] = tool.apply(np.ascontiguousarray(ycc[..., 0]))
        return cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB)

    return on_colour(image, run)


def equalize(image: np.ndarray, params: Params) -> np.ndarray:
    return on_colour(image, lambda colour: _per_plane(colour, _equalize_plane))


def _equalize_plane(plane: np.ndarray) -> np.ndarray:
    if plane.dtype == np.uint8:
        return cv2.equalizeHist(plane)
    top = max_value(plane)
    histogram = np.bincount(plane.ravel(), minlength=top + 1)
    cdf = np.cumsum(histogram)
    first = cdf[np.flatnonzero(histogram)[0]]
    if cdf[-1] == first:  # a single level: nothing to spread
        return plane.copy()
    lut = np.clip(np.rint((cdf - first) / (cdf[-1] - first) * top), 0, top).astype(plane.dtype)
    return lut[plane]


def auto_contrast(image: np.ndarray, params: Params) -> np.ndarray:
    cut = params["cutoff"] / 100
    return on_colour(image, lambda colour: _per_plane(colour, lambda p: _stretch_plane(p, cut)))


def _stretch_plane(plane: np.ndarray, cut: float) -> np.ndarray:
    cdf = np.cumsum(histogram(plane))
    low = int(np.searchsorted(cdf, cdf[-1] * cut, side="right"))
    high = int(np.searchsorted(cdf, cdf[-1] * (1 - cut), side="left"))
    if high <= low:
        return plane.copy()
    return look_up(plane, table(plane, lambda x, t: (x - low) * t / (high - low)))


def histogram(plane: np.ndarray) -> np.ndarray:
    """Count of every level of a single-channel image."""
    if plane.dtype == np.uint8:  # OpenCV's histogram is ~5x numpy's bincount here
        return cv2.calcHist([plane], [0], None, [256], [0, 256]).ravel().astype(np.int64)
    return np.bincount(plane.ravel(), minlength=max_value(plane) + 1)


def posterize(image: np.ndarray, params: Params) -> np.ndarray:
    """Keep the top `bits` of each colour value: one SIMD AND with a mask per
    channel (alpha's mask keeps it whole), what posterize_table does (fusion
    uses the table) without building a table per copy."""
    top = int(np.iinfo(image.dtype).max)
    drop = image.dtype.itemsize * 8 - min(params["bits"], image.dtype.itemsize * 8)
    mask = top ^ ((1 << drop) - 1)
    if image.ndim == 2:
        return cv2.bitwise_and(image, mask)
    alpha = image.shape[2] in (2, 4)
    scalar = (mask,) * (image.shape[2] - alpha) + ((top,) if alpha else ())
    return cv2.bitwise_and(image, scalar + (0,) * (4 - len(scalar)))  # OpenCV scalars have 4 values


def posterize_table(params: Params, dtype: np.dtype) -> np.ndarray:
    depth = np.dtype(dtype).itemsize * 8
    drop = depth - min(params["bits"], depth)
    return curve_table(dtype, lambda x, top: (x >> drop) << drop)


def solarize(image: np.ndarray, params: Params) -> np.ndarray:
    return apply_table(image, solarize_table(params, image.dtype))


def solarize_table(params: Params, dtype: np.dtype) -> np.ndarray:
    threshold = params["threshold"]
    return curve_table(dtype, lambda x, top: np.where(x >= threshold * top, top - x, x))


def invert(image: np.ndarray, params: Params) -> np.ndarray:
    return on_colour(image, cv2.bitwise_not)


def invert_table(params: Params, dtype: np.dtype) -> np.ndarray:
    """The table of `invert` (bitwise not of an unsigned level is max - level)."""
    return curve_table(dtype, lambda x, top: top - x)


def channel_shuffle(image: np.ndarray, params: Params) -> np.ndarray:
    order = list(params["order"])
    if image.ndim == 2 or len(order) < 3:
        return image.copy()
    if image.shape[2] == 3 and image.dtype in (np.uint8, np.uint16):
        # A permutation matrix through cv2.transform: exact for integer levels
        # (each output is 1 x one input), and its 3-channel SIMD path is 1.7x
        # mixChannels on 512x512 RGB (its 4-channel path is 5x slower than that).
        return cv2.transform(image, np.eye(3, dtype=np.float32)[order])
    if image.shape[2] == 4:
        order.append(3)
    # One pass copying each plane to its place (split + merge copies twice:
    # 1.2-1.4x slower for RGB, 4x for RGBA on 512x512).
    out = np.empty_like(image)
    cv2.mixChannels([image], [out], [index for pair in enumerate(order) for index in pair[::-1]])
    return out


def sepia(image: np.ndarray, params: Params) -> np.ndarray:
    if image.ndim == 2 or image.shape[2] < 3:
        raise SampleError("needs an RGB or RGBA image; a grey image has no colour to tint",
                          transform="sepia")
    matrix = sepia_matrix(float(params["strength"]))
    return on_colour(image, lambda colour: cv2.transform(colour, matrix))


@functools.lru_cache(maxsize=64)
def sepia_matrix(strength: float) -> np.ndarray:
    """The blend of SEPIA and the identity (cached: building it cost 2x what
    cv2.transform then spends on a small image; a recipe uses few strengths)."""
    matrix = strength * SEPIA + (1 - strength) * np.eye(3)
    matrix.flags.writeable = False
    return matrix


def to_gray(image: np.ndarray, params: Params) -> np.ndarray:
    if image.ndim == 2 or image.shape[2] < 3:
        return image.copy()
    colour = np.ascontiguousarray(image[..., :3])
    return grey_to_channels(grey_of(colour, params["method"]), image)


def grey_of(colour: np.ndarray, method: str) -> np.ndarray:
    if method == "weighted":
        return cv2.cvtColor(colour, cv2.COLOR_RGB2GRAY)
    if method in GREY_WEIGHTS:
        return cv2.transform(colour, np.array([GREY_WEIGHTS[method]]))
    high = colour.max(axis=2)
    if method == "max":
        return high
    low = colour.min(axis=2)
    return ((high.astype(np.uint32) + low + 1) // 2).astype(colour.dtype)


def _per_plane(colour: np.ndarray, function: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    if colour.ndim == 2:
        return function(colour)
    planes = [function(plane) for plane in cv2.split(colour)]
    return cv2.merge(planes).reshape(colour.shape)
