"""Text transform maths: pure functions of (text, params), no randomness.

Every random choice (which words, which replacements, which characters) was
made by the sampler and is in `params`, so a manifest row replays exactly.
Word positions are indices into the text's words (see text_tokens); an
applier that finds another word there than the one recorded refuses, which
catches a replay against a changed source.
"""

from __future__ import annotations

from typing import Any

from augment_cli.errors import SampleError
from augment_cli.modalities.text.transforms.tokens import sentences, tokenize, word_slots


def synonym_replace(text: str, params: dict[str, Any]) -> str:
    """Replace word i (recorded as [i, old, new]) by new."""
    tokens = tokenize(text)
    slots = word_slots(tokens)
    for index, old, new in params["replace"]:
        _expect(tokens, slots, index, old)
        tokens[slots[index]] = new
    return "".join(tokens)


def random_insert(text: str, params: dict[str, Any]) -> str:
    """Insert each [k, word] before word k of the text as it is at that point."""
    for position, word in params["insert"]:
        tokens = tokenize(text)
        slots = word_slots(tokens)
        if not 0 <= position <= len(slots):
            raise SampleError(f"insert position {position} outside 0..{len(slots)}")
        if not slots:
            tokens = [word, " ", *tokens]
        elif position == len(slots):
            tokens.insert(slots[-1] + 1, " " + word)
        else:
            tokens.insert(slots[position], word + " ")
        text = "".join(tokens)
    return text


def random_swap(text: str, params: dict[str, Any]) -> str:
    """Swap words i and j for each recorded [i, j], in order."""
    tokens = tokenize(text)
    slots = word_slots(tokens)
    for i, j in params["swaps"]:
        if not (0 <= i < len(slots) and 0 <= j < len(slots)):
            raise SampleError(f"swap [{i}, {j}] outside the {len(slots)} words")
        tokens[slots[i]], tokens[slots[j]] = tokens[slots[j]], tokens[slots[i]]
    return "".join(tokens)


def random_delete(text: str, params: dict[str, Any]) -> str:
    """Delete the recorded words with one neighbouring space each."""
    tokens = tokenize(text)
    slots = word_slots(tokens)
    for index, old in sorted(params["delete"], reverse=True):
        _expect(tokens, slots, index, old)
        _delete_token(tokens, slots[index])
    return "".join(tokens)


def sentence_shuffle(text: str, params: dict[str, Any]) -> str:
    """Put sentence order[k] at place k; whitespace between sentences stays put."""
    lead, bodies, seps, _ = sentences(text)
    order = params["order"]
    if sorted(order) != list(range(len(bodies))):
        raise SampleError(f"order {order} is not a permutation of the {len(bodies)} sentences")
    return lead + "".join(bodies[k] + sep for k, sep in zip(order, seps, strict=True))


def char_noise(text: str, params: dict[str, Any]) -> str:
    """Apply each [offset, old, new] character edit (offsets in the source text)."""
    pieces, end = [], len(text)
    for offset, old, new in sorted(params["edits"], reverse=True):
        if offset + len(old) > end or text[offset:offset + len(old)] != old:
            raise SampleError(f"expected {old!r} at character {offset}")
        pieces.append(text[offset + len(old):end])
        pieces.append(new)
        end = offset
    return text[:end] + "".join(reversed(pieces))


def back_translate(text: str, params: dict[str, Any]) -> str:
    """Round trip through the pivot language (cached; see text_translate)."""
    from augment_cli.modalities.text.transforms.translate import round_trip
    return round_trip(text, params)


def _expect(tokens: list[str], slots: list[int], index: int, old: str) -> None:
    if not 0 <= index < len(slots) or tokens[slots[index]] != old:
        raise SampleError(f"word {index} is not {old!r}; the source differs from the recorded one")


def _delete_token(tokens: list[str], at: int) -> None:
    """Remove tokens[at] and one whitespace neighbour, never a line break if avoidable."""
    before = tokens[at - 1] if at > 0 else ""
    after = tokens[at + 1] if at + 1 < len(tokens) else ""
    if before.isspace() and "\n" not in before:
        del tokens[at - 1 : at + 1]
    elif after.isspace() and ("\n" not in after or not before or "\n" in before):
        del tokens[at : at + 2]
    else:
        del tokens[at]
