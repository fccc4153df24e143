"""HEIC/HEIF (iPhone photos) and AVIF: read through Pillow plugins.

Pillow reads AVIF itself from 11.2 on (when built with libavif, as its
wheels are); HEIC/HEIF needs the optional pillow-heif package
(`pip install 'augment-cli[heic]'`), registered here on first use. A file
whose format this Python cannot read is refused with that reason, so a
skipped photo says what to install instead of "unknown format". Copies of
these sources are written as PNG (formats.KEEP_AS): lossless, alpha kept,
and byte-for-byte repeatable, which HEVC and AV1 encoders do not promise.
"""

from __future__ import annotations

from functools import cache

from augment_cli.errors import SampleError

# ISO base media "ftyp" brands (bytes 8-12 of the file).
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
AVIF_BRANDS = (b"avif", b"avis")


def brand(payload: bytes) -> str | None:
    """"heif" or "avif" for such a file (from its ftyp box), else None."""
    if payload[4:8] != b"ftyp":
        return None
    major = payload[8:12]
    if major in AVIF_BRANDS:
        return "avif"
    return "heif" if major in HEIF_BRANDS else None


def ensure_readable(payload: bytes) -> None:
    """Make Pillow able to open a HEIF/AVIF payload, or SampleError saying what is missing."""
    found = brand(payload)
    if found == "heif" and not _heif_opener():
        raise SampleError("HEIC/HEIF image: reading it needs the optional pillow-heif package "
                          "(pip install 'augment-cli[heic]'), or convert it to JPEG first")
    if found == "avif" and not _avif():
        raise SampleError("AVIF image: this Pillow cannot read AVIF (Pillow 11.2 or later, built with "
                          "libavif, reads it; or pip install pillow-avif-plugin)")


@cache
def _heif_opener() -> bool:
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


@cache
def _avif() -> bool:
    from PIL import features

    if features.check("avif"):
        return True
    try:
        import pillow_avif  # type: ignore[import-not-found]  # noqa: F401  (registers itself with Pillow)
    except ImportError:
        return False
    return True
