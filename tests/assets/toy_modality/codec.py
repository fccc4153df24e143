"""Toy codec: a .toy file is one integer per line; the data is a tuple of ints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from augment_cli.errors import SampleError


@dataclass(frozen=True)
class DecodedToy:
    data: tuple[int, ...]


def decode(payload: bytes, output: Any = None) -> DecodedToy:
    try:
        return DecodedToy(tuple(int(line) for line in payload.decode("ascii").split()))
    except (UnicodeDecodeError, ValueError):
        raise SampleError("not a toy file (one integer per line)") from None


def encode(data: tuple[int, ...], decoded: DecodedToy, extension: str, output: Any) -> bytes:
    return "".join(f"{value}\n" for value in data).encode("ascii")
