"""The `augment` command. Thin: read options, call the api, print, exit.

Only this module imports Typer or prints. Every AugmentError becomes one
`Error:` line (plus a hint) on stderr and its exit code; heavy modules are
imported inside commands so `augment --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from augment_cli import __version__

app = typer.Typer(
    name="augment",
    help="Expand small labelled datasets of images, audio and text offline, reproducibly.",
    epilog="Example: augment expand data/ --recipe recipes/flips.toml --copies 5 --out out/",
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

RecipeOption = Annotated[Path, typer.Option("--recipe", "-r", help="TOML recipe file.",
                                            dir_okay=False)]
# expand, preview and stats: SOURCE may be left out when --annotations names a COCO JSON.
OPTIONAL_SOURCE = typer.Argument(metavar="SOURCE", help="Labelled folder: SOURCE/<label>/.../<file>, "
                                 "or media + metadata.csv, or a COCO dataset; expand also reads tables "
                                 "(docs/tables.md). Optional with --annotations.", show_default=False)
# A str, not a Path: expand takes a URL (s3://...) too, which a Path would mangle.
AnnotationsOption = Annotated[str | None, typer.Option(
    "--annotations", metavar="FILE", show_default=False,
    help="COCO: the JSON to read (its file_names resolve from SOURCE, else from FILE's folder).")]
# A URL SRC or DIR (s3://bucket/prefix, gs://, az://...): docs/object-storage.md.
StorageOption = Annotated[list[str] | None, typer.Option(
    "--storage-option", metavar="KEY=VALUE", show_default=False,
    help="For a URL SOURCE or --out (s3://...): a filesystem option, e.g. endpoint_url=URL "
         "(repeatable; values are never printed).")]
TextColumnOption = Annotated[list[str] | None, typer.Option(
    help="Tables: the column to augment; repeat for sentence pairs [default: text].")]
LabelColumnOption = Annotated[str | None, typer.Option(
    help="Tables: the label column, carried through (checked when given) [default: label].")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]
FormatOption = Annotated[str | None, typer.Option(
    "--format", metavar="LAYOUT", show_default=False,
    help="How SOURCE is laid out and labelled (see docs/layouts.md). Default: detected; class folders "
         "when nothing else matches.")]


class _Command(TyperCommand):
    """Typer writes a required argument as {SOURCE} in the usage line; the
    convention (and the rest of the help) is plain SOURCE."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
                for piece in super().collect_usage_pieces(ctx)]


