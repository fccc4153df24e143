"""Audio in memory for the online Augmenter: float samples and a sample rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from augment_cli.errors import UsageError
from augment_cli.modalities.audio.codec import Audio


def to_data(item: tuple[np.ndarray, int]) -> Audio:
    """(samples shaped (frames,) or (channels, frames), rate) -> Audio."""
    samples, sample_rate = item
    samples = np.asarray(samples, dtype=np.float32)
    if samples.ndim not in (1, 2):
        raise UsageError(f"audio must be (frames,) or (channels, frames), got shape {samples.shape}")
    return Audio(np.atleast_2d(samples), int(sample_rate))


def from_data(item: tuple[np.ndarray, int], data: Audio) -> dict[str, Any]:
    """Samples in the caller's shape (mono (frames,) stays 1-D), and the rate."""
    samples = data.samples[0] if np.ndim(item[0]) == 1 and data.samples.shape[0] == 1 else data.samples
    return {"data": samples, "sample_rate": data.sample_rate}
