"""Make libsndfile's float WAV output byte-reproducible.

For 32- and 64-bit float WAV libsndfile adds a PEAK chunk (each channel's
peak value and position) stamped with the wall-clock time of writing, so two
runs of the same input differ by those four bytes. The chunk is kept (its
peaks are what a reader may use) with the timestamp set to 0, which the
format allows ("seconds since 1970", informative only). Its place and length
do not change, so the file stays a valid WAV.
"""

from __future__ import annotations

import struct

_RIFF_HEADER = 12  # "RIFF", size, "WAVE"
_TIMESTAMP = 4     # offset of the timestamp in the PEAK chunk's data (after its version)


def zero_peak_timestamp(blob: bytes) -> bytes:
    """`blob` with the timestamp of its PEAK chunk zeroed (unchanged if it has none)."""
    if blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        return blob
    data = bytearray(blob)
    position = _RIFF_HEADER
    while position + 8 <= len(data):
        chunk_id = bytes(data[position:position + 4])
        (size,) = struct.unpack_from("<I", data, position + 4)
        body = position + 8
        if chunk_id == b"PEAK" and size >= _TIMESTAMP + 4 and body + size <= len(data):
            struct.pack_into("<I", data, body + _TIMESTAMP, 0)
            return bytes(data)
        if chunk_id == b"data":
            break  # libsndfile writes PEAK before the samples
        position = body + size + (size & 1)  # chunks are padded to an even length
    return blob
