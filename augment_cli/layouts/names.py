"""How an output file is named after its source and copy index."""

from __future__ import annotations

from augment_cli.modalities import file_suffix


def copy_name(source: str, copy: int, extension: str) -> str:
    """DIR-relative name of copy k of `source` (a POSIX path relative to SRC).

    Copy 0 is the original, under its own name. A copy in another format than
    its source keeps the source extension in its stem, so a.jpg and a.png
    converted to PNG become a.jpg__aug1.png and a__aug1.png: no collision.
    """
    if copy == 0:
        return source
    # Plain string work, same result as PurePosixPath's stem/suffix/with_name
    # on the walker's normalised paths: pathlib cost ~0.1 ms a name, which
    # made planning 100k files x 5 copies take ~50 s.
    folder, _, name = source.rpartition("/")
    suffix = file_suffix(name)
    stem = name[: len(name) - len(suffix)] if extension.lower() == suffix.lower() else name
    return f"{folder}/{stem}__aug{copy}{extension}" if folder else f"{stem}__aug{copy}{extension}"

