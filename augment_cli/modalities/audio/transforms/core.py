"""Audio transforms: parameters, samplers and docs (registered in the table).

The maths lives in audio_ops.py (level, noise, length), audio_time_ops.py
(speed, stretch, pitch) and audio_mix_ops.py (filters, MP3, recordings from a
folder). Nothing here imports soundfile, soxr or librosa, so checking a recipe
stays light. A sampler that finds the clip cannot take its transform (too
short, silent) returns {"skipped": reason}: the copy is still made, and the
manifest says why that step did nothing.
"""

from __future__ import annotations

import functools
import math
import os
from pathlib import Path
from typing import Any

from augment_cli.modalities.audio.formats import MP3_RATES
from augment_cli.modalities.audio.header import check_output
from augment_cli.modalities.audio.recordings import audio_files
from augment_cli.registry import Param, register, significant, span
from augment_cli.storage import is_url

LEVEL = "augment_cli.modalities.audio.transforms.core_ops"
TIME = "augment_cli.modalities.audio.transforms.time_ops"
MIX = "augment_cli.modalities.audio.transforms.mix_ops"
SEED_LIMIT = 2**31  # noise seeds stay plain JSON integers
SILENT = "silent source: a level relative to the signal is undefined, left unchanged"


def meta(audio: Any) -> dict[str, Any]:
    """Rate, length, channels and silence: what audio samplers may depend on."""
    return AudioMeta(audio)


class AudioMeta(dict):
    """The meta dict, whose "silent" is worked out on first use: it is a pass
    over the whole clip, which only level-relative samplers ask for, and a
    step of a cheap transform (gain, reverse) spent most of its time on it.
    Read any way ([key], get, items, values, iterating, {**meta}, dict(meta)),
    it includes "silent"."""

    LAZY = "silent"

    def __init__(self, audio: Any):
        samples = audio.samples
        super().__init__(sample_rate=audio.sample_rate, frames=int(samples.shape[1]),
                         channels=int(samples.shape[0]), duration_s=samples.shape[1] / audio.sample_rate)
        self._samples = samples

    def __missing__(self, key: str) -> Any:
        if key != self.LAZY:
            raise KeyError(key)
        value = self[key] = is_silent(self._samples)
        return value

    def keys(self) -> Any:
        return [*super().keys(), *(() if dict.__contains__(self, self.LAZY) else (self.LAZY,))]

    def __iter__(self) -> Any:  # not dict's: {**meta} then goes through keys() and [key]
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return key == self.LAZY or dict.__contains__(self, key)

    def get(self, key: str, default: Any = None) -> Any:  # dict.get would not call __missing__
        return self[key] if key in self else default  # noqa: SIM401  (self.get is this method)

    def items(self) -> Any:
        return [(key, self[key]) for key in self.keys()]

    def values(self) -> Any:
        return [self[key] for key in self.keys()]


def is_silent(samples: Any) -> bool:
    """Every sample exactly 0. The sum of squares (one BLAS pass, ~5x faster
    than .any() on floats) is not 0 for any clip with a sample that is not;
    only when it is 0 (silence, or samples so small their squares underflow)
    does the exact test run."""
    if samples.size and samples.flags.c_contiguous and samples.dtype.kind == "f":
        flat = samples.reshape(-1)
        energy = flat.dot(flat)
        if energy != 0:  # NaN and inf count as sound, as .any() says
            return False
    return not samples.any()


def analysis_frame(sample_rate: int) -> int:
    """STFT size of the phase vocoder (about 64 ms; shared by samplers and appliers)."""
    return 2 ** max(6, math.floor(math.log2(sample_rate * 0.064)))


def _skip(reason: str) -> dict[str, str]:
    return {"skipped": reason}


def _uniform(rng, low: float, high: float) -> float:
    return significant(rng.uniform(low, high))


