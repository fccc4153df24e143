"""`--annotations FILE`: a COCO JSON named explicitly instead of found in the tree.

SRC is then the folder the JSON's file_names resolve from: given with
`--format coco`, or the JSON's own folder when SRC is left out. The JSON must
lie inside SRC, because its output goes to the same SRC-relative place in DIR.
A missing or unparsable FILE is a usage error (exit 2) before any output.
"""

from __future__ import annotations

from pathlib import Path

from augment_cli.errors import UsageError

FORMAT = "coco"


def read_source(source: str | Path | None, annotations: str | Path | None,
                layout: str | None) -> tuple[Path, str | None, str | None]:
    """(SRC, layout name, FILE relative to SRC) of a command's SOURCE, --format and
    --annotations; UsageError when FILE cannot be read as a COCO file, the layout
    is not COCO or there is no SOURCE at all."""
    if annotations is None:
        if source is None:
            raise UsageError("no SOURCE given", hint="give the folder to read (or --annotations FILE "
                             "for a COCO JSON)")
        return Path(source), layout, None
    if layout not in (None, FORMAT):
        raise UsageError(f"--annotations names a COCO JSON; it does not go with --format {layout}",
                         hint="drop --annotations, or use --format coco")
    path = Path(annotations)
    if not path.is_file():
        raise UsageError(f"--annotations {path}: no such file")
    root = Path(source) if source is not None else path.parent
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"--annotations {path} is not inside the source folder {root}",
                         hint="give the folder its file_names resolve from as SOURCE, or leave "
                              "SOURCE out to read them from the JSON's folder") from None
    check_readable(root, relative, path)
    return root, FORMAT, relative


def check_readable(root: Path, relative: str, shown: object) -> None:
    """UsageError naming `shown` (FILE as given) unless SRC's `relative` parses as a COCO file."""
    from augment_cli.layouts.coco import load

    parsed = load(root, relative)  # cached: the walk that follows does not parse it again
    if not parsed.raw:
        why = parsed.refused[0][1] if parsed.refused else "is not a readable COCO file"
        raise UsageError(f"--annotations {shown}: {why}")


def layout_for(relative: str):
    """The COCO layout reading `relative` only."""
    from augment_cli.layouts.coco import Coco

    return Coco(explicit=relative)
