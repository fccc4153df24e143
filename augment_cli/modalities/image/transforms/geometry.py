"""Geometric image transforms: affine, perspective, elastic, crops, pad, resize.

The maths is in `image_geometry_ops.py`. Every warp shares the `border` and
`fill` options of `image.py`, with one meaning everywhere.
"""

from __future__ import annotations

from augment_cli.modalities.image.limits import over_limit
from augment_cli.modalities.image.transforms.core import BORDER, FILL, INTERPOLATION
from augment_cli.modalities.image.transforms.risks import LargeTurn
from augment_cli.registry import Param, register, significant, span

OPS = "augment_cli.modalities.image.transforms.geometry_ops"
GEOMETRY = "augment_cli.modalities.image.transforms.point_maps"
FUSED = "augment_cli.modalities.image.transforms.fused_ops"


def _size(name: str, help_text: str) -> Param:
    return Param(name, "int", bounds=(1, 65535), ranged=False, help=help_text)


def check_output_size(values: dict) -> tuple[str, str] | None:
    """Crops and resize make exactly height x width: refused at recipe time
    over the pixel limit images are read with (see image/limits.py)."""
    problem = over_limit(values["height"], values["width"])
    return ("width", problem) if problem else None


def check_padding(values: dict) -> tuple[str, str] | None:
    """Padding that makes even a 1x1 image bigger than the pixel limit, at
    its largest draw, is refused at recipe time; per file, pad checks the
    size it would make before allocating."""
    high = {side: span(values[side])[1] for side in ("top", "bottom", "left", "right")}
    problem = over_limit(high["top"] + high["bottom"] + 1, high["left"] + high["right"] + 1)
    if problem is None:
        return None
    widest = max(high, key=lambda side: high[side])
    return widest, f"padding of up to {high[widest]} pixels per side: on a 1x1 image, {problem}"


@register("affine", modality="image", geometry=f"{GEOMETRY}:affine", apply=f"{OPS}:affine",
          label_risk=LargeTurn("rotate_deg"), warp=f"{FUSED}:warp_settings", params=(
    Param("scale", "float", (0.9, 1.1), bounds=(0.05, 20), help="zoom factor (1 = same size)"),
    Param("translate_x", "float", (-0.1, 0.1), bounds=(-1, 1),
          help="shift right as a fraction of the width"),
    Param("translate_y", "float", (-0.1, 0.1), bounds=(-1, 1),
          help="shift down as a fraction of the height"),
    Param("rotate_deg", "float", (-15.0, 15.0), bounds=(-360, 360),
          help="degrees, counter-clockwise"),
    Param("shear_x_deg", "float", 0.0, bounds=(-80, 80), help="horizontal shear in degrees"),
    Param("shear_y_deg", "float", 0.0, bounds=(-80, 80), help="vertical shear in degrees"),
    INTERPOLATION, BORDER, FILL,
))
def affine(rng, drawn, meta):
    """Scale, translate, rotate and shear about the centre in one warp; same size."""
    return drawn


@register("perspective", modality="image", geometry=f"{GEOMETRY}:perspective",
          apply=f"{OPS}:perspective", warp=f"{FUSED}:warp_settings", params=(
    Param("distortion", "float", (0.05, 0.1), bounds=(0, 0.5),
          help="how far each corner may move, as a fraction of the side", draw=False),
    INTERPOLATION, BORDER, FILL,
))
def perspective(rng, drawn, meta):
    """Move each corner inwards/outwards at random and warp the image to match."""
    low, high = span(drawn["distortion"])
    width, height = meta["width"], meta["height"]
    # 4 corners x (dx, dy): magnitude in the range, random direction.
    amount = rng.uniform(low, high, size=(4, 2)) * rng.choice((-1.0, 1.0), size=(4, 2))
    shifts = [[significant(dx * width), significant(dy * height)] for dx, dy in amount]
    return {"corners_px": shifts, "interpolation": drawn["interpolation"],
            "border": drawn["border"], "fill": drawn["fill"]}


@register("elastic", modality="image", geometry=f"{GEOMETRY}:elastic", apply=f"{OPS}:elastic", params=(
    Param("alpha", "float", (5.0, 12.0), bounds=(0, 1000),
          help="largest displacement of a pixel, in pixels"),
    Param("sigma", "float", (8.0, 12.0), bounds=(1, 200),
          help="smoothness of the displacement field, in pixels"),
    INTERPOLATION, BORDER, FILL,
))
def elastic(rng, drawn, meta):
    """Elastic deformation: a smooth random displacement field (seeded) moves every pixel."""
    return {**drawn, "field_seed": int(rng.integers(2**31))}


@register("random_crop", modality="image", geometry=f"{GEOMETRY}:crop", check=check_output_size,
          apply=f"{OPS}:crop", warp=f"{FUSED}:crop_settings", params=(
    _size("height", "crop height in pixels"), _size("width", "crop width in pixels"),
    BORDER, FILL,
))
def random_crop(rng, drawn, meta):
    """Cut a box of the given size at a random place (padded per `border` if the image is smaller)."""
    x = int(rng.integers(0, max(0, meta["width"] - drawn["width"]) + 1))
    y = int(rng.integers(0, max(0, meta["height"] - drawn["height"]) + 1))
    return {**drawn, "x": x, "y": y}


@register("center_crop", modality="image", geometry=f"{GEOMETRY}:crop", check=check_output_size,
          apply=f"{OPS}:crop", warp=f"{FUSED}:crop_settings", params=(
    _size("height", "crop height in pixels"), _size("width", "crop width in pixels"),
    BORDER, FILL,
))
def center_crop(rng, drawn, meta):
    """Cut a box of the given size from the centre (padded per `border` if the image is smaller)."""
    x = max(0, meta["width"] - drawn["width"]) // 2
    y = max(0, meta["height"] - drawn["height"]) // 2
    return {**drawn, "x": x, "y": y}


@register("pad", modality="image", fixed=True, geometry=f"{GEOMETRY}:pad", check=check_padding,
          apply=f"{OPS}:pad", warp=f"{FUSED}:pad_settings", params=(
    Param("top", "int", 0, bounds=(0, 10000), help="pixels added above"),
    Param("bottom", "int", 0, bounds=(0, 10000), help="pixels added below"),
    Param("left", "int", 0, bounds=(0, 10000), help="pixels added on the left"),
    Param("right", "int", 0, bounds=(0, 10000), help="pixels added on the right"),
    BORDER, FILL,
))
def pad(rng, drawn, meta):
    """Add borders of the given widths (the image grows), filled per `border`."""
    return drawn


@register("resize", modality="image", fixed=True, geometry=f"{GEOMETRY}:resize", check=check_output_size,
          apply=f"{OPS}:resize", warp=f"{FUSED}:resize_settings", params=(
    _size("height", "output height in pixels"), _size("width", "output width in pixels"),
    INTERPOLATION,
))
def resize(rng, drawn, meta):
    """Resize to exactly height x width (area interpolation is best for shrinking)."""
    return drawn
