"""Audio maths for filters, MP3 artefacts, and mixing in other recordings
(background noise, short noise bursts, impulse responses).

Filters are zero-phase Butterworth magnitude responses applied in the
frequency domain (numpy FFT, zero-padded so nothing wraps around): no delay,
and no 1.8 s scipy.signal import in every worker. Recordings from a folder are
decoded once per worker and resampled to the clip's rate.
"""

from __future__ import annotations

import functools
import io
import math
import os
from typing import Any

import numpy as np
import soundfile as sf

from augment_cli.errors import SampleError
from augment_cli.modalities.audio.codec import Audio, reason, resample
from augment_cli.modalities.audio.formats import MP3_RATES
from augment_cli.modalities.audio.transforms.core_ops import (
    Params,
    db_to_amplitude,
    mix_at_snr,
    rms,
    skippable,
)
from augment_cli.modalities.audio.transforms.time_ops import fit_length
from augment_cli.storage import is_url

FADE_S = 0.01  # burst edges are faded over 10 ms so they do not click


@functools.lru_cache(maxsize=256)
def fast_length(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n: sizes the FFT computes quickly."""
    best = 1 << max(0, (n - 1).bit_length())
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            size = power35
            while size < n:
                size *= 2
            best = min(best, size)
            power35 *= 3
        power5 *= 5
    return best


def filtered(audio: Audio, response, lowest_hz: float, order: int) -> Audio:
    """Multiply the spectrum by response(frequencies_hz), zero-padded past
    the clip far enough that the filter's ringing dies before it wraps round.

    In float64: numpy's float64 FFT is faster than its float32 one here,
    and the result is the more exact."""
    frames = audio.frames
    size = fast_length(frames + ringing_frames(audio.sample_rate, lowest_hz, order))
    spectrum = np.fft.rfft(audio.samples.astype(np.float64), n=size, axis=-1)
    spectrum *= response(_frequencies(size, audio.sample_rate).copy())
    return audio.with_samples(np.fft.irfft(spectrum, n=size, axis=-1)[:, :frames])


@functools.lru_cache(maxsize=32)
def _frequencies(size: int, sample_rate: int) -> np.ndarray:
    """The rfft bins' frequencies (read-only: the responses work on a copy)."""
    frequencies = np.fft.rfftfreq(size, 1.0 / sample_rate)
    frequencies.flags.writeable = False
    return frequencies


def ringing_frames(sample_rate: int, lowest_hz: float, order: int) -> int:
    """Frames for a Butterworth filter's impulse response to fall ~139 dB:
    its slowest poles decay as exp(-2 pi f sin(pi / 2 order) t) for its
    lowest corner frequency f; 16 of those time constants (at least 64
    frames). The FFT's circular wrap then adds nothing a float32 sample holds."""
    decay_s = 1.0 / (2.0 * math.pi * lowest_hz * math.sin(math.pi / (2 * order)))
    return max(64, math.ceil(16.0 * decay_s * sample_rate))


def _butterworth(ratio: np.ndarray, order: int, high: bool = False) -> np.ndarray:
    """A Butterworth magnitude at ratio = f / cutoff: 1 / sqrt(1 + p) (low)
    or sqrt(p / (1 + p)) (high, the same as 1 / sqrt(1 + ratio^-2 order)
    without dividing by f = 0), p = ratio^(2 order)."""
    power = _integer_power(ratio * ratio, order)
    denominator = power + 1.0
    if high:
        return np.sqrt(np.divide(power, denominator, out=power), out=power)
    return np.reciprocal(np.sqrt(denominator, out=denominator), out=denominator)


def _integer_power(base: np.ndarray, exponent: int) -> np.ndarray:
    """base ** exponent (exponent >= 1) by repeated squaring: an integer
    power is pow() per element in numpy; multiplying is vectorised."""
    result = base.copy() if exponent & 1 else np.ones_like(base)
    exponent >>= 1
    while exponent:
        base = base * base
        if exponent & 1:
            result *= base
        exponent >>= 1
    return result


def _lowpass_response(cutoff_hz: float, order: int):
    return lambda f: _butterworth(f / cutoff_hz, order)


def _highpass_response(cutoff_hz: float, order: int):
    return lambda f: _butterworth(f / cutoff_hz, order, high=True)


@skippable
def lowpass(audio: Audio, params: Params) -> Audio:
    return filtered(audio, _lowpass_response(params["cutoff_hz"], params["order"]),
                    params["cutoff_hz"], params["order"])


@skippable
def highpass(audio: Audio, params: Params) -> Audio:
    return filtered(audio, _highpass_response(params["cutoff_hz"], params["order"]),
                    params["cutoff_hz"], params["order"])


@skippable
def bandpass(audio: Audio, params: Params) -> Audio:
    low = _highpass_response(params["low_hz"], params["order"])
    high = _lowpass_response(params["high_hz"], params["order"])
    return filtered(audio, lambda f: low(f) * high(f), params["low_hz"], params["order"])


def mp3_level(bitrate_kbps: int, sample_rate: int) -> float:
    """libsndfile's MP3 compression level for a constant bit rate.

    libsndfile maps level 0..1 linearly onto the MPEG version's bit-rate span
    (MPEG-1: 320..32 kbps, MPEG-2: 160..8, MPEG-2.5: 64..8) and LAME rounds to
    the nearest legal rate.
    """
    high, low = (320, 32) if sample_rate >= 32000 else (160, 8) if sample_rate >= 16000 else (64, 8)
    return float(np.clip((high - bitrate_kbps) / (high - low), 0.0, 0.99))


@skippable
def mp3_compression(audio: Audio, params: Params) -> Audio:
    """Encode to MP3 in memory at the bit rate and decode back; length kept."""
    if audio.sample_rate not in MP3_RATES:
        raise SampleError(f"MP3 has no {audio.sample_rate} Hz mode")
    buffer = io.BytesIO()
    peak = float(np.abs(audio.samples).max())
    scale = 1.0 / peak if peak > 1.0 else 1.0  # the encoder would clip; undo after
    try:
        sf.write(buffer, audio.samples.T * scale, audio.sample_rate, format="MP3",
                 subtype="MPEG_LAYER_III", bitrate_mode="CONSTANT",
                 compression_level=mp3_level(params["bitrate_kbps"], audio.sample_rate))
        buffer.seek(0)
        decoded, _ = sf.read(buffer, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise SampleError(f"MP3 round trip failed: {reason(exc)}") from None
    return audio.with_samples(fit_length(decoded.T / scale, audio.frames))


def load_recording(path: str, sample_rate: int) -> np.ndarray:
    """A noise or impulse-response file as (channels, frames) at sample_rate.

    Cached per version of the file (size and mtime): one process may run
    twice around an edit of it (api.expand, --workers 1). A URL (storage/sidefiles.py)
    is fetched once per version, its version being the stamp the recipe check listed."""
    if is_url(path):
        from augment_cli.storage.sidefiles import version_of

        return _load_recording(path, sample_rate, version_of(path))
    try:
        info = os.stat(path)
    except OSError as exc:
        raise SampleError(f"cannot read {path}: {exc.strerror or exc}") from None
    return _load_recording(path, sample_rate, (info.st_size, info.st_mtime_ns))


@functools.lru_cache(maxsize=32)
def _load_recording(path: str, sample_rate: int, version: tuple[int, int]) -> np.ndarray:
    try:
        samples, rate = sf.read(_recording_file(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise SampleError(f"cannot read {path}: {reason(exc)}") from None
    if samples.shape[0] == 0:
        raise SampleError(f"{path} has no frames")
    samples = np.ascontiguousarray(samples.T)
    return resample(samples, rate, sample_rate) if rate != sample_rate else samples


def _recording_file(path: str) -> Any:
    if not is_url(path):
        return path
    from augment_cli.storage.sidefiles import recording

    try:
        return recording(path)
    except ValueError as exc:
        raise SampleError(f"cannot read {path}: it {exc}") from None


def match_channels(samples: np.ndarray, channels: int) -> np.ndarray:
    """Same channel count as the clip: kept if equal, else mixed to mono and repeated."""
    if samples.shape[0] == channels:
        return samples
    return np.repeat(samples.mean(axis=0, keepdims=True), channels, axis=0)


def looped(samples: np.ndarray, start: int, frames: int) -> np.ndarray:
    """`frames` frames from `start`, wrapping round to the beginning as often as needed.

    Slices joined (or one slice, a view): the frames a modulo index would
    gather, ~60x faster than gathering them."""
    length = samples.shape[1]
    start %= length
    if start + frames <= length:
        return samples[:, start:start + frames]
    head = samples[:, start:]
    whole, rest = divmod(frames - head.shape[1], length)
    return np.concatenate([head, *[samples] * whole, samples[:, :rest]], axis=1)


@skippable
def background_noise(audio: Audio, params: Params) -> Audio:
    noise = match_channels(load_recording(params["noise_file"], audio.sample_rate), audio.channels)
    start = int(params["offset_fraction"] * noise.shape[1])
    return mix_at_snr(audio, looped(noise, start, audio.frames), params["snr_db"])


@skippable
def short_noises(audio: Audio, params: Params) -> Audio:
    """Add each burst at its start, faded in and out, at its SNR to the whole clip."""
    out, rate, level = audio.samples.copy(), audio.sample_rate, rms(audio.samples)
    for burst in params["bursts"]:
        begin = int(burst["start_s"] * rate)
        length = min(int(burst["duration_s"] * rate), audio.frames - begin)
        noise = match_channels(load_recording(burst["noise_file"], rate), audio.channels)
        piece = looped(noise, 0, length) * _fades(length, int(FADE_S * rate))
        piece_rms = rms(piece)
        if length > 0 and piece_rms > 0:
            scale = level / db_to_amplitude(burst["snr_db"]) / piece_rms
            out[:, begin:begin + length] += piece * np.float32(scale)
    return audio.with_samples(out)


def _response_spectrum(recording: np.ndarray, size: int) -> np.ndarray:
    """The spectrum of a room's (mono-mixed) impulse response at an FFT size,
    kept for the next clip of the same length: one FFT of three saved."""
    key = (id(recording), size)
    cached = _SPECTRA.get(key)
    if cached is None or cached[0] is not recording:
        if len(_SPECTRA) >= 16:
            _SPECTRA.pop(next(iter(_SPECTRA)))
        cached = _SPECTRA[key] = (recording, np.fft.rfft(recording.mean(axis=0), n=size))
    return cached[1]


_SPECTRA: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def _fades(length: int, fade: int) -> np.ndarray:
    envelope = np.ones(length, dtype=np.float32)
    fade = min(fade, length // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        envelope[:fade], envelope[length - fade:] = ramp, ramp[::-1]
    return envelope


@skippable
def impulse_response(audio: Audio, params: Params) -> Audio:
    """Convolve every channel with the room's impulse response; RMS and length kept."""
    response = load_recording(params["ir_file"], audio.sample_rate)
    size = fast_length(audio.frames + response.shape[1] - 1)
    spectrum = np.fft.rfft(audio.samples.astype(np.float64), n=size, axis=-1)
    spectrum *= _response_spectrum(response, size)
    wet = np.fft.irfft(spectrum, n=size, axis=-1)[:, :audio.frames]
    wet_rms = rms(wet)
    scale = rms(audio.samples) / wet_rms if wet_rms > 0 else 0.0
    return audio.with_samples(wet * np.float32(scale))
