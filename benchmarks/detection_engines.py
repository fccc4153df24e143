"""The detection comparison engines, each run as a whole process by detection.py:

    python3 benchmarks/detection_engines.py ENGINE SRC OUT COPIES WORKERS

SRC is a YOLO tree (data.yaml, images/train/*.jpg, labels/train/*.txt); OUT
gets the same layout with COPIES copies of every image and its label file.

floor          read + cv2.imdecode once, cv2.imencode (q95) COPIES times,
               write each with the unchanged label file: no transform, no box
               maths. What no augmenter can beat on this machine.
albumentations the leanest correct script a careful user would write:
               decode with OpenCV once, no colour conversion (every step is
               channel-order agnostic), Compose(seed=...) of the equivalent
               recipe with bbox_params=A.BboxParams(format="yolo"), one OpenCV
               thread per worker, Pool(WORKERS).imap_unordered, image + label
               txt written per copy.

The recipe (detection.py's RECIPE): hflip p=0.5; rotate +-15 deg, same size,
constant (black) border, p=0.7; brightness/contrast +-0.2 p=0.5;
random_resized_crop scale 0.6-1.0, ratio 3/4-4/3, back to the source size,
p=0.5; JPEG quality 95.
"""

from __future__ import annotations

import os
import shutil
import sys
from multiprocessing import Pool
from pathlib import Path

QUALITY = 95
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # no version-check request


def _images(src: Path) -> list[Path]:
    return sorted((src / "images" / "train").glob("*.jpg"))


def _label_of(src: Path, image: Path) -> Path:
    return src / "labels" / "train" / f"{image.stem}.txt"


def _targets(out: Path, image: Path, k: int) -> tuple[Path, Path]:
    name = f"{image.stem}__aug{k}"
    return out / "images" / "train" / f"{name}.jpg", out / "labels" / "train" / f"{name}.txt"


def _init_cv2() -> None:
    import cv2

    cv2.setNumThreads(1)  # one thread per worker process: the pool is the parallelism


def _decode(path: Path):
    import cv2
    import numpy as np

    return cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)


def _encode(image, target: Path) -> None:
    import cv2

    ok, blob = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
    assert ok
    target.write_bytes(blob.tobytes())


def _floor_one(task) -> int:
    src, out, path, copies = task
    image = _decode(path)
    label = _label_of(src, path).read_bytes()
    for k in range(1, copies + 1):
        image_target, label_target = _targets(out, path, k)
        _encode(image, image_target)
        label_target.write_bytes(label)
    return copies


_COMPOSE = None


def _albu_init() -> None:
    global _COMPOSE
    import albumentations as A
    import cv2

    _init_cv2()
    _COMPOSE = A.Compose(seed=os.getpid(), bbox_params=A.BboxParams(format="yolo", label_fields=["classes"]),
                         transforms=[
        A.HorizontalFlip(p=0.5),
        A.Rotate(limit=15, border_mode=cv2.BORDER_CONSTANT, fill=0, p=0.7),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.5),
        A.RandomResizedCrop(size=(480, 640), scale=(0.6, 1.0), ratio=(0.75, 1.3333), p=0.5),
    ])


def _read_boxes(label: Path) -> tuple[list[list[float]], list[int]]:
    boxes, classes = [], []
    for line in label.read_text().splitlines():
        values = line.split()
        classes.append(int(values[0]))
        boxes.append([float(v) for v in values[1:5]])
    return boxes, classes


def _albu_one(task) -> int:
    src, out, path, copies = task
    image = _decode(path)  # once; BGR kept: no step here depends on channel order
    boxes, classes = _read_boxes(_label_of(src, path))
    for k in range(1, copies + 1):
        result = _COMPOSE(image=image, bboxes=boxes, classes=classes)
        image_target, label_target = _targets(out, path, k)
        _encode(result["image"], image_target)
        label_target.write_text("".join(
            f"{int(c)} {x:.6f} {y:.6f} {w:.6f} {h:.6f}\n"
            for c, (x, y, w, h) in zip(result["classes"], result["bboxes"], strict=True)))
    return copies


def _pool_run(src: Path, out: Path, copies: int, workers: int, one, init) -> None:
    for folder in ("images", "labels"):
        (out / folder / "train").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src / "data.yaml", out / "data.yaml")
    tasks = [(src, out, path, copies) for path in _images(src)]
    with Pool(workers, initializer=init) as pool:
        done = sum(pool.imap_unordered(one, tasks, chunksize=4))
    assert done == copies * len(tasks)


def main() -> None:
    engine, src, out, copies, workers = sys.argv[1:6]
    engines = {"floor": (_floor_one, _init_cv2), "albumentations": (_albu_one, _albu_init)}
    if engine not in engines:
        raise SystemExit(f"unknown engine {engine}")
    _pool_run(Path(src), Path(out), int(copies), int(workers), *engines[engine])


if __name__ == "__main__":
    main()
