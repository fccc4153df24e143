"""Text preview: a word diff per copy on stdout (colour on a terminal) and
the same as an HTML page beside --out."""

from __future__ import annotations

import html
from pathlib import Path

from augment_cli.commands.render import Renderer
from augment_cli.commands.sheet import short_caption
from augment_cli.modalities.text.diff import render_ansi, render_html, render_plain, word_diff
from augment_cli.outdir.files import atomic_write


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


RENDERER = Renderer(render_text, draws_png=False)
