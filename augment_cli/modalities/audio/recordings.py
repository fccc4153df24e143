"""Folders of recordings a recipe names (background noises, impulse responses).

Checked when the recipe is read, so a bad file fails the recipe once instead
of every copy that would pick it. soundfile is imported only when a recipe
has such a folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from augment_cli.errors import SampleError
from augment_cli.modalities import MODALITIES, modality_of
from augment_cli.modalities.audio.header import check_size
from augment_cli.storage import is_url


def audio_files(folder: Path) -> list[Path]:
    """Visible audio files directly in `folder`, sorted by name. Only regular
    files (or links to them) count: a FIFO or a device there is never opened."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and modality_of(p.name) == "audio")


def check_folder(folder: Path | str) -> None:
    """ValueError unless `folder` holds audio files that all open and have frames.
    A URL folder (storage/sidefiles.py) was listed by the recipe check: its
    recordings' headers are read through ranged reads."""
    if is_url(folder):
        from augment_cli.storage.sidefiles import files_of, opened

        for url in files_of(str(folder)):
            with opened(url) as handle:
                check_recording(url, handle)
        return
    files = audio_files(Path(folder))
    if not files:
        extensions = ", ".join(MODALITIES["audio"].extensions)
        raise ValueError(f"folder {folder} holds no audio files ({extensions})")
    for path in files:
        check_recording(str(path), str(path))


def check_recording(name: str, file: Any) -> None:
    """ValueError unless the recording `file` (a path or a seekable file) opens and has frames."""
    import soundfile

    try:
        info = soundfile.info(file)
    except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
        reason = getattr(exc, "error_string", None) or str(exc)
        raise ValueError(f"cannot read {name}: {reason}") from None
    if info.frames <= 0:
        raise ValueError(f"{name} has no audio frames")
    try:  # every worker loads a picked recording whole: the limit a source has
        check_size(info.frames, info.channels)
    except SampleError as exc:
        raise ValueError(f"{name}: {exc}") from None
