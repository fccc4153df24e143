"""balance.copies_per_sample: how many copies each file gets."""

from __future__ import annotations

import pytest

from augment_cli.run.balance import LabelCopies, copies_per_sample, spread


def totals(plan, include_originals=False):
    """Files each label ends with: its copies, plus its originals when kept."""
    return {label: sum(copies) + (copies.files if include_originals else 0)
            for label, copies in plan.per_file.items()}


def lists(plan):
    return {label: list(copies) for label, copies in plan.per_file.items()}


def test_without_balance_every_file_gets_copies():
    plan = copies_per_sample({"cat": 2, "dog": 5}, 3)
    assert lists(plan) == {"cat": [3, 3], "dog": [3, 3, 3, 3, 3]}
    assert plan.target is None and totals(plan) == {"cat": 6, "dog": 15}


def test_per_label_copies_override_and_cap():
    plan = copies_per_sample({"cat": 2, "dog": 1, "owl": 1}, 3, per_label={"cat": 2, "dog": 8},
                             max_copies=6)
    assert lists(plan) == {"cat": [2, 2], "dog": [6], "owl": [3]}


@pytest.mark.parametrize("include_originals", [False, True])
def test_balance_brings_every_label_to_the_largest(include_originals):
    counts = {"cat": 10, "dog": 3, "owl": 7, "yak": 1}
    plan = copies_per_sample(counts, 4, include_originals=include_originals, balance=True)
    per_label = 4 + include_originals
    assert plan.target == 10 * per_label
    assert set(totals(plan, include_originals).values()) == {plan.target}
    assert list(plan.per_file["cat"]) == [4] * 10
    for files in lists(plan).values():
        assert max(files) - min(files) <= 1
    assert plan.short == {}


def test_balance_extra_copies_are_spread_along_the_list():
    # 10 files need 43 copies: 3 files get 5 and 7 get 4, spaced out, not the first three
    plan = copies_per_sample({"big": 43, "small": 10}, 1, balance=True)
    assert sum(plan.per_file["small"]) == 43 == plan.per_file["small"].total
    assert list(plan.per_file["small"]) == [5, 4, 4, 5, 4, 4, 5, 4, 4, 4]


def test_max_copies_caps_and_reports_shortfall():
    plan = copies_per_sample({"big": 20, "small": 2}, 2, balance=True, max_copies=5)
    assert list(plan.per_file["small"]) == [5, 5]
    assert plan.short == {"small": 30}
    assert list(plan.per_file["big"]) == [2] * 20


def test_balance_is_deterministic_and_order_free():
    a = copies_per_sample({"a": 3, "b": 8, "c": 5}, 2, balance=True)
    b = copies_per_sample({"c": 5, "b": 8, "a": 3}, 2, balance=True)
    assert lists(a) == lists(b)


@pytest.mark.parametrize("total,slots", [(0, 3), (7, 3), (9, 3), (1, 5), (13, 4)])
def test_spread_is_even_and_exact(total, slots):
    counts = spread(total, slots)
    assert sum(counts) == total and len(counts) == slots
    assert max(counts) - min(counts) <= 1


@pytest.mark.parametrize("total,slots,cap", [(0, 3, None), (7, 3, None), (43, 10, None), (43, 10, 4),
                                             (13, 4, 3), (1, 5, None), (99, 7, 100)])
def test_label_copies_iterates_the_spread_without_a_list(total, slots, cap):
    base, extra = divmod(total, slots)
    copies = LabelCopies(slots, base, extra, cap)
    expected = [c if cap is None else min(c, cap) for c in spread(total, slots)]
    assert list(copies) == expected
    assert (copies.total, copies.least, copies.most) == (sum(expected), min(expected), max(expected))


def test_a_copy_plan_does_not_grow_with_the_files():
    """CopyPlan.per_file used to hold a list entry per file: 10 million files, 80 MB."""
    import sys

    plan = copies_per_sample({"big": 10_000_000, "small": 3}, 5, balance=True)
    assert plan.outputs("small", False) == 50_000_000 == plan.outputs("big", False)
    assert sys.getsizeof(plan.per_file["big"]) < 200
