"""Audio preview: a spectrogram contact sheet, plus every clip written under
<out>-clips/ (named and encoded as expand would write them) to listen to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from augment_cli.commands.render import Renderer, save_sheet, sheet_cells
from augment_cli.layouts.names import copy_name
from augment_cli.modalities import output_extension
from augment_cli.outdir.files import atomic_write


def render_audio(rows: list, context) -> tuple[list[Path], str]:
    from augment_cli.modalities.audio.spectrogram import spectrogram_image

    def thumbnail(audio: Any) -> Any:
        return spectrogram_image(audio.samples, audio.sample_rate)

    clips = context.png.with_name(f"{context.out.stem}-clips")
    written = [save_sheet([sheet_cells(row, thumbnail) for row in rows], context.png)]
    output = context.recipe.output
    for row in rows:
        if row.error:
            continue
        relative = row.sample.relative
        extension = output_extension(relative, output)
        for k, data, _ in row.copies:
            target = clips / copy_name(relative, k, extension)
            atomic_write(target, row.codec.encode(data, row.decoded, extension, output))
            written.append(target)
    return written, ""


RENDERER = Renderer(render_audio, draws_png=True)