def folder_files(folder: str) -> tuple[str, ...]:
    """The audio files of a recipe folder (checked non-empty when the recipe was read).

    Cached per version of the folder (its mtime moves when a file is added or
    removed): one process may run twice around such a change. A URL folder's files are
    those the recipe check listed (storage/sidefiles.py)."""
    if is_url(folder):
        from augment_cli.storage.sidefiles import files_of

        return files_of(folder)
    return _folder_files(folder, os.stat(folder).st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _folder_files(folder: str, version: int) -> tuple[str, ...]:
    return tuple(p.as_posix() for p in audio_files(Path(folder)))


def _pick(rng, folder: str) -> str:
    files = folder_files(folder)
    return files[int(rng.integers(len(files)))]


SNR = Param("snr_db", "float", (10.0, 40.0), bounds=(-30, 120),
            help="signal-to-noise ratio in dB, relative to the clip's own RMS")
FOLDER_HELP = "folder of audio files, relative to the recipe file"
RECORDINGS = "augment_cli.modalities.audio.recordings:check_folder"


@register("add_noise", modality="audio", apply=f"{LEVEL}:add_noise", params=(
    Param("color", "choice", "white", choices=("white", "pink", "brown"),
          help="noise spectrum; a list draws one per copy"),
    SNR,
))
def add_noise(rng, drawn, meta):
    """Add white, pink or brown noise at an SNR relative to the signal (silent clips: unchanged, noted)."""
    if meta["silent"]:
        return _skip(SILENT)
    return {**drawn, "noise_seed": int(rng.integers(SEED_LIMIT))}


@register("background_noise", modality="audio", apply=f"{MIX}:background_noise", params=(
    Param("folder", "folder", help=FOLDER_HELP, validator=RECORDINGS),
    Param("snr_db", "float", (5.0, 30.0), bounds=(-30, 120), help=SNR.help),
))
def background_noise(rng, drawn, meta):
    """Mix a random recording from a folder (looped, resampled, channel-matched) at an SNR."""
    if meta["silent"]:
        return _skip(SILENT)
    return {"noise_file": _pick(rng, drawn["folder"]), "offset_fraction": _uniform(rng, 0.0, 1.0),
            "snr_db": drawn["snr_db"]}


@register("short_noises", modality="audio", apply=f"{MIX}:short_noises", params=(
    Param("folder", "folder", help=FOLDER_HELP, validator=RECORDINGS),
    Param("count", "int", (1, 3), bounds=(1, 50), help="number of bursts"),
    Param("burst_s", "float", (0.1, 0.5), bounds=(0.001, 60), draw=False,
          help="length of each burst in seconds, drawn per burst"),
    Param("snr_db", "float", (5.0, 20.0), bounds=(-30, 120), draw=False,
          help="SNR of each burst against the whole clip, drawn per burst"),
))
def short_noises(rng, drawn, meta):
    """Add a few short faded bursts of recordings from a folder at random times."""
    if meta["silent"]:
        return _skip(SILENT)
    bursts = []
    for _ in range(drawn["count"]):
        noise_file, start = _pick(rng, drawn["folder"]), _uniform(rng, 0.0, meta["duration_s"])
        # A burst running past the clip's end is cut there: record what is heard.
        length = min(_uniform(rng, *span(drawn["burst_s"])), significant(meta["duration_s"] - start))
        bursts.append({"noise_file": noise_file, "start_s": start, "duration_s": length,
                       "snr_db": _uniform(rng, *span(drawn["snr_db"]))})
    return {"bursts": bursts}


@register("speed", modality="audio", apply=f"{TIME}:speed", params=(
    Param("rate", "float", (0.9, 1.1), bounds=(0.25, 4), help="2 = twice as fast, an octave up"),
))
def speed(rng, drawn, meta):
    """Play faster or slower by resampling: duration and pitch both change."""
    if round(meta["frames"] / drawn["rate"]) < 2:
        return _skip(f"clip of {meta['frames']} frames is too short")
    check_output(math.ceil(meta["frames"] / drawn["rate"]), meta["channels"], "speed")
    return drawn


def _too_short_for_stretch(meta: dict[str, Any]) -> dict[str, str] | None:
    window = analysis_frame(meta["sample_rate"])
    if meta["frames"] < window:
        return _skip(f"clip of {meta['frames']} frames is shorter than the {window}-frame "
                     "analysis window")
    return None


@register("time_stretch", modality="audio", apply=f"{TIME}:time_stretch", params=(
    Param("rate", "float", (0.8, 1.25), bounds=(0.25, 4), help="2 = half the duration"),
))
def time_stretch(rng, drawn, meta):
    """Change the duration by 1/rate, pitch kept (phase vocoder)."""
    too_short = _too_short_for_stretch(meta)
    if too_short:
        return too_short
    check_output(math.ceil(meta["frames"] / drawn["rate"]), meta["channels"], "time_stretch")
    return drawn


@register("pitch_shift", modality="audio", apply=f"{TIME}:pitch_shift", params=(
    Param("semitones", "float", (-2.0, 2.0), bounds=(-24, 24), help="12 = an octave up"),
))
def pitch_shift(rng, drawn, meta):
    """Shift the pitch by semitones, duration kept."""
    return _too_short_for_stretch(meta) or drawn


@register("time_shift", modality="audio", apply=f"{LEVEL}:time_shift", params=(
    Param("shift_fraction", "float", (-0.2, 0.2), bounds=(-1, 1),
          help="shift as a fraction of the clip; positive = later"),
    Param("mode", "choice", "pad", choices=("roll", "pad"),
          help="pad lets silence in where the signal moved away; roll wraps the end round to the "
               "start (speech would then start mid-word)"),
))
def time_shift(rng, drawn, meta):
    """Move the signal in time, the gap filled with silence (or rolled round)."""
    return {**drawn, "shift_frames": round(drawn["shift_fraction"] * meta["frames"])}


@register("gain", modality="audio", fixed=True, apply=f"{LEVEL}:gain", params=(
    Param("gain_db", "float", (-6.0, 6.0), bounds=(-60, 60), help="dB; +6 doubles the amplitude"),
))
def gain(rng, drawn, meta):
    """Multiply the level by a gain in dB."""
    return drawn


@register("gain_transition", modality="audio", apply=f"{LEVEL}:gain_transition", params=(
    Param("start_gain_db", "float", (-12.0, 6.0), bounds=(-60, 60), help="gain before the fade"),
    Param("end_gain_db", "float", (-12.0, 6.0), bounds=(-60, 60), help="gain after the fade"),
    Param("transition_fraction", "float", (0.2, 0.5), bounds=(0, 1),
          help="length of the fade as a fraction of the clip"),
))
def gain_transition(rng, drawn, meta):
    """Fade from one gain to another (linear in dB) over a span at a random time."""
    length = round(drawn["transition_fraction"] * meta["frames"])
    start = int(rng.integers(0, meta["frames"] - length + 1))
    return {"start_gain_db": drawn["start_gain_db"], "end_gain_db": drawn["end_gain_db"],
            "start_frame": start, "transition_frames": length}


@register("normalize", modality="audio", apply=f"{LEVEL}:normalize", params=(
    Param("mode", "choice", "peak", choices=("peak", "rms"), help="which level reaches target_db"),
    Param("target_db", "float", -1.0, bounds=(-80, 0), help="dBFS"),
))
def normalize(rng, drawn, meta):
    """Scale the clip so its peak or its RMS reaches target_db dBFS."""
    return _skip(SILENT) if meta["silent"] else drawn


@register("clipping_distortion", modality="audio", apply=f"{LEVEL}:clipping_distortion", params=(
    Param("clip_percent", "float", (0.0, 20.0), bounds=(0, 90),
          help="percentage of samples beyond the clipping level"),
))
def clipping_distortion(rng, drawn, meta):
    """Hard-clip the loudest clip_percent % of samples (overdriven recording)."""
    return drawn


@register("polarity_invert", modality="audio", fixed=True, apply=f"{LEVEL}:polarity_invert")
def polarity_invert(rng, drawn, meta):
    """Flip the sign of every sample."""
    return drawn


@register("reverse", modality="audio", fixed=True, apply=f"{LEVEL}:reverse")
def reverse(rng, drawn, meta):
    """Play the clip backwards."""
    return drawn


ORDER = Param("order", "int", 4, bounds=(1, 16), ranged=False,
              help="Butterworth order: roll-off of 6 dB per octave per order")


@register("lowpass", modality="audio", apply=f"{MIX}:lowpass", params=(
    Param("cutoff_hz", "float", (2000.0, 6000.0), bounds=(1, 200000), draw=False,
          help="-3 dB frequency; drawn below the clip's Nyquist frequency"),
    ORDER,
))
def lowpass(rng, drawn, meta):
    """Remove energy above the cutoff (zero-phase Butterworth response)."""
    cutoff = below_nyquist(rng, drawn["cutoff_hz"], meta)
    if cutoff is None:
        return _skip(_above_nyquist("cutoff", drawn["cutoff_hz"], meta))
    return {"cutoff_hz": cutoff, "order": drawn["order"]}


@register("highpass", modality="audio", apply=f"{MIX}:highpass", params=(
    Param("cutoff_hz", "float", (100.0, 500.0), bounds=(1, 200000), draw=False,
          help="-3 dB frequency; drawn below the clip's Nyquist frequency"),
    ORDER,
))
def highpass(rng, drawn, meta):
    """Remove energy below the cutoff (zero-phase Butterworth response)."""
    cutoff = below_nyquist(rng, drawn["cutoff_hz"], meta)
    if cutoff is None:
        return _skip(_above_nyquist("cutoff", drawn["cutoff_hz"], meta))
    return {"cutoff_hz": cutoff, "order": drawn["order"]}


@register("bandpass", modality="audio", apply=f"{MIX}:bandpass", params=(
    Param("center_hz", "float", (500.0, 3000.0), bounds=(1, 200000), help="centre frequency"),
    Param("bandwidth_fraction", "float", (0.5, 1.5), bounds=(0.01, 1.99),
          help="pass band width as a fraction of the centre frequency"),
    ORDER,
))
def bandpass(rng, drawn, meta):
    """Keep a band around a centre frequency (zero-phase Butterworth response)."""
    half = drawn["center_hz"] * drawn["bandwidth_fraction"] / 2
    low, high = drawn["center_hz"] - half, drawn["center_hz"] + half
    if low >= meta["sample_rate"] / 2:
        return _skip(f"band starts at {low:g} Hz, above the Nyquist frequency")
    return {"low_hz": significant(low), "high_hz": significant(high), "order": drawn["order"]}


# A frequency redrawn below Nyquist stays this far under it: a lowpass at
# 99.9 % of Nyquist would remove next to nothing.
NYQUIST_SHARE = 0.95


def below_nyquist(rng, value: Any, meta: dict[str, Any]) -> float | None:
    """A frequency the recipe gives as a value or [low, high], for this clip.

    Drawn as every range is (so a clip that can take it gets what it always
    got); a draw at or above the clip's Nyquist frequency would filter
    nothing, so it is drawn again from the part of the range below
    NYQUIST_SHARE of Nyquist. None when no part of the range is there."""
    nyquist = meta["sample_rate"] / 2
    low, high = span(value)
    frequency = _uniform(rng, low, high) if isinstance(value, tuple) else value
    if frequency < nyquist:
        return frequency
    ceiling = NYQUIST_SHARE * nyquist
    if low >= ceiling:
        return None
    return _uniform(rng, low, min(high, ceiling))


def _above_nyquist(name: str, value: Any, meta: dict[str, Any]) -> str:
    low, high = span(value)
    spoken = f"{low:g} Hz" if low == high else f"range {low:g}-{high:g} Hz"
    return (f"{name} {spoken} is not below the Nyquist frequency ({meta['sample_rate'] / 2:g} Hz) of this "
            f"{meta['sample_rate']} Hz clip: nothing to filter")


@register("mp3_compression", modality="audio", apply=f"{MIX}:mp3_compression", params=(
    Param("bitrate_kbps", "int", (32, 96), bounds=(8, 320), help="constant bit rate"),
))
def mp3_compression(rng, drawn, meta):
    """Add MP3 artefacts: encode at a low bit rate in memory and decode back."""
    if meta["sample_rate"] not in MP3_RATES:
        return _skip(f"MP3 has no {meta['sample_rate']} Hz mode")
    if meta["channels"] > 2:
        return _skip(f"MP3 holds at most 2 channels, the clip has {meta['channels']}")
    return drawn


@register("impulse_response", modality="audio", apply=f"{MIX}:impulse_response", params=(
    Param("folder", "folder", help=FOLDER_HELP, validator=RECORDINGS),
))
def impulse_response(rng, drawn, meta):
    """Convolve with a random room impulse response from a folder (reverb); level kept."""
    return {"ir_file": _pick(rng, drawn["folder"])}


@register("time_mask", modality="audio", apply=f"{LEVEL}:time_mask", params=(
    Param("mask_fraction", "float", (0.0, 0.1), bounds=(0, 1),
          help="length of the silenced span as a fraction of the clip"),
))
def time_mask(rng, drawn, meta):
    """Silence one span at a random time (SpecAugment time masking on the waveform)."""
    length = round(drawn["mask_fraction"] * meta["frames"])
    return {"start_frame": int(rng.integers(0, meta["frames"] - length + 1)), "mask_frames": length}


@register("trim", modality="audio", fixed=True, apply=f"{LEVEL}:trim", params=(
    Param("top_db", "float", 30.0, bounds=(1, 120),
          help="frames this far below the loudest frame count as silence"),
))
def trim(rng, drawn, meta):
    """Cut leading and trailing silence."""
    return drawn


@register("pad_or_crop", modality="audio", apply=f"{LEVEL}:pad_or_crop", params=(
    Param("duration_s", "float", 1.0, bounds=(0.001, 3600), ranged=False, help="output length"),
    Param("position", "choice", "center", choices=("start", "center", "random"),
          help="where the kept window (crop) or the signal (pad) sits"),
))
def pad_or_crop(rng, drawn, meta):
    """Fix the length: crop a window or pad with silence (for fixed-input models)."""
    target = max(1, round(drawn["duration_s"] * meta["sample_rate"]))
    check_output(target, meta["channels"], "pad_or_crop")  # the silence is allocated whole
    spare = abs(meta["frames"] - target)
    offset = {"start": 0, "center": spare // 2}.get(drawn["position"])
    if offset is None:
        offset = int(rng.integers(0, spare + 1))
    return {"target_frames": target, "offset": offset}
