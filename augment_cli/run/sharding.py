"""`--shard K/M`: which part of a run this process does.

A source belongs to part K of M by a stable hash of its key (its path
relative to SRC): the same on every machine and Python (never `hash()`,
which is salted per process), independent of the other files, so adding one
file moves only that file, and parts of a large tree are balanced within a
few percent. Every shard still plans the whole run (copies per label, the
label lists mixing reads, which names collide): only the jobs it runs and
the state it records are its own, so the merged result is byte for byte
the unsharded run's.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from augment_cli.errors import UsageError

_FORM = re.compile(r"(\d+)/(\d+)")


@dataclass(frozen=True)
class Shard:
    index: int  # K, 1-based
    count: int  # M

    def owns(self, key: str) -> bool:
        """Whether the source with this key (SRC-relative path) is this shard's."""
        return part_of(key, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def part_of(key: str, count: int) -> int:
    """The part (1..count) a key belongs to: the first 8 bytes of its SHA-256, mod count."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> Shard:
    """`K/M` with 1 <= K <= M; a UsageError for anything else."""
    found = _FORM.fullmatch(text.strip())
    if found is None or not 1 <= int(found[1]) <= int(found[2]):
        raise UsageError(f"--shard {text!r} is not K/M with 1 <= K <= M (e.g. --shard 2/4)")
    return Shard(int(found[1]), int(found[2]))
