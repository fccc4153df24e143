"""Image transforms: parameters, samplers and docs (registered in the table).

The maths lives in `image_ops.py`; nothing here imports OpenCV.
"""

from __future__ import annotations

import math
from typing import Any

from augment_cli.modalities.image.transforms.risks import Always, LargeTurn, heavy_crop
from augment_cli.registry import PIXELS, Param, register, span

OPS = "augment_cli.modalities.image.transforms.core_ops"
GEOMETRY = "augment_cli.modalities.image.transforms.point_maps"
FUSED = "augment_cli.modalities.image.transforms.fused_ops"

# One meaning everywhere for what fills pixels that come from outside the image.
BORDER = Param("border", "choice", "reflect", choices=("reflect", "constant", "replicate"),
               help="how pixels from outside the image are filled")
FILL = Param("fill", "int", 0, bounds=(0, 65535), ranged=False,
             help="value of every channel where border = constant")
INTERPOLATION = Param("interpolation", "choice", "linear",
                      choices=("nearest", "linear", "cubic", "area"),
                      help="how pixel values are resampled")


def meta(image: Any) -> dict[str, Any]:  # a numpy array; numpy is not imported here
    """Size, channels and dtype: what image samplers may depend on."""
    return {
        "height": int(image.shape[0]),
        "width": int(image.shape[1]),
        "channels": 1 if image.ndim == 2 else int(image.shape[2]),
        "dtype": _dtype_name(image.dtype),
    }


_DTYPE_NAMES: dict[Any, str] = {}


def _dtype_name(dtype: Any) -> str:
    # str(dtype) runs Python code inside numpy (~7 us); meta() runs per step.
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = str(dtype)
    return name


@register("hflip", modality="image", fixed=True, geometry=f"{GEOMETRY}:hflip", apply=f"{OPS}:hflip",
          warp=f"{FUSED}:exact_settings")
def hflip(rng, drawn, meta):
    """Mirror left-right."""
    return drawn


@register("vflip", modality="image", fixed=True, geometry=f"{GEOMETRY}:vflip", apply=f"{OPS}:vflip",
          label_risk=Always("mirrors top-bottom: an upside-down 6 is a 9, and digits, text, faces and "
                            "scenes change class"),
          warp=f"{FUSED}:exact_settings")
def vflip(rng, drawn, meta):
    """Mirror top-bottom."""
    return drawn


@register("rotate", modality="image", geometry=f"{GEOMETRY}:rotate", apply=f"{OPS}:rotate",
          label_risk=LargeTurn("angle_deg"), warp=f"{FUSED}:warp_settings", params=(
    Param("angle_deg", "float", bounds=(-360, 360),
          help="degrees, counter-clockwise (required: how far to turn is the point)"),
    BORDER, FILL,
))
def rotate(rng, drawn, meta):
    """Rotate about the centre, keeping the size; corners filled per `border`."""
    return drawn


@register("random_resized_crop", modality="image", geometry=f"{GEOMETRY}:random_resized_crop",
          apply=f"{OPS}:random_resized_crop", label_risk=heavy_crop,
          warp=f"{FUSED}:resized_crop_settings", params=(
    Param("scale", "float", (0.6, 1.0), bounds=(0.01, 1.0),
          help="crop area as a fraction of the image area", draw=False),
    Param("ratio", "float", (0.75, 1.3333), bounds=(0.1, 10.0),
          help="crop aspect ratio (width / height), drawn log-uniformly", draw=False),
))
def random_resized_crop(rng, drawn, meta):
    """Crop a random box (area and aspect in range) and scale it back to the source size."""
    width, height = meta["width"], meta["height"]
    area = width * height
    # The recipe gives the ranges; draw them here (not via `drawn`) because
    # several tries may be needed to fit the box, as torchvision does.
    scale, ratio = span(drawn["scale"]), span(drawn["ratio"])
    for _ in range(10):
        target = area * rng.uniform(*scale)
        aspect = math.exp(rng.uniform(math.log(ratio[0]), math.log(ratio[1])))
        w = int(round(math.sqrt(target * aspect)))
        h = int(round(math.sqrt(target / aspect)))
        if 0 < w <= width and 0 < h <= height:
            x = int(rng.integers(0, width - w + 1))
            y = int(rng.integers(0, height - h + 1))
            return {"x": x, "y": y, "w": w, "h": h}
    return _central_box(width, height, ratio)


@register("brightness_contrast", modality="image", geometry=PIXELS,
          apply=f"{OPS}:brightness_contrast", lut=f"{OPS}:brightness_contrast_table", params=(
    Param("brightness", "float", (-0.2, 0.2), bounds=(-1, 1),
          help="added fraction of the full range (0.1 = +10 % of white)"),
    Param("contrast", "float", (-0.2, 0.2), bounds=(-1, 10),
          help="signed change of contrast (0.2 = pixel values x 1.2)"),
))
def brightness_contrast(rng, drawn, meta):
    """Shift brightness and scale contrast: out = in x (1 + contrast) + brightness x max."""
    return drawn


@register("grayscale", modality="image", fixed=True, geometry=PIXELS, apply=f"{OPS}:grayscale")
def grayscale(rng, drawn, meta):
    """Replace colour by its luma in every channel; the mode (RGB, RGBA) is kept."""
    return drawn


@register("gaussian_blur", modality="image", geometry=PIXELS, apply=f"{OPS}:gaussian_blur", params=(
    Param("sigma", "float", (0.5, 1.5), bounds=(0, 50), help="standard deviation in pixels"),
    Param("kernel", "int", 0, bounds=(0, 99), draw=False,
          help="window side in pixels, odd (an even bound is rounded up); 0 = from sigma "
               "(3 sigma each side)"),
))
def gaussian_blur(rng, drawn, meta):
    """Blur with a Gaussian kernel of the drawn sigma, in a window of the drawn size."""
    kernel = drawn["kernel"]
    return {**drawn, "kernel": 0 if kernel in (0, (0, 0)) else odd_size(rng, kernel)}


def odd_size(rng, value) -> int:
    """An odd size drawn uniformly among the odd values of the range (so
    [3, 5] gives 3 or 5 evenly, not 5 twice as often)."""
    low, high = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    odd = range(low | 1, (high | 1) + 1, 2)
    return int(odd[int(rng.integers(len(odd)))])


def _central_box(width: int, height: int, ratio: tuple[float, float]) -> dict[str, int]:
    """Fallback when no random box fits: the largest central box within ratio."""
    aspect = width / height
    if aspect < ratio[0]:
        w, h = width, int(round(width / ratio[0]))
    elif aspect > ratio[1]:
        w, h = int(round(height * ratio[1])), height
    else:
        w, h = width, height
    return {"x": (width - w) // 2, "y": (height - h) // 2, "w": w, "h": h}