def _usable_cores() -> int:
    """What --workers defaults to (api.default_workers; cheap: no heavy import)."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _version(value: bool) -> None:
    if value:
        typer.echo(f"augment {__version__}")
        raise typer.Exit()


@app.callback()
def root(version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None):
    """Expand small labelled datasets of images, audio and text offline, reproducibly."""


@app.command(cls=_Command, epilog="Example: augment expand sample_data/images --recipe recipes/flips.toml "
                    "--copies 5 --out out/")
def expand(
    recipe: RecipeOption,
    out: Annotated[str, typer.Option("--out", "-o", help="Output folder or URL (mirrors SRC).")],
    source: Annotated[str | None, OPTIONAL_SOURCE] = None,
    copies: Annotated[int, typer.Option("--copies", "-n", min=1, help="Augmented copies per file.")] = 5,
    workers: Annotated[int | None, typer.Option(
        min=1, show_default=False,
        help=f"Worker processes, one core each (1: in this process). Default: {_usable_cores()}, the "
             "usable cores.")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Run seed; same seed, same bytes.")] = 0,
    include_originals: Annotated[
        bool, typer.Option("--include-originals",
                           help="Also copy each source into --out as copy 0.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and write nothing.")] = False,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite",
        help="Start fresh: replace a previous run's files, or write into a non-empty --out.")] = False,
    follow_links: Annotated[
        bool, typer.Option("--follow-links", help="Also follow symlinks that point outside SOURCE.")] = False,
    quiet: QuietOption = False,
    balance: Annotated[bool, typer.Option("--balance",
                                          help="Give every label as many files as the largest one "
                                               "gets with --copies (extra copies spread evenly).")] = False,
    max_copies: Annotated[int | None, typer.Option(min=1, help="Cap on the copies of any one file.")] = None,
    allow_removals: Annotated[bool, typer.Option(
        "--allow-removals", help="Remove the outputs of sources gone from SOURCE even when they are many "
             "(all, or more than 10 %).")] = False,
    allow_many_copies: Annotated[bool, typer.Option(
        "--allow-many-copies", help="Allow more than 10,000 copies of one file "
             "(refused by default: a typo, not a dataset).")] = False,
    force_workers: Annotated[bool, typer.Option(
        "--force-workers",
        help="Start --workers processes even when that is more than the usable cores.")] = False,
    file_timeout: Annotated[float | None, typer.Option(
        min=0, metavar="SECONDS", show_default=False, help="Stop a file still running after SECONDS and "
        "20x the median time per file, report it and go on (0: never; needs worker processes). "
        "Default: 60.")] = None,
    layout: FormatOption = None,
    annotations: AnnotationsOption = None,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    chunk_rows: Annotated[int | None, typer.Option(
        min=1, help="Tables: rows per task; the output does not depend on it [default: 1000].")] = None,
    split: Annotated[str | None, typer.Option(
        metavar="NAME", show_default=False,
        help="Of a SOURCE split into train/val/test folders, the split to expand (the others are "
             "left out); of a folder of tables, the table to expand (the others are copied "
             "unchanged). Default: the training split.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the end-of-run summary as one JSON object on stdout.")] = False,
    summary_json: Annotated[Path | None, typer.Option(
        metavar="FILE", dir_okay=False, help="Also write the summary as JSON to FILE.")] = None,
    allow_duplicates: Annotated[bool, typer.Option(
        "--allow-duplicates",
        help="Keep a copy that repeats its source or an earlier copy instead of drawing it again "
             "(the bytes of runs before copies were made distinct).")] = False,
    executor: Annotated[str | None, typer.Option(
        "--executor", metavar="local|dask", show_default=False,
        help="Where files run: this machine's worker pool, or a Dask cluster (the dask extra). "
             "Default: local; dask with --scheduler.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", metavar="ADDRESS", show_default=False,
        help="Dask scheduler, e.g. tcp://host:8786. Default: DASK_SCHEDULER_ADDRESS, else a local "
             "cluster of --workers processes.")] = None,
    scheduler_timeout: Annotated[float, typer.Option(
        "--scheduler-timeout", metavar="SECONDS",
        help="Give up reaching the Dask scheduler after SECONDS.")] = 30.0,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", min=1, show_default=False,
        help="Files per task sent to a worker. Default: chosen from the run's size.")] = None,
    shard: Annotated[str | None, typer.Option(
        "--shard", metavar="K/M", show_default=False,
        help="Do only part K of M (then `augment merge DIR`): for CI matrices.")] = None,
    no_fuse: Annotated[bool, typer.Option(
        "--no-fuse", help="Apply every step on its own: no composed warps or lookup tables "
             "(as [output] fuse = false; for debugging).")] = False,
    storage_option: StorageOption = None,
):
    """Write N augmented copies of every file under SOURCE (or row of a table), plus manifest.csv."""
    from augment_cli import api
    from augment_cli.run.engines import Engine

    with reported_errors(), _side_files(storage_option):
        if no_fuse:
            from augment_cli.recipe import load_recipe
            from augment_cli.recipe.model import unfused

            recipe = unfused(load_recipe(recipe))  # type: ignore[assignment]
        options: dict[str, Any] = dict(source=source, recipe=recipe, out=out, copies=copies, seed=seed,
                       include_originals=include_originals, follow_links=follow_links,
                       balance=balance, max_copies=max_copies, allow_many_copies=allow_many_copies,
                       layout=layout, allow_duplicates=allow_duplicates, split=split,
                       annotations=annotations)
        rows: dict[str, Any] = dict(text_columns=tuple(text_column or ("text",)), label_column=label_column,
                                    chunk_rows=chunk_rows)
        lines = api.table_plan(**options, **rows, storage_options=storage_option) if dry_run else None
        if lines is not None:
            for line in lines:
                _echo(line)
            return
        if dry_run:
            plan = api.dry_plan(**options, storage_options=storage_option)
            _print_warnings(plan.warnings)
            for note in plan.notes:
                _err(note)
            _print_plan(plan, api.parse_shard(shard) if shard else None)
            return
        engine = Engine(executor, scheduler, scheduler_timeout, batch_size)
        with _progress(quiet) as on_progress:
            summary = api.expand(**options, workers=workers, overwrite=overwrite,
                                 allow_removals=allow_removals, on_progress=on_progress,
                                 force_workers=force_workers, file_timeout=file_timeout,
                                 engine=engine, shard=shard, storage_options=storage_option, **rows)
        _print_summary(summary, quiet)
        _report_json(summary, as_json, summary_json)
    raise typer.Exit(code=summary.exit_code)


@app.command(cls=_Command, epilog="Example: augment validate recipes/heavy.toml")
def validate(recipe: Annotated[Path, typer.Argument(help="TOML recipe file.")], quiet: QuietOption = False):
    """Check a recipe without running it: exit 0 if usable, 2 with the problem if not."""
    from augment_cli.recipe import load_recipe
    from augment_cli.run.outcomes import distinct_copies_at_most

    with reported_errors():
        loaded = load_recipe(recipe)
    counts = ", ".join(f"{len(loaded.steps_for(m))} {m}" for m in loaded.modalities)
    if not quiet:
        _err(f"{recipe}: OK ({counts} steps)")
        for modality in loaded.modalities:
            most = distinct_copies_at_most(loaded, modality)
            if most is not None:  # a few discrete outcomes: --copies above it repeats copies
                _err(f"Note: the [[{modality}]] steps can make at most {most} distinct "
                     f"cop{'y' if most == 1 else 'ies'} of a file")


@app.command(cls=_Command, epilog="Example: augment verify out/ --repair")
def verify(out: Annotated[str, typer.Argument(help="Folder (or URL) written by augment expand.")],
           layout: FormatOption = None,
           repair: Annotated[bool, typer.Option(
               "--repair",
               help="Remove stray files and regenerate damaged or missing outputs (the recorded expand "
                    "run again, for those sources only), then check again.")] = False,
           quiet: QuietOption = False, storage_option: StorageOption = None):
    """Check DIR against its manifest: files present, hashes match, files decode, nothing stray."""
    from augment_cli.outdir.verify import verify as verify_folder
    from augment_cli.storage import is_url

    with reported_errors():
        if is_url(out):
            from augment_cli.storage.verify import verify as verify_url

            if repair:
                _refuse_url_repair(out)
            problems = verify_url(out, layout=layout, storage_options=storage_option)
        else:
            if repair:
                _repair(Path(out), layout, quiet)
            problems = verify_folder(Path(out), layout=layout)
    for problem in problems:
        _echo(problem)
    if not quiet:
        _err(f"{out}: {len(problems)} problems" if problems else f"{out}: OK")
    raise typer.Exit(code=1 if problems else 0)


@app.command(cls=_Command, epilog="Example: augment merge out/")
def merge(out: Annotated[str, typer.Argument(help="Folder (or URL) the shards of one run wrote into.")],
          quiet: QuietOption = False, storage_option: StorageOption = None):
    """Join the shards of `augment expand --shard K/M` in DIR into one run: manifest.csv and all."""
    from augment_cli.storage import is_url

    with reported_errors():
        if is_url(out):
            from augment_cli.storage.merge import merge_url

            merged = merge_url(out, storage_option)
        else:
            from augment_cli.outdir.merge import merge as merge_shards

            merged = merge_shards(Path(out))
    if not quiet:
        _err(f"Merged {merged.shards} shards: {merged.sources} sources, {merged.files} files"
             + (f", {merged.failed} failed (see {out}/errors.csv)" if merged.failed else "")
             + f" -> {out}")


def _refuse_url_repair(out: str) -> None:
    from augment_cli.errors import UsageError

    raise UsageError(f"--repair does not work on a URL ({out}) yet",
                     hint="run the expand command that made it again: it redoes what is missing")


def _repair(out: Path, layout: str | None, quiet: bool) -> None:
    from augment_cli import api

    with _progress(quiet) as on_progress:
        done = api.repair(out, layout=layout, on_progress=on_progress)
    if done.summary is not None:
        for row in done.summary.failed:
            _err(f"Error: {row.source}: {row.error}")
    if not quiet:
        _err(f"Repaired {out}: {done.strays_removed} stray files removed, "
             f"{done.sources_regenerated} sources regenerated")


@app.command(cls=_Command, epilog="Example: augment transforms --modality image")
def transforms(
    modality: Annotated[str | None, typer.Option(help="Only image, audio or text.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")] = False,
):
    """List every transform a recipe can use, with its parameters."""
    from augment_cli.commands import docs

    with reported_errors():
        typer.echo(docs.transforms_json(modality) if as_json else docs.transforms_text(modality))


@app.command(cls=_Command, epilog="Example: augment preview sample_data/images --recipe recipes/light.toml "
                    "--out preview.png")
def preview(
    recipe: RecipeOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="preview.png (images, audio) or "
                                                           "preview.html (text).")],
    source: Annotated[str | None, OPTIONAL_SOURCE] = None,
    samples: Annotated[int, typer.Option(min=1, help="Sources shown, spread over the labels.")] = 6,
    copies: Annotated[int, typer.Option("--copies", "-n", min=1, help="Augmented copies per source.")] = 5,
    seed: Annotated[int, typer.Option(min=0, help="Run seed: copy k is copy k of expand --seed.")] = 0,
    quiet: QuietOption = False,
    layout: FormatOption = None,
    annotations: AnnotationsOption = None,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    split: Annotated[str | None, typer.Option(
        metavar="NAME", show_default=False,
        help="Of a folder of tables, the table to preview. Default: the first one expand augments.")] = None,
    storage_option: StorageOption = None,
):
    """Draw a few sources and their augmented copies, captioned with what was applied."""
    from augment_cli.commands import preview as preview_module

    with (reported_errors(), _progress(quiet) as on_progress,
          _staged(source, storage_option, annotations) as (local, local_annotations),
          _side_files(storage_option)):
        result = preview_module.preview(source=local, recipe=recipe, out=out, samples=samples,
                                        copies=copies, seed=seed, on_progress=on_progress,
                                        color=sys.stdout.isatty(), layout=layout,
                                        annotations=local_annotations,
                                        text_columns=tuple(text_column or ("text",)),
                                        label_column=label_column, split=split)
    if result.text:
        typer.echo(result.text, nl=False)
    if not quiet:
        _print_warnings(result.label_risks)
    for name, error in result.failed:
        _err(f"Error: {name}: {error}")
    for note in result.notes:
        _err(note)
    if not quiet:
        for path in result.files:
            _err(f"Wrote {path}")
    raise typer.Exit(code=result.exit_code)


@app.command(cls=_Command, epilog="Example: augment stats sample_data/images --json | jq .labels")
def stats(
    source: Annotated[str | None, OPTIONAL_SOURCE] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")] = False,
    quiet: QuietOption = False,
    layout: FormatOption = None,
    annotations: AnnotationsOption = None,
    text_column: TextColumnOption = None,
    label_column: LabelColumnOption = None,
    split: Annotated[str | None, typer.Option(
        metavar="NAME", show_default=False,
        help="Of a folder of tables, the table to count. Default: the ones expand augments.")] = None,
    storage_option: StorageOption = None,
):
    """Files per label and modality, formats, sizes, unreadable files and imbalance (headers only)."""
    from augment_cli.commands import stats as stats_module

    with (reported_errors(), _progress(quiet) as on_progress,
          _staged(source, storage_option, annotations) as (local, local_annotations)):
        found = stats_module.collect(local, on_progress=on_progress, layout=layout,
                                     annotations=local_annotations,
                                     text_columns=tuple(text_column or ("text",)),
                                     label_column=label_column, split=split)
        if local != source:  # a URL SRC staged in a temporary folder: name the URL
            found.source = source or str(annotations).rsplit("/", 1)[0]
    typer.echo(found.to_json() if as_json else stats_module.stats_text(found))
    if not quiet:
        _print_warnings(found.warnings())
        for note in found.notes:
            _err(note)


def _side_files(storage_option: list[str] | None) -> Any:
    """The recipe's side files in object storage are read with --storage-option (storage/sidefiles.py)."""
    from contextlib import nullcontext

    if not storage_option:
        return nullcontext()
    from augment_cli.storage.location import parse_options
    from augment_cli.storage.sidefiles import using

    return using(parse_options(storage_option))


