"""Colour image transforms: hue/saturation/value, jitter, gamma, histogram
and tone operations, channel games. The maths is in `image_colour_ops.py`.

All of them change colour channels only: alpha is kept as it is. Point
operations on 16-bit images use a 65,536-entry table, so the full range is
kept exactly.
"""

from __future__ import annotations

from augment_cli.modalities.image.transforms.risks import Always
from augment_cli.registry import PIXELS, Param, register

OPS = "augment_cli.modalities.image.transforms.colour_ops"


@register("hue_saturation_value", modality="image", geometry=PIXELS,
          apply=f"{OPS}:hue_saturation_value", params=(
    Param("hue_shift_deg", "float", (-20.0, 20.0), bounds=(-180, 180),
          help="hue rotation in degrees"),
    Param("saturation", "float", (-0.3, 0.3), bounds=(-1, 10),
          help="signed change of saturation (0.3 = x 1.3)"),
    Param("value", "float", (-0.2, 0.2), bounds=(-1, 10),
          help="signed change of value/brightness (0.2 = x 1.2)"),
))
def hue_saturation_value(rng, drawn, meta):
    """Shift hue and scale saturation and value in HSV space."""
    return drawn


@register("color_jitter", modality="image", geometry=PIXELS, apply=f"{OPS}:color_jitter", params=(
    Param("brightness", "float", (-0.2, 0.2), bounds=(-1, 10),
          help="signed change of brightness (0.2 = x 1.2)"),
    Param("contrast", "float", (-0.2, 0.2), bounds=(-1, 10),
          help="signed change of contrast around the mean grey"),
    Param("saturation", "float", (-0.2, 0.2), bounds=(-1, 10),
          help="signed change of saturation (-1 = grey)"),
    Param("hue", "float", (-0.05, 0.05), bounds=(-0.5, 0.5),
          help="hue rotation as a fraction of a full turn"),
))
def color_jitter(rng, drawn, meta):
    """Jitter brightness, contrast, saturation and hue in a random order (torchvision ColorJitter)."""
    order = [("brightness", "contrast", "saturation", "hue")[i] for i in rng.permutation(4)]
    return {**drawn, "order": order}


@register("gamma", modality="image", fixed=True, geometry=PIXELS, apply=f"{OPS}:gamma",
          lut=f"{OPS}:gamma_table", params=(
    Param("gamma", "float", (0.8, 1.25), bounds=(0.01, 10),
          help="out = in ^ gamma on the 0..1 scale (< 1 brightens)"),
))
def gamma(rng, drawn, meta):
    """Gamma curve on each colour channel."""
    return drawn


@register("clahe", modality="image", geometry=PIXELS, apply=f"{OPS}:clahe", params=(
    Param("clip_limit", "float", (1.0, 4.0), bounds=(0.1, 100),
          help="contrast limit of each tile's histogram"),
    Param("tiles", "int", 8, bounds=(1, 64), help="tiles per side of the grid"),
))
def clahe(rng, drawn, meta):
    """Contrast-limited adaptive histogram equalisation of the luma (colours kept)."""
    return drawn


@register("equalize", modality="image", fixed=True, geometry=PIXELS, apply=f"{OPS}:equalize")
def equalize(rng, drawn, meta):
    """Histogram equalisation of each colour channel."""
    return drawn


@register("auto_contrast", modality="image", fixed=True, geometry=PIXELS,
          apply=f"{OPS}:auto_contrast", params=(
    Param("cutoff", "float", 0.0, bounds=(0, 49),
          help="percent of darkest and lightest pixels ignored per channel"),
))
def auto_contrast(rng, drawn, meta):
    """Stretch each colour channel so its darkest pixel is black and its lightest white."""
    return drawn


@register("posterize", modality="image", fixed=True, geometry=PIXELS, apply=f"{OPS}:posterize",
          lut=f"{OPS}:posterize_table", params=(
    Param("bits", "int", (4, 8), bounds=(1, 16),
          help="bits kept per channel (2^bits levels), whatever the bit depth"),
))
def posterize(rng, drawn, meta):
    """Keep only the top `bits` bits of each colour channel."""
    return drawn


@register("solarize", modality="image", fixed=True, geometry=PIXELS, apply=f"{OPS}:solarize",
          lut=f"{OPS}:solarize_table", params=(
    Param("threshold", "float", (0.5, 1.0), bounds=(0, 1),
          help="fraction of the full range above which pixels are inverted"),
))
def solarize(rng, drawn, meta):
    """Invert every colour value at or above the threshold."""
    return drawn


@register("invert", modality="image", fixed=True, geometry=PIXELS, apply=f"{OPS}:invert",
          lut=f"{OPS}:invert_table")
def invert(rng, drawn, meta):
    """Negative: every colour value v becomes max - v."""
    return drawn


@register("channel_shuffle", modality="image", geometry=PIXELS, apply=f"{OPS}:channel_shuffle",
          label_risk=Always("swaps colour channels: wrong where colour defines the class (ripe or "
                            "unripe fruit, traffic lights, stains)"))
def channel_shuffle(rng, drawn, meta):
    """Reorder the colour channels at random (alpha stays last; grey images unchanged)."""
    colours = 3 if meta["channels"] >= 3 else 1
    return {"order": [int(i) for i in rng.permutation(colours)]}


@register("sepia", modality="image", fixed=True, geometry=PIXELS, apply=f"{OPS}:sepia", params=(
    Param("strength", "float", 1.0, bounds=(0, 1), help="blend between the source (0) and full sepia (1)"),
))
def sepia(rng, drawn, meta):
    """Brown-tinted monochrome (the classic sepia matrix); needs an RGB(A) image."""
    return drawn


@register("to_gray", modality="image", fixed=True, geometry=PIXELS, apply=f"{OPS}:to_gray", params=(
    Param("method", "choice", "weighted", choices=("weighted", "average", "lightness", "max"),
          help="weighted = ITU-R 601 luma, average = mean of R, G, B, "
               "lightness = (max + min) / 2, max = brightest channel"),
))
def to_gray(rng, drawn, meta):
    """Grey by the chosen method, written to every colour channel (mode kept)."""
    return drawn
