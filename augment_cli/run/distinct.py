"""Distinct copies: a copy equal to its source or to an earlier copy of the
same source is drawn again, from that copy's own redraw streams.

A duplicate is not augmentation: it re-weights the example and can leak
across a train/test split. Copies are compared on the data the transforms
returned, before encoding, so a lossy format's re-encoding does not hide a
repeat (the same picture is the same picture). Redraw k of copy c uses
seeding.copy_seed(seed, path, c, k): it depends on nothing but the copy, so
the result is the same whatever the workers or the order.

A copy still equal after REDRAWS redraws is kept as first drawn (the bytes a
run with --allow-duplicates writes) and marked: its manifest cell ends with
{"duplicate_of": k}, k the copy it repeats (0: the source).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

REDRAWS = 8
DUPLICATE_KEY = "duplicate_of"

try:  # SIMD hashing: ~40x faster than SHA-256 over a 640x480 RGB copy (15 us vs 0.6 ms)
    import stringzilla as _stringzilla
except ImportError:  # pragma: no cover - a platform without its wheel
    _stringzilla = None

Attempt = Callable[[int], "tuple[Any, list[dict[str, Any]]]"]  # attempt number -> (data, records)


def fingerprint(data: Any) -> Hashable:
    """A key of decoded content: arrays by dtype, shape and bytes; text by
    its characters; audio by its samples and sample rate; an annotated image
    by its pixels and targets. Text (one cell or a row's cells) is its own
    key: hashing a short sentence costs more than the dict lookup it feeds."""
    if isinstance(data, str) or (isinstance(data, tuple) and all(isinstance(item, str) for item in data)):
        return data
    digest = hashlib.sha256()
    _feed(digest, data)
    return digest.digest()


def _content_key(array: np.ndarray) -> bytes:
    """The pixels' or samples' bytes, or for large arrays two 64-bit StringZilla
    hashes of them (differently seeded). The keys are compared within one job
    only, never stored, so a fast non-cryptographic hash is enough: hashing
    every copy with SHA-256 was a fifth of an image run's time."""
    if _stringzilla is None or array.nbytes < 4096:
        return array.tobytes()
    view = memoryview(array.data).cast("B")
    return b"%d:%d" % (_stringzilla.hash(view, 0), _stringzilla.hash(view, 0x9E3779B97F4A7C15))


def _feed(digest: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        digest.update(f"{value.dtype.str}{value.shape}".encode())
        digest.update(_content_key(np.ascontiguousarray(value)))
    elif isinstance(value, str):
        digest.update(b"s" + value.encode("utf-8", "surrogatepass"))
    elif value is None or isinstance(value, (int, float)):
        digest.update(repr(value).encode())
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            _feed(digest, getattr(value, name))
    elif isinstance(value, (list, tuple)):  # an annotated image's objects, polygons
        digest.update(f"l{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):  # an object's format fields (extra)
        digest.update(f"d{len(value)}".encode())
        for key in sorted(value, key=str):
            _feed(digest, str(key))
            _feed(digest, value[key])
    else:
        raise TypeError(f"cannot compare copies of {type(value).__name__}")


@dataclass
class DistinctCopies:
    """The copies of one source made so far, to refuse repeats.

    `enabled` False (--allow-duplicates) makes every copy from its first draw
    and compares nothing."""

    source_data: Any
    enabled: bool = True
    # The most distinct copies the recipe can make (run/outcomes.py), None if
    # unbounded: once that many are made, a repeat is kept without redraws.
    most: int | None = None
    redrawn: int = 0                   # copies that needed a redraw and got a distinct one
    kept: int = 0                      # copies kept although they repeat (recipe ran out)
    _seen: dict[Hashable, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.enabled:
            self._seen[fingerprint(self.source_data)] = 0

    def make(self, copy: int, attempt: Attempt) -> tuple[Any, list[dict[str, Any]], int | None]:
        """(data, records, the copy it repeats or None) for copy `copy`."""
        first = attempt(0)
        if not self.enabled:
            return (*first, None)
        key = fingerprint(first[0])
        if key not in self._seen:
            self._seen[key] = copy
            return (*first, None)
        exhausted = self.most is not None and len(self._seen) - 1 >= self.most
        for number in range(1, 0 if exhausted else REDRAWS + 1):
            again = attempt(number)
            other = fingerprint(again[0])
            if other not in self._seen:
                self._seen[other] = copy
                self.redrawn += 1
                return (*again, None)
        self.kept += 1
        return (*first, self._seen[key])


def marked(records: list[dict[str, Any]], repeats: int | None) -> list[dict[str, Any]]:
    """The records a manifest cell holds: a kept duplicate ends with its mark."""
    return records if repeats is None else [*records, {DUPLICATE_KEY: repeats}]