def _staged(source: str | None, storage_option: list[str] | None, annotations: str | None) -> Any:
    """(SOURCE, --annotations) of stats/preview, a URL SOURCE as a temporary local folder and a URL
    FILE as its staged copy (storage/staging.py); paths as they are."""
    from augment_cli.storage import is_url

    if not (is_url(source) or is_url(annotations)):
        from contextlib import nullcontext

        return nullcontext((source, annotations))
    from augment_cli.storage.staging import staged_with

    return staged_with(source, storage_option, annotations)


@contextmanager
def reported_errors() -> Iterator[None]:
    """The one place where errors become messages and exit codes."""
    from augment_cli.errors import AugmentError

    try:
        yield
    except AugmentError as exc:
        _err(f"Error: {exc}")
        if exc.hint:
            _err(f"Hint: {exc.hint}")
        raise typer.Exit(code=exc.exit_code) from None
    except KeyboardInterrupt:  # outside a run (e.g. while walking): nothing to clean
        _err("Interrupted.")
        raise typer.Exit(code=130) from None


@contextmanager
def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(unit="file", file=sys.stderr, dynamic_ncols=True) as bar:
        def update(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield update


def _print_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        _err(f"Warning: {warning}")


def _print_plan(plan, shard=None) -> None:
    """The --dry-run plan (of one shard's part with --shard); names are
    streamed (a second walk), never held."""
    from augment_cli.run.plan import count_work, output_names, outputs_per_label

    owns = shard.owns if shard else None
    _echo(f"Plan for {plan.source} -> {plan.out} (nothing written)"
          + (f", shard {shard}: its part of the sources only" if shard else ""))
    mine = outputs_per_label(plan, owns) if owns else None
    everyone = plan.outputs_per_label()
    for label, files in plan.files_per_label().items():
        count, outputs = mine.get(label, (0, 0)) if mine is not None else (files, everyone.get(label, 0))
        copies = plan.copies.per_file[label]
        each = f"{copies.least}-{copies.most}" if copies.least != copies.most else f"{copies.least}"
        _echo(f"  {label}: {count} files -> {outputs} outputs ({each} copies per file)")
    files, total, refused = count_work(plan, owns)
    _echo(f"{files} files -> {total} outputs:")
    for name in output_names(plan, owns):
        _echo(f"  {name}")
    for reason, count in sorted(plan.skipped.items()):
        _echo(f"skipped {count}: {reason}")
    for row in plan.refused + refused:
        _echo(f"refused {row.source}: {row.error}")


def _print_summary(summary, quiet: bool) -> None:
    for row in summary.failed:
        _err(f"Error: {row.source}: {row.error}")
    if quiet:
        return
    _print_warnings(summary.warnings)
    if summary.unlabelled:
        shown = ", ".join(summary.unlabelled[:3]) + (", ..." if len(summary.unlabelled) > 3 else "")
        _err(f"Warning: {len(summary.unlabelled)} files directly in the source folder have no "
             f"label folder and were skipped: {shown}")
    _print_duplicates(summary)
    for note in summary.notes:
        _err(note)
    if summary.regenerate_reason:
        _err(f"Regenerating everything: {summary.regenerate_reason}.")
    elif summary.unchanged or summary.removed or summary.regenerated:
        _err(f"Incremental run: {summary.added} added, {summary.regenerated} regenerated, "
             f"{summary.removed} removed, {summary.unchanged} unchanged.")
    skipped = sum(summary.skipped.values())
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.skipped.items()))
    _err(f"Layout: {summary.layout} ({'detected' if summary.layout_detected else 'from --format'})")
    if summary.cluster:
        _err(f"Dask: {sum(summary.cluster.values())} batches on {len(summary.cluster)} workers ("
             + ", ".join(sorted({address for address, _ in summary.cluster})) + ")")
    if summary.shard:
        _err(f"Shard {summary.shard}: run `augment merge {summary.out}` once every shard is done")
    _err(f"Read {summary.files_read} {summary.unit}, wrote {summary.copies_written} copies"
         + (f" and {summary.originals_copied} originals" if summary.originals_copied else "")
         + f", skipped {skipped}" + (f" ({why})" if why else "")
         + f", failed {len(summary.failed)} in {summary.seconds:.1f} s -> {summary.out}")
    if summary.failed:
        _err(f"Failed {summary.unit} are listed in {summary.out / 'errors.csv'}")


