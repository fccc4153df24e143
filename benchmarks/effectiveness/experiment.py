"""One dataset's plan as units of work, and the table rows from their outcomes.

A training set (one seed of one size) gives one unit for its originals-only
models, which also judge every recipe's copies (label preservation), and one
unit per recipe for the models trained on originals + copies. Every unit is
independent of the others: the copies it reads are made beforehand, once per
(training set, recipe), by `Expansions`; train.py runs a unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets
from stats import Paired, paired

MODELS = {"image": ("cnn", "linear"), "audio": ("cnn", "linear"), "text": ("cnn", "bilstm", "tfidf-lr")}
ORIGINALS = ""      # a unit's arm when it trains on the originals only


@dataclass(frozen=True)
class Row:
    dataset: str
    size: str
    recipe: str
    model: str
    seeds: int
    result: Paired


@dataclass(frozen=True)
class Split:
    train: tuple[datasets.Item, ...]
    test: tuple[datasets.Item, ...]
    seed: int
    name: str            # how this seed's split is described ("seed 2", "fold 3", "seed 1 (speaker jackson)")


@dataclass(frozen=True)
class Expansion:
    """One `augment expand` of a training set."""
    dataset: str
    folder: Path         # FOLDER/train: the class folders written for augment; FOLDER/copies: its output
    train: tuple[datasets.Item, ...]
    recipe: Path
    copies: int
    seed: int


@dataclass(frozen=True)
class Unit:
    """Models of one arm trained on one split; everything the result depends on is here."""
    dataset: str
    modality: str
    size: str                    # the training size as the table names it
    labels: tuple[str, ...]      # a label's index is its class number
    steps: int                   # CNN optimisation steps
    split: Split
    arm: str                     # ORIGINALS, or the recipe whose copies join the originals
    copies: tuple[tuple[str, Path], ...]   # (recipe, expansion folder) of the copies it reads

    @property
    def name(self) -> str:
        return f"{self.dataset} {self.size} {self.split.name}, {self.arm or 'originals'}"


@dataclass(frozen=True)
class Group:
    """The splits of one (dataset, training size): one block of table rows."""
    dataset: str
    modality: str
    size: str
    recipes: tuple[str, ...]
    seeds: tuple[int, ...]


class Expansions:
    """The augment runs the units need, each (training set, recipe, copies, seed) once."""

    def __init__(self, work: Path, recipes: Path):
        self.work, self.recipes = work, recipes
        self.by_key: dict[tuple, Expansion] = {}

    def folder(self, dataset: str, split: Split, recipe: str, copies: int) -> Path:
        key = (dataset, recipe, copies, split.seed, tuple((i.label, i.name) for i in split.train))
        if key not in self.by_key:
            folder = self.work / dataset / f"{len(self.by_key):04}-{recipe}-seed{split.seed}"
            recipe_file = self.recipes / f"{recipe}.toml"
            self.by_key[key] = Expansion(dataset, folder, split.train, recipe_file, copies, split.seed)
        return self.by_key[key].folder

    @property
    def all(self) -> list[Expansion]:
        return list(self.by_key.values())


def plan_units(dataset: datasets.Dataset, plan: Any, steps: int,
               expansions: Expansions) -> tuple[list[Group], list[Unit], list[str]]:
    """The groups, units (in table order: size, seed, originals then each recipe) and split
    notes of one dataset's plan. Nothing here depends on how many jobs will run them."""
    labels = tuple(sorted({item.label for item in dataset.items}))
    groups, units, notes = [], [], []
    for size, seeds in zip(plan.sizes, plan.seeds, strict=True):
        splits = make_splits(dataset, plan, size, seeds)
        size_name = _size_name(dataset, size, splits)
        notes.append(f"{dataset.name}, {size_name}: " + _describe(dataset, plan, splits))
        groups.append(Group(dataset.name, dataset.modality, size_name, plan.recipes,
                            tuple(s.seed for s in splits)))
        for split in splits:
            folders = tuple((r, expansions.folder(dataset.name, split, r, plan.copies)) for r in plan.recipes)
            arms = [(ORIGINALS, folders)] + [(recipe, ((recipe, folder),)) for recipe, folder in folders]
            units += [Unit(dataset.name, dataset.modality, size_name, labels, steps, split, arm, copies)
                      for arm, copies in arms]
    return groups, units, notes


