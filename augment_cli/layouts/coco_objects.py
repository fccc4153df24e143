"""COCO annotation dicts <-> Objects in pixels.

Boxes are [x, y, w, h] in pixels; `segmentation` is a list of polygons (flat
[x1, y1, x2, y2, ...]) or an RLE mask (`counts` a list, or the compressed
string), decoded and encoded with pycocotools; an RLE mask is written back
as compressed RLE. `keypoints` are flat (x, y, v) triples. Everything else
an annotation carries (iscrowd, attributes) is kept as it was; `area` is
recomputed from what is written (mask, polygons, else box), as COCO does.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from augment_cli.annotations.model import Object
from augment_cli.errors import SampleError
from augment_cli.layouts.annotated import check_box

RLE = "coco_rle"  # Object.extra: the segmentation came (and goes back) as RLE
COMPUTED = ("id", "image_id", "category_id", "bbox", "segmentation", "area", "keypoints", "num_keypoints")
INTERNAL = ("name", RLE)
DECIMALS = 2


def to_object(ann: dict[str, Any], categories: dict[int, str], size: tuple[int, int], where: str) -> Object:
    """One annotation as an Object; SampleError naming `where` (file and annotation id)."""
    category = ann.get("category_id")
    if not isinstance(category, int) or category not in categories:
        raise SampleError(f"{where}: category_id {category!r} is not one of the file's categories")
    obj = Object(category, extra={k: v for k, v in ann.items() if k not in COMPUTED})
    obj.extra["name"] = categories[category]
    segmentation = ann.get("segmentation")
    if isinstance(segmentation, dict):
        obj.mask = _decode_rle(segmentation, size, where)
        obj.extra[RLE] = True
    elif segmentation:
        obj.polygons = _polygons(segmentation, where)
    if "bbox" in ann:
        x, y, w, h = _numbers(ann["bbox"], where, "bbox", 4)
        obj.box = np.array([x, y, x + w, y + h])
    else:
        obj.box = _tight_box(obj)
    if obj.box is not None:
        check_box(tuple(obj.box), size, where)
    if ann.get("keypoints"):
        values = _numbers(ann["keypoints"], where, "keypoints")
        if len(values) % 3:
            raise SampleError(f"{where}: keypoints need (x, y, v) triples, found {len(values)} values")
        obj.keypoints = np.array(values, dtype=np.float64).reshape(-1, 3)
    return obj


def to_annotation(obj: Object, size: tuple[int, int]) -> dict[str, Any]:
    """The annotation dict of a copy's object (without id and image_id, which the
    dataset file assigns), area recomputed."""
    from pycocotools import mask as coco_mask

    width, height = size
    ann: dict[str, Any] = {"category_id": obj.category}
    area = 0.0
    if obj.mask is not None:
        rle = coco_mask.encode(np.asfortranarray(obj.mask.astype(np.uint8)))
        ann["segmentation"] = {"size": [height, width], "counts": rle["counts"].decode("ascii")}
        area = float(coco_mask.area(rle))
    elif obj.polygons:
        polygons = [[round(float(v), DECIMALS) for v in p.ravel()] for p in obj.polygons if len(p) >= 3]
        ann["segmentation"] = polygons
        if polygons:
            area = float(coco_mask.area(coco_mask.merge(coco_mask.frPyObjects(polygons, height, width))))
    box = obj.box if obj.box is not None else _tight_box(obj)
    if box is not None:
        x0, y0, x1, y1 = (float(v) for v in box)
        ann["bbox"] = [round(v, DECIMALS) for v in (x0, y0, x1 - x0, y1 - y0)]
        area = area if "segmentation" in ann else (x1 - x0) * (y1 - y0)
    ann["area"] = round(area, DECIMALS)
    if obj.keypoints is not None:
        ann["keypoints"] = [_keypoint_value(i, v) for point in obj.keypoints for i, v in enumerate(point)]
        ann["num_keypoints"] = int(np.count_nonzero(obj.keypoints[:, 2] > 0))
    ann.update((k, v) for k, v in obj.extra.items() if k not in INTERNAL)
    return ann


def _keypoint_value(position: int, value: float) -> float | int:
    return int(value) if position == 2 else round(float(value), DECIMALS)


def _decode_rle(segmentation: dict[str, Any], size: tuple[int, int], where: str) -> np.ndarray:
    from pycocotools import mask as coco_mask

    width, height = size
    if segmentation.get("size") != [height, width]:
        raise SampleError(f"{where}: the RLE size {segmentation.get('size')!r} is not the image's "
                          f"[{height}, {width}]")
    counts = segmentation.get("counts")
    try:
        if isinstance(counts, list):
            rle = coco_mask.frPyObjects(segmentation, height, width)
        elif isinstance(counts, str):
            rle = {"size": [height, width], "counts": counts.encode("ascii")}
        else:
            raise ValueError("counts must be a list or a string")
        with warnings.catch_warnings():  # pycocotools' own use of numpy 2's __array__ protocol
            warnings.simplefilter("ignore", DeprecationWarning)
            return coco_mask.decode(rle).astype(bool)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise SampleError(f"{where}: the RLE segmentation does not decode ({exc})") from None


def _polygons(segmentation: Any, where: str) -> list[np.ndarray]:
    if not isinstance(segmentation, list):
        raise SampleError(f"{where}: segmentation must be a list of polygons or an RLE mask")
    polygons = []
    for polygon in segmentation:
        values = _numbers(polygon, where, "segmentation")
        if len(values) % 2:
            raise SampleError(f"{where}: a polygon has an odd number of values ({len(values)})")
        if len(values) < 6:
            raise SampleError(f"{where}: a polygon needs 3 or more points, found {len(values) // 2}")
        polygons.append(np.array(values, dtype=np.float64).reshape(-1, 2))
    return polygons


def _numbers(values: Any, where: str, key: str, count: int | None = None) -> list[float]:
    if not isinstance(values, list) or (count is not None and len(values) != count):
        raise SampleError(f"{where}: {key} must be a list of {count or 'some'} numbers")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise SampleError(f"{where}: {key} holds {value!r}, which is not a finite number")
    return [float(v) for v in values]


def _tight_box(obj: Object) -> np.ndarray | None:
    if obj.mask is not None and obj.mask.any():
        ys, xs = np.nonzero(obj.mask)
        return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64)
    if obj.polygons:
        points = np.concatenate(obj.polygons)
        return np.array([*points.min(axis=0), *points.max(axis=0)])
    return None
