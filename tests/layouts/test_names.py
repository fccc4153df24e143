"""copy_name's string fast path names outputs exactly as the pathlib version did;
modality_of and output_extension agree with pathlib's suffix."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from augment_cli.layouts.names import copy_name
from augment_cli.modalities import MODALITIES, modality_of, output_extension
from augment_cli.recipe.model import OutputOptions


def _pathlib_copy_name(source: str, copy: int, extension: str) -> str:
    path = PurePosixPath(source)
    if copy == 0:
        return source
    stem = path.stem if extension.lower() == path.suffix.lower() else path.name
    return str(path.with_name(f"{stem}__aug{copy}{extension}"))


SOURCES = ["cat/a.jpg", "cat/sub/deep/b.JPG", "c.png", "dog/.hidden", "dog/x.", "dog/a.tar.gz",
           "dog/no_ext", "é/ü ñ, \"q\".jpeg", "a/b.c.d.png", "a/..jpg", "a/.jpg.png"]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("extension", [".jpg", ".png", ".JPG", ".jpeg", ".gz", ""])
@pytest.mark.parametrize("copy", [0, 1, 12])
def test_copy_name_matches_pathlib(source, copy, extension):
    assert copy_name(source, copy, extension) == _pathlib_copy_name(source, copy, extension)


@pytest.mark.parametrize("source", SOURCES)
def test_modality_and_extension_match_pathlib(source):
    suffix = PurePosixPath(source).suffix
    expected = next((m.name for m in MODALITIES.values() if suffix.lower() in m.extensions), None)
    assert modality_of(source) == expected
    if expected == "image":
        assert output_extension(source, OutputOptions()) in (suffix, ".png")
