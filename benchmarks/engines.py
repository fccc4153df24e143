"""The comparison engines, each run as a whole process by run_images.py:

    python3 benchmarks/engines.py ENGINE SRC OUT COPIES WORKERS

floor          read + cv2.imdecode once, cv2.imencode (q95) COPIES times, write;
               no transform. What no augmenter can beat on this machine.
albumentations the script a user would write: Compose of the equivalent
               recipe + multiprocessing.Pool(WORKERS), decode once per file.
augmentor      Augmentor Pipeline.sample(COPIES x files), its own threads.

The recipe everywhere: hflip p=0.5; rotate +-15 deg, same size, reflected
border, p=0.7; brightness/contrast +-0.2 p=0.5; Gaussian blur kernel 3-5
(sigma 0.8-1.1, OpenCV's sigma for those kernels) p=0.2; JPEG quality 95.
"""

from __future__ import annotations

import os
import sys
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

    cv2.setNumThreads(0)


def _floor_one(task) -> int:
    import cv2
    import numpy as np

    src, out, path, copies = task
    image = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    for k in range(1, copies + 1):
        ok, blob = cv2.imencode(path.suffix, image, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
        _target(src, out, path, k).write_bytes(blob.tobytes())
    return copies


_COMPOSE = None


def _albu_init() -> None:
    global _COMPOSE
    import albumentations as A
    import cv2

    cv2.setNumThreads(0)
    _COMPOSE = A.Compose([
        A.HorizontalFlip(p=0.5),
        A.Rotate(limit=15, border_mode=cv2.BORDER_REFLECT_101, p=0.7),
        A.RandomBrightnessContrast(brightness_limit=0.2, contrast_limit=0.2, p=0.5),
        A.GaussianBlur(blur_limit=(3, 5), sigma_limit=(0.8, 1.1), p=0.2),
    ])


def _albu_one(task) -> int:
    import cv2

    src, out, path, copies = task
    image = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)  # decode once
    for k in range(1, copies + 1):
        augmented = _COMPOSE(image=image)["image"]
        cv2.imwrite(str(_target(src, out, path, k)), cv2.cvtColor(augmented, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, QUALITY])
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
    elif engine == "albumentations":
        _pool_run(src, out, copies, workers, _albu_one, _albu_init)
    elif engine == "augmentor":
        augmentor(src, out, copies, workers)
    else:
        raise SystemExit(f"unknown engine {engine}")


if __name__ == "__main__":
    main()
