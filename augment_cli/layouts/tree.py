"""Walking a source tree: the part every layout shares.

Entries are visited sorted by name, folders entered where they sort, so a
walk is the same on every machine. Hidden entries, broken links, links out of
SRC (unless followed) and unreadable folders are skipped and counted; a
folder is never entered twice, so symlink loops cannot hang a walk. Names a
manifest cannot hold are refused by `unsafe_name`.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from augment_cli.errors import printable
from augment_cli.layouts.base import Scan

__all__ = ["printable", "unsafe_name", "walk_files"]

SKIP_HIDDEN = "hidden"
SKIP_UNSUPPORTED = "not a supported media type"
SKIP_OUTSIDE_LINK = "symlink to outside the source folder (see --follow-links)"
SKIP_BROKEN_LINK = "broken symlink"
SKIP_LOOP = "folder already walked (symlink loop)"
SKIP_UNREADABLE_DIR = "unreadable folder"


def walk_files(source: Path, follow_links: bool, scan: Scan) -> Iterator[str]:
    """POSIX paths relative to `source` of the files under it, in walk order.

    Symlinks (to files or folders) whose target lies inside `source` are
    followed; those pointing outside are skipped unless `follow_links`. A URL
    SRC (storage.location.Remote) is listed by storage/walk.py, in the same order.
    """
    if not isinstance(source, str | os.PathLike):
        from augment_cli.storage.walk import walk_names

        return walk_names(source, scan)
    return _Walker(source, follow_links, scan).files(source, "")

def unsafe_name(relative: str) -> str | None:
    """Names that would break a CSV line or a shell loop are refused, not guessed at."""
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError as exc:
        # os.walk hands undecodable bytes over as lone surrogates; such a name
        # cannot be written into a UTF-8 manifest.
        byte = ord(relative[exc.start]) - 0xDC00
        return f"its name is not valid UTF-8 (byte 0x{byte:02x}); rename the file or folder"
    for character in relative:
        # Cc: C0/C1 controls (newline, tab, ESC...); Zl/Zp: Unicode line breaks.
        if unicodedata.category(character) in ("Cc", "Zl", "Zp"):
            return (f"its name contains the control character U+{ord(character):04X}; "
                    "rename the file or folder")
    return None


class _Walker:
    def __init__(self, source: Path, follow_links: bool, result: Scan):
        self.root = source.resolve()
        self.follow_links, self.result = follow_links, result
        self.visited: set[tuple[int, int]] = set()

    def files(self, directory: Path, prefix: str) -> Iterator[str]:
        info = directory.stat()
        if (info.st_dev, info.st_ino) in self.visited:
            self.result.skipped[SKIP_LOOP] += 1
            return
        self.visited.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            self.result.skipped[SKIP_UNREADABLE_DIR] += 1
            return
        for entry in entries:
            relative = prefix + entry.name
            if entry.name.startswith("."):
                self.result.skipped[SKIP_HIDDEN] += 1
            elif entry.is_symlink() and not self._may_follow(entry):
                continue
            elif entry.is_dir():
                yield from self.files(Path(entry.path), relative + "/")
            elif entry.is_file():
                yield relative

    def _may_follow(self, entry: os.DirEntry) -> bool:
        target = Path(os.path.realpath(entry.path))
        if not target.exists():
            self.result.skipped[SKIP_BROKEN_LINK] += 1
            return False
        if self.follow_links or target == self.root or self.root in target.parents:
            return True
        self.result.skipped[SKIP_OUTSIDE_LINK] += 1
        return False
