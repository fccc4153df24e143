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
from augment_cli.modalities.text.transforms import insertion
from augment_cli.modalities.text.transforms.lexicon import is_stopword, wordnet_table
from augment_cli.modalities.text.transforms.tokens import sentence_starts, sentences, tokenize, word_slots


def synonym_replace(text: str, params: dict[str, Any]) -> str:
    """Replace word i (recorded as [i, old, new]) by new."""
    tokens = tokenize(text)
    slots = word_slots(tokens)
    for index, old, new in params["replace"]:
        _expect(tokens, slots, index, old)
        tokens[slots[index]] = new
    return "".join(tokens)


def random_insert(text: str, params: dict[str, Any]) -> str:
    """Insert each [k, word] before word k of the text as it is at that point
    (in one pass over the text: see text/transforms/insertion.py)."""
    return insertion.random_insert(text, params["insert"])


def random_swap(text: str, params: dict[str, Any]) -> str:
    """Swap words i and j for each recorded [i, j], in order; a word that
    leaves or takes a sentence's first place gets the casing of its new place."""
    tokens = tokenize(text)
    slots = word_slots(tokens)
    origin = list(range(len(slots)))  # word k now holds the source's word origin[k]
    # A sentence start as the source wrote it: after "e.g." a lower-case word is none.
    starts = {k for k in sentence_starts(tokens, slots) if tokens[slots[k]][:1].isupper()}
    for i, j in params["swaps"]:
        if not (0 <= i < len(slots) and 0 <= j < len(slots)):
            raise SampleError(f"swap [{i}, {j}] outside the {len(slots)} words")
        tokens[slots[i]], tokens[slots[j]] = tokens[slots[j]], tokens[slots[i]]
        origin[i], origin[j] = origin[j], origin[i]
    _refit_initial_case(tokens, slots, origin, starts)
    return "".join(tokens)


def _refit_initial_case(tokens: list[str], slots: list[int], origin: list[int], starts: set[int]) -> None:
    """"What is phenylalanine" swapped is "Phenylalanine is what", not
    "phenylalanine is What". A word moved off a sentence start is lowered only
    when it is a common word (a stopword or in the lexicon): "Paris" stays."""
    for k, source in enumerate(origin):
        if source == k:
            continue
        word = tokens[slots[k]]
        if k in starts and word[:1].islower():
            tokens[slots[k]] = word[:1].upper() + word[1:]
        elif k not in starts and source in starts and _capitalised_common(word):
            tokens[slots[k]] = word[:1].lower() + word[1:]


def _capitalised_common(word: str) -> bool:
    """Title-cased only because it began a sentence ("What", not "I", "NASA" or "Paris")."""
    if word == "I" or not word[:1].isupper() or not word[1:].islower():
        return False
    return is_stopword(word) or word.lower() in wordnet_table()


def random_delete(text: str, params: dict[str, Any]) -> str:
    """Delete the recorded words with one neighbouring space each (last word
    first). Tokens are unlinked from a doubly linked list, not deleted from a
    Python list (which moved the whole tail per word: quadratic)."""
    tokens = tokenize(text)
    slots = word_slots(tokens)
    linked = _Linked(tokens)
    for index, old in sorted(params["delete"], reverse=True):
        if not 0 <= index < len(slots) or not linked.alive[slots[index]] or tokens[slots[index]] != old:
            raise SampleError(f"word {index} is not {old!r}; the source differs from the recorded one")
        linked.delete_word(slots[index])
    return "".join(token for token, alive in zip(tokens, linked.alive, strict=True) if alive)


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


class _Linked:
    """Tokens as a doubly linked list: unlinking one is O(1)."""

    def __init__(self, tokens: list[str]):
        self.tokens, self.size = tokens, len(tokens)
        self.previous = list(range(-1, self.size - 1))
        self.following = list(range(1, self.size + 1))
        self.alive = [True] * self.size

    def delete_word(self, at: int) -> None:
        """Unlink tokens[at] and one whitespace neighbour, never a line break if avoidable."""
        before_at, after_at = self.previous[at], self.following[at]
        before = self.tokens[before_at] if before_at >= 0 else ""
        after = self.tokens[after_at] if after_at < self.size else ""
        if before.isspace() and "\n" not in before:
            self._unlink(before_at)
        elif after.isspace() and ("\n" not in after or not before or "\n" in before):
            self._unlink(after_at)
        self._unlink(at)

    def _unlink(self, at: int) -> None:
        before_at, after_at = self.previous[at], self.following[at]
        if before_at >= 0:
            self.following[before_at] = after_at
        if after_at < self.size:
            self.previous[after_at] = before_at
        self.alive[at] = False
