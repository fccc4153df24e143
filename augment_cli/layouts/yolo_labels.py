"""YOLO label lines <-> Objects in pixels (Ultralytics' text format).

One line per object, every value normalised to 0..1 of the image size:
detection `class cx cy w h`, segmentation `class x1 y1 x2 y2 ...` (one
polygon), pose `class cx cy w h px py [v] ...` (kpt_shape from data.yaml).
Written back with coordinates clamped into 0..1, which Ultralytics requires.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from augment_cli.annotations.model import Object
from augment_cli.errors import SampleError
from augment_cli.layouts.annotated import check_box, number

if TYPE_CHECKING:
    from augment_cli.layouts.yolo import Classes

KPT_DIMS = "yolo_kpt_dims"  # Object.extra: 2 or 3 values per keypoint in the file


def parse_labels(text: str, classes: Classes, size: tuple[int, int], shown: str) -> list[Object]:
    """The objects of a label file; SampleError naming `shown` and the line."""
    objects = []
    for number_, line in enumerate(text.splitlines(), 1):
        if line.strip():
            objects.append(_parse_line(line.split(), classes, size, f"{shown}:{number_}"))
    return objects


def _parse_line(tokens: list[str], classes: Classes, size: tuple[int, int], where: str) -> Object:
    values = [_value(token, where) for token in tokens]
    category = _class_id(values[0], tokens[0], classes, where)
    rest = values[1:]
    width, height = size
    obj = Object(category, extra={"name": classes.names[category]})
    if classes.kpt_shape is not None:
        count, dims = classes.kpt_shape
        if len(rest) != 4 + count * dims:
            raise SampleError(f"{where}: a pose line needs 4 box values and {count}x{dims} keypoint "
                              f"values ({4 + count * dims}), found {len(rest)}")
        obj.box = _box(rest[:4], size, where)
        points = np.array(rest[4:], dtype=np.float64).reshape(count, dims)
        visible = points[:, 2] if dims == 3 else np.full(count, 2.0)
        obj.keypoints = np.column_stack([points[:, 0] * width, points[:, 1] * height, visible])
        obj.extra[KPT_DIMS] = dims
    elif len(rest) == 4:
        obj.box = _box(rest, size, where)
    elif len(rest) % 2:
        raise SampleError(f"{where}: a polygon needs an even number of coordinates, found {len(rest)}")
    elif len(rest) < 6:
        raise SampleError(f"{where}: expected 4 box values or a polygon of 3 or more points, "
                          f"found {len(rest)} values")
    else:
        polygon = np.array(rest, dtype=np.float64).reshape(-1, 2) * (width, height)
        obj.polygons = [polygon]
        obj.box = np.array([*polygon.min(axis=0), *polygon.max(axis=0)])
        check_box(tuple(obj.box), size, where)
    return obj


def _value(token: str, where: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise SampleError(f"{where}: {token!r} is not a number") from None
    if not math.isfinite(value):
        raise SampleError(f"{where}: {token!r} is not a finite number")
    return value


def _class_id(value: float, token: str, classes: Classes, where: str) -> int:
    if value != int(value) or int(value) not in classes.names:
        known = ", ".join(str(k) for k in sorted(classes.names))
        raise SampleError(f"{where}: class id {token} is not one of the names in data.yaml ({known})")
    return int(value)


def _box(values: list[float], size: tuple[int, int], where: str) -> np.ndarray:
    cx, cy, w, h = values
    width, height = size
    box = np.array([(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height])
    check_box(tuple(box), size, where)
    return box


def format_labels(objects: list[Object], size: tuple[int, int]) -> str:
    """The label file of a copy's objects (empty for a background image)."""
    return "".join(_format(obj, size) + "\n" for obj in objects)


def _format(obj: Object, size: tuple[int, int]) -> str:
    width, height = size
    if obj.polygons and obj.keypoints is None:
        polygon = max(obj.polygons, key=_area)  # a YOLO line holds one polygon: the largest part
        values = (polygon / (width, height)).clip(0, 1).ravel()
        return " ".join([str(obj.category), *map(number, values)])
    fields = [str(obj.category), *map(number, _normalised_box(obj, size))]
    if obj.keypoints is not None:
        dims = obj.extra.get(KPT_DIMS, 3)
        for x, y, v in obj.keypoints:
            inside = 0 <= x <= width and 0 <= y <= height
            fields += [number(min(max(x / width, 0.0), 1.0)), number(min(max(y / height, 0.0), 1.0))]
            if dims == 3:
                fields.append(str(int(v) if inside else 0))
    return " ".join(fields)


def _normalised_box(obj: Object, size: tuple[int, int]) -> list[float]:
    width, height = size
    assert obj.box is not None, "every YOLO object has a box"
    x0, y0, x1, y1 = np.clip(obj.box, 0, [width, height, width, height])
    return [(x0 + x1) / 2 / width, (y0 + y1) / 2 / height, (x1 - x0) / width, (y1 - y0) / height]


def _area(polygon: np.ndarray) -> float:
    x, y = polygon[:, 0], polygon[:, 1]
    return abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))) / 2
