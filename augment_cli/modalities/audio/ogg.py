"""Make libsndfile's Ogg output byte-reproducible.

libsndfile starts every Ogg stream with a random serial number (seeded from
the clock) and there is no API to choose it. The encoded audio itself is
deterministic, so rewriting the serial in each page header, and the page
checksum that covers it, gives identical bytes for identical input. A file
holds one logical stream, so a fixed serial is valid Ogg.
"""

from __future__ import annotations

import struct

SERIAL = 0x61756721  # "aug!": any constant will do for a single-stream file
_HEADER = 27  # bytes before the segment table


def _crc_table() -> tuple[int, ...]:
    # Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0.
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return tuple(table)


_TABLE = _crc_table()


def page_crc(page: bytes | bytearray) -> int:
    """The checksum of one page whose CRC field is zeroed."""
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _TABLE[(crc >> 24) ^ byte]
    return crc


def fix_serial(blob: bytes, serial: int = SERIAL) -> bytes:
    """Rewrite the stream serial and checksum of every page; other bytes kept."""
    data = bytearray(blob)
    offset = 0
    while offset + _HEADER <= len(data) and data[offset:offset + 4] == b"OggS":
        segments = data[offset + 26]
        body = sum(data[offset + _HEADER:offset + _HEADER + segments])
        end = offset + _HEADER + segments + body
        struct.pack_into("<I", data, offset + 14, serial)
        struct.pack_into("<I", data, offset + 22, 0)
        struct.pack_into("<I", data, offset + 22, page_crc(data[offset:end]))
        offset = end
    if offset != len(data):
        raise ValueError("not a well-formed Ogg stream")
    return bytes(data)
