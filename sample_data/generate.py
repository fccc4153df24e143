"""Make the bundled sample_data/ tree from nothing (own content, no downloads).

    python sample_data/generate.py            # rewrites sample_data/images, audio, text and detection

Images: procedurally drawn shapes in three classes (circle, square, triangle)
on textured backgrounds, in the formats and modes a real folder mixes: RGB
JPEG, RGB and RGBA PNG, a grayscale PNG, and a sub-folder kept in outputs.

Text: short product reviews written for this project, one .txt per review,
in two labels (positive, negative); a few use CRLF line endings, a UTF-8
byte-order mark or several paragraphs, as real folders do.

Detection (detection.py): a small YOLO dataset of the same shapes, with
data.yaml, train and val splits and one exact box per shape.

Audio (audio_samples.py): four labels of synthesized sounds (tone, chirp,
noise_burst, vowel) as 16 kHz mono WAV and FLAC, one stereo 44.1 kHz WAV,
plus the noise and impulse-response folders recipes/audio.toml mixes in.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = (160, 120)
SHAPES = ("circle", "square", "triangle")
# (relative name, mode) per class: a real folder mixes formats and modes.
FILES = (
    ("{shape}_01.jpg", "RGB"), ("{shape}_02.jpg", "RGB"), ("{shape}_03.jpg", "RGB"),
    ("{shape}_04.png", "RGB"), ("{shape}_05.png", "RGBA"), ("{shape}_06.png", "L"),
    ("night/{shape}_07.jpg", "RGB"), ("night/{shape}_08.jpg", "RGB"),
)


def draw_shape(shape: str, rng: np.random.Generator, mode: str, dark: bool) -> Image.Image:
    width, height = SIZE
    base = rng.integers(20, 90 if dark else 200, size=3)
    gradient = np.linspace(0, 40, width)[None, :, None]
    noise = rng.normal(0, 6, size=(height, width, 3))
    background = np.clip(base + gradient + noise, 0, 255).astype(np.uint8)
    image = Image.fromarray(background, "RGB")
    canvas = ImageDraw.Draw(image)
    colour = tuple(int(c) for c in rng.integers(120, 256, size=3))
    cx, cy = rng.integers(50, width - 50), rng.integers(40, height - 40)
    r = int(rng.integers(20, 36))
    if shape == "circle":
        canvas.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=(0, 0, 0), width=2)
    elif shape == "square":
        canvas.rectangle((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=(0, 0, 0), width=2)
    else:
        canvas.polygon([(cx, cy - r), (cx - r, cy + r), (cx + r, cy + r)], fill=colour,
                       outline=(0, 0, 0))
    if mode == "RGBA":
        alpha = Image.new("L", SIZE, 0)
        ImageDraw.Draw(alpha).rounded_rectangle((8, 8, width - 8, height - 8), 18, fill=255)
        image.putalpha(alpha)
    return image.convert(mode) if mode != image.mode else image


def make_images(root: Path) -> int:
    rng = np.random.default_rng(20261126)
    count = 0
    for shape in SHAPES:
        for pattern, mode in FILES:
            path = root / shape / pattern.format(shape=shape)
            path.parent.mkdir(parents=True, exist_ok=True)
            image = draw_shape(shape, rng, mode, dark="night" in pattern)
            image.save(path, quality=92) if path.suffix == ".jpg" else image.save(path)
            count += 1
    return count


# (label, name, text, line ending, byte-order mark). Our own words.
REVIEWS = (
    ("positive", "kettle", "I'm impressed with this kettle. It boils a full jug in under three "
     "minutes and stays quiet.\nThe handle doesn't get hot, which I love.", "\n", False),
    ("positive", "backpack", "Great backpack for daily commuting. The zips feel sturdy, the straps "
     "are comfortable, and my laptop fits easily.", "\n", False),
    ("positive", "headphones", "Sound quality is excellent for the price. Battery life is better "
     "than advertised!\n\nI've used them on two long flights and they were fine.", "\r\n", False),
    ("positive", "lamp", "Lovely warm light, easy to assemble. It's exactly what our reading "
     "corner needed.", "\n", True),
    ("positive", "bottle", "Keeps water cold all day, even in a hot car. I'd buy it again.",
     "\n", False),
    ("negative", "toaster", "The toaster burnt every slice on the lowest setting. I'm returning "
     "it.\nCustomer service never answered my emails.", "\n", False),
    ("negative", "charger", "Stopped working after a week. The cable is thin and the plug gets "
     "very hot.", "\r\n", False),
    ("negative", "chair", "Terrible chair. One wheel broke on the first day, and the seat "
     "squeaks constantly.\n\nDon't waste your money.", "\n", False),
    ("negative", "blender", "Loud, weak and hard to clean. The lid leaks whenever I make a "
     "smoothie.", "\n", True),
    ("negative", "umbrella", "It turned inside out in a light breeze. Cheap material, poor "
     "stitching, disappointing overall.", "\n", False),
)


def make_text(root: Path) -> int:
    """Write the reviews as root/<label>/<name>.txt (UTF-8, ending kept per file)."""
    for label, name, text, newline, bom in REVIEWS:
        path = root / label / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = (text + "\n").replace("\n", newline).encode("utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + body if bom else body)
    return len(REVIEWS)


def main(root: Path = HERE) -> None:
    print(f"wrote {make_images(root / 'images')} images under {root / 'images'}")
    print(f"wrote {make_text(root / 'text')} texts under {root / 'text'}")
    sys.path.insert(0, str(HERE))
    from audio_samples import make_audio
    from detection import make_detection

    print(f"wrote {make_audio(root)} audio files under {root}")
    print(f"wrote {make_detection(root / 'detection')} images under {root / 'detection'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
