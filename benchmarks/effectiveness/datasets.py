"""The benchmark's datasets, loaded into memory with fixed splits.

Each dataset is a list of Items (name, label, group, payload); `splits()`
turns one into (test, train pool), and `draw_training()` draws a training set
of a given size per seed from the pool. Test sets never depend on the seed,
so the two arms of every comparison and every seed see the same test items.
Audio is split leave-one-speaker-out instead (the seed picks the held-out
speaker and the training draw), and text (500 rows: too few for a fixed test
set of useful size beside a training set near the EDA paper's 500 sentences)
by fixed stratified folds, one held out per seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# ../shared beside the checkout, as in the project's other real-data runs; --realdata overrides.
REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
SPLIT_SEED = 0          # the fixed test/pool split of every dataset
IMAGE_SIDE = {"digits": 32, "sign-digits": 64}   # pixels of the PNG written for augment


@dataclass(frozen=True)
class Item:
    name: str            # file name (without folder) written for augment
    label: str
    group: str           # speaker for audio; "" elsewhere
    payload: Any         # bytes of the file to write (PNG, WAV) or the text


@dataclass(frozen=True)
class Dataset:
    name: str
    modality: str        # image | audio | text
    items: tuple[Item, ...]
    suffix: str          # file suffix of what is written for augment
    test_per_class: int  # held-out items per label (images, text); 0 = leave-one-group-out
    source: str          # where it came from, for the report


def _png(array: Any) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def load_digits() -> Dataset:
    """scikit-learn's bundled 8x8 digits (1,797), upscaled to 32x32 grey PNGs."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    items = []
    for index, (image, label) in enumerate(zip(bunch.images, bunch.target, strict=True)):
        small = Image.fromarray(np.clip(image * 16, 0, 255).astype(np.uint8))
        side = IMAGE_SIDE["digits"]
        big = np.asarray(small.resize((side, side), Image.Resampling.BILINEAR))
        items.append(Item(f"{index:04}.png", str(label), "", _png(big)))
    return Dataset("digits", "image", tuple(items), ".png", 50, "scikit-learn load_digits")


def load_sign_digits(root: Path) -> Dataset:
    """Sign-language digit photos: EXIF-transposed (one is a rotated 3024x3024
    original), centre-cropped square and resized to 64x64 RGB PNGs."""
    import numpy as np
    from PIL import Image, ImageOps

    items = []
    for path in sorted(p for p in root.glob("*/*") if p.suffix.lower() in (".jpg", ".jpeg", ".png")):
        with Image.open(path) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
        side = IMAGE_SIDE["sign-digits"]
        image = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS)
        items.append(Item(path.stem + ".png", path.parent.name, "", _png(np.asarray(image))))
    return Dataset("sign-digits", "image", tuple(items), ".png", 20, str(root))


def load_spoken_digits(root: Path) -> Dataset:
    """FSDD: <digit>/<digit>_<speaker>_<i>.wav, 8 kHz; grouped by speaker."""
    items = [Item(path.name, path.parent.name, path.stem.split("_")[1], path.read_bytes())
             for path in sorted(root.glob("*/*.wav")) + sorted(root.glob("*/*.WAV"))]
    return Dataset("spoken-digits", "audio", tuple(items), ".wav", 0, str(root))


def load_tsv(name: str, path: Path, test_per_class: int) -> Dataset:
    """label<TAB>sentence rows; TREC's 6 coarse labels are numbered 0-5."""
    items = []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        label, _, text = line.partition("\t")
        if text.strip():
            items.append(Item(f"{line_number:04}.txt", label.strip(), "", text.strip() + "\n"))
    return Dataset(name, "text", tuple(items), ".txt", test_per_class, str(path))


def available(root: Path = REALDATA) -> tuple[list[Dataset], list[str]]:
    """Every dataset that can be loaded here, and one line per skipped one."""
    found, skipped = [load_digits()], []
    sources = [
        ("sign-digits", root / "images-sign-language-digits", load_sign_digits),
        ("spoken-digits", root / "audio-digits", load_spoken_digits),
        ("trec6", root / "originals" / "text-trec6" / "trec6_test.tsv",
         lambda p: load_tsv("trec6", p, 0)),
        ("sst2", root / "originals" / "text-sst2" / "sst2_train_500.tsv",
         lambda p: load_tsv("sst2", p, 0)),
    ]
    for name, path, loader in sources:
        if path.exists():
            found.append(loader(path))
        else:
            skipped.append(f"{name}: skipped, {path} is absent (no shared realdata here; see --realdata)")
    return found, skipped


def splits(dataset: Dataset, test_fraction: float = 0.3) -> tuple[list[Item], list[Item]]:
    """(test, pool): `test_per_class` items per label (or a stratified
    `test_fraction` when 0), drawn once with SPLIT_SEED."""
    rng = random.Random(f"{SPLIT_SEED}:{dataset.name}")
    test, pool = [], []
    for label in sorted({item.label for item in dataset.items}):
        members = [item for item in dataset.items if item.label == label]
        rng.shuffle(members)
        cut = dataset.test_per_class or round(len(members) * test_fraction)
        test += members[:cut]
        pool += members[cut:]
    return test, pool


def draw_training(pool: list[Item], per_class: int | None, seed: int) -> list[Item]:
    """`per_class` items of each label (None: the whole pool), drawn by seed."""
    if per_class is None:
        return list(pool)
    rng = random.Random(f"train:{seed}")
    chosen = []
    for label in sorted({item.label for item in pool}):
        members = [item for item in pool if item.label == label]
        chosen += rng.sample(members, min(per_class, len(members)))
    return chosen


def draw_fraction(pool: list[Item], count: int | None, seed: int) -> list[Item]:
    """`count` items drawn stratified by label (text: the paper sizes are totals)."""
    if count is None or count >= len(pool):
        return list(pool)
    rng = random.Random(f"train:{seed}")
    chosen = []
    labels = sorted({item.label for item in pool})
    for label in labels:
        members = [item for item in pool if item.label == label]
        chosen += rng.sample(members, max(1, round(len(members) * count / len(pool))))
    return chosen


def speakers(dataset: Dataset) -> list[str]:
    return sorted({item.group for item in dataset.items})


def speaker_folds(dataset: Dataset) -> list[tuple[list[Item], list[Item]]]:
    """(pool, test) per speaker: the test set is that speaker, the pool everyone else."""
    return [([i for i in dataset.items if i.group != speaker],
             [i for i in dataset.items if i.group == speaker]) for speaker in speakers(dataset)]


def stratified_folds(dataset: Dataset, folds: int) -> list[tuple[list[Item], list[Item]]]:
    """(pool, test) per fold of a stratified `folds`-fold partition drawn with SPLIT_SEED:
    every item is in exactly one test fold, and each label is spread evenly over the folds."""
    rng = random.Random(f"{SPLIT_SEED}:folds:{dataset.name}")
    assigned: list[list[Item]] = [[] for _ in range(folds)]
    offset = 0
    for label in sorted({item.label for item in dataset.items}):
        members = [item for item in dataset.items if item.label == label]
        rng.shuffle(members)
        for index, item in enumerate(members):
            assigned[(offset + index) % folds].append(item)
        offset += len(members)      # the next label starts where this one ended: even fold sizes
    return [([i for other, fold in enumerate(assigned) if other != held for i in fold], assigned[held])
            for held in range(folds)]
