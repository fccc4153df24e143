"""How big an image may be, read or written: one limit for both.

Pillow's decompression-bomb threshold (about 89 megapixels; Image.MAX_IMAGE_PIXELS)
is what the reader refuses. A transform that makes an image bigger (pad, the
crops, resize) is held to the same limit, at recipe time when its parameters
alone decide the size and per file before allocating otherwise, so expand never
writes a file that `verify` or the next run would refuse as a bomb. Kept free of
Pillow and numpy: validating a recipe imports neither.
"""

from __future__ import annotations

from augment_cli.errors import SampleError

MAX_PIXELS = 89_478_485  # = PIL.Image.MAX_IMAGE_PIXELS (1024 ** 3 // 4 // 3); a test keeps them equal


def over_limit(height: int, width: int) -> str | None:
    """Why an image of this size may not be made, or None."""
    if height * width > MAX_PIXELS:
        return (f"an output of {width}x{height} pixels is over the {MAX_PIXELS:,}-pixel limit "
                "images are read with (the decompression-bomb limit)")
    return None


def check_output(height: int, width: int, transform: str) -> None:
    """SampleError (for this file) before an image over the limit is allocated."""
    problem = over_limit(height, width)
    if problem:
        raise SampleError(problem, transform=transform)
