"""The comparison engines, each run as a whole process by run_images.py:

    python3 benchmarks/engines.py ENGINE SRC OUT COPIES WORKERS

floor          read + cv2.imdecode once, cv2.imencode (q95) COPIES times, write;
               no transform. What no augmenter can beat on this machine.
bound          the floor plus the recipe's own OpenCV calls written by hand
               (flip, getRotationMatrix2D + warpAffine, one LUT, GaussianBlur),
               nothing else: the zero-overhead bound of an unfused pipeline.
albumentations the leanest correct script a careful user would write:
               decode with OpenCV once, no colour conversion (every step is
               channel-order agnostic), Compose(seed=...) of the equivalent
               recipe, one OpenCV thread per worker, Pool(WORKERS).imap_unordered.
augmentor      Augmentor Pipeline.sample(COPIES x files), its own threads.
albumentations-geometry
               the same lean script with recipes/geometry.toml's steps
               (fusion.albumentations_compose; 640x480 sources).

The recipe everywhere: hflip p=0.5; rotate +-15 deg, same size, reflected
border, p=0.7; brightness/contrast +-0.2 p=0.5; Gaussian blur kernel 3-5
(sigma 0.8-1.1, OpenCV's sigma for those kernels) p=0.2; JPEG quality 95.
"""

from __future__ import annotations

import os
import sys
import zlib
from multiprocessing import Pool
from pathlib import Path

QUALITY = 95
os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # no version-check request


def _files(src: Path) -> list[Path]:
    return sorted(p for p in src.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


def _target(src: Path, out: Path, path: Path, k: int) -> Path:
    relative = path.relative_to(src)
    target = out / relative.parent / f"{relative.stem}__aug{k}{relative.suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _init_cv2() -> None:
    import cv2

    cv2.setNumThreads(1)  # one thread per worker process: the pool is the parallelism


def _decode(path: Path):
    import cv2
    import numpy as np

    return cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)


def _encode(image, src: Path, out: Path, path: Path, k: int) -> None:
    import cv2

    ok, blob = cv2.imencode(path.suffix, image, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
    assert ok
    _target(src, out, path, k).write_bytes(blob.tobytes())


def _floor_one(task) -> int:
    src, out, path, copies = task
    image = _decode(path)
    for k in range(1, copies + 1):
        _encode(image, src, out, path, k)
    return copies


def _bound_one(task) -> int:
    """The recipe as bare OpenCV calls, drawn with numpy: no framework at all."""
    import cv2
    import numpy as np

    src, out, path, copies = task
    image = _decode(path)
    height, width = image.shape[:2]
    rng = np.random.default_rng(zlib.crc32(path.name.encode()))
    levels = np.arange(256, dtype=np.float32)
    for k in range(1, copies + 1):
        copy = image
        if rng.random() < 0.5:
            copy = cv2.flip(copy, 1)
        if rng.random() < 0.7:
            matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), rng.uniform(-15, 15), 1)
            copy = cv2.warpAffine(copy, matrix, (width, height), flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REFLECT_101)
        if rng.random() < 0.5:
            alpha, beta = 1 + rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2) * 255
            copy = cv2.LUT(copy, np.clip(levels * alpha + beta, 0, 255).astype(np.uint8))
        if rng.random() < 0.2:
            kernel = int(rng.choice((3, 5)))
            copy = cv2.GaussianBlur(copy, (kernel, kernel), rng.uniform(0.8, 1.1))
        _encode(copy, src, out, path, k)
    return copies


_COMPOSE = None


def _albu_init() -> None:
    global _COMPOSE
    import albumentations as A
    import cv2

    _init_cv2()
    _COMPOSE = A.Compose(seed=os.getpid(), transforms=[
        A.HorizontalFlip(p=0.5),
        A.Rotate(limit=15, border_mode=cv2.BORDER_REFLECT_101, p=0.7),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.5),
        A.GaussianBlur(blur_limit=(3, 5), sigma_limit=(0.8, 1.1), p=0.2),
    ])


def _albu_geometry_init() -> None:
    """recipes/geometry.toml's six steps (benchmarks/fusion.py maps them)."""
    global _COMPOSE
    from fusion import CHAINS, compose

    _init_cv2()
    _COMPOSE = compose(CHAINS["geometry"], 640, 480, seed=os.getpid())


def _albu_one(task) -> int:
    src, out, path, copies = task
    image = _decode(path)  # once; BGR kept: no step here depends on channel order
    for k in range(1, copies + 1):
        _encode(_COMPOSE(image=image)["image"], src, out, path, k)
    return copies


def _pool_run(src: Path, out: Path, copies: int, workers: int, one, init) -> None:
    tasks = [(src, out, path, copies) for path in _files(src)]
    with Pool(workers, initializer=init) as pool:
        done = sum(pool.imap_unordered(one, tasks, chunksize=4))
    assert done == copies * len(tasks)


def augmentor(src: Path, out: Path, copies: int, workers: int) -> None:
    import Augmentor
    from Augmentor.Operations import Operation
    from PIL import ImageFilter

    class GaussianBlur(Operation):
        """Augmentor has no Gaussian blur: the custom operation a user would add."""

        def perform_operation(self, images):
            import random
            sigma = random.uniform(0.8, 1.1)
            return [image.filter(ImageFilter.GaussianBlur(sigma)) for image in images]

    pipeline = Augmentor.Pipeline(str(src), output_directory=str(out.resolve()), save_format="JPEG")
    pipeline.flip_left_right(probability=0.5)
    pipeline.rotate_without_crop(probability=0.7, max_left_rotation=15, max_right_rotation=15,
                                 expand=False)
    pipeline.random_brightness(probability=0.5, min_factor=0.8, max_factor=1.2)
    pipeline.random_contrast(probability=0.5, min_factor=0.8, max_factor=1.2)
    pipeline.add_operation(GaussianBlur(probability=0.2))
    pipeline.sample(copies * len(_files(src)), multi_threaded=True)


def main() -> None:
    engine, src, out, copies, workers = sys.argv[1:6]
    src, out, copies, workers = Path(src), Path(out), int(copies), int(workers)
    out.mkdir(parents=True, exist_ok=True)
    if engine == "floor":
        _pool_run(src, out, copies, workers, _floor_one, _init_cv2)
    elif engine == "bound":
        _pool_run(src, out, copies, workers, _bound_one, _init_cv2)
    elif engine == "albumentations":
        _pool_run(src, out, copies, workers, _albu_one, _albu_init)
    elif engine == "albumentations-geometry":  # 640x480 sources only (its crop size)
        _pool_run(src, out, copies, workers, _albu_one, _albu_geometry_init)
    elif engine == "augmentor":
        augmentor(src, out, copies, workers)
    else:
        raise SystemExit(f"unknown engine {engine}")


if __name__ == "__main__":
    main()
