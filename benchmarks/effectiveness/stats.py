"""Paired comparison over seeds: mean delta, 95 % t interval, wins/ties/losses."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Paired:
    baseline: float          # mean accuracy, points
    augmented: float
    delta: float             # mean of per-seed (augmented - baseline), points
    low: float               # 95 % t interval of the mean delta
    high: float
    wins: int
    ties: int                # same number of correct test items
    losses: int
    preserved: float         # mean label-preservation rate of the copies, percent

    @property
    def verdict(self) -> str:
        if self.low > 0:
            return "helps"
        if self.high < 0:
            return "HURTS"
        return "n.s."


def t_quantile(df: int) -> float:
    """Two-sided 95 % quantile of Student's t."""
    from scipy.stats import t

    return float(t.ppf(0.975, df))


def paired(baseline: list[float], augmented: list[float], correct_base: list[int],
           correct_aug: list[int], preserved: list[float]) -> Paired:
    deltas = [a - b for a, b in zip(augmented, baseline, strict=True)]
    mean = statistics.fmean(deltas)
    if len(deltas) > 1:
        half = t_quantile(len(deltas) - 1) * statistics.stdev(deltas) / math.sqrt(len(deltas))
    else:
        half = math.inf
    signs = [(a > b) - (a < b) for a, b in zip(correct_aug, correct_base, strict=True)]
    return Paired(statistics.fmean(baseline), statistics.fmean(augmented), mean, mean - half,
                  mean + half, signs.count(1), signs.count(0), signs.count(-1),
                  statistics.fmean(preserved))
