"""How each modality draws its preview rows: one entry per modality in RENDERERS.

A renderer takes the rows of its modality and a RenderContext and returns
(files written, text for stdout). Images and audio draw contact sheets
(audio as spectrograms, with the clips written beside the sheet so they can
be listened to); text prints a word diff and writes an HTML page.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment_cli.files import atomic_write
from augment_cli.media import copy_name, output_extension
from augment_cli.sheet import Cell, contact_sheet, short_caption
from augment_cli.textdiff import render_ansi, render_html, render_plain, word_diff


@dataclass(frozen=True)
class Renderer:
    render: Callable[[list, Any], tuple[list[Path], str]]
    draws_png: bool


def _save_sheet(rows: list[list[Cell]], path: Path) -> Path:
    buffer = io.BytesIO()
    contact_sheet(rows).save(buffer, format="PNG")
    atomic_write(path, buffer.getvalue())
    return path


def _cells(row, thumbnail: Callable[[Any], Any]) -> list[Cell]:
    """The original, then each copy captioned with what was applied to it."""
    if row.error:
        return [Cell(None, f"{row.sample.relative}: {row.error}", failed=True)]
    cells = [Cell(thumbnail(row.decoded.data), f"{row.sample.relative} (original)")]
    cells += [Cell(thumbnail(data), f"#{k}: {short_caption(records)}") for k, data, records in row.copies]
    return cells


def render_images(rows: list, context) -> tuple[list[Path], str]:
    """Contact sheet: one row per source, the original then its copies."""
    return [_save_sheet([_cells(row, lambda pixels: pixels) for row in rows], context.png)], ""


def render_audio(rows: list, context) -> tuple[list[Path], str]:
    """Spectrogram contact sheet, plus every clip written under <out>-clips/."""
    from augment_cli.spectrogram import spectrogram_image

    def thumbnail(audio: Any) -> Any:
        return spectrogram_image(audio.samples, audio.sample_rate)

    clips = context.png.with_name(f"{context.out.stem}-clips")
    written = [_save_sheet([_cells(row, thumbnail) for row in rows], context.png)]
    for row in rows:
        if row.error:
            continue
        relative = row.sample.relative
        extension = output_extension(relative, context.recipe.output.format)
        for k, data, _ in row.copies:
            target = clips / copy_name(relative, k, extension)
            atomic_write(target, row.codec.encode(data, row.decoded, extension, context.recipe.output))
            written.append(target)
    return written, ""


def text_diffs(rows: list, color: bool) -> str:
    """Each source, then one line per copy with the changed words marked."""
    render = render_ansi if color else render_plain
    lines = []
    for row in rows:
        lines.append(f"== {row.sample.relative}" + (f": {row.error}" if row.error else ""))
        for k, data, records in row.copies:
            diff = render(word_diff(row.decoded.data, data)).rstrip("\n")
            lines.append(f"#{k} [{short_caption(records)}] {diff}")
    return "\n".join(lines) + "\n"


def render_text(rows: list, context) -> tuple[list[Path], str]:
    """Word diff on stdout (colour on a terminal) and the same as an HTML page."""
    page = context.out.with_suffix(".html")
    atomic_write(page, text_page(rows).encode("utf-8"))
    return [page], text_diffs(rows, context.color)


def text_page(rows: list) -> str:
    parts = ["<!doctype html><meta charset=utf-8><title>augment preview</title><style>"
             "body{font-family:sans-serif;max-width:60em}del{background:#fcc}ins{background:#cfc;"
             "text-decoration:none}.t{color:#666;font-size:small}</style>"]
    for row in rows:
        parts.append(f"<h3>{html.escape(row.sample.relative)}</h3>")
        if row.error:
            parts.append(f"<p><b>{html.escape(row.error)}</b></p>")
            continue
        parts.append(f"<p>{html.escape(row.decoded.data)}</p><ol>")
        for k, data, records in row.copies:
            parts.append(f"<li value={k}><span class=t>{html.escape(short_caption(records))}</span><br>"
                         f"{render_html(word_diff(row.decoded.data, data))}</li>")
        parts.append("</ol>")
    return "\n".join(parts) + "\n"


# modality -> renderer; a modality without an entry is not previewed.
RENDERERS: dict[str, Renderer] = {
    "image": Renderer(render_images, draws_png=True),
    "audio": Renderer(render_audio, draws_png=True),
    "text": Renderer(render_text, draws_png=False),
}
