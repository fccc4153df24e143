"""The fixed models: small CNNs (PyTorch, CPU) and linear baselines (scikit-learn).

Every model is trained for a fixed number of optimisation steps on batches
drawn with replacement, so the originals-only arm and the originals + copies
arm get exactly the same compute; the model's initial weights and batch
order derive from the seed alone. `fit` returns a predictor: a function from
inputs (arrays or texts) to label indices.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

Predict = Callable[[Any], np.ndarray]
BATCH = 32


def _torch():
    import torch

    return torch


def _conv_net(torch: Any, classes: int, channels: tuple[int, ...] = (16, 32, 64)) -> Any:
    nn, layers, previous = torch.nn, [], 1
    for width in channels:
        layers += [nn.Conv2d(previous, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
                   nn.MaxPool2d(2)]
        previous = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2),
                         nn.Linear(previous, classes))


def _train(torch: Any, net: Any, inputs: Any, targets: Any, steps: int, seed: int,
           lr: float = 2e-3) -> None:
    """`steps` Adam steps on batches drawn (with replacement) by `seed`."""
    optimiser = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps)
    generator = torch.Generator().manual_seed(seed)
    loss_of = torch.nn.CrossEntropyLoss()
    net.train()
    for _ in range(steps):
        batch = torch.randint(0, len(targets), (BATCH,), generator=generator)
        optimiser.zero_grad()
        loss_of(net(inputs[batch]), targets[batch]).backward()
        optimiser.step()
        schedule.step()
    net.eval()


def fit_cnn(x: np.ndarray, y: np.ndarray, classes: int, steps: int, seed: int) -> Predict:
    """A 3-block CNN on (n, height, width) arrays, standardised with the training set's statistics."""
    torch = _torch()
    torch.manual_seed(seed)
    mean, std = float(x.mean()), float(x.std()) + 1e-6
    net = _conv_net(torch, classes)
    inputs = torch.from_numpy((x - mean) / std).unsqueeze(1)
    _train(torch, net, inputs, torch.from_numpy(y.astype(np.int64)), steps, seed)

    def predict(new: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            batch = torch.from_numpy((new - mean) / std).unsqueeze(1)
            return np.concatenate([net(part).argmax(1).numpy() for part in batch.split(256)])

    return predict


TOKEN = re.compile(r"[a-z0-9']+")
MAX_TOKENS = 40


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())[:MAX_TOKENS]


class _TextNet:
    """A few torch modules called as one network (torch is imported lazily, so no nn.Module base)."""

    def __init__(self, *modules: Any):
        self.modules = _torch().nn.ModuleList(modules)

    def parameters(self) -> Any:
        return self.modules.parameters()

    def train(self) -> None:
        self.modules.train()

    def eval(self) -> None:
        self.modules.eval()


class _TextCNN(_TextNet):
    """Kim (2014)-style CNN over randomly initialised embeddings (the EDA paper's CNN)."""

    def __init__(self, torch: Any, vocabulary: int, classes: int):
        nn = torch.nn
        self.embed = nn.Embedding(vocabulary, 64, padding_idx=0)
        self.convs = nn.ModuleList([nn.Conv1d(64, 48, width, padding=width - 1) for width in (3, 4, 5)])
        self.head = nn.Sequential(nn.Dropout(0.5), nn.Linear(48 * 3, classes))
        super().__init__(self.embed, self.convs, self.head)

    def __call__(self, ids: Any) -> Any:
        torch = _torch()
        embedded = self.embed(ids).transpose(1, 2)
        pooled = [torch.relu(conv(embedded)).amax(2) for conv in self.convs]
        return self.head(torch.cat(pooled, 1))


class _TextBiLSTM(_TextNet):
    """One bidirectional LSTM layer over randomly initialised embeddings, max-pooled over the
    words (the EDA paper's RNN). Sequences are packed, so padding never reaches either direction."""

    def __init__(self, torch: Any, vocabulary: int, classes: int):
        nn = torch.nn
        self.embed = nn.Embedding(vocabulary, 64, padding_idx=0)
        self.lstm = nn.LSTM(64, 64, batch_first=True, bidirectional=True)
        self.head = nn.Sequential(nn.Dropout(0.5), nn.Linear(128, classes))
        super().__init__(self.embed, self.lstm, self.head)

    def __call__(self, ids: Any) -> Any:
        rnn = _torch().nn.utils.rnn
        lengths = (ids != 0).sum(1).clamp(min=1)  # an empty text is read as one padding word
        packed = rnn.pack_padded_sequence(self.embed(ids), lengths, batch_first=True, enforce_sorted=False)
        outputs, _ = rnn.pad_packed_sequence(self.lstm(packed)[0], batch_first=True,
                                             padding_value=float("-inf"))
        return self.head(outputs.amax(1))


def _encode(texts: list[str], vocabulary: dict[str, int]) -> np.ndarray:
    ids = np.zeros((len(texts), MAX_TOKENS), dtype=np.int64)
    for row, text in enumerate(texts):
        found = [vocabulary.get(token, 1) for token in tokens(text)]
        ids[row, :len(found)] = found
    return ids


TEXT_NETS = {"cnn": _TextCNN, "bilstm": _TextBiLSTM}


def fit_text_net(kind: str, texts: list[str], y: np.ndarray, classes: int, steps: int,
                 seed: int) -> Predict:
    """A TEXT_NETS network on word ids (vocabulary from the training texts)."""
    torch = _torch()
    torch.manual_seed(seed)
    vocabulary: dict[str, int] = {}
    for text in texts:  # 0 = padding, 1 = unknown; ids in first-seen order
        for token in tokens(text):
            vocabulary.setdefault(token, len(vocabulary) + 2)
    net = TEXT_NETS[kind](torch, len(vocabulary) + 2, classes)
    inputs = torch.from_numpy(_encode(texts, vocabulary))
    _train(torch, net, inputs, torch.from_numpy(y.astype(np.int64)), steps, seed, lr=3e-3)

    def predict(new: list[str]) -> np.ndarray:
        with torch.no_grad():
            return net(torch.from_numpy(_encode(new, vocabulary))).argmax(1).numpy()

    return predict


def fit_linear(x: Any, y: np.ndarray, modality: str, seed: int) -> Predict:
    """Logistic regression: on pixels (images), per-band mean and spread of the
    log-mel (audio), TF-IDF of words and bigrams (text)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    if modality == "text":
        features = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    elif modality == "audio":
        features = make_pipeline(FunctionTransformer(_band_statistics), StandardScaler())
    else:
        features = FunctionTransformer(_pooled_pixels)
    model = make_pipeline(features, LogisticRegression(C=1.0, max_iter=300, random_state=seed))
    with warnings.catch_warnings():
        # Not converging in 300 iterations on a few hundred pixels is the same
        # for both arms (fixed compute, as for the CNN), not an error.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return model.predict


def _pooled_pixels(x: np.ndarray) -> np.ndarray:
    """Pixels, 2x2-averaged above 32 pixels a side (fewer weights than samples stay sane)."""
    if x.shape[1] > 32:
        x = x[:, : x.shape[1] // 2 * 2, : x.shape[2] // 2 * 2]
        x = x.reshape(len(x), x.shape[1] // 2, 2, x.shape[2] // 2, 2).mean(axis=(2, 4))
    return x.reshape(len(x), -1)


def _band_statistics(x: np.ndarray) -> np.ndarray:
    return np.concatenate([x.mean(axis=2), x.std(axis=2)], axis=1)
