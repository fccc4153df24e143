"""One dataset's runs: seeds x training sizes x recipes x models.

The originals-only model of a (size, seed, model) is trained once and shared
by every recipe; it also judges the copies (label preservation).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets
import models
import numpy as np
from expand import augment
from features import arrays
from stats import Paired, paired

MODELS = {"image": ("cnn", "linear"), "audio": ("cnn", "linear"), "text": ("cnn", "tfidf-lr")}


@dataclass(frozen=True)
class Row:
    dataset: str
    size: str
    recipe: str
    model: str
    seeds: int
    result: Paired


@dataclass
class Split:
    train: list[datasets.Item]
    test: list[datasets.Item]
    seed: int
    name: str            # how this seed's split is described ("seed 2", "speaker jackson")


class Runner:
    def __init__(self, dataset: datasets.Dataset, plan: Any, recipes: Path, work: Path,
                 steps: dict[str, int], workers: int, notes: list[str]):
        self.dataset, self.plan, self.recipes, self.work = dataset, plan, recipes, work
        self.steps, self.workers, self.notes = steps[dataset.modality], workers, notes
        self.labels = sorted({item.label for item in dataset.items})
        self.cache: dict[int, Any] = {}   # id(payload) -> features of a source, reused across seeds

    def run(self) -> list[Row]:
        rows = []
        for size in self.plan.sizes:
            splits = self.splits(size)
            self.notes.append(f"{self.dataset.name}, {self._size_name(size)}: "
                              + "; ".join(f"{s.name}: {len(s.train)} train / {len(s.test)} test"
                                          for s in splits))
            per_recipe = self.compare(splits)
            for (recipe, model), outcomes in sorted(per_recipe.items()):
                rows.append(Row(self.dataset.name, self._size_name(size), recipe, model, len(outcomes),
                                paired(*zip(*outcomes, strict=True))))
        return rows

    def splits(self, size: int | None) -> list[Split]:
        """Fixed test set and one training draw per seed; audio: one fold per held-out speaker."""
        if self.dataset.modality == "audio":
            found = []
            for seed, speaker in enumerate(datasets.speakers(self.dataset)[:self.plan.seeds]):
                test = [i for i in self.dataset.items if i.group == speaker]
                pool = [i for i in self.dataset.items if i.group != speaker]
                found.append(Split(datasets.draw_training(pool, size, seed), test, seed,
                                   f"speaker {speaker}"))
            return found
        test, pool = datasets.splits(self.dataset)
        draw = datasets.draw_fraction if self.dataset.modality == "text" else datasets.draw_training
        return [Split(draw(pool, size, seed), test, seed, f"seed {seed}") for seed in range(self.plan.seeds)]

    def compare(self, splits: list[Split]) -> dict[tuple[str, str], list[tuple]]:
        outcomes: dict[tuple[str, str], list[tuple]] = {}
        for split in splits:
            started = time.monotonic()
            x_train, y_train = self.features(split.train), self.targets(split.train)
            x_test, y_test = self.features(split.test), self.targets(split.test)
            baselines = {m: self.fit(m, x_train, y_train, split.seed) for m in MODELS[self.dataset.modality]}
            for recipe in self.plan.recipes:
                copies = augment(split.train, self.recipes / f"{recipe}.toml", self.plan.copies,
                                 split.seed, self.work / self.dataset.name, self.workers)
                x_copies = arrays([c.payload for c in copies], self.dataset.name, self.dataset.modality)
                y_copies = self.targets([c.source for c in copies])
                x_both, y_both = _join(x_train, x_copies), np.concatenate([y_train, y_copies])
                for model, baseline in baselines.items():
                    augmented = self.fit(model, x_both, y_both, split.seed)
                    base_hits = int((baseline(x_test) == y_test).sum())
                    aug_hits = int((augmented(x_test) == y_test).sum())
                    preserved = 100.0 * float((baseline(x_copies) == y_copies).mean())
                    outcomes.setdefault((recipe, model), []).append(
                        (100.0 * base_hits / len(y_test), 100.0 * aug_hits / len(y_test),
                         base_hits, aug_hits, preserved))
            print(f"  {self.dataset.name} {split.name} ({len(split.train)} train): "
                  f"{time.monotonic() - started:.0f} s", flush=True)
        return outcomes

    def features(self, items: list[datasets.Item]) -> Any:
        missing = [item for item in items if id(item) not in self.cache]
        if missing:
            for item, feature in zip(missing, arrays([i.payload for i in missing], self.dataset.name,
                                                     self.dataset.modality), strict=True):
                self.cache[id(item)] = feature
        found = [self.cache[id(item)] for item in items]
        return found if self.dataset.modality == "text" else np.stack(found)

    def targets(self, items: list[datasets.Item]) -> np.ndarray:
        return np.array([self.labels.index(item.label) for item in items], dtype=np.int64)

    def fit(self, model: str, x: Any, y: np.ndarray, seed: int) -> models.Predict:
        if model == "cnn" and self.dataset.modality == "text":
            return models.fit_text_cnn(x, y, len(self.labels), self.steps, seed)
        if model == "cnn":
            return models.fit_cnn(x, y, len(self.labels), self.steps, seed)
        return models.fit_linear(x, y, self.dataset.modality, seed)

    def _size_name(self, size: int | None) -> str:
        if size is None:
            return "all"
        return f"{size}" if self.dataset.modality == "text" else f"{size}/class"


def _join(originals: Any, copies: Any) -> Any:
    if isinstance(originals, list):
        return originals + list(copies)
    return np.concatenate([originals, copies])
