"""Checks that a copy's annotations match where its shapes' pixels landed
(tests/annotations): see annotation_scenes for the scenes and probes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from annotation_scenes import Scene, centroid, iou, rasterised, tight_box
from augment_cli.annotations.model import Annotated, Object, Targets
from augment_cli.annotations.polygons import Rect

MEASURABLE_PX = 40   # fewer landed pixels than this: too small a sliver to compare shapes
SLIVER_PX = 12       # a dropped object may have left at most this many pixels behind
MIN_IOU = 0.8
# A box edge may sit this far outside the landed pixels' tight box: 2 px,
# plus 5 % of the side for a zoomed sharp corner (pixel centres stop short of it).
BOX_SLACK_PX, BOX_SLACK_FRACTION = 2.0, 0.05
KEYPOINT_PX = 1.5
INTACT_DOT = 250


def object_of(targets: Targets, category: int) -> Object | None:
    return next((o for o in targets.objects if o.category == category), None)


def check_object(obj: Object | None, landed: np.ndarray, where: str, covered: bool = False) -> None:
    """`covered`: something was painted over part of it (cutmix), so its box
    and polygons keep its whole extent: only its mask must match what shows."""
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
    assert covered or outside.max() <= slack, f"{where}: box {obj.box} is loose around {tight}"
    height, width = landed.shape
    if obj.polygons and not covered:
        assert matches(rasterised(obj.polygons, width, height), landed), f"{where}: polygon"
    if obj.mask is not None:
        assert matches(obj.mask, landed), f"{where}: mask"


def matches(region: np.ndarray, landed: np.ndarray) -> bool:
    """IoU of at least MIN_IOU, or (a sliver, where soft edges weigh more) each
    within one pixel of the other."""
    close = within_a_pixel(region, landed) and within_a_pixel(landed, region)
    return iou(region, landed) >= MIN_IOU or close


def within_a_pixel(inner: np.ndarray, outer: np.ndarray) -> bool:
    grown = np.pad(outer, 1)
    grown = np.logical_or.reduce([np.roll(np.roll(grown, dy, 0), dx, 1)
                                  for dy in (-1, 0, 1) for dx in (-1, 0, 1)])[1:-1, 1:-1]
    return bool((inner <= grown).all())


def check_keypoints(scene: Scene, obj: Object | None, moved_dot: Callable[[int], np.ndarray],
                    where: str, edges: list[Rect] | None = None) -> None:
    """`moved_dot(k)`: keypoint k's dot, moved as the copy's pixels were.
    `edges`: the rectangles whose borders cut dots (default: the image)."""
    if obj is None:
        return
    assert obj.keypoints.shape == scene.keypoints().shape, f"{where}: keypoint count changed"
    for k in range(len(scene.keypoints())):
        dot = moved_dot(k)
        centre = centroid(dot)
        # a mirroring map permutes by flip_idx: k's dot is annotated at k or at flip_idx[k]
        candidates = [i for i in {k, scene.flip_idx[k]} if obj.keypoints[i, 2] > 0]
        rects = edges or [(0.0, 0.0, float(dot.shape[1]), float(dot.shape[0]))]
        near_edge = centre is None or min(_to_edge(centre, r) for r in rects) <= 2.0
        if centre is None or not candidates:
            # An intact dot keeps its 255 centre under bilinear sampling; one
            # that left the image along the way (a policy's first op) is a
            # dim remnant wherever later ops move it.
            cut = near_edge or dot.max() < INTACT_DOT
            assert cut, f"{where}: keypoint {k} marked outside, its dot is at {centre}"
            continue
        distance = min(np.hypot(*(obj.keypoints[i, :2] - centre)) for i in candidates)
        assert distance <= KEYPOINT_PX or near_edge, f"{where}: keypoint {k} is {distance:.2f} px off"


def _to_edge(point: np.ndarray, rect: Rect) -> float:
    """Distance from a point to the nearest side of a rectangle."""
    x, y = point
    x0, y0, x1, y1 = rect
    inside = min(abs(x - x0), abs(x1 - x), abs(y - y0), abs(y1 - y))
    return float(inside)


def check_semantic(scene: Scene, out: Annotated, landed: list[np.ndarray], where: str) -> None:
    mask = out.targets.mask
    assert mask.shape == out.image.shape[:2], where
    assert set(np.unique(mask)) <= set(range(len(scene.shapes) + 1)), f"{where}: new mask values"
    for category, pixels in enumerate(landed, 1):
        if np.count_nonzero(pixels) >= MEASURABLE_PX:
            assert matches(mask == category, pixels), f"{where}: semantic class {category}"


def assert_same_targets(a: Targets, b: Targets) -> None:
    assert (a.dropped, a.flip_idx, len(a.objects)) == (b.dropped, b.flip_idx, len(b.objects))
    assert np.array_equal(a.mask, b.mask)
    for x, y in zip(a.objects, b.objects, strict=True):
        assert x.category == y.category and x.visibility == y.visibility
        assert np.array_equal(x.box, y.box) and np.array_equal(x.keypoints, y.keypoints)
        assert np.array_equal(x.mask, y.mask)
        assert len(x.polygons) == len(y.polygons)
        assert all(np.array_equal(p, q) for p, q in zip(x.polygons, y.polygons, strict=True))


