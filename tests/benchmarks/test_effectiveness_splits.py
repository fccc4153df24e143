"""benchmarks/effectiveness/datasets.py: the splits the published effectiveness figures rest on
never let a test item (or, for audio, a test speaker) into training, and test every text row once."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[2] / "benchmarks" / "effectiveness" / "datasets.py"
_spec = importlib.util.spec_from_file_location("effectiveness_datasets", HERE)
assert _spec is not None and _spec.loader is not None
effect = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = effect     # dataclasses look their module up there
_spec.loader.exec_module(effect)   # by path: "datasets" would be Hugging Face's package


def texts(counts: dict[str, int]) -> effect.Dataset:
    items = [effect.Item(f"{label}{i:03}.txt", label, "", f"{label} {i}\n")
             for label, count in counts.items() for i in range(count)]
    return effect.Dataset("toy", "text", tuple(items), ".txt", 0, "toy")


def test_stratified_folds_test_every_row_once_and_never_train_on_it():
    dataset = texts({"a": 23, "b": 9, "c": 18})
    folds = effect.stratified_folds(dataset, 10)
    tested = [item for _, test in folds for item in test]
    assert sorted(i.name for i in tested) == sorted(i.name for i in dataset.items)
    for pool, test in folds:
        assert not {i.name for i in pool} & {i.name for i in test}
        assert len(pool) + len(test) == len(dataset.items)
        assert 4 <= len(test) <= 6                      # 50 rows over 10 folds, evenly
    for label, count in (("a", 23), ("b", 9), ("c", 18)):
        per_fold = [sum(i.label == label for i in test) for _, test in folds]
        assert max(per_fold) - min(per_fold) <= 1 and sum(per_fold) == count


def test_stratified_folds_are_fixed():
    dataset = texts({"a": 12, "b": 12})
    first, again = effect.stratified_folds(dataset, 4), effect.stratified_folds(dataset, 4)
    assert [[i.name for i in t] for _, t in first] == [[i.name for i in t] for _, t in again]


def test_speaker_folds_hold_out_one_whole_speaker_each():
    items = tuple(effect.Item(f"{d}_{s}_{i}.wav", str(d), s, b"")
                  for d in range(3) for s in ("ann", "bob", "cy") for i in range(2))
    dataset = effect.Dataset("toy", "audio", items, ".wav", 0, "toy")
    folds = effect.speaker_folds(dataset)
    assert [t[0].group for _, t in folds] == ["ann", "bob", "cy"]
    for pool, test in folds:
        assert {i.group for i in test} == {test[0].group} and len(test) == 6
        assert test[0].group not in {i.group for i in pool} and len(pool) == 12