def make_splits(dataset: datasets.Dataset, plan: Any, size: int | None, seeds: int) -> list[Split]:
    """One training set and test set per seed. Images: a training draw, the fixed test set.
    Audio: seed s holds out speaker s mod (speakers), so every speaker is tested equally
    often, each time with its own training draw. Text: seed s holds out fold s of a fixed
    stratified partition into `plan.folds` folds (every row is tested once in a full pass)."""
    if dataset.modality == "audio":
        folds = datasets.speaker_folds(dataset)
        return [_split(datasets.draw_training(pool, size, seed), test, seed,
                       f"seed {seed} (speaker {test[0].group})")
                for seed, (pool, test) in ((s, folds[s % len(folds)]) for s in range(seeds))]
    if dataset.modality == "text":
        folds = datasets.stratified_folds(dataset, plan.folds)
        return [_split(datasets.draw_fraction(pool, size, seed), test, seed, f"fold {seed}")
                for seed, (pool, test) in enumerate(folds[:seeds])]
    test, pool = datasets.splits(dataset)
    return [_split(datasets.draw_training(pool, size, seed), test, seed, f"seed {seed}")
            for seed in range(seeds)]


def rows(groups: list[Group], units: list[Unit], outcomes: list[Any]) -> list[Row]:
    """Table rows, per group by (recipe, model), each paired over the group's seeds in seed
    order. An outcome is found by its unit's (dataset, size, seed, arm), never by the
    position it finished in."""
    found = {(u.dataset, u.size, u.split.seed, u.arm): o for u, o in zip(units, outcomes, strict=True)}
    table = []
    for group in groups:
        for recipe, model in sorted((r, m) for r in group.recipes for m in MODELS[group.modality]):
            seeds = []
            for seed in group.seeds:
                base = found[(group.dataset, group.size, seed, ORIGINALS)]
                augmented = found[(group.dataset, group.size, seed, recipe)]
                seeds.append((100.0 * base.hits[model] / base.tested,
                              100.0 * augmented.hits[model] / augmented.tested,
                              base.hits[model], augmented.hits[model], base.preserved[(recipe, model)]))
            table.append(Row(group.dataset, group.size, recipe, model, len(seeds),
                             paired(*(list(column) for column in zip(*seeds, strict=True)))))
    return table


def _split(train: list[datasets.Item], test: list[datasets.Item], seed: int, name: str) -> Split:
    return Split(tuple(train), tuple(test), seed, name)


def _size_name(dataset: datasets.Dataset, size: int | None, splits: list[Split]) -> str:
    if dataset.modality == "text":
        return f"{len(splits[0].train)}"     # a total, as in the EDA paper
    return "all" if size is None else f"{size}/class"


def _describe(dataset: datasets.Dataset, plan: Any, splits: list[Split]) -> str:
    sizes = f"{len(splits[0].train)} train / {len(splits[0].test)} test"
    if dataset.modality == "audio":
        speakers = sorted({s.test[0].group for s in splits})
        return (f"{len(splits)} seeds, seed s holding out speaker s mod {len(speakers)} "
                f"({', '.join(speakers)}); {sizes}, training drawn per seed")
    if dataset.modality == "text":
        return (f"folds 0-{len(splits) - 1} of a fixed stratified {plan.folds}-fold partition "
                f"of the {len(dataset.items)} rows; {sizes} each")
    return f"{len(splits)} seeds; {sizes} (training drawn per seed, test fixed)"
