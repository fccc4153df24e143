"""The results table, as markdown."""

from __future__ import annotations

from typing import Any

HEADER = ("| dataset | train size | recipe | model | seeds | baseline % | augmented % | delta (95 % CI) "
          "| W/T/L | verdict | label-preserved % |\n|---|---|---|---|---|---|---|---|---|---|---|")


def row_line(row: Any) -> str:
    r = row.result
    return (f"| {row.dataset} | {row.size} | {row.recipe} | {row.model} | {row.seeds} | "
            f"{r.baseline:.1f} | {r.augmented:.1f} | {r.delta:+.1f} ({r.low:+.1f} .. {r.high:+.1f}) | "
            f"{r.wins}/{r.ties}/{r.losses} | {r.verdict} | {r.preserved:.0f} |")


def markdown(rows: list[Any], notes: list[str], command: str, minutes: float, machine: str,
             versions: str) -> str:
    lines = [
        "# Effectiveness: originals vs originals + augment's copies",
        "",
        f"`{command}` — {minutes:.1f} min on {machine}; {versions}.",
        "",
        "delta = augmented - baseline accuracy in points, paired by seed (same training and test",
        "items, same initial weights, same batch order, same number of steps); the interval is the",
        "95 % t interval of the mean delta over seeds; W/T/L counts seeds where the augmented arm",
        "got more / as many / fewer test items right; verdict: helps / HURTS when the interval",
        "excludes zero, n.s. otherwise;",
        "label-preserved = share of the copies that the originals-only model assigns to their",
        "source's label (compare with its test accuracy: a rate far below it means the recipe moves",
        "copies out of their class).",
        "",
        HEADER,
        *[row_line(row) for row in rows],
        "",
        "Splits (test items are never augmented; a seed fixes the training draw, or for audio the",
        "held-out speaker and for text the held-out fold):",
        "",
        *[f"- {note}" for note in notes],
        "",
    ]
    return "\n".join(lines)
