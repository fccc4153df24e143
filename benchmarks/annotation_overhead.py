"""What moving annotations costs per copy, in process (no I/O, no codecs).

    PYTHONPATH=. python benchmarks/annotation_overhead.py [ROUNDS]

One 640x480 RGB image through hflip (p 0.5), affine, perspective (constant
borders) and random_resized_crop, as a bare array and as an Annotated with
10 objects (boxes only; box + polygon; box + per-object mask) or a semantic
mask. Prints the best of ROUNDS (default 7) means over 40 copies, in ms per
copy: the difference to `plain` is what the annotations add.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from augment_cli.annotations.model import Annotated, Object, Targets
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps

RECIPE = """
[[image]]
transform = "hflip"
p = 0.5
[[image]]
transform = "affine"
border = "constant"
[[image]]
transform = "perspective"
border = "constant"
[[image]]
transform = "random_resized_crop"
"""
HEIGHT, WIDTH, OBJECTS, COPIES = 480, 640, 10, 40


def objects(kind: str, rng: np.random.Generator) -> list[Object]:
    found = []
    for _ in range(OBJECTS):
        x, y = rng.uniform(0, WIDTH - 80), rng.uniform(0, HEIGHT - 80)
        box = np.array([x, y, x + 60, y + 50])
        corners = np.array([[x, y], [x + 60, y], [x + 60, y + 50], [x, y + 50]])
        polygon = [corners] if kind == "polygon" else []
        mask = None
        if kind == "mask":
            mask = np.zeros((HEIGHT, WIDTH), bool)
            mask[int(y):int(y) + 50, int(x):int(x) + 60] = True
        found.append(Object(1, box=box, polygons=polygon, mask=mask))
    return found


def per_copy_ms(data, recipe_steps) -> float:
    start = time.perf_counter()
    for seed in range(COPIES):
        steps.augment(data, recipe_steps, "image", np.random.SeedSequence(seed))
    return (time.perf_counter() - start) / COPIES * 1e3


def main(rounds: int) -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    recipe_steps = parse_recipe(RECIPE, "overhead.toml").steps_for("image")
    cases = {"plain": image, **{kind: Annotated(image, Targets(objects(kind, rng)))
                                for kind in ("box", "polygon", "mask")},
             "semantic": Annotated(image, Targets([], mask=np.zeros((HEIGHT, WIDTH), np.uint8)))}
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(rounds):  # interleaved, so the machine's noise hits every case alike
        for name, data in cases.items():
            best[name] = min(best[name], per_copy_ms(data, recipe_steps))
    for name, ms in best.items():
        print(f"{name:9s} {ms:6.2f} ms/copy")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
