"""Detection: augment against the floor and Albumentations with bbox_params, on a YOLO set.

    python3 benchmarks/detection.py            # 200 images 640x480, 5-10 boxes each, 5 copies

Builds a YOLO tree (data.yaml, images/train, labels/train) from dataset.py's
640x480 photographs with 5-10 random boxes per image, then times whole
processes, the engines interleaved round by round (floor, augment,
albumentations, floor, ...) as run_images.py does. Prints the median time,
min-max, output images/s and the medians of per-round ratios, and writes
benchmarks/results/detection.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchenv  # noqa: E402
from run_images import VERSIONS, ratio, timed_run, write_recipe  # noqa: E402

ENGINES = ("floor", "augment", "albumentations")
NAMES = ("person", "car", "dog")
# The same recipe as detection_engines.py's Albumentations Compose.
RECIPE = """\
[output]
jpeg_quality = 95

[[image]]
transform = "hflip"
p = 0.5

[[image]]
transform = "rotate"
p = 0.7
angle_deg = [-15, 15]
border = "constant"

[[image]]
transform = "brightness_contrast"
p = 0.5
brightness = [-0.2, 0.2]
contrast = [-0.2, 0.2]

[[image]]
transform = "random_resized_crop"
p = 0.5
scale = [0.6, 1.0]
ratio = [0.75, 1.3333]
"""


def build_yolo(root: Path, photos: Path, seed: int = 11) -> Path:
    """root/images/train/<photo>.jpg (hard links) + labels/train/<photo>.txt, 5-10 boxes each."""
    import numpy as np

    marker = root / ".complete"
    sources = sorted(photos.rglob("*.jpg"))
    if marker.exists() and marker.read_text() == f"{len(sources)} {seed}":
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = np.random.default_rng(seed)
    for folder in ("images", "labels"):
        (root / folder / "train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nnames:\n"
                                    + "".join(f"  {i}: {n}\n" for i, n in enumerate(NAMES)))
    for photo in sources:
        (root / "images" / "train" / photo.name).hardlink_to(photo)
        lines = []
        for _ in range(int(rng.integers(5, 11))):
            w, h = rng.uniform(0.05, 0.3, size=2)
            cx, cy = rng.uniform(w / 2, 1 - w / 2), rng.uniform(h / 2, 1 - h / 2)
            lines.append(f"{int(rng.integers(len(NAMES)))} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}\n")
        (root / "labels" / "train" / f"{photo.stem}.txt").write_text("".join(lines))
    marker.write_text(f"{len(sources)} {seed}")
    return root


def command(engine: str, src: Path, out: Path, copies: int, workers: int, recipe: Path) -> list[str]:
    if engine == "augment":
        return [str(Path(sys.executable).with_name("augment")), "expand", str(src), "--recipe",
                str(recipe), "--copies", str(copies), "--out", str(out), "--workers", str(workers),
                "--format", "yolo", "--quiet"]
    return [sys.executable, str(HERE / "detection_engines.py"), engine, str(src), str(out),
            str(copies), str(workers)]


def run_round(engines, src: Path, outputs: int, args, recipe: Path, work: Path,
              times: dict[str, list[float]], cpu: dict[str, list[float]]) -> None:
    for engine in engines:
        out = work / f"det-{engine}"
        times[engine].append(timed_run(command(engine, src, out, args.copies, args.workers, recipe),
                                       out, outputs, cpu[engine]))
        labels = sum(1 for _ in (out / "labels" / "train").glob("*.txt"))
        if labels != outputs:  # an image without its label file is no detection dataset
            raise SystemExit(f"{engine} wrote {labels} label files, expected {outputs}")


def table(times: dict[str, list[float]], cpu: dict[str, list[float]], outputs: int) -> list[str]:
    rows = ["| engine | median s (min-max) | output images/s | time vs floor | augment speed-up "
            "| CPU s (all processes) |", "|---|---|---|---|---|---|"]
    for engine, seconds in times.items():
        median = statistics.median(seconds)
        rows.append(f"| {engine} | {median:.2f} ({min(seconds):.2f}-{max(seconds):.2f}) | "
                    f"{outputs / median:.0f} | {ratio(seconds, times['floor']):.2f} | "
                    f"{ratio(seconds, times['augment']):.2f}x | {statistics.median(cpu[engine]):.2f} |")
    return rows


def main() -> None:
    benchenv.ensure()
    import dataset

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--results", type=Path, default=HERE / "results" / "detection.md")
    args = parser.parse_args()
    work = HERE / "work"
    recipe = write_recipe(work / "detection.toml", RECIPE)
    photos = dataset.build(work / f"img640-{args.files}", args.files, (640, 480))
    src = build_yolo(work / f"yolo640-{args.files}", photos)
    outputs = args.files * args.copies
    times: dict[str, list[float]] = {e: [] for e in ENGINES}
    cpu: dict[str, list[float]] = {e: [] for e in ENGINES}
    loads = []
    print(f"{args.files} images x {args.copies} copies, --workers {args.workers}, {args.rounds} rounds")
    for round_ in range(1, args.rounds + 1):
        loads.append(os.getloadavg()[0])
        run_round(ENGINES, src, outputs, args, recipe, work, times, cpu)
        print(f"  round {round_} (load {loads[-1]:.2f}): "
              + "  ".join(f"{e} {times[e][-1]:.2f}s" for e in ENGINES), flush=True)
    lines = [f"### 640x480 YOLO: {args.files} sources, 5-10 boxes each -> {outputs} JPEG outputs "
             f"(q95) + label files, {args.rounds} rounds", "", *table(times, cpu, outputs), "",
             f"1-minute load average at the start of each round: {', '.join(f'{x:.2f}' for x in loads)} "
             f"(on {os.cpu_count()} cores)", ""]
    print("\n".join(lines), flush=True)
    write_results(args.results, lines)


def write_results(path: Path, lines: list[str]) -> None:
    header = [
        "# Detection benchmark results", "",
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {benchenv.machine()}",
        f"- versions: {benchenv.versions(VERSIONS)}",
        f"- command: `{' '.join(['python3 benchmarks/detection.py', *sys.argv[1:]])}`",
        "- whole-process runs, engines interleaved per round; ratios are medians of per-round "
        "ratios; augment speed-up = that engine's time / augment's time in the same round", "",
        "Recipe: hflip p=0.5; rotate +-15 deg same size, constant black border p=0.7; brightness "
        "and contrast +-0.2 p=0.5; random_resized_crop scale 0.6-1.0, ratio 3/4-4/3 p=0.5; 5 copies, "
        "JPEG q95; every box moved with the pixels (YOLO `class cx cy w h` written per copy). "
        "Floor = decode once + encode 5 copies with OpenCV + the unchanged label file per copy, "
        "Pool(2). Albumentations = the leanest correct script (OpenCV decode, no colour conversion, "
        "one OpenCV thread per worker, Compose(seed=...), bbox_params=BboxParams(format=\"yolo\")).",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(header + lines))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
