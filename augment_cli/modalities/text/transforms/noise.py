"""Sampling character noise: keyboard typos, OCR confusions, letter swaps.

Only ASCII letters inside words are edited (accents, CJK, digits,
punctuation and apostrophes never are), so "I'm" cannot become "I,m" and
text in other scripts passes through. The edits are recorded as
[offset, old, new] on the source text and applied by text_ops.char_noise.
"""

from __future__ import annotations

from typing import Any

from augment_cli.modalities.text.transforms.lexicon import is_stopword
from augment_cli.modalities.text.transforms.tokens import WORD, is_word

KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# What OCR engines commonly misread, both ways where it is plausible.
OCR_CONFUSIONS = {
    "rn": "m", "m": "rn", "cl": "d", "d": "cl", "vv": "w", "w": "vv",
    "l": "1", "I": "l", "i": "l", "O": "0", "o": "0", "S": "5", "B": "8", "Z": "2",
    "e": "c", "c": "e", "a": "o", "g": "q", "q": "g", "h": "b", "u": "v", "v": "u",
    "t": "f", "f": "t", "E": "F", "G": "6",
}
KINDS = ("keyboard", "ocr", "swap")


def _neighbours() -> dict[str, str]:
    """Keys next to each letter on a QWERTY keyboard (same row and the rows above/below)."""
    near: dict[str, str] = {}
    for r, row in enumerate(KEYBOARD_ROWS):
        for c, key in enumerate(row):
            found = [row[k] for k in (c - 1, c + 1) if 0 <= k < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(KEYBOARD_ROWS):
                    line = KEYBOARD_ROWS[other]
                    found += [line[k] for k in (c - 1, c, c + 1) if 0 <= k < len(line)]
            near[key] = "".join(sorted(set(found)))
    return near


NEIGHBOURS = _neighbours()


def check_kinds(values: dict[str, Any]) -> tuple[str, str] | None:
    if not any(values[kind] for kind in KINDS):
        return "keyboard", "char_noise needs at least one of keyboard, ocr, swap set to true"
    return None


def eligible_offsets(text: str, protect_stopwords: bool) -> list[int]:
    offsets: list[int] = []
    for match in WORD.finditer(text):
        if not is_word(match.group()) or (protect_stopwords and is_stopword(match.group())):
            continue
        offsets.extend(match.start() + k for k, ch in enumerate(match.group())
                       if ch.isascii() and ch.isalpha())
    return offsets


def sample_edits(rng, text: str, drawn: dict[str, Any]) -> list[list[Any]]:
    """Pick rate x eligible letters and one applicable edit for each; no two overlap."""
    offsets = eligible_offsets(text, drawn["protect_stopwords"])
    rate = drawn["rate"]
    count = 0 if rate <= 0 or not offsets else max(1, round(rate * len(offsets)))
    chosen = sorted(int(k) for k in rng.choice(len(offsets), size=count, replace=False))
    edits, covered = [], set[int]()
    for offset in (offsets[k] for k in chosen):
        options = _options(text, offset, drawn)
        if not options:
            continue
        old, new = options[int(rng.integers(len(options)))]
        span = set(range(offset, offset + len(old)))
        if span & covered:
            continue
        covered |= span
        edits.append([offset, old, new])
    return edits


def _options(text: str, offset: int, drawn: dict[str, Any]) -> list[tuple[str, str]]:
    char, pair = text[offset], text[offset:offset + 2]
    options = []
    if drawn["keyboard"]:
        options += [(char, _same_case(char, key)) for key in NEIGHBOURS.get(char.lower(), "")]
    if drawn["ocr"]:
        options += [(old, OCR_CONFUSIONS[old]) for old in (pair, char)
                    if old in OCR_CONFUSIONS and len(old) <= len(text) - offset]
    if drawn["swap"] and len(pair) == 2 and pair[1].isascii() and pair[1].isalpha() \
            and pair[0] != pair[1]:
        options.append((pair, pair[::-1]))
    return options


def _same_case(template: str, char: str) -> str:
    return char.upper() if template.isupper() else char
