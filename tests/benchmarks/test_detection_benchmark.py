"""benchmarks/detection.py: its YOLO set, its floor engine and its recipe are what the
published figures claim (the Albumentations engine needs benchmarks/.venv; not here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from augment_cli import api
from conftest import save, textured

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import detection  # noqa: E402


def photos(root: Path, count: int = 3) -> Path:
    for i in range(count):
        save(root / "animal" / f"animal_{i:05d}.jpg", textured(48, 64, seed=i), quality=90)
    return root


def test_the_yolo_set_has_5_to_10_boxes_inside_every_image(tmp_path):
    src = detection.build_yolo(tmp_path / "yolo", photos(tmp_path / "photos"))
    labels = sorted((src / "labels" / "train").glob("*.txt"))
    assert [p.stem for p in labels] == [p.stem for p in sorted((src / "images" / "train").glob("*.jpg"))]
    for label in labels:
        lines = [[float(v) for v in line.split()] for line in label.read_text().splitlines()]
        assert 5 <= len(lines) <= 10
        for _, cx, cy, w, h in lines:
            assert cx - w / 2 >= 0 and cx + w / 2 <= 1 and cy - h / 2 >= 0 and cy + h / 2 <= 1


def test_the_floor_writes_every_copy_with_its_unchanged_label(tmp_path):
    src, out = detection.build_yolo(tmp_path / "yolo", photos(tmp_path / "photos")), tmp_path / "out"
    subprocess.run([sys.executable, str(BENCHMARKS / "detection_engines.py"), "floor", str(src), str(out),
                    "2", "1"], check=True)
    for label in (src / "labels" / "train").glob("*.txt"):
        for k in (1, 2):
            assert (out / "labels" / "train" / f"{label.stem}__aug{k}.txt").read_bytes() == label.read_bytes()
            assert (out / "images" / "train" / f"{label.stem}__aug{k}.jpg").is_file()


def test_augment_runs_the_benchmark_recipe_on_the_set_with_a_label_per_copy(tmp_path):
    src = detection.build_yolo(tmp_path / "yolo", photos(tmp_path / "photos"))
    recipe = detection.write_recipe(tmp_path / "detection.toml", detection.RECIPE)
    out = tmp_path / "out"
    summary = api.expand(source=src, recipe=recipe, out=out, copies=2, workers=1, layout="yolo")
    assert summary.exit_code == 0 and summary.layout == "yolo"
    images = sorted(p.stem for p in (out / "images" / "train").glob("*.jpg"))
    assert len(images) == 6 and images == sorted(p.stem for p in (out / "labels" / "train").glob("*.txt"))
