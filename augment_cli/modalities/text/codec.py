"""Decode and encode .txt files: bytes <-> str, nothing lost on the way.

Transforms see a str with "\\n" line breaks. What they never see is kept on
the DecodedText and put back by `encode`: the UTF-8 byte-order mark and the
line-ending style (LF, CRLF or CR). A file that mixes styles is passed
through as it is. Copies are always written as UTF-8.

A file that is not valid in the recipe's text_encoding (UTF-8 by default) is
refused with the byte and offset named, never decoded with replacement
characters: a mangled copy would be worse than a reported file.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import TYPE_CHECKING

from augment_cli.errors import SampleError

if TYPE_CHECKING:  # codecs read [output] options; the recipe package is not theirs to import
    from augment_cli.recipe.model import OutputOptions

UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# C0 controls other than tab, LF, VT, FF, CR: their presence means binary data.
CONTROL = set(range(32)) - {9, 10, 11, 12, 13}
MAX_CONTROL_FRACTION = 0.01
# One sample per file: a bigger "document" is a corpus dump. Word-level
# transforms on it would take minutes and gigabytes, and its manifest row
# would list millions of edits, so it is refused instead (like an image bomb).
MAX_TEXT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class DecodedText:
    data: str          # the text transforms work on, lines ending in "\n"
    bom: bool          # the source started with a UTF-8 byte-order mark
    newline: str       # "\n", "\r\n" or "\r" to write back; "" = leave as is (mixed)


def decode(payload: bytes, output: OutputOptions | None = None) -> DecodedText:
    """File bytes -> DecodedText; SampleError for empty, binary or undecodable files."""
    encoding = output.text_encoding if output else "utf-8"
    if not payload:
        raise SampleError("empty file (0 bytes)")
    check_length(len(payload))
    bom = payload.startswith(UTF8_BOM)
    body = payload[len(UTF8_BOM):] if bom else payload
    if not bom and body.startswith(UTF16_BOMS) and not encoding.lower().startswith("utf-16"):
        raise SampleError('UTF-16 text (byte-order mark found); set [output] text_encoding = "utf-16"')
    _refuse_binary(body, encoding)
    text = _decode_text(body, "utf-8" if bom else encoding)
    if not text.strip():
        raise SampleError("empty file (only whitespace)")
    newline = _newline_style(text)
    if newline not in ("\n", ""):
        text = text.replace(newline, "\n")
    return DecodedText(text, bom, newline)


def encode(text: str, decoded: DecodedText, extension: str, output: OutputOptions) -> bytes:
    """str -> UTF-8 bytes with the source's BOM and line endings."""
    if decoded.newline not in ("\n", ""):
        text = text.replace("\n", decoded.newline)
    payload = text.encode("utf-8")
    blob = UTF8_BOM + payload if decoded.bom else payload
    # A copy may outgrow its source (inserted words, a Latin-1 source written
    # as UTF-8): expand must not write one that `verify` refuses to read.
    if len(blob) > MAX_TEXT_BYTES:
        raise SampleError(f"the copy is {len(blob) / 2**20:.1f} MiB, over the "
                          f"{MAX_TEXT_BYTES // 2**20} MiB limit texts are read with")
    return blob


def check_length(size: int) -> None:
    """SampleError for a file too big to be one sample."""
    if size > MAX_TEXT_BYTES:
        raise SampleError(f"text file of {size / 2**20:.1f} MiB is over the "
                          f"{MAX_TEXT_BYTES // 2**20} MiB limit for one sample; split it into documents")


def check_encoding(name: str) -> None:
    """ValueError unless `name` is a text encoding Python knows (the recipe's text_encoding).

    codecs.lookup also finds bytes-to-bytes and str-to-str codecs (base64,
    uu_codec, rot13), which bytes.decode refuses on every file; CPython marks
    the real text encodings with _is_text_encoding.
    """
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown text encoding {name!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise ValueError(f"{name!r} is a codec, not a text encoding (e.g. utf-8, latin-1, cp1252)")


def _refuse_binary(body: bytes, encoding: str) -> None:
    if encoding.lower().replace("_", "-").startswith("utf-16"):
        return  # NUL bytes are normal there
    if b"\x00" in body:
        raise SampleError("binary file, not text (contains NUL bytes)")
    sample = body[:65536]
    controls = sum(1 for byte in sample if byte in CONTROL)
    if controls > MAX_CONTROL_FRACTION * len(sample):
        raise SampleError(f"binary file, not text ({controls} control bytes in the first "
                          f"{len(sample)})")


def _decode_text(body: bytes, encoding: str) -> str:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = body[exc.start:exc.start + 1].hex()
        hint = ("; if it is Latin-1 or Windows text, set [output] text_encoding = \"cp1252\""
                if encoding == "utf-8" else "")
        raise SampleError(f"not valid {encoding} (byte 0x{bad} at offset {exc.start}){hint}") from None


def _newline_style(text: str) -> str:
    crlf = text.count("\r\n")
    cr, lf = text.count("\r") - crlf, text.count("\n") - crlf
    styles = [style for style, count in (("\r\n", crlf), ("\r", cr), ("\n", lf)) if count]
    if len(styles) > 1:
        return ""
    return styles[0] if styles else "\n"
