"""What the models read: decoded files as fixed-size arrays, or texts.

Images become grey float32 arrays at MODEL_SIDE; audio becomes a log-mel
spectrogram padded or cut (centred) to a fixed number of frames; texts stay
strings (the text models tokenise them themselves).
"""

from __future__ import annotations

import io

import numpy as np

MODEL_SIDE = {"digits": 32, "sign-digits": 48}
SAMPLE_RATE, N_MELS, FRAMES = 8000, 40, 64     # FSDD is 8 kHz; 64 hops of 10 ms = 0.64 s


def image_array(payload: bytes, dataset: str) -> np.ndarray:
    from PIL import Image

    side = MODEL_SIDE[dataset]
    with Image.open(io.BytesIO(payload)) as image:
        grey = image.convert("L")
        if grey.size != (side, side):
            grey = grey.resize((side, side), Image.Resampling.BILINEAR)
        return np.asarray(grey, dtype=np.float32) / 255.0


def log_mel(payload: bytes) -> np.ndarray:
    import librosa
    import soundfile

    signal, rate = soundfile.read(io.BytesIO(payload), dtype="float32", always_2d=True)
    signal = signal.mean(axis=1)
    if rate != SAMPLE_RATE:
        signal = librosa.resample(signal, orig_sr=rate, target_sr=SAMPLE_RATE)
    mel = librosa.feature.melspectrogram(y=signal, sr=SAMPLE_RATE, n_fft=256, hop_length=80,
                                         n_mels=N_MELS, fmax=SAMPLE_RATE / 2)
    spectrum = librosa.power_to_db(mel + 1e-10, ref=1.0, top_db=None).astype(np.float32)
    return _fit_frames(spectrum)


def _fit_frames(spectrum: np.ndarray) -> np.ndarray:
    frames = spectrum.shape[1]
    if frames >= FRAMES:
        start = (frames - FRAMES) // 2
        return spectrum[:, start:start + FRAMES]
    floor = spectrum.min() if spectrum.size else -100.0
    padded = np.full((spectrum.shape[0], FRAMES), floor, dtype=np.float32)
    start = (FRAMES - frames) // 2
    padded[:, start:start + frames] = spectrum
    return padded


def arrays(payloads: list, dataset: str, modality: str) -> np.ndarray | list[str]:
    """Model input for a list of payloads of one dataset."""
    if modality == "image":
        return np.stack([image_array(p, dataset) for p in payloads])
    if modality == "audio":
        return np.stack([log_mel(p) for p in payloads])
    return list(payloads)
