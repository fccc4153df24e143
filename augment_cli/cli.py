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
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]
FormatOption = Annotated[str | None, typer.Option(
    "--format", metavar="LAYOUT", help="How SOURCE is laid out and labelled (see docs/layouts.md) "
    "[default: detected; class folders when nothing else matches].")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"augment {__version__}")
        raise typer.Exit()


@app.callback()
def root(version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None):
    """Expand small labelled datasets of images, audio and text offline, reproducibly."""


@app.command(epilog="Example: augment expand sample_data/images --recipe recipes/flips.toml "
                    "--copies 5 --out out/")
def expand(
    source: Annotated[Path, typer.Argument(help="Labelled folder: SRC/<label>/.../<file>.")],
    recipe: RecipeOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (mirrors SRC).")],
    copies: Annotated[int, typer.Option("--copies", "-n", min=1, help="Augmented copies per file.")] = 5,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes, one core each (1: in this process) [default: all cores].")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Run seed; same seed, same bytes.")] = 0,
    include_originals: Annotated[
        bool, typer.Option(help="Also copy each source into --out as copy 0.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Print the plan and write nothing.")] = False,
    overwrite: Annotated[bool, typer.Option(
        help="Start fresh: replace a previous run's files, or write into a non-empty --out.")] = False,
    follow_links: Annotated[
        bool, typer.Option(help="Also follow symlinks that point outside SOURCE.")] = False,
    quiet: QuietOption = False,
    balance: Annotated[bool, typer.Option(help="Give every label as many files as the largest one "
                                               "gets with --copies (extra copies spread evenly).")] = False,
    max_copies: Annotated[int | None, typer.Option(min=1, help="Cap on the copies of any one file.")] = None,
    allow_removals: Annotated[bool, typer.Option(
        help="Remove the outputs of sources gone from SOURCE even when they are many "
             "(all, or more than 10 %).")] = False,
    allow_many_copies: Annotated[bool, typer.Option(
        help="Allow more than 10,000 copies of one file "
             "(refused by default: a typo, not a dataset).")] = False,
    force_workers: Annotated[bool, typer.Option(
        help="Start --workers processes even when that is more than the usable cores.")] = False,
    file_timeout: Annotated[float | None, typer.Option(
        min=0, metavar="SECONDS", help="Stop a file still running after SECONDS and 20x the median time "
        "per file, report it and go on (0: never; needs worker processes) [default: 60].")] = None,
    layout: FormatOption = None,
):
    """Write N augmented copies of every file under SOURCE, plus manifest.csv."""
    from augment_cli import api

    with reported_errors():
        options: dict[str, Any] = dict(source=source, recipe=recipe, out=out, copies=copies, seed=seed,
                       include_originals=include_originals, follow_links=follow_links,
                       balance=balance, max_copies=max_copies, allow_many_copies=allow_many_copies,
                       layout=layout)
        if dry_run:
            plan = api.make_plan(**options)
            _print_warnings(plan.warnings)
            _print_plan(plan)
            return
        with _progress(quiet) as on_progress:
            summary = api.expand(**options, workers=workers, overwrite=overwrite,
                                 allow_removals=allow_removals, on_progress=on_progress,
                                 force_workers=force_workers, file_timeout=file_timeout)
        _print_summary(summary, quiet)
    raise typer.Exit(code=summary.exit_code)


@app.command(epilog="Example: augment validate recipes/heavy.toml")
def validate(recipe: Annotated[Path, typer.Argument(help="TOML recipe file.")], quiet: QuietOption = False):
    """Check a recipe without running it: exit 0 if usable, 2 with the problem if not."""
    from augment_cli.recipe import load_recipe

    with reported_errors():
        loaded = load_recipe(recipe)
    counts = ", ".join(f"{len(loaded.steps_for(m))} {m}" for m in loaded.modalities)
    if not quiet:
        _err(f"{recipe}: OK ({counts} steps)")


@app.command(epilog="Example: augment verify out/")
def verify(out: Annotated[Path, typer.Argument(help="Folder written by augment expand.")],
           layout: FormatOption = None):
    """Check DIR against its manifest: files present, hashes match, files decode, nothing stray."""
    from augment_cli.outdir.verify import verify as verify_folder

    with reported_errors():
        problems = verify_folder(out, layout=layout)
    for problem in problems:
        _echo(problem)
    _err(f"{out}: {len(problems)} problems" if problems else f"{out}: OK")
    raise typer.Exit(code=1 if problems else 0)


