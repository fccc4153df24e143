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
    name: str            # how this seed's split is described ("seed 2", "fold 3", "speaker jackson")


class Runner:
    def __init__(self, dataset: datasets.Dataset, plan: Any, recipes: Path, work: Path,
                 steps: dict[str, int], workers: int, notes: list[str]):
        self.dataset, self.plan, self.recipes, self.work = dataset, plan, recipes, work
        self.steps, self.workers, self.notes = steps[dataset.modality], workers, notes
        self.labels = sorted({item.label for item in dataset.items})
        self.cache: dict[int, Any] = {}   # id(payload) -> features of a source, reused across seeds

    def run(self) -> list[Row]:
        rows = []
        for size, seeds in zip(self.plan.sizes, self.plan.seeds, strict=True):
            splits = self.splits(size, seeds)
            size_name = self._size_name(size, splits)
            self.notes.append(f"{self.dataset.name}, {size_name}: " + self._describe(splits))
            per_recipe = self.compare(splits)
            for (recipe, model), outcomes in sorted(per_recipe.items()):
                rows.append(Row(self.dataset.name, size_name, recipe, model, len(outcomes),
                                paired(*zip(*outcomes, strict=True))))
        return rows

    def splits(self, size: int | None, seeds: int) -> list[Split]:
        """One training set and test set per seed. Images: a training draw, the fixed test set.
        Audio: seed s holds out speaker s mod (speakers), so every speaker is tested equally
        often, each time with its own training draw. Text: seed s holds out fold s of a fixed
        stratified partition into `plan.folds` folds (every row is tested once in a full pass)."""
        if self.dataset.modality == "audio":
            folds = datasets.speaker_folds(self.dataset)
            return [Split(datasets.draw_training(pool, size, seed), test, seed,
                          f"seed {seed} (speaker {test[0].group})")
                    for seed, (pool, test) in ((s, folds[s % len(folds)]) for s in range(seeds))]
        if self.dataset.modality == "text":
            folds = datasets.stratified_folds(self.dataset, self.plan.folds)
            return [Split(datasets.draw_fraction(pool, size, seed), test, seed, f"fold {seed}")
                    for seed, (pool, test) in enumerate(folds[:seeds])]
        test, pool = datasets.splits(self.dataset)
        return [Split(datasets.draw_training(pool, size, seed), test, seed, f"seed {seed}")
                for seed in range(seeds)]

    def compare(self, splits: list[Split]) -> dict[tuple[str, str], list[tuple]]:
        outcomes: dict[tuple[str, str], list[tuple]] = {}
        for split in splits:
            started = time.monotonic()
            x_train, y_train = self.features(split.train), self.targets(split.train)
            x_test, y_test = self.features(split.test), self.targets(split.test)
            baselines = {m: self.fit(m, x_train, y_train, split.seed) for m in MODELS[self.dataset.modality]}
            deltas = []
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
                    deltas.append(f"{recipe}/{model} {base_hits}->{aug_hits} ({preserved:.0f} % kept)")
            print(f"  {self.dataset.name} {split.name} ({len(split.train)} train / {len(split.test)} test): "
                  f"{time.monotonic() - started:.0f} s; " + ", ".join(deltas), flush=True)
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

    def _size_name(self, size: int | None, splits: list[Split]) -> str:
        if self.dataset.modality == "text":
            return f"{len(splits[0].train)}"     # a total, as in the EDA paper
        return "all" if size is None else f"{size}/class"

    def _describe(self, splits: list[Split]) -> str:
        sizes = f"{len(splits[0].train)} train / {len(splits[0].test)} test"
        if self.dataset.modality == "audio":
            speakers = sorted({s.test[0].group for s in splits})
            return (f"{len(splits)} seeds, seed s holding out speaker s mod {len(speakers)} "
                    f"({', '.join(speakers)}); {sizes}, training drawn per seed")
        if self.dataset.modality == "text":
            return (f"folds 0-{len(splits) - 1} of a fixed stratified {self.plan.folds}-fold partition "
                    f"of the {len(self.dataset.items)} rows; {sizes} each")
        return f"{len(splits)} seeds; {sizes} (training drawn per seed, test fixed)"


def _join(originals: Any, copies: Any) -> Any:
    if isinstance(originals, list):
        return originals + list(copies)
    return np.concatenate([originals, copies])
