"""Which codec module reads and writes each modality.

A codec module has decode(bytes, output=None) -> a decoded object whose `.data` is what
transforms receive, and encode(data, decoded, extension, output) -> bytes.
Imported lazily, so an image-only run never imports the audio stack.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from augment_cli.errors import SampleError

CODEC_MODULES = {
    "image": "augment_cli.image_codec",
    "audio": "augment_cli.audio_codec",
    "text": "augment_cli.text_codec",
}


def codec_for(modality: str) -> ModuleType:
    if modality not in CODEC_MODULES:
        raise SampleError(f"no codec for modality {modality}")
    return importlib.import_module(CODEC_MODULES[modality])
