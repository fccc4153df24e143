"""expand with a URL SRC or DIR: the same run (api.expand), reached through its seams.

A URL SRC becomes a `Remote`, which every layout's walk lists (storage/walk.py;
a metadata file, a data.yaml or a COCO JSON is read from a local copy,
storage/copies.py) and workers read (storage/objects.py; an annotated layout's
label files with their images, storage/worker.py). Its layout is detected and
its split chosen by the local code (layouts.find, layouts/splits.py), whose
questions about names are answered from listings (storage/lookups.py);
`--annotations URL` is made relative to SRC here (explicit_coco). A URL DIR
becomes a working copy (storage/workdir.py) that api.expand takes as its
`out`, while the jobs name the URL, so workers write the bucket themselves. A table run reads local
copies of a URL SRC's tables and writes a URL DIR's tables from its working
copy (storage/tables.py). --follow-links (a bucket has no links) and --shard
of a table run are refused on URLs, with one line, before anything is read
or written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from augment_cli.errors import UsageError
from augment_cli.layouts import find, get
from augment_cli.layouts.coco_explicit import FORMAT, check_readable
from augment_cli.layouts.metadata import NAMES as METADATA_NAMES
from augment_cli.outdir.statefiles import StateFiles
from augment_cli.run.sharding import parse_shard
from augment_cli.storage import is_url, sidefiles, tables
from augment_cli.storage.copies import named, urls_in_messages
from augment_cli.storage.location import Options, Remote, check_reachable, parse_options, remote
from augment_cli.storage.lookups import is_file, remembered
from augment_cli.storage.table_source import recorded_as, staged, tables_in
from augment_cli.storage.workdir import WorkingCopy, working_folder


def source_of(source: str | Path | None, options: Options) -> Path | Remote | None:
    """SRC as a Path, or a Remote (checked: its bucket and objects are there)."""
    if not is_url(source):
        return Path(source) if source is not None else None
    assert isinstance(source, str)
    found = remote(source, options)
    check_reachable(found, must_exist=True)
    return found


def check_layout(source: Remote, layout: str | None) -> str:
    """The layout a URL SRC is read with: the one asked for, else detected as on disk
    (layouts.find: each layout's detect lists what it needs, storage/lookups.py); UsageError
    for a table layout asked of a SRC that holds other objects."""
    if layout in (None, "table") and tables_in(source) is not None:
        return "table"
    if layout == "table":
        raise UsageError(f"{source.url} is not a table SRC: a table object, or a prefix holding only "
                         "tables (.csv, .tsv, .jsonl, .ndjson, .parquet)")
    return find(cast(Path, source), layout)


def refuse_unsupported(options: dict[str, Any], where: str, table: bool = False) -> None:
    """Options a URL run does not take yet: one line, exit 2, nothing read (a table run
    takes --split, the table to expand, but not --shard: its part files stay on the
    machine that made them, so no merge could join them)."""
    refused = [("follow_links", "--follow-links"), *([("shard", "--shard")] if table else [])]
    for key, flag in refused:
        if options.get(key):
            raise UsageError(f"{flag} does not work with a URL ({where}) yet",
                             hint="run it on a local folder, or drop the option")


def expand(run: Callable[..., Any], *, source: str | Path | None, out: str | Path,
           storage_options: list[str] | tuple[str, ...] | None, **options: Any) -> Any:
    """api.expand for a URL SRC or DIR, or a recipe's side files in object storage
    (`run` is api.expand itself)."""
    parsed = parse_options(storage_options)
    with sidefiles.using(parsed):
        if not (is_url(source) or is_url(out) or is_url(options.get("annotations"))):
            return run(source=source, out=out, **options)  # only the recipe's side files are URLs
        with remembered(read_ahead=True):  # the layouts' questions about a URL SRC, for this run
            src, destination, table = _prepared(source, out, parsed, options)
            if table is not None:
                with _recorded(table, src):
                    return tables.expand(run, table, destination, out, options)
            if destination is None:
                with urls_in_messages():
                    return run(source=src, out=out, **options)
            annotated = _annotated_layout(src, options)
            dataset_files = (*METADATA_NAMES, *(annotated.dataset_files() if annotated else ()))
            copy = WorkingCopy(destination, _files_of(options.get("shard")), dataset_files, annotated)
            with copy.registered(), urls_in_messages():
                copy.fetch(options.get("overwrite", False))
                summary = run(source=src, out=copy.folder, **options)
    summary.out = destination
    return summary


def _annotated_layout(source: Path | Remote | None, options: dict[str, Any]) -> Any:
    """The annotated layout a run reads SRC with, or None (class folders, a metadata file:
    their dataset files are METADATA_NAMES): its dataset files go in and out of DIR too."""
    name = "coco" if options.get("annotations") else options.get("layout") or find(cast(Path, source))
    layout = get(name)
    return layout if layout.annotated else None


def dry_plan(make_plan: Callable[..., Any], *, source: str | Path | None, out: str | Path,
             storage_options: list[str] | tuple[str, ...] | None, **options: Any) -> Any:
    """make_plan for `--dry-run` with a URL SRC or DIR: SRC is listed, nothing is written anywhere."""
    parsed = parse_options(storage_options)
    with sidefiles.using(parsed):
        if not (is_url(source) or is_url(out) or is_url(options.get("annotations"))):
            return make_plan(source=source, out=out, **options)
        with remembered():
            src, destination, _ = _prepared(source, out, parsed, options)
            # The plan names DIR's working folder (storage/workdir.py), which is not made here.
            shard = _files_of(options.get("shard")).shard
            folder = working_folder(destination, shard) if destination else out
            with urls_in_messages():
                return make_plan(source=src, out=folder, **options)


def table_plan(plan: Callable[..., Any], *, source: str | Path | None, out: str | Path,
               storage_options: list[str] | tuple[str, ...] | None, **options: Any) -> list[str] | None:
    """api.table_plan with a URL SRC or DIR: the plan's lines (naming URLs), or None for files.
    A URL SRC's tables are copied to local disk to be read (storage/table_source.py)."""
    parsed = parse_options(storage_options)
    with sidefiles.using(parsed):
        src, destination, table = _prepared(source, out, parsed, options)
        if table is None:
            return None
        folder = working_folder(destination) if destination else Path(out)
        with urls_in_messages():
            lines = plan(source=table, out=folder, **options)
    shown = destination.url if destination else str(out)
    return [named(line).replace(str(folder), shown) for line in lines]


def _prepared(source: str | Path | None, out: str | Path, parsed: Options,
              options: dict[str, Any]) -> tuple[Path | Remote | None, Remote | None, Path | None]:
    """The checks a URL run and its dry run share, before anything is read or written:
    (SRC as a Path or a Remote, DIR as a Remote or None for a local DIR, the local table
    SRC of a table run or None). Sets the layout a URL SRC is read with in `options`."""
    src = source_of(source, parsed)
    if options.get("annotations") is not None and (isinstance(src, Remote) or is_url(options["annotations"])):
        src, options["annotations"] = explicit_coco(src, str(options["annotations"]), parsed,
                                                    options.get("layout"))
        options["layout"], is_table = FORMAT, False
    elif isinstance(src, Remote):
        # The layout stays as asked (None: detected again by make_plan, from the lookups remembered).
        found = check_layout(src, options.get("layout"))
        is_table = found == "table"
        options["layout"] = "table" if is_table else options.get("layout")
    else:
        is_table = src is not None and options.get("annotations") is None and \
            find(src, options.get("layout")) == "table"
    refuse_unsupported(options, str(source) if is_url(source) else str(out), is_table)
    destination = None
    if is_url(out):
        destination = remote(str(out), parsed)
        check_reachable(destination, must_exist=False)
        _check_apart(src, destination)
    if not is_table:
        return src, destination, None
    table = staged_tables(src) if isinstance(src, Remote) else src
    return src, destination, cast(Path, table)


def explicit_coco(source: Path | Remote | None, annotations: str, parsed: Options,
                  layout: str | None) -> tuple[Remote, str]:
    """`--annotations URL` (a COCO JSON in the bucket): SRC (given, else the JSON's folder) and the
    JSON relative to it, checked as on disk (layouts/coco_explicit.py); UsageError, one line."""
    if layout not in (None, FORMAT):
        raise UsageError(f"--annotations names a COCO JSON; it does not go with --format {layout}",
                         hint="drop --annotations, or use --format coco")
    if not is_url(annotations):
        raise UsageError(f"--annotations {annotations}: with a URL SRC, give the COCO JSON's URL",
                         hint="it must lie under SRC, e.g. SRC/annotations/instances_train.json")
    named = remote(annotations, parsed)
    root = source if source is not None else remote(named.url.rsplit("/", 1)[0], parsed)
    inside = isinstance(root, Remote) and named.url.startswith(root.url + "/")
    if not inside:
        raise UsageError(f"--annotations {annotations} is not inside the source folder {root}",
                         hint="give the folder its file_names resolve from as SOURCE, or leave "
                              "SOURCE out to read them from the JSON's folder")
    assert isinstance(root, Remote)
    relative = named.url[len(root.url) + 1:]
    if not is_file(root, relative):
        raise UsageError(f"--annotations {annotations}: no such file")
    check_readable(cast(Path, root), relative, annotations)
    return root, relative


def _files_of(shard: Any) -> StateFiles:
    """The state files of this run or shard (--shard "K/M" or a Shard)."""
    return StateFiles.of(parse_shard(shard) if isinstance(shard, str) else shard)


def staged_tables(source: Remote) -> Path:
    """A URL table SRC's local copy (storage/table_source.py)."""
    found = tables_in(source)
    assert found is not None  # check_layout found tables there
    single = source.fs.info(source.root).get("type") != "directory"
    return staged(source, found, single)


def _recorded(table: Path, source: Path | Remote | None) -> Any:
    return recorded_as(table, source.url) if isinstance(source, Remote) else contextlib.nullcontext()


def _check_apart(source: Path | Remote | None, out: Remote) -> None:
    if isinstance(source, Remote) and (out.url == source.url or out.url.startswith(source.url + "/")
                                       or source.url.startswith(out.url + "/")):
        raise UsageError(f"--out {out.url} overlaps the source {source.url}",
                         hint="the outputs would be read as sources on the next run; choose a prefix "
                              "beside SRC")
