"""Word-level diff of an original and an augmented text, for `augment preview`.

Three renderings of the same diff: plain markers ([-removed-]{+added+}, as
`git diff --word-diff` writes them) for logs and pipes, ANSI colour for a
terminal, and HTML (<del>/<ins>) for preview.html.
"""

from __future__ import annotations

import difflib
import html
import re

Piece = tuple[str, str]  # (op, text): op is "=", "-" or "+"
RED, GREEN, RESET = "\x1b[31;9m", "\x1b[32;1m", "\x1b[0m"
_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(original: str, augmented: str) -> list[Piece]:
    """The two texts as a list of equal / removed / added pieces.

    Whitespace runs are tokens too, matched as "a space" or "a line break"
    whatever their length, so a changed word is marked alone rather than with
    the spaces around it. Joining the "=" and "-" pieces gives back `original`
    exactly; "=" and "+" give `augmented` up to the length of spaces.
    """
    a, b = _TOKENS.findall(original), _TOKENS.findall(augmented)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=[_key(t) for t in a], b=[_key(t) for t in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("+", "".join(b[j1:j2])))
    return pieces


def _key(token: str) -> str:
    if token.isspace():
        return "\n" if "\n" in token else " "
    return token


def render_plain(pieces: list[Piece]) -> str:
    return _render(pieces, {"-": "[-{}-]", "+": "{{+{}+}}"}, str)


def render_ansi(pieces: list[Piece]) -> str:
    return _render(pieces, {"-": RED + "{}" + RESET, "+": GREEN + "{}" + RESET}, str)


def render_html(pieces: list[Piece]) -> str:
    return _render(pieces, {"-": "<del>{}</del>", "+": "<ins>{}</ins>"}, html.escape)


def _render(pieces: list[Piece], marks: dict[str, str], escape) -> str:
    """Spaces at the edge of a changed piece go outside its marks: 'a [-b-] c', not 'a[- b-] c'."""
    out = []
    for op, text in pieces:
        core = text.strip()
        if op == "=" or not core:
            out.append(escape(text) if op == "=" else marks[op].format(escape(text)))
            continue
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        out.append(escape(lead) + marks[op].format(escape(core)) + escape(trail))
    return "".join(out)
