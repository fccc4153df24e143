"""Render every registered image transform on one sample image: sample_data/gallery.png.

    python sample_data/gallery.py [OUT.png]

Made by the tool itself: for each transform it runs `augment expand`
(api.expand) with a one-step recipe over a copy of one sample_data class
(so mixing transforms find same-label partners), and tiles the copy of the
same source. Stronger-than-default values are used where the default is too
subtle to see at thumbnail size.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from augment_cli import api, registry  # noqa: E402

LABEL, SOURCE = "circle", "circle_04.png"
TILE, CAPTION, COLUMNS = (160, 120), 16, 7
VALUES = {  # TOML values per transform (required ones, or made visible)
    "random_crop": "height = 80\nwidth = 100", "center_crop": "height = 80\nwidth = 100",
    "resize": "height = 60\nwidth = 120", "pad": "top = 20\nbottom = 20\nleft = 20\nright = 20",
    "rotate": "angle_deg = 25", "affine": "rotate_deg = 20\nshear_x_deg = 15\nscale = 0.85",
    "perspective": "distortion = 0.15", "elastic": "alpha = 10\nsigma = 8",
    "gaussian_noise": "std = 0.08", "jpeg": "quality = 8", "downscale": "scale = 0.2",
    "motion_blur": "kernel = 15", "median_blur": "kernel = 7", "sharpen": "amount = 3",
    "hue_saturation_value": "hue_shift_deg = 90", "color_jitter": "hue = 0.3\nsaturation = 0.5",
    "gamma": "gamma = 2.2", "posterize": "bits = 2", "solarize": "threshold = 0.5",
    "random_erasing": "count = 3", "mixup": "lam = 0.5", "cutmix": "area = 0.4",
    "randaugment": "n = 3\nmagnitude = 15", "clahe": "clip_limit = 6",
}


def render(name: str, source: Path, work: Path) -> np.ndarray:
    recipe = work / f"{name}.toml"
    recipe.write_text(f'[[image]]\ntransform = "{name}"\n{VALUES.get(name, "")}\n', encoding="utf-8")
    out = work / f"out_{name}"
    summary = api.expand(source=source, recipe=recipe, out=out, copies=1, workers=1, seed=7)
    mine = [f for f in summary.failed if f.source == f"{LABEL}/{SOURCE}"]
    if mine:  # other files may be refused (sepia on the grey one): not shown
        raise SystemExit(f"{name}: {mine[0].error}")
    return np.asarray(Image.open(out / LABEL / SOURCE.replace(".png", "__aug1.png")).convert("RGB"))


def tile(image: np.ndarray, caption: str) -> np.ndarray:
    """Fit into TILE (letterboxed, never enlarged past it) with a caption below."""
    width, height = TILE
    scale = min(width / image.shape[1], height / image.shape[0], 1.0)
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    fitted = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    canvas = np.full((height + CAPTION, width, 3), 255, np.uint8)
    y, x = (height - size[1]) // 2, (width - size[0]) // 2
    canvas[y:y + size[1], x:x + size[0]] = fitted
    cv2.putText(canvas, caption, (4, height + 12), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (0, 0, 0), 1,
                cv2.LINE_AA)
    return canvas


def main(target: Path) -> None:
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        source = work / "src"
        shutil.copytree(ROOT / "sample_data" / "images" / LABEL, source / LABEL,
                        ignore=shutil.ignore_patterns("night"))
        original = np.asarray(Image.open(source / LABEL / SOURCE).convert("RGB"))
        tiles = [tile(original, "source")]
        tiles += [tile(render(s.name, source, work), s.name) for s in registry.specs("image")]
    blank = np.full_like(tiles[0], 255)
    tiles += [blank] * (-len(tiles) % COLUMNS)
    rows = [np.hstack(tiles[i:i + COLUMNS]) for i in range(0, len(tiles), COLUMNS)]
    # 128 colours without dithering keep the picture faithful at a fraction of the bytes.
    picture = Image.fromarray(np.vstack(rows)).quantize(128, dither=Image.Dither.NONE)
    target.parent.mkdir(parents=True, exist_ok=True)
    picture.save(target, optimize=True)
    print(f"wrote {target} ({target.stat().st_size // 1024} KB, {len(registry.specs('image'))} transforms)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "sample_data" / "gallery.png")
