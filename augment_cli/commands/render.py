"""What a modality's preview renderer is, and the parts image and audio share.

A renderer takes the rows of its modality (commands.preview.PreviewRow) and a
RenderContext and returns (files written, text for stdout). Each modality's
entry in the modality table names its renderer (modalities/<name>/preview.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment_cli.commands.sheet import Cell, contact_sheet, short_caption
from augment_cli.outdir.files import atomic_write


@dataclass(frozen=True)
class Renderer:
    render: Callable[[list, Any], tuple[list[Path], str]]
    draws_png: bool  # whether it draws a contact sheet (several get one PNG each)


def save_sheet(rows: list[list[Cell]], path: Path) -> Path:
    buffer = io.BytesIO()
    contact_sheet(rows).save(buffer, format="PNG")
    atomic_write(path, buffer.getvalue())
    return path


def sheet_cells(row: Any, thumbnail: Callable[[Any], Any]) -> list[Cell]:
    """The original, then each copy captioned with what was applied to it."""
    if row.error:
        return [Cell(None, f"{row.sample.relative}: {row.error}", failed=True)]
    original = row.original if row.original is not None else row.decoded.data
    cells = [Cell(thumbnail(original), f"{row.sample.relative} (original)")]
    cells += [Cell(thumbnail(data), f"#{k}: {short_caption(records)}") for k, data, records in row.copies]
    return cells
