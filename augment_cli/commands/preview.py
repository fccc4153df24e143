"""`augment preview`: what a recipe does, on a few sources, before a long run.

A few sources per label are picked deterministically (evenly spaced along
each label's sorted files), each is decoded once and augmented `copies`
times with exactly the random streams `expand --seed` would use, so copy k
in the preview is copy k of the real run (the worker's own open_source and
make_copy make them). Each modality then draws its rows with the renderer its
entry in the modality table names (modalities/<name>/preview.py): images as
a contact sheet, audio as spectrogram thumbnails plus the clips, text as a
word diff on stdout and an HTML page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from augment_cli import layouts, modalities
from augment_cli.commands.label_risks import label_risks
from augment_cli.errors import SampleError, UsageError
from augment_cli.layouts import Sample
from augment_cli.layouts.coco_explicit import read_source
from augment_cli.layouts.reading import read_regular
from augment_cli.layouts.splits import read_root
from augment_cli.recipe import Recipe, load_recipe
from augment_cli.run.balance import spread
from augment_cli.run.partners import label_groups, uses_partners
from augment_cli.run.steps import Record

Progress = Callable[[int, int], None]
OUT_SUFFIXES = (".png", ".html")
# A preview holds every copy it shows in memory and draws it on one sheet:
# past these it is no longer a look before expanding (that is --dry-run).
MAX_SAMPLES, MAX_COPIES = 200, 50


@dataclass
class PreviewRow:
    """One source and its augmented copies, ready for a renderer."""

    sample: Sample
    decoded: Any = None            # the codec's decoded object (has .data)
    original: Any = None           # an annotated source: its pixels with their targets
    codec: Any = None              # the modality's codec module (for writing clips)
    copies: list[tuple[int, Any, list[Record]]] = field(default_factory=list)  # (k, data, records)
    error: str | None = None


@dataclass
class PreviewResult:
    files: list[Path] = field(default_factory=list)   # what was written
    text: str = ""                                     # for stdout (text diffs)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # e.g. which split of a split tree was read
    label_risks: list[str] = field(default_factory=list)   # steps that can break labels

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True)
class RenderContext:
    out: Path               # --out as given
    png: Path               # where this modality's contact sheet goes
    recipe: Recipe
    color: bool             # ANSI colour for terminal text


def pick_samples(samples: list[Sample], count: int) -> list[Sample]:
    """`count` sources spread over the labels, evenly spaced within each label."""
    by_label: dict[str, list[Sample]] = {}
    for sample in sorted(samples):
        by_label.setdefault(sample.label, []).append(sample)
    picked = []
    for files, quota in zip(by_label.values(), spread(count, len(by_label)), strict=True):
        quota = min(quota, len(files))
        picked += [files[i * len(files) // quota] for i in range(quota)] if quota else []
    return picked


def preview(*, source: str | Path | None, recipe: str | Path | Recipe, out: str | Path, samples: int = 6,
            copies: int = 5, seed: int = 0, color: bool = False,
            on_progress: Progress | None = None, layout: str | None = None,
            annotations: str | Path | None = None, text_columns: tuple[str, ...] = ("text",),
            label_column: str | None = None, split: str | None = None) -> PreviewResult:
    """Render a preview of `recipe` on a few files of `source` next to `out`
    (`annotations`: a COCO JSON to read, `--annotations FILE`). A table SRC
    previews a few rows (`text_columns`, `label_column`, `split` as expand takes them)."""
    source, layout, explicit = read_source(source, annotations, layout)
    out = Path(out)
    _check_out(out, samples, copies)
    recipe = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    name = layouts.find(source, layout)
    if name == "table":
        from augment_cli.commands.table_preview import preview_table

        result = PreviewResult()
        context = RenderContext(out, out.with_suffix(".png"), recipe, color)
        preview_table(source, recipe, out, samples, copies, seed, text_columns, label_column, split,
                      context, result)
        return result
    _check_source(source, out)
    # a train/val/test tree: its training split, as expand reads it
    name, chosen = read_root(source, name, explicit=layout is not None)
    source, found = chosen.root, layouts.get(name, explicit)
    walked = layouts.scan(source, found)
    result = PreviewResult(notes=[chosen.note] if chosen.note else [], label_risks=label_risks(recipe))
    usable = [s for s in walked.samples if recipe.steps_for(s.modality)]
    result.skipped.update(Counter(f"no [[{s.modality}]] steps in the recipe"
                                  for s in walked.samples if not recipe.steps_for(s.modality)))
    picked = pick_samples(usable, samples)
    if not picked:
        raise UsageError(f"no file in {source} has steps in {recipe.path} to preview")
    rows = []
    groups = label_groups(usable) if uses_partners(recipe) else {}
    for done, sample in enumerate(picked, 1):
        partners = groups.get((sample.label, sample.modality), ())
        rows.append(build_row(source, sample, recipe, copies, seed, partners, found))
        if on_progress:
            on_progress(done, len(picked))
    result.failed = [(row.sample.relative, row.error) for row in rows if row.error]
    _render(rows, out, recipe, color, result)
    return result


def build_row(source: Path, sample: Sample, recipe: Recipe, copies: int, seed: int,
              partners: tuple[str, ...] = (), layout: layouts.Layout | None = None) -> PreviewRow:
    """Decode one source and make its copies as `expand` does (with the
    worker's own functions); errors are kept, not raised.

    `partners` are the files of the sample's label, for mixing transforms;
    `layout`, when annotated, gives the source's targets (drawn on the sheet)."""
    from augment_cli.run.worker import distinct_copies, make_distinct_copy, open_source

    row = PreviewRow(sample)
    try:
        opened = open_source(source, sample, recipe, read_regular(source / sample.relative)[1], partners,
                             layout)
        row.decoded, row.codec = opened.decoded, opened.codec
        row.original = opened.original if opened.targets is not None else None
        made = distinct_copies(opened)
        for k in range(1, copies + 1):
            data, records, _ = make_distinct_copy(opened, seed, k, made)
            row.copies.append((k, data, records))
    except SampleError as exc:
        row.error = str(exc)
    except OSError as exc:
        row.error = f"cannot read file: {exc.strerror or exc}"
    return row


def _render(rows: list[PreviewRow], out: Path, recipe: Recipe, color: bool, result: PreviewResult) -> None:
    present = [m for m in modalities.NAMES if any(r.sample.modality == m for r in rows)]
    renderers = {m: modalities.part(m, "preview") for m in present}
    drawing = [m for m in present if renderers[m].draws_png]
    for modality in present:
        png = (out.with_suffix(".png") if len(drawing) <= 1
               else out.with_name(f"{out.stem}-{modality}.png"))
        context = RenderContext(out, png, recipe, color)
        files, text = renderers[modality].render([r for r in rows if r.sample.modality == modality],
                                                 context)
        result.files += files
        result.text += text


def _check_source(source: Path, out: Path) -> None:
    layouts.check_source(source)
    real_source, folder = source.resolve(), out.resolve().parent
    if folder == real_source or real_source in folder.parents:
        # The sheet and the audio clips (<out>-clips/) would be read as sources by expand.
        raise UsageError(f"--out {out} is inside the source folder {source}",
                         hint="the preview and its clips would be read as sources; "
                              "write it outside the source folder")


def _check_out(out: Path, samples: int, copies: int) -> None:
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise UsageError(f"--out must end in .png or .html, got {out.name}",
                         hint="images and audio are drawn to a PNG, text to an HTML page")
    if out.exists() and out.is_dir():
        raise UsageError(f"--out {out} is a folder; give a file name like preview.png")
    if samples < 1 or copies < 1:
        raise UsageError("--samples and --copies must be at least 1")
    if samples > MAX_SAMPLES or copies > MAX_COPIES:
        raise UsageError(f"a preview shows at most --samples {MAX_SAMPLES} and --copies {MAX_COPIES} "
                         f"(got {samples:,} and {copies:,})",
                         hint="run expand with --dry-run to see every name, "
                              "or on a small SRC to see every copy")
