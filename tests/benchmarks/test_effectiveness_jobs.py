"""benchmarks/effectiveness: the units of work, their seeds and the table built from them do not
depend on --jobs, each training set is expanded once per recipe, and a pool of workers hands
results back in unit order (the models themselves need torch: benchmarks/.venv, not here)."""

from __future__ import annotations

import importlib
import os
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

EFFECT = Path(__file__).resolve().parents[2] / "benchmarks" / "effectiveness"


def _load(*names: str) -> list:
    """The benchmark's modules import each other by bare name, run.py putting their folder first
    on sys.path; here Hugging Face's `datasets` would answer, so it is set aside while they load."""
    shadowed = sys.modules.pop("datasets", None)
    sys.path.insert(0, str(EFFECT))
    try:
        return [importlib.import_module(name) for name in names]
    finally:
        sys.path.remove(str(EFFECT))
        sys.modules.pop("datasets", None)     # the benchmark's own: experiment keeps its reference
        if shadowed is not None:
            sys.modules["datasets"] = shadowed


experiment, jobs = _load("experiment", "jobs")
Item, Dataset = experiment.datasets.Item, experiment.datasets.Dataset


def images(labels: int = 3, per_label: int = 12) -> Dataset:
    items = tuple(Item(f"{label}_{i:02}.png", str(label), "", b"")
                  for label in range(labels) for i in range(per_label))
    return Dataset("toy", "image", items, ".png", 4, "toy")


PLAN = SimpleNamespace(sizes=(2, None), seeds=(3, 2), recipes=("a", "b"), copies=4, folds=0)


def plan(tmp_path: Path, expansions=None):
    expansions = expansions or experiment.Expansions(tmp_path, tmp_path / "recipes")
    groups, units, notes = experiment.plan_units(images(), PLAN, 50, expansions)
    return groups, units, expansions


def test_units_come_in_table_order_each_seeded_by_its_training_set(tmp_path):
    groups, units, _ = plan(tmp_path)
    assert [(g.size, g.seeds) for g in groups] == [("2/class", (0, 1, 2)), ("all", (0, 1))]
    assert [(u.size, u.split.seed, u.arm) for u in units] == [
        (size, seed, arm) for size, seeds in (("2/class", 3), ("all", 2))
        for seed in range(seeds) for arm in ("", "a", "b")]
    for originals, *augmented in zip(units[::3], units[1::3], units[2::3], strict=True):
        assert originals.copies == tuple((u.arm, u.copies[0][1]) for u in augmented)
        assert all(u.split == originals.split and len(u.copies) == 1 for u in augmented)
    small = [u.split.train for u in units if u.size == "2/class" and u.arm == ""]
    assert len({tuple(i.name for i in train) for train in small}) == 3    # a draw per seed
    assert all(len(train) == 6 for train in small)


def test_each_training_set_is_expanded_once_per_recipe(tmp_path):
    _, units, expansions = plan(tmp_path)
    assert len(expansions.all) == 5 * 2
    assert len({e.folder for e in expansions.all}) == 10
    assert {(e.recipe.name, e.seed, e.copies) for e in expansions.all} >= {("a.toml", 0, 4), ("b.toml", 1, 4)}
    plan(tmp_path, expansions)                      # the same training sets asked for again
    assert len(expansions.all) == 10


def test_planning_twice_gives_the_same_units(tmp_path):
    def described(units):
        return [(u.size, u.split.seed, u.arm, [i.name for i in u.split.train],
                 [i.name for i in u.split.test], [(r, f.relative_to(tmp_path)) for r, f in u.copies])
                for u in units]

    assert described(plan(tmp_path)[1]) == described(plan(tmp_path)[1])


def outcome(unit) -> SimpleNamespace:
    """Made-up test counts that differ per seed and arm, as a worker would return them."""
    bonus = {"": 0, "a": 2, "b": -1}[unit.arm]
    hits = {"cnn": 8 + unit.split.seed + bonus, "linear": 7 + bonus}
    kept = 90.0 - unit.split.seed
    preserved = {(r, m): kept for r, _ in unit.copies for m in hits} if unit.arm == "" else {}
    return SimpleNamespace(hits=hits, tested=12, preserved=preserved)


def test_the_table_pairs_outcomes_by_unit_not_by_finishing_order(tmp_path):
    groups, units, _ = plan(tmp_path)
    outcomes = [outcome(u) for u in units]
    expected = experiment.rows(groups, units, outcomes)
    order = list(range(len(units)))
    random.Random(3).shuffle(order)
    shuffled = experiment.rows(groups, [units[i] for i in order], [outcomes[i] for i in order])
    assert shuffled == expected
    first = expected[0]
    assert (first.size, first.recipe, first.model, first.seeds) == ("2/class", "a", "cnn", 3)
    assert first.result.delta == pytest.approx(100 * 2 / 12)
    assert first.result.baseline == pytest.approx(100 * 9 / 12)       # seeds 0-2: 8, 9, 10 right
    assert first.result.preserved == pytest.approx(89.0) and first.result.wins == 3


def square_unit_zero_last(n: int) -> tuple[int, str | None]:
    time.sleep(1.0 if n == 0 else 0.0)   # the other worker finishes units 1.. first
    return n * n, os.environ.get("OMP_NUM_THREADS")


@pytest.mark.slow
def test_a_pool_returns_results_in_unit_order_from_one_thread_workers(monkeypatch):
    monkeypatch.syspath_prepend(str(EFFECT))       # the workers import jobs by name, as run.py's do
    monkeypatch.setenv("OMP_NUM_THREADS", "4")     # what the start function must override
    finished: list[int] = []
    pooled = jobs.run_pool(square_unit_zero_last, range(6), 2, start=jobs.one_thread,
                           done=lambda position, _: finished.append(position))
    assert pooled == [(n * n, "1") for n in range(6)]
    assert sorted(finished) == list(range(6))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert jobs.run_serial(square_unit_zero_last, range(6)) == pooled
