"""Folders of recordings a recipe names (background noises, impulse responses).

Checked when the recipe is read, so a bad file fails the recipe once instead
of every copy that would pick it. soundfile is imported only when a recipe
has such a folder.
"""

from __future__ import annotations

from pathlib import Path

from augment_cli.errors import SampleError
from augment_cli.modalities import MODALITIES, modality_of
from augment_cli.modalities.audio.header import check_size


def audio_files(folder: Path) -> list[Path]:
    """Visible audio files directly in `folder`, sorted by name. Only regular
    files (or links to them) count: a FIFO or a device there is never opened."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and modality_of(p.name) == "audio")


def check_folder(folder: Path) -> None:
    """ValueError unless `folder` holds audio files that all open and have frames."""
    files = audio_files(folder)
    if not files:
        extensions = ", ".join(MODALITIES["audio"].extensions)
        raise ValueError(f"folder {folder} holds no audio files ({extensions})")
    import soundfile

    for path in files:
        try:
            info = soundfile.info(str(path))
        except (soundfile.LibsndfileError, RuntimeError, OSError) as exc:
            reason = getattr(exc, "error_string", None) or str(exc)
            raise ValueError(f"cannot read {path}: {reason}") from None
        if info.frames <= 0:
            raise ValueError(f"{path} has no audio frames")
        try:  # every worker loads a picked recording whole: the limit a source has
            check_size(info.frames, info.channels)
        except SampleError as exc:
            raise ValueError(f"{path}: {exc}") from None
