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

from annotation_scenes import Scene, centroid, iou, rasterised, tight_box, where_it_landed
from augment_cli import registry
from augment_cli.annotations.model import Annotated, Object, Targets
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps

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
MEASURABLE_PX = 40   # fewer landed pixels than this: too small a sliver to compare shapes
SLIVER_PX = 12       # a dropped object may have left at most this many pixels behind
MIN_IOU = 0.8
# A box edge may sit this far outside the landed pixels' tight box: 2 px,
# plus 5 % of the side for a zoomed sharp corner (pixel centres stop short of it).
BOX_SLACK_PX, BOX_SLACK_FRACTION = 2.0, 0.05
KEYPOINT_PX = 1.5
INTACT_DOT = 250


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


def object_of(targets: Targets, category: int) -> Object | None:
    return next((o for o in targets.objects if o.category == category), None)


def check_object(obj: Object | None, landed: np.ndarray, where: str) -> None:
    count = int(np.count_nonzero(landed))
    if obj is None:
        assert count <= SLIVER_PX, f"{where}: dropped, but {count} of its pixels are in the image"
        return
    assert 0 < obj.visibility <= 1 + 1e-9, where
    if count < MEASURABLE_PX:
        return
    tight = tight_box(landed)
    assert obj.box is not None
    outside = np.array([tight[0] - obj.box[0], tight[1] - obj.box[1],
                        obj.box[2] - tight[2], obj.box[3] - tight[3]])
    assert outside.min() >= -1.0, f"{where}: box {obj.box} misses pixels of {tight}"
    slack = BOX_SLACK_PX + BOX_SLACK_FRACTION * (tight[2:] - tight[:2]).max()
    assert outside.max() <= slack, f"{where}: box {obj.box} is loose around {tight}"
    height, width = landed.shape
    if obj.polygons:
        assert iou(rasterised(obj.polygons, width, height), landed) >= MIN_IOU, f"{where}: polygon"
    if obj.mask is not None:
        assert iou(obj.mask, landed) >= MIN_IOU, f"{where}: mask"


def check_keypoints(scene: Scene, obj: Object | None, records: list, where: str) -> None:
    if obj is None:
        return
    assert obj.keypoints.shape == scene.keypoints().shape, f"{where}: keypoint count changed"
    for k in range(len(scene.keypoints())):
        dot = replayed(scene.dot(k), records)
        centre = centroid(dot)
        # a mirroring map permutes by flip_idx: k's dot is annotated at k or at flip_idx[k]
        candidates = [i for i in {k, scene.flip_idx[k]} if obj.keypoints[i, 2] > 0]
        near_edge = centre is None or _to_edge(centre, dot.shape) <= 2.0
        if centre is None or not candidates:
            # An intact dot keeps its 255 centre under bilinear sampling; one
            # that left the image along the way (a policy's first op) is a
            # dim remnant wherever later ops move it.
            cut = near_edge or dot.max() < INTACT_DOT
            assert cut, f"{where}: keypoint {k} marked outside, its dot is at {centre}"
            continue
        distance = min(np.hypot(*(obj.keypoints[i, :2] - centre)) for i in candidates)
        assert distance <= KEYPOINT_PX or near_edge, f"{where}: keypoint {k} is {distance:.2f} px off"


def _to_edge(point: np.ndarray, shape: tuple[int, ...]) -> float:
    x, y = point
    return float(min(x, shape[1] - x, y, shape[0] - y))


def check_semantic(scene: Scene, out: Annotated, landed: list[np.ndarray], where: str) -> None:
    mask = out.targets.mask
    assert mask.shape == out.image.shape[:2], where
    assert set(np.unique(mask)) <= set(range(len(scene.shapes) + 1)), f"{where}: new mask values"
    for category, pixels in enumerate(landed, 1):
        if np.count_nonzero(pixels) >= MEASURABLE_PX:
            assert iou(mask == category, pixels) >= MIN_IOU, f"{where}: semantic class {category}"


@pytest.mark.parametrize("transform", sorted(RECIPES))
def test_annotations_follow_the_pixels(transform):
    scene = Scene()
    for seed in SEEDS:
        out, records = copy_of(scene, transform, seed)
        landed = [where_it_landed(replayed(scene.probe(i), records)) for i in range(len(scene.shapes))]
        for category, pixels in enumerate(landed, 1):
            check_object(object_of(out.targets, category), pixels, f"{transform} seed {seed} class {category}")
        check_keypoints(scene, object_of(out.targets, 1), records, f"{transform} seed {seed}")
        check_semantic(scene, out, landed, f"{transform} seed {seed}")


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


def assert_same_targets(a: Targets, b: Targets) -> None:
    assert (a.dropped, a.flip_idx, len(a.objects)) == (b.dropped, b.flip_idx, len(b.objects))
    assert np.array_equal(a.mask, b.mask)
    for x, y in zip(a.objects, b.objects, strict=True):
        assert x.category == y.category and x.visibility == y.visibility
        assert np.array_equal(x.box, y.box) and np.array_equal(x.keypoints, y.keypoints)
        assert np.array_equal(x.mask, y.mask)
        assert len(x.polygons) == len(y.polygons)
        assert all(np.array_equal(p, q) for p, q in zip(x.polygons, y.polygons, strict=True))


def test_every_geometric_transform_is_checked_here_or_in_the_mixing_tests():
    """A new geometric transform fails this until it has a recipe above."""
    mixing = {s.name for s in registry.specs("image") if s.uses_partners}
    geometric = {s.name for s in registry.specs("image") if s.geometry != registry.PIXELS}
    assert geometric - mixing == set(RECIPES)
