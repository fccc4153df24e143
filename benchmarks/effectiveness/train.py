"""Running one unit (experiment.Unit): fit its arm's models, count the test items they get right.

The originals-only unit also measures label preservation: the share of each
recipe's copies that its models assign to their source's label. Every model
is seeded by the unit's split, so a unit gives the same outcome in any
process, in any order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import models
import numpy as np
from expand import read_copies
from experiment import MODELS, ORIGINALS, Unit
from features import arrays

# (dataset, label, file name) -> model input: a worker runs many units of the same
# datasets, whose test sets and training pools repeat.
_FEATURES: dict[tuple[str, str, str], Any] = {}


@dataclass(frozen=True)
class Outcome:
    hits: dict[str, int]                     # model -> test items right
    tested: int
    preserved: dict[tuple[str, str], float]  # (recipe, model) -> % of copies kept (originals arm only)
    seconds: float


def start_worker() -> None:
    """One torch thread (the environment set by jobs.one_thread covers BLAS and OpenMP)."""
    import torch

    torch.set_num_threads(1)


def run_unit(unit: Unit) -> Outcome:
    started = time.monotonic()
    train, test = list(unit.split.train), list(unit.split.test)
    x_train, y_train = features(unit, train), targets(unit, train)
    x_test, y_test = features(unit, test), targets(unit, test)
    copies = {recipe: copies_of(unit, train, folder) for recipe, folder in unit.copies}
    hits, preserved = {}, {}
    for model in MODELS[unit.modality]:
        if unit.arm == ORIGINALS:
            predict = fit(unit, model, x_train, y_train)
            for recipe, (x_copies, y_copies) in copies.items():
                preserved[(recipe, model)] = 100.0 * float((predict(x_copies) == y_copies).mean())
        else:
            x_copies, y_copies = copies[unit.arm]
            predict = fit(unit, model, _join(x_train, x_copies), np.concatenate([y_train, y_copies]))
        hits[model] = int((predict(x_test) == y_test).sum())
    return Outcome(hits, len(test), preserved, time.monotonic() - started)


def copies_of(unit: Unit, train: list, folder: Path) -> tuple[Any, np.ndarray]:
    """Model inputs of the copies in an expansion folder, and their sources' class numbers."""
    found = read_copies(train, folder)
    inputs = arrays([c.payload for c in found], unit.dataset, unit.modality)
    return inputs, targets(unit, [c.source for c in found])


def features(unit: Unit, items: list) -> Any:
    missing = [item for item in items if (unit.dataset, item.label, item.name) not in _FEATURES]
    if missing:
        made = arrays([item.payload for item in missing], unit.dataset, unit.modality)
        for item, feature in zip(missing, made, strict=True):
            _FEATURES[(unit.dataset, item.label, item.name)] = feature
    found = [_FEATURES[(unit.dataset, item.label, item.name)] for item in items]
    return found if unit.modality == "text" else np.stack(found)


def targets(unit: Unit, items: list) -> np.ndarray:
    return np.array([unit.labels.index(item.label) for item in items], dtype=np.int64)


def fit(unit: Unit, model: str, x: Any, y: np.ndarray) -> models.Predict:
    seed, classes = unit.split.seed, len(unit.labels)
    if model in models.TEXT_NETS and unit.modality == "text":
        return models.fit_text_net(model, x, y, classes, unit.steps, seed)
    if model == "cnn":
        return models.fit_cnn(x, y, classes, unit.steps, seed)
    return models.fit_linear(x, y, unit.modality, seed)


def _join(originals: Any, copies: Any) -> Any:
    if isinstance(originals, list):
        return originals + list(copies)
    return np.concatenate([originals, copies])
