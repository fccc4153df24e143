"""Run augment through its CLI on a training split, and read the copies back.

The training split (never the test split) is written as class folders,
SRC/<label>/<file>, and `augment expand SRC --recipe R --copies N --seed S`
writes the copies; manifest.csv says which source each copy came from.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from datasets import Item


@dataclass(frozen=True)
class Copy:
    source: Item         # the training item it was made from
    payload: bytes | str


def write_split(items: list[Item], folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    for item in items:
        target = folder / item.label / item.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(item.payload, str):
            target.write_text(item.payload, encoding="utf-8")
        else:
            target.write_bytes(item.payload)


def expand(items: list[Item], recipe: Path, copies: int, seed: int, folder: Path, workers: int) -> None:
    """`augment expand` of `items`: the class folders go to FOLDER/train, the copies to FOLDER/copies."""
    source, out = folder / "train", folder / "copies"
    write_split(items, source)
    if out.exists():
        shutil.rmtree(out)
    command = [sys.executable, "-m", "augment_cli", "expand", str(source), "--recipe", str(recipe),
               "--copies", str(copies), "--seed", str(seed), "--out", str(out),
               "--workers", str(workers), "--quiet"]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"augment expand failed ({completed.returncode}): "
                           f"{' '.join(command)}\n{completed.stderr.strip()}")


def read_copies(items: list[Item], folder: Path) -> list[Copy]:
    """The copies that `expand` wrote to FOLDER/copies from `items` (in manifest order)."""
    out = folder / "copies"
    by_path = {f"{item.label}/{item.name}": item for item in items}
    found = []
    with open(out / "manifest.csv", newline="", encoding="utf-8") as manifest:
        for row in csv.DictReader(manifest):
            if int(row["copy"]) == 0:
                continue
            path = out / row["file_name"]
            text = isinstance(by_path[row["source"]].payload, str)
            payload = path.read_text(encoding="utf-8") if text else path.read_bytes()
            found.append(Copy(by_path[row["source"]], payload))
    return found
