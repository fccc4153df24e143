"""Random streams per (run seed, source path, copy index).

A copy's stream depends only on those three, never on worker count, finishing
order or Python's salted hash(), so every run is byte-for-byte repeatable.
Each recipe step then gets its own child stream: changing one step's
probability does not change what the other steps draw.
"""

from __future__ import annotations

import hashlib

import numpy as np


def path_words(relative_path: str) -> list[int]:
    """Four 32-bit words of SHA-256 over the POSIX relative path."""
    digest = hashlib.sha256(relative_path.encode("utf-8")).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


def copy_seed(seed: int, relative_path: str, copy: int, attempt: int = 0) -> np.random.SeedSequence:
    """The stream of a copy; `attempt` >= 1 is a redraw of it (run/distinct.py).

    Attempt 0 is the copy's first draw, the one every run has made, so a copy
    that needs no redraw keeps its bytes. A redraw appends the attempt as one
    more word: a different stream, still a function of (seed, path, copy)."""
    words = [seed, *path_words(relative_path), copy]
    return np.random.SeedSequence(words + [attempt] if attempt else words)


def step_generators(sequence: np.random.SeedSequence, count: int) -> list[np.random.Generator]:
    """One independent generator per recipe step, in step order."""
    return [np.random.Generator(np.random.PCG64(child)) for child in sequence.spawn(count)]
