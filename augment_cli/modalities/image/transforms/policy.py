"""Augmentation policies built from registered transforms: `randaugment`
(n ops at magnitude m, Cubuk et al. 2019) and `trivial_augment` (one op at a
random magnitude, Muller & Hutter 2021, "wide" ranges).

A policy is itself a transform: its sampler picks the ops and fully samples
each one through that op's own spec, and records them, so the manifest shows
exactly which transforms ran with which parameters, and replay is exact.
Magnitude m runs 0..30 as in torchvision; each op maps it onto its own
parameter (e.g. rotate_deg = +-30 x m/30) with a random sign where it has one.
"""

from __future__ import annotations

from typing import Any

from augment_cli import registry
from augment_cli.modalities.image.transforms.core import BORDER, FILL
from augment_cli.registry import Param, register, significant

OPS = "augment_cli.modalities.image.transforms.policy_ops"
GEOMETRY = "augment_cli.modalities.image.transforms.point_maps"
MAX_MAGNITUDE = 30
NEUTRAL_AFFINE = {"scale": 1.0, "translate_x": 0.0, "translate_y": 0.0, "rotate_deg": 0.0,
                  "shear_x_deg": 0.0, "shear_y_deg": 0.0, "interpolation": "linear"}
NEUTRAL_JITTER = {"brightness": 0.0, "contrast": 0.0, "saturation": 0.0, "hue": 0.0}
# Strength of each op at full magnitude: torchvision's RandAugment and its
# TrivialAugmentWide ranges (translation as a fraction of the size).
RANGES = {
    "standard": {"shear_deg": 16.7, "translate": 0.45, "rotate_deg": 30.0, "enhance": 0.9,
                 "posterize_low": 4},
    "wide": {"shear_deg": 44.7, "translate": 0.14, "rotate_deg": 135.0, "enhance": 0.99,
             "posterize_low": 2},
}
OP_NAMES = ("shear_x", "shear_y", "translate_x", "translate_y", "rotate", "brightness", "color",
            "contrast", "sharpness", "posterize", "solarize", "auto_contrast", "equalize")


def op_values(op: str, f: float, sign: float, r: dict[str, float]) -> tuple[str, dict[str, Any]]:
    """Transform name and recipe values for `op` at magnitude fraction f (0..1)."""
    affine = {"shear_x": ("shear_x_deg", r["shear_deg"]), "shear_y": ("shear_y_deg", r["shear_deg"]),
              "translate_x": ("translate_x", r["translate"]),
              "translate_y": ("translate_y", r["translate"]),
              "rotate": ("rotate_deg", r["rotate_deg"])}
    if op in affine:
        key, full = affine[op]
        return "affine", {**NEUTRAL_AFFINE, key: significant(sign * f * full)}
    jitter = {"brightness": "brightness", "color": "saturation", "contrast": "contrast"}
    if op in jitter:
        return "color_jitter", {**NEUTRAL_JITTER, jitter[op]: significant(sign * f * r["enhance"])}
    if op == "sharpness":
        return "sharpen", {"amount": significant(f * r["enhance"] * 2), "sigma": 1.0}
    if op == "posterize":
        return "posterize", {"bits": int(round(8 - f * (8 - r["posterize_low"])))}
    if op == "solarize":
        return "solarize", {"threshold": significant(1.0 - f)}
    return op, {"cutoff": 0.0} if op == "auto_contrast" else {}


def sample_ops(rng, meta, count: int, magnitude: int, ranges: str, shared: dict) -> list[dict]:
    """Pick `count` ops (with replacement) and sample each through its spec."""
    ops = []
    for _ in range(count):
        op = OP_NAMES[int(rng.integers(len(OP_NAMES)))]
        sign = 1.0 if rng.random() < 0.5 else -1.0
        name, values = op_values(op, magnitude / MAX_MAGNITUDE, sign, RANGES[ranges])
        spec = registry.require("image", name)
        defaults = {p.name: p.default for p in spec.params if not p.required}
        values = {**defaults, **{k: v for k, v in shared.items() if spec.param(k)}, **values}
        params = spec.sampler(rng, registry.draw(rng, spec, values), meta)
        ops.append({"transform": name, "params": params})
    return ops


@register("randaugment", modality="image", geometry=f"{GEOMETRY}:policy", apply=f"{OPS}:apply_ops", params=(
    Param("n", "int", 2, bounds=(1, 10), ranged=False, help="ops applied per copy"),
    Param("magnitude", "int", 9, bounds=(0, MAX_MAGNITUDE), help="strength of every op, 0..30"),
    BORDER, FILL,
))
def randaugment(rng, drawn, meta):
    """RandAugment: n ops drawn from 13 (affine, colour, tone), all at magnitude m."""
    shared = {"border": drawn["border"], "fill": drawn["fill"]}
    return {"ops": sample_ops(rng, meta, drawn["n"], drawn["magnitude"], "standard", shared)}


@register("trivial_augment", modality="image", geometry=f"{GEOMETRY}:policy",
          apply=f"{OPS}:apply_ops", params=(BORDER, FILL))
def trivial_augment(rng, drawn, meta):
    """TrivialAugment (wide): one op from randaugment's 13 at a uniformly random magnitude."""
    magnitude = int(rng.integers(MAX_MAGNITUDE + 1))
    shared = {"border": drawn["border"], "fill": drawn["fill"]}
    return {"magnitude": magnitude, "ops": sample_ops(rng, meta, 1, magnitude, "wide", shared)}
