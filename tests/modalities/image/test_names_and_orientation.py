"""Awkward names round-trip through the manifest; EXIF-rotated photos come out upright."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

from conftest import save, textured
from test_expand_cli import read_rows

AWKWARD = ["co,mma.png", 'quo"te.png', "spa ce.png", "ünï cødé 猫.png", "=SUM(A1).png"]


def test_awkward_names_round_trip_csv_and_pandas(tmp_path, write_recipe, run_cli):
    src = tmp_path / "src"
    for index, name in enumerate(AWKWARD):
        save(src / "label, with \"quotes\"" / name, textured(seed=index))
    out = tmp_path / "out"
    result = run_cli("expand", src, "--recipe", write_recipe(), "--copies", 1, "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert sorted(r["source"].split("/")[1] for r in rows) == sorted(AWKWARD)
    frame = pd.read_csv(out / "manifest.csv", encoding="utf-8")
    assert list(frame["file_name"]) == [r["file_name"] for r in rows]
    assert set(frame["label"]) == {'label, with "quotes"'}
    assert frame["copy"].dtype.kind == "i"
    for name in frame["file_name"]:
        assert (out / name).is_file()


def exif_rotated_jpeg(path, orientation: int) -> np.ndarray:
    """Save a landscape image stored sideways with an EXIF orientation tag;
    return what it should look like upright."""
    upright = np.zeros((40, 80, 3), np.uint8)
    upright[:, :20] = (255, 0, 0)  # red band on the left of the upright image
    stored = np.rot90(upright, k=1)  # stored rotated 90° counter-clockwise
    exif = Image.Exif()
    exif[0x0112] = orientation  # 6: rotate 90° clockwise to display
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.ascontiguousarray(stored)).save(path, exif=exif, quality=95)
    return upright


def test_exif_rotated_jpeg_comes_out_upright(tmp_path, write_recipe, run_cli):
    src = tmp_path / "src"
    upright = exif_rotated_jpeg(src / "cat" / "photo.jpg", orientation=6)
    recipe = write_recipe('[[image]]\ntransform = "brightness_contrast"\nbrightness = 0\ncontrast = 0\n')
    out = tmp_path / "out"
    result = run_cli("expand", src, "--recipe", recipe, "--copies", 1, "--out", out, "--workers", 1)
    assert result.exit_code == 0
    with Image.open(out / "cat" / "photo__aug1.jpg") as made:
        assert made.size == (80, 40)
        assert made.getexif().get(0x0112) in (None, 1)
        pixels = np.asarray(made).astype(int)
    assert np.abs(pixels - upright).mean() < 8
    assert pixels[:, :15, 0].mean() > 200 and pixels[:, 25:, 0].mean() < 50