def _report_json(summary, as_json: bool, path: Path | None) -> None:
    """The summary as JSON on stdout and/or into a file (written atomically)."""
    import json

    from augment_cli.errors import OutputError
    from augment_cli.outdir.files import atomic_write

    text = json.dumps(summary.as_dict(), indent=2, ensure_ascii=False) + "\n"
    if as_json:
        typer.echo(text, nl=False)
    if path is not None:
        try:
            atomic_write(path, text.encode("utf-8"))
        except OSError as exc:
            raise OutputError(f"cannot write --summary-json {path}: {exc.strerror or exc}") from None


def _print_duplicates(summary) -> None:
    """Each file (the first few) whose copies still repeat after every redraw."""
    table = summary.unit == "rows"  # a table's copies repeat a row; its rows are their own manifest
    where = "its augment_transforms column" if table else "manifest.csv"
    for source, kept in summary.duplicate_files:
        _err(f"Warning: {source}: {kept} of its copies repeat the {'row' if table else 'source'} or another "
             f"copy after every redraw (kept; marked duplicate_of in {where})")
    more = summary.files_with_duplicates - len(summary.duplicate_files)
    if more > 0:
        _err(f"Warning: ... and {more} more {'tables' if table else 'files'} with repeated copies")
    if summary.duplicates_redrawn or summary.duplicates_kept:
        _err(f"Duplicates: {summary.duplicates_redrawn} copies redrawn to be distinct, "
             f"{summary.duplicates_kept} kept")


def _err(message: str) -> None:
    typer.echo(_printable(message), err=True)


def _echo(line: str) -> None:
    """A report line on stdout (never JSON or text content: those are data)."""
    typer.echo(_printable(line))


def _printable(line: str) -> str:
    """A report line with control characters escaped: a name holding a CR or
    an ESC must not rewrite the terminal or split a log line."""
    from augment_cli.errors import printable

    return printable(line)


def main() -> None:
    """Console entry point: never let a traceback reach the user."""
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:  # a bug: still one line, and a non-zero exit
        _err(f"Error: internal error ({type(exc).__name__}: {exc}); please report it")
        sys.exit(3)
