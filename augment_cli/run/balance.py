"""How many augmented copies each source file gets: the same for all
(`--copies N`), per label (a recipe's `[copies]` table) or balanced
(`--balance`: every label ends with as many files as the largest one).

Pure functions of counts, so `--dry-run`, `expand` and the tests agree and
nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

# Copies per source file beyond which a run is refused unless lifted
# (--allow-many-copies): --copies 1000000000 is a typo, not a dataset.
MAX_COPIES_PER_FILE = 10_000


@dataclass(frozen=True)
class LabelCopies:
    """Copies for each file of one label, in its sorted file order, as three
    numbers instead of a list per file: every file gets `base`, the `extra`
    files spaced evenly along the list (see `spread`) one more, each capped
    at `cap`. Iterating gives the count of each file in turn."""

    files: int
    base: int
    extra: int = 0
    cap: int | None = None

    def __iter__(self) -> Iterator[int]:
        low, high = self.least, _cap(self.base + 1, self.cap)
        extra, files = self.extra, self.files
        step, next_extra = 0, 0 if extra else files  # the index of the next file with one more
        for index in range(files):
            if index == next_extra:
                yield high
                step += 1
                next_extra = step * files // extra if step < extra else files
            else:
                yield low

    @property
    def least(self) -> int:
        return _cap(self.base, self.cap)

    @property
    def most(self) -> int:
        return _cap(self.base + 1, self.cap) if self.extra else self.least

    @property
    def total(self) -> int:
        return (self.files - self.extra) * self.least + self.extra * self.most


@dataclass(frozen=True)
class CopyPlan:
    """Copies per file for each label."""

    per_file: dict[str, LabelCopies]
    target: int | None = None  # files per label that --balance aims for
    short: dict[str, int] = field(default_factory=dict)  # label -> files missing (--max-copies)

    def outputs(self, label: str, include_originals: bool) -> int:
        copies = self.per_file[label]
        return copies.total + (copies.files if include_originals else 0)


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
        plan = {label: LabelCopies(n, per_label.get(label, copies), cap=max_copies)
                for label, n in counts.items()}
        return CopyPlan(plan)
    originals = 1 if include_originals else 0
    target = max((n * (copies + originals) for n in counts.values()), default=0)
    plan, short = {}, {}
    for label, n in counts.items():
        wanted = target - n * originals
        base, extra = divmod(max(wanted, 0), n) if n else (0, 0)
        plan[label] = LabelCopies(n, base, extra, max_copies)
        missing = wanted - plan[label].total
        if missing > 0:
            short[label] = missing
    return CopyPlan(plan, target, short)


def _cap(count: int, max_copies: int | None) -> int:
    return count if max_copies is None else min(count, max_copies)
