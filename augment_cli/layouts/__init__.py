"""The layout table: one module per way a dataset is laid out and labelled.

Each entry is a "module:attr" string naming a `base.Layout` object, resolved
on first use. `find` picks the layout a run uses: the one asked for, or the
only one whose `detect` accepts the tree (class folders, the fallback, when
no other does). Adding a layout is one module plus one entry here; plan,
worker, manifest, stats, preview and verify reach it only through
`base.Layout`.
"""

from __future__ import annotations

from pathlib import Path

from augment_cli.errors import UsageError
from augment_cli.layouts.base import Layout, Sample, Scan
from augment_cli.plugins import resolve

DEFAULT = "folders"
# name -> "module:attr" of the Layout. The default detects any tree, so `find`
# asks only the others and falls back to it.
LAYOUTS: dict[str, str] = {
    "table": "augment_cli.layouts.table:TABLES",
    "metadata": "augment_cli.layouts.metadata:METADATA",
    "folders": "augment_cli.layouts.folders:FOLDERS",
    "yolo": "augment_cli.layouts.yolo:YOLO",
    "coco": "augment_cli.layouts.coco:COCO",
    "voc": "augment_cli.layouts.voc:VOC",
    "masks": "augment_cli.layouts.masks:MASKS",
}

__all__ = ["DEFAULT", "LAYOUTS", "Layout", "Sample", "Scan", "check_source", "find", "get", "scan",
           "target_of"]


def check_source(source: Path) -> None:
    """The one check that SRC exists, for every command that reads one folder (a table
    file is read by `expand` alone: layouts/table.py)."""
    if source.is_file() and get("table").detect(source):
        raise UsageError(f"{source} is a table: only `augment expand` reads tables so far",
                         hint="`augment expand ... --dry-run` checks its columns and counts its rows")
    if source.exists() and not source.is_dir():
        raise UsageError(f"the source {source} is a file, not a folder",
                         hint="give the folder that holds the label folders: SOURCE/<label>/.../<file>")
    if not source.is_dir():
        raise UsageError(f"source folder not found: {source}")


def target_of(name: str) -> str:
    """The table entry of a layout name; UsageError naming the known ones."""
    if name not in LAYOUTS:
        raise UsageError(f"unknown dataset format {name!r}; known: {', '.join(LAYOUTS)}")
    return LAYOUTS[name]


def find(source: Path, name: str | None = None) -> str:
    """The name of the layout asked for, else of the one that detects `source`."""
    if name is not None:
        target_of(name)
        return name
    found = [key for key in LAYOUTS if key != DEFAULT and get(key).detect(source)]
    if len(found) > 1:
        raise UsageError(f"{source} looks like several dataset formats ({', '.join(found)})",
                         hint="say which one the run should read")
    return found[0] if found else DEFAULT


def get(name: str, annotations: str | None = None) -> Layout:
    """The Layout object of a name in the table; with `annotations` (a COCO JSON
    relative to SRC, `--annotations FILE`), a COCO layout reading that file only."""
    if annotations is not None:
        from augment_cli.layouts.coco_explicit import layout_for

        return layout_for(annotations)
    return resolve(target_of(name))


def scan(source: Path, layout: Layout, follow_links: bool = False) -> Scan:
    """Walk `source` into a Scan whose samples are sorted (stats, preview)."""
    result = Scan()
    result.samples = sorted(layout.walk(source, follow_links, result))
    return result
