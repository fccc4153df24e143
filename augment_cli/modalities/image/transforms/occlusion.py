"""Occlusion transforms: parts of the image are deleted (random erasing /
cutout, grid dropout). The sampler draws every box, so the manifest says
exactly which pixels were hidden. Maths in `image_occlusion_ops.py`.
"""

from __future__ import annotations

import math

from augment_cli.registry import PIXELS, Param, register, span

OPS = "augment_cli.modalities.image.transforms.occlusion_ops"

FILL_MODE = Param("fill_mode", "choice", "constant", choices=("constant", "random", "mean"),
                  help="constant = `fill`; random = uniform noise (seeded); mean = the image's mean colour")
FILL_VALUE = Param("fill", "int", 0, bounds=(0, 65535), ranged=False,
                   help="value of every colour channel where fill_mode = constant")


@register("random_erasing", modality="image", geometry=PIXELS, apply=f"{OPS}:random_erasing", params=(
    Param("count", "int", 1, bounds=(1, 100), help="number of boxes erased"),
    Param("area", "float", (0.02, 0.2), bounds=(0.0001, 1),
          help="area of each box as a fraction of the image", draw=False),
    Param("aspect", "float", (0.3, 3.3), bounds=(0.05, 20),
          help="box aspect ratio (width / height), drawn log-uniformly", draw=False),
    FILL_MODE, FILL_VALUE,
))
def random_erasing(rng, drawn, meta):
    """Cutout / random erasing: fill boxes of random size, shape and place."""
    width, height = meta["width"], meta["height"]
    area, aspect = span(drawn["area"]), span(drawn["aspect"])
    boxes = []
    for _ in range(drawn["count"]):
        target = width * height * rng.uniform(*area)
        ratio = math.exp(rng.uniform(math.log(aspect[0]), math.log(aspect[1])))
        w = min(width, max(1, round(math.sqrt(target * ratio))))
        h = min(height, max(1, round(math.sqrt(target / ratio))))
        x, y = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
        boxes.append([x, y, w, h])
    params = {"boxes": boxes, "fill_mode": drawn["fill_mode"], "fill": drawn["fill"]}
    if drawn["fill_mode"] == "random":
        params["noise_seed"] = int(rng.integers(2**31))
    return params


@register("grid_dropout", modality="image", geometry=PIXELS, apply=f"{OPS}:grid_dropout", params=(
    Param("ratio", "float", 0.5, bounds=(0.01, 0.99),
          help="side of each hole as a fraction of the grid cell"),
    Param("unit", "float", (0.1, 0.2), bounds=(0.01, 1),
          help="grid cell side as a fraction of the shorter image side"),
    FILL_VALUE,
))
def grid_dropout(rng, drawn, meta):
    """Drop square holes on a regular grid with a random cell size and offset."""
    unit = max(2, round(drawn["unit"] * min(meta["width"], meta["height"])))
    hole = min(unit - 1, max(1, round(drawn["ratio"] * unit)))
    return {"unit_px": unit, "hole_px": hole, "fill": drawn["fill"],
            "offset_x": int(rng.integers(unit)), "offset_y": int(rng.integers(unit))}
