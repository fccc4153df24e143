"""How many augmented copies each source file gets: the same for all
(`--copies N`), per label (a recipe's `[copies]` table) or balanced
(`--balance`: every label ends with as many files as the largest one).

Pure functions of counts, so `--dry-run`, `expand` and the tests agree and
nothing here reads a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CopyPlan:
    """Copies per file for each label (list in the label's sorted file order)."""

    per_file: dict[str, list[int]]
    target: int | None = None  # files per label that --balance aims for
    short: dict[str, int] = field(default_factory=dict)  # label -> files missing (--max-copies)


def spread(total: int, slots: int) -> list[int]:
    """Split `total` over `slots` so no slot gets more than one above another.

    The slots that get the extra one are spaced evenly along the list (not the
    first few), so a sorted file list's tail is not always short-changed.
    """
    if slots <= 0:
        return []
    base, extra = divmod(max(total, 0), slots)
    counts = [base] * slots
    for i in range(extra):
        counts[i * slots // extra] += 1
    return counts


def copies_per_sample(counts: dict[str, int], copies: int, *, include_originals: bool = False,
                      max_copies: int | None = None, balance: bool = False,
                      per_label: dict[str, int] | None = None) -> CopyPlan:
    """Copies for every file of every label.

    Args:
        counts: files per label.
        copies: `--copies N`, what each file of the largest label gets with --balance.
        include_originals: count the originals as part of each label's total.
        max_copies: cap for any single file (None: no cap).
        balance: raise every label to the largest label's total.
        per_label: copies per file for some labels (the recipe's `[copies]`),
            the others get `copies`. Not combined with `balance`.
    """
    if not balance:
        per_label = per_label or {}
        plan = {label: [_cap(per_label.get(label, copies), max_copies)] * n for label, n in counts.items()}
        return CopyPlan(plan)
    originals = 1 if include_originals else 0
    target = max((n * (copies + originals) for n in counts.values()), default=0)
    plan, short = {}, {}
    for label, n in counts.items():
        files = [_cap(c, max_copies) for c in spread(target - n * originals, n)]
        plan[label] = files
        missing = target - n * originals - sum(files)
        if missing > 0:
            short[label] = missing
    return CopyPlan(plan, target, short)


def _cap(count: int, max_copies: int | None) -> int:
    return count if max_copies is None else min(count, max_copies)
