"""How much cheaper `augment stats` (headers only) is than decoding every file.

Makes a labelled tree of JPEG and PNG photos-sized images in a temp folder,
then times, in the same run: stats.collect (header reads) against the
baseline of decoding every file as `expand` does (image_codec.decode).
Prints files/s for both and the speed-up ratio (best of --repeat runs).

    python3 benchmarks/bench_stats.py [--files 150] [--size 1024x768] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv

if __name__ == "__main__":
    benchenv.ensure()  # re-run in benchmarks/.venv (augment, numpy, Pillow) before the imports below

import numpy as np
from PIL import Image

from augment_cli.commands.stats import collect
from augment_cli.modalities.image.codec import decode


def make_tree(root: Path, files: int, width: int, height: int) -> None:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:height, 0:width]
    for i in range(files):
        label = ("cat", "dog", "owl")[i % 3]
        base = (x * (1 + i % 5) + y * 2) % 256
        noise = rng.integers(0, 40, size=(height, width), dtype=np.int64)
        pixels = np.stack([(base + noise + 60 * c) % 256 for c in range(3)], axis=-1).astype(np.uint8)
        path = root / label / f"{i:04}.{'jpg' if i % 2 else 'png'}"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(path, quality=90)


def best_of(repeat: int, function) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=150)
    parser.add_argument("--size", default="1024x768")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    width, height = map(int, args.size.split("x"))
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        make_tree(root, args.files, width, height)
        paths = sorted(p for p in root.rglob("*") if p.is_file())
        headers = best_of(args.repeat, lambda: collect(root))
        decoding = best_of(args.repeat, lambda: [decode(p.read_bytes()) for p in paths])
    print(f"{len(paths)} files of {width}x{height} (half JPEG, half PNG)")
    print(f"stats (headers only): {headers:.3f} s, {len(paths) / headers:,.0f} files/s")
    print(f"baseline (full decode): {decoding:.3f} s, {len(paths) / decoding:,.0f} files/s")
    print(f"ratio: stats is {decoding / headers:.1f}x faster than decoding")


if __name__ == "__main__":
    main()
