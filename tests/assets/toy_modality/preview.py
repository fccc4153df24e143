"""Toy preview: each copy's values on stdout."""

from __future__ import annotations

from pathlib import Path

from augment_cli.commands.render import Renderer


def render_toy(rows: list, context) -> tuple[list[Path], str]:
    lines = []
    for row in rows:
        lines.append(f"== {row.sample.relative}" + (f": {row.error}" if row.error else ""))
        lines += [f"#{k} {' '.join(map(str, data))}" for k, data, _ in row.copies]
    return [], "\n".join(lines) + "\n"


RENDERER = Renderer(render_toy, draws_png=False)
