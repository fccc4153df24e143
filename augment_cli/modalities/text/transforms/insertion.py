"""random_insert's applier in one pass: every insert placed, the text joined once.

A recorded insert [k, word] goes before word k of the text *as it is at that
point* (earlier inserts counted), or after the last word when k is the word
count. Re-tokenising the whole text per insert made a copy quadratic (86 KB
at alpha 0.1: 25 s). Here the inserts are placed offline: walking them
backwards over a Fenwick tree of the final word positions finds, for each,
the final positions of its own words and the word it attaches to; then one
pass writes the text, expanding each insert where it attaches. O(n + k log n).

The result is the text the one-at-a-time definition gives: an insert's words
are tokenised on their own exactly as in place, because the text beside an
insert is whitespace, punctuation or a word boundary the tokeniser cannot
join across (see `splices_cleanly`). `insert_one_by_one` is that definition,
kept for words that start or end with whitespace (never sampled, but a
manifest can be edited) and as the tests' reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

from augment_cli.errors import SampleError
from augment_cli.modalities.text.transforms.tokens import tokenize, word_slots

FRONT = -1  # an insert into a text without words goes in front of everything


def random_insert(text: str, inserts: list[list[Any]]) -> str:
    words = [word for _, word in inserts]
    if not all(splices_cleanly(word) for word in words):
        return insert_one_by_one(text, inserts)
    tokens = tokenize(text)
    slots = word_slots(tokens)
    pieces = [tokenize(word) for word in words]
    piece_slots = [word_slots(piece) for piece in pieces]
    counts = _word_counts(len(slots), [position for position, _ in inserts], piece_slots)
    placed = _place(len(slots), inserts, piece_slots, counts)
    return _write(tokens, slots, pieces, piece_slots, placed)


def splices_cleanly(word: str) -> bool:
    """True when `word` tokenises the same alone as inside a text: non-empty
    and without whitespace at either end (which would join the space an
    insert adds)."""
    return bool(word) and word == word.strip()


def insert_one_by_one(text: str, inserts: list[list[Any]]) -> str:
    """The definition: tokenise, insert, join, for each insert in turn."""
    for position, word in inserts:
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


def _word_counts(words: int, positions: list[int], piece_slots: list[list[int]]) -> list[int]:
    """Words in the text before each insert; SampleError for a position outside it."""
    counts = []
    for position, slots in zip(positions, piece_slots, strict=True):
        if not 0 <= position <= words:
            raise SampleError(f"insert position {position} outside 0..{words}")
        counts.append(words)
        words += len(slots)
    return counts


class _Placed:
    """Where everything ends up, by final word position (an int id per word)."""

    def __init__(self, total: int, inserts: int):
        self.piece_ids: list[list[int]] = [[] for _ in range(inserts)]
        self.original_ids: list[int] = []
        # word id -> the inserts just before / after it, latest first (as placed,
        # backwards). A later insert before a word lands between the earlier
        # ones and the word; after the last word, between the word and them.
        self.before: dict[int, list[int]] = {}
        self.after: dict[int, list[int]] = {}
        self.total = total


def _place(words: int, inserts: list[list[Any]], piece_slots: list[list[int]],
           counts: list[int]) -> _Placed:
    """Walk the inserts backwards, taking each one's words out of the final
    sequence: what remains at its position is the word it went before."""
    total = words + sum(len(slots) for slots in piece_slots)
    ranks, placed, owned = _Ranks(total), _Placed(total, len(inserts)), [False] * total
    for index in range(len(inserts) - 1, -1, -1):
        position = inserts[index][0]
        for _ in piece_slots[index]:  # its words sit at ranks position, position + 1, ...
            word_id = ranks.take(position)
            placed.piece_ids[index].append(word_id)
            owned[word_id] = True
        if position < counts[index]:
            placed.before.setdefault(ranks.find(position), []).append(index)
        elif counts[index]:
            placed.after.setdefault(ranks.find(counts[index] - 1), []).append(index)
        else:  # no word yet: each goes in front of everything, the latest first
            placed.before.setdefault(FRONT, []).append(index)
    placed.original_ids = [word_id for word_id in range(total) if not owned[word_id]]
    return placed


def _write(tokens: list[str], slots: list[int], pieces: list[list[str]], piece_slots: list[list[int]],
           placed: _Placed) -> str:
    """Join the source's tokens, expanding every insert where it attaches
    (an explicit stack: inserts may attach to words of other inserts)."""
    front: Iterator[str | int] = chain.from_iterable((index, " ") for index in placed.before.get(FRONT, ()))
    stack: list[Iterator[str | int]] = [chain(front, _items(tokens, slots, placed.original_ids, placed))]
    out: list[str] = []
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
        elif isinstance(item, str):
            out.append(item)
        else:
            stack.append(_items(pieces[item], piece_slots[item], placed.piece_ids[item], placed))
    return "".join(out)


def _items(tokens: list[str], slots: list[int], ids: list[int], placed: _Placed) -> Iterator[str | int]:
    """Tokens, with the inserts attached to each word (as their index) around it."""
    words = iter(zip(slots, ids, strict=True))
    slot, word_id = next(words, (-1, -1))
    for index, token in enumerate(tokens):
        if index != slot:
            yield token
            continue
        for insert in reversed(placed.before.get(word_id, ())):
            yield insert
            yield " "
        yield token
        for insert in placed.after.get(word_id, ()):
            yield " "
            yield insert
        slot, word_id = next(words, (-1, -1))


class _Ranks:
    """Positions 0..size-1, each present until taken; the k-th present one
    is found (and taken) in O(log size) with a Fenwick tree of counts."""

    def __init__(self, size: int):
        tree = [0] + [1] * size
        for i in range(1, size + 1):
            parent = i + (i & -i)
            if parent <= size:
                tree[parent] += tree[i]
        self.tree, self.size = tree, size
        self.top = 1 << (size.bit_length() - 1) if size else 0

    def find(self, rank: int) -> int:
        position, rest, step = 0, rank + 1, self.top
        while step:
            ahead = position + step
            if ahead <= self.size and self.tree[ahead] < rest:
                position, rest = ahead, rest - self.tree[ahead]
            step >>= 1
        return position

    def take(self, rank: int) -> int:
        found = self.find(rank)
        i = found + 1
        while i <= self.size:
            self.tree[i] -= 1
            i += i & -i
        return found
