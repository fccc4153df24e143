"""Annotations land where the pixels land, for every geometric image transform.

Each case runs a real recipe through `steps.augment` over many seeds on a
scene of known shapes, then replays the copy's records on a probe holding
only one shape (or one keypoint dot): that shows where the shape's pixels
really went. The moved annotations must match it: masks and polygons by
IoU, boxes containing the pixels and hugging them, keypoints within 1.5 px
of the dot's centre (or v = 0 once it left). Replaying the records on the
annotated source gives the very same annotations.
"""

from __future__ import annotations

import numpy as np
import pytest

from annotation_checks import (
    assert_same_targets,
    check_keypoints,
    check_object,
    check_semantic,
    object_of,
)
from annotation_scenes import Scene, where_it_landed
from augment_cli import registry
from augment_cli.annotations.model import Annotated
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps
from paths import PROJECT_ROOT

SEEDS = range(40)
# Constant borders: a reflected border shows mirrored copies of shapes that
# no annotation can follow (docs/annotations.md says so).
RECIPES = {
    "hflip": "",
    "vflip": "",
    "rotate": 'angle_deg = [-45, 45]\nborder = "constant"',
    "affine": ('scale = [0.8, 1.25]\ntranslate_x = [-0.15, 0.15]\ntranslate_y = [-0.15, 0.15]\n'
               'rotate_deg = [-30, 30]\nshear_x_deg = [-12, 12]\nshear_y_deg = [-12, 12]\n'
               'border = "constant"'),
    "perspective": 'distortion = [0.05, 0.15]\nborder = "constant"',
    "elastic": 'border = "constant"',
    "random_crop": "height = 60\nwidth = 70",
    "center_crop": 'height = 100\nwidth = 130\nborder = "constant"',
    "pad": 'top = [0, 12]\nbottom = [0, 5]\nleft = [0, 12]\nright = [0, 7]\nborder = "constant"',
    "resize": "height = 50\nwidth = 150",
    "random_resized_crop": "scale = [0.3, 1.0]",
    "randaugment": 'n = 3\nmagnitude = [5, 20]\nborder = "constant"',
    "trivial_augment": 'border = "constant"',
}
def recipe_steps(transform: str) -> tuple:
    text = f'[[image]]\ntransform = "{transform}"\n{RECIPES[transform]}\n'
    return parse_recipe(text, "follow.toml").steps_for("image")


def copy_of(scene: Scene, transform: str, seed: int) -> tuple[Annotated, list]:
    return steps.augment(scene.annotated(), recipe_steps(transform), "image", np.random.SeedSequence(seed))


def replayed(probe: np.ndarray, records: list) -> np.ndarray:
    """The probe moved as the copy's pixels were (value-only ops, e.g. a
    policy's solarize, left out: they would repaint the probe, not move it)."""
    out = steps.replay(probe, moving_only(records), "image")
    return out if out.ndim == 2 else out[..., 0]


def moving_only(records: list) -> list:
    kept = []
    for record in records:
        if registry.require("image", record["transform"]).geometry == registry.PIXELS:
            continue
        if "ops" in record["params"]:
            record = {**record, "params": {**record["params"], "ops": moving_only(record["params"]["ops"])}}
        kept.append(record)
    return kept


@pytest.mark.parametrize("transform", sorted(RECIPES))
def test_annotations_follow_the_pixels(transform):
    scene = Scene()
    for seed in SEEDS:
        out, records = copy_of(scene, transform, seed)
        check_copy(scene, out, records, f"{transform} seed {seed}")


def check_copy(scene: Scene, out: Annotated, records: list, where: str) -> None:
    landed = [where_it_landed(replayed(scene.probe(i), records)) for i in range(len(scene.shapes))]
    for category, pixels in enumerate(landed, 1):
        check_object(object_of(out.targets, category), pixels, f"{where} class {category}")
    check_keypoints(scene, object_of(out.targets, 1), lambda k: replayed(scene.dot(k), records), where)
    check_semantic(scene, out, landed, where)


@pytest.mark.parametrize("transform", sorted(RECIPES))
def test_replay_gives_the_same_image_and_annotations(transform):
    scene = Scene()
    for seed in SEEDS[:4]:
        out, records = copy_of(scene, transform, seed)
        again = steps.replay(scene.annotated(), records, "image")
        assert np.array_equal(again.image, out.image)
        assert_same_targets(again.targets, out.targets)
        twice, _ = copy_of(scene, transform, seed)
        assert_same_targets(twice.targets, out.targets)


def test_every_geometric_transform_is_checked_here_or_in_the_mixing_tests():
    """A new geometric transform fails this until it has a recipe above."""
    mixing = {s.name for s in registry.specs("image") if s.uses_partners}
    geometric = {s.name for s in registry.specs("image") if s.geometry != registry.PIXELS}
    assert geometric - mixing == set(RECIPES)


def test_docs_say_how_every_geometric_transform_moves_annotations():
    text = (PROJECT_ROOT / "docs" / "annotations.md").read_text(encoding="utf-8")
    geometric = [s.name for s in registry.specs("image") if s.geometry != registry.PIXELS]
    missing = [name for name in geometric if f"`{name}`" not in text]
    assert not missing, f"docs/annotations.md does not say how these move annotations: {missing}"
