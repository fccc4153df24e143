"""Random streams per (run seed, source path, copy index).

A copy's stream depends only on those three, never on worker count, finishing
order or Python's salted hash(), so every run is byte-for-byte repeatable.
Each recipe step then gets its own child stream: changing one step's
probability does not change what the other steps draw.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import NamedTuple

import numpy as np


def path_words(relative_path: str) -> list[int]:
    """Four 32-bit words of SHA-256 over the POSIX relative path."""
    digest = hashlib.sha256(relative_path.encode("utf-8")).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


class CopyStream(NamedTuple):
    """A copy's stream: what SeedSequence(entropy) would spawn, without building
    that parent (its own entropy pool, never drawn from, was a twentieth of a
    text copy's time). Children are SeedSequence(entropy, spawn_key=(k,)),
    exactly as SeedSequence.spawn makes them. `words` is `entropy` as the
    uint32 words SeedSequence turns it into (entropy_words): given those, it
    skips converting each Python int again for every child (~6 of its ~14 us)."""

    entropy: tuple[int, ...]
    words: np.ndarray

    def spawn(self, count: int) -> list[np.random.SeedSequence]:
        return [np.random.SeedSequence(self.words, spawn_key=(k,)) for k in range(count)]


def entropy_words(values: tuple[int, ...]) -> list[int]:
    """Non-negative ints as SeedSequence reads a sequence of them: each one's
    32-bit words, least significant first, at least one word each."""
    words = []
    for value in values:
        if value < 0:
            raise ValueError(f"a seed must be a non-negative integer, got {value}")
        while True:
            words.append(value & 0xFFFFFFFF)
            value >>= 32
            if not value:
                break
    return words


Stream = CopyStream | np.random.SeedSequence  # the online API's rng= gives a SeedSequence


def copy_seed(seed: int, relative_path: str, copy: int, attempt: int = 0) -> CopyStream:
    """The stream of a copy; `attempt` >= 1 is a redraw of it (run/distinct.py).

    Attempt 0 is the copy's first draw, the one every run has made, so a copy
    that needs no redraw keeps its bytes. A redraw appends the attempt as one
    more word: a different stream, still a function of (seed, path, copy)."""
    return source_seeds(seed, relative_path)(copy, attempt)


def source_seeds(seed: int, relative_path: str) -> Callable[[int, int], CopyStream]:
    """copy_seed for one source: (copy, attempt) -> its stream, the path hashed
    once (a table row's copies and redraws share it)."""
    prefix = (seed, *path_words(relative_path))
    prefix_words = entropy_words(prefix)

    def sequence(copy: int, attempt: int = 0) -> CopyStream:
        tail = (copy, attempt) if attempt else (copy,)
        return CopyStream((*prefix, *tail), np.array(prefix_words + entropy_words(tail), dtype=np.uint32))

    return sequence


def step_generators(sequence: Stream, count: int) -> list[np.random.Generator]:
    """One independent generator per recipe step, in step order."""
    return [np.random.Generator(np.random.PCG64(child)) for child in sequence.spawn(count)]
