"""Image preview: a contact sheet, one row per source, the original then its copies
(annotated images with their boxes, polygons, masks and keypoints drawn on)."""

from __future__ import annotations

from pathlib import Path

from augment_cli.commands.overlay import with_targets
from augment_cli.commands.render import Renderer, save_sheet, sheet_cells


def render_images(rows: list, context) -> tuple[list[Path], str]:
    return [save_sheet([sheet_cells(row, with_targets) for row in rows], context.png)], ""


RENDERER = Renderer(render_images, draws_png=True)
