"""The leanest correct script for small_files.py's job: the floor augment's fixed cost is set against.

    python3 benchmarks/small_files_lean.py SRC OUT [--copies 2] [--workers 2]

What a careful user would write to make N copies of every PNG under SRC/<label>/ with the
recipe hflip then rotate +-10 degrees: read each file once, decode it with OpenCV, per copy
flip and rotate it (one warpAffine, as augment fuses them), encode PNG with OpenCV and write
it through a temporary name and a rename (a killed run never leaves a truncated file), in a
pool of `--workers` processes with one OpenCV thread each. No index, manifest, seeds per copy,
distinct-copy check or error handling: that is what augment adds, and what this floor leaves out.
"""

from __future__ import annotations

import argparse
import os
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np


def _start() -> None:
    cv2.setNumThreads(1)


def one_file(job: tuple[str, str, int, int]) -> int:
    source, out_folder, index, copies = job
    pixels = cv2.imdecode(np.fromfile(source, np.uint8), cv2.IMREAD_UNCHANGED)
    height, width = pixels.shape[:2]
    rng = np.random.default_rng(index)
    stem = Path(source).stem
    flip = np.array([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    for copy in range(1, copies + 1):
        turn = np.vstack([cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2),
                                                  float(rng.uniform(-10, 10)), 1.0), [0, 0, 1]])
        made = cv2.warpAffine(pixels, (turn @ flip)[:2], (width, height), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_REFLECT_101)
        ok, blob = cv2.imencode(".png", made, [cv2.IMWRITE_PNG_COMPRESSION, 6])
        target = os.path.join(out_folder, f"{stem}_aug{copy}.png")
        temporary = os.path.join(out_folder, f".tmp-{os.getpid()}-{stem}_aug{copy}.png")
        with open(temporary, "wb") as handle:
            handle.write(blob.tobytes())
        os.replace(temporary, target)
    return copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = []
    for label in sorted(p for p in args.src.iterdir() if p.is_dir()):
        folder = args.out / label.name
        folder.mkdir(parents=True, exist_ok=True)
        files = sorted(label.glob("*.png"))
        jobs += [(str(f), str(folder), len(jobs) + k, args.copies) for k, f in enumerate(files)]
    with Pool(args.workers, initializer=_start) as pool:
        written = sum(pool.imap_unordered(one_file, jobs, chunksize=64))
    print(f"{written} copies of {len(jobs)} files")


if __name__ == "__main__":
    main()
