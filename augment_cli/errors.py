"""The error types a user can see. `cli.py` turns each into one message line.

Every error says *where*: recipe errors carry the recipe file, the step and
the key; dataset errors the path; transform errors the sample and transform.
"""

from __future__ import annotations

import re

# C0 and C1 controls (newline, CR, tab, ESC...), Unicode line and paragraph
# separators, and lone surrogates (os.fsdecode's stand-ins for bytes that are
# not UTF-8): none may reach a terminal, a log line or a CSV cell raw.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with every control character escaped (\\n, \\r, \\t, \\x1b, \\u2028)
    and every undecodable byte of a file name as \\xNN: safe in one report line."""
    if _UNPRINTABLE.search(text) is None:  # the usual case: no copy
        return text
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match) -> str:
    character = match.group()
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte the name really holds
        return f"\\x{code - 0xDC00:02x}"
    return _NAMED.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


class AugmentError(Exception):
    """Base of every error the tool reports to a user (never a traceback)."""

    exit_code = 1
    hint: str | None = None


class UsageError(AugmentError):
    """Bad command-line use: wrong paths, refused output folder, bad option."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class RecipeError(AugmentError):
    """A recipe that cannot be used; raised before any output is written."""

    exit_code = 2

    def __init__(
        self,
        reason: str,
        *,
        recipe: str,
        step: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ):
        self.reason, self.recipe, self.step, self.key, self.line = reason, recipe, step, key, line
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.recipe + (f":{self.line}" if self.line else "")
        parts = [where]
        if self.step:
            parts.append(self.step)
        if self.key:
            parts.append(f"key {self.key!r}")  # repr: a key with a newline stays one line
        return ": ".join(parts) + f": {self.reason}"


class SampleError(AugmentError):
    """One source file could not be read, transformed or written.

    Workers catch these per file and turn them into a failed record; the rest
    of the run goes on.
    """

    def __init__(self, reason: str, *, transform: str | None = None):
        self.reason, self.transform = reason, transform
        super().__init__(f"{transform}: {reason}" if transform else reason)


class OutputError(AugmentError):
    """DIR itself cannot be written (read-only, disk full): the run stops."""


class Interrupted(AugmentError):
    """Ctrl-C or SIGTERM: the run stopped cleanly and can be resumed."""

    def __init__(self, exit_code: int, done: int, total: int):
        self.exit_code = exit_code
        super().__init__(f"interrupted after {done} of {total} files; the files written so far "
                         "and manifest.csv are consistent")
        self.hint = "run the same command again to finish: finished files are not redone"


class WorkerDied(AugmentError):
    """A worker process was killed (out of memory, a crash in a native library)."""

    def __init__(self, done: int, total: int):
        super().__init__(f"a worker process died unexpectedly (killed by the system, perhaps out of "
                         f"memory) after {done} of {total} files; the files written so far and "
                         "manifest.csv are consistent")
        self.hint = ("run the same command again to finish; if it happens again, --workers 1 "
                     "shows which file it was on")