@app.command(epilog="Example: augment transforms --modality image")
def transforms(
    modality: Annotated[str | None, typer.Option(help="Only image, audio or text.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")] = False,
):
    """List every transform a recipe can use, with its parameters."""
    from augment_cli.commands import docs

    with reported_errors():
        typer.echo(docs.transforms_json(modality) if as_json else docs.transforms_text(modality))


@app.command(epilog="Example: augment preview sample_data/images --recipe recipes/light.toml "
                    "--out preview.png")
def preview(
    source: Annotated[Path, typer.Argument(help="Labelled folder: SRC/<label>/.../<file>.")],
    recipe: RecipeOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="preview.png (images, audio) or "
                                                           "preview.html (text).")],
    samples: Annotated[int, typer.Option(min=1, help="Sources shown, spread over the labels.")] = 6,
    copies: Annotated[int, typer.Option("--copies", "-n", min=1, help="Augmented copies per source.")] = 5,
    seed: Annotated[int, typer.Option(min=0, help="Run seed: copy k is copy k of expand --seed.")] = 0,
    quiet: QuietOption = False,
    layout: FormatOption = None,
):
    """Draw a few sources and their augmented copies, captioned with what was applied."""
    from augment_cli.commands import preview as preview_module

    with reported_errors(), _progress(quiet) as on_progress:
        result = preview_module.preview(source=source, recipe=recipe, out=out, samples=samples,
                                        copies=copies, seed=seed, on_progress=on_progress,
                                        color=sys.stdout.isatty(), layout=layout)
    if result.text:
        typer.echo(result.text, nl=False)
    if not quiet:
        _print_warnings(result.label_risks)
    for name, error in result.failed:
        _err(f"Error: {name}: {error}")
    if not quiet:
        for path in result.files:
            _err(f"Wrote {path}")
    raise typer.Exit(code=result.exit_code)


@app.command(epilog="Example: augment stats sample_data/images --json | jq .labels")
def stats(
    source: Annotated[Path, typer.Argument(help="Labelled folder: SRC/<label>/.../<file>.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")] = False,
    quiet: QuietOption = False,
    layout: FormatOption = None,
):
    """Files per label and modality, formats, sizes, unreadable files and imbalance (headers only)."""
    from augment_cli.commands import stats as stats_module

    with reported_errors(), _progress(quiet) as on_progress:
        found = stats_module.collect(source, on_progress=on_progress, layout=layout)
    typer.echo(found.to_json() if as_json else stats_module.stats_text(found))
    if not quiet:
        _print_warnings(found.warnings())


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


def _print_plan(plan) -> None:
    """The --dry-run plan; names are streamed (a second walk), never held."""
    from augment_cli.run.plan import count_work, output_names

    _echo(f"Plan for {plan.source} -> {plan.out} (nothing written)")
    outputs = plan.outputs_per_label()
    for label, count in plan.files_per_label().items():
        copies = plan.copies.per_file[label]
        each = f"{copies.least}-{copies.most}" if copies.least != copies.most else f"{copies.least}"
        _echo(f"  {label}: {count} files -> {outputs.get(label, 0)} outputs ({each} copies per file)")
    files, total, refused = count_work(plan)
    _echo(f"{files} files -> {total} outputs:")
    for name in output_names(plan):
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
    if summary.regenerate_reason:
        _err(f"Regenerating everything: {summary.regenerate_reason}.")
    elif summary.unchanged or summary.removed or summary.regenerated:
        _err(f"Incremental run: {summary.added} added, {summary.regenerated} regenerated, "
             f"{summary.removed} removed, {summary.unchanged} unchanged.")
    skipped = sum(summary.skipped.values())
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.skipped.items()))
    _err(f"Layout: {summary.layout} ({'detected' if summary.layout_detected else 'from --format'})")
    _err(f"Read {summary.files_read} files, wrote {summary.copies_written} copies"
         + (f" and {summary.originals_copied} originals" if summary.originals_copied else "")
         + f", skipped {skipped}" + (f" ({why})" if why else "")
         + f", failed {len(summary.failed)} in {summary.seconds:.1f} s -> {summary.out}")
    if summary.failed:
        _err(f"Failed files are listed in {summary.out / 'errors.csv'}")


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
