"""Contact sheets for `augment preview`: a grid of captioned thumbnails.

Any modality that can draw a thumbnail (images as they are, audio as a
spectrogram) uses the same sheet; captions say which transforms were applied.
Drawn with Pillow only, default font, so nothing beyond the runtime deps.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

THUMB = 160          # thumbnails fit a THUMB x THUMB box, aspect kept
CAPTION_LINES = 3
LINE_HEIGHT = 12
PAD = 6
BACKGROUND = (255, 255, 255)
TEXT, ERROR_TEXT = (30, 30, 30), (190, 0, 0)


@dataclass(frozen=True)
class Cell:
    """One thumbnail: display pixels (None for a failed item) and its caption."""

    pixels: np.ndarray | None
    caption: str
    failed: bool = False


def display_image(pixels: np.ndarray) -> Image.Image:
    """Any array a codec decodes (L, LA, RGB, RGBA, 8 or 16 bit) as RGB for a screen."""
    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)
    image = Image.fromarray(np.ascontiguousarray(pixels))
    if image.mode in ("LA", "RGBA"):
        # Show transparency as light grey so alpha changes are visible.
        backdrop = Image.new("RGBA", image.size, (220, 220, 220, 255))
        image = Image.alpha_composite(backdrop, image.convert("RGBA"))
    return image.convert("RGB")


def short_caption(records: list[dict[str, Any]], most_values: int = 2) -> str:
    """'hflip, rotate -7.31, motion_blur 7 93.2': names and the telling numbers.

    The telling numbers are the transform's own parameters that vary from
    copy to copy (those whose default is a range, or that the recipe must
    give), in the order the registry declares them (motion_blur's kernel
    before its angle), then the other real numbers it recorded. Integers it
    derived (pixel boxes, frame offsets) or took as settings (a fill value,
    a filter order) are left out: they say little at a glance.
    """
    if not records:
        return "(nothing applied)"
    parts = []
    for record in records:
        if "transform" not in record:  # a kept duplicate's mark (run/distinct.py)
            continue
        shown = " ".join(_number(v) for v in _telling(record)[:most_values])
        parts.append(record["transform"] + (f" {shown}" if shown else ""))
    return ", ".join(parts) or "(nothing applied)"


def _telling(record: dict[str, Any]) -> list[int | float]:
    params = record["params"]
    declared = [name for name in _declared(record["transform"]) if name in params]
    numbers = [params[name] for name in declared if _is_number(params[name])]
    return numbers + [v for k, v in params.items() if k not in declared and isinstance(v, float)]


@lru_cache(maxsize=256)
def _declared(transform: str) -> tuple[str, ...]:
    """The numeric recipe keys of a transform that vary per copy (any modality: names do not collide)."""
    from augment_cli import registry

    for modality in registry.MODALITIES:
        spec = registry.get(modality, transform)
        if spec is not None:
            return tuple(p.name for p in spec.params if p.kind in ("int", "float")
                         and (p.required or isinstance(p.default, tuple)))
    return ()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: float) -> str:
    """Three significant digits, without exponents for everyday sizes (3960, not 3.96e+03)."""
    if isinstance(value, int):
        return str(value)
    return f"{value:.0f}" if 1000 <= abs(value) < 1e7 else f"{value:.3g}"


def contact_sheet(rows: list[list[Cell]]) -> Image.Image:
    """One row of cells per list; every cell THUMB wide plus a caption below."""
    columns = max((len(row) for row in rows), default=1)
    cell_w, cell_h = THUMB + PAD, THUMB + CAPTION_LINES * LINE_HEIGHT + 2 * PAD
    sheet = Image.new("RGB", (columns * cell_w + PAD, max(1, len(rows)) * cell_h + PAD), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            _draw_cell(sheet, draw, font, cell, PAD + c * cell_w, PAD + r * cell_h)
    return sheet


def _draw_cell(sheet: Image.Image, draw: ImageDraw.ImageDraw, font: Any, cell: Cell,
               x: int, y: int) -> None:
    if cell.pixels is not None:
        # contain() also scales small images up, so a 32x32 source is not a speck.
        thumb = ImageOps.contain(display_image(cell.pixels), (THUMB, THUMB), Image.Resampling.BILINEAR)
        sheet.paste(thumb, (x + (THUMB - thumb.width) // 2, y + (THUMB - thumb.height) // 2))
    else:
        draw.rectangle((x, y, x + THUMB - 1, y + THUMB - 1), outline=ERROR_TEXT)
    colour = ERROR_TEXT if cell.failed else TEXT
    for i, line in enumerate(wrap(cell.caption, THUMB, draw, font)[:CAPTION_LINES]):
        draw.text((x, y + THUMB + PAD // 2 + i * LINE_HEIGHT), line, fill=colour, font=font)


def wrap(text: str, width: int, draw: ImageDraw.ImageDraw, font: Any) -> list[str]:
    """Greedy word wrap to `width` pixels; the last shown line ends with '…' if cut."""
    lines, current = [], ""
    for word in text.split(" "):
        trial = f"{current} {word}".strip()
        if current and draw.textlength(trial, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    lines.append(current)
    if len(lines) > CAPTION_LINES:
        last = lines[CAPTION_LINES - 1]
        while last and draw.textlength(last + "…", font=font) > width:
            last = last[:-1]
        lines = lines[: CAPTION_LINES - 1] + [last + "…"]
    return [_fit(line, width, draw, font) for line in lines]


def _fit(line: str, width: int, draw: ImageDraw.ImageDraw, font: Any) -> str:
    """A single word longer than the cell is cut rather than drawn over the next one."""
    if draw.textlength(line, font=font) <= width:
        return line
    while line and draw.textlength(line + "…", font=font) > width:
        line = line[:-1]
    return line + "…"
