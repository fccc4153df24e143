"""Inputs and checks for the registry-wide tests (tests/test_registry.py).

INPUTS holds, per modality, every kind of data its codec hands transforms;
the first of each is the reference a transform must visibly change.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from audio_signals import RATE, sine, tones, write
from augment_cli.modalities.audio.codec import Audio
from catalogue_helpers import kinds, mixed_partners
from paths import TESTS

TEXT = ("I'm glad I bought this kettle. It boils water quickly and looks great on the counter.\n"
        "\nThe lid is a little stiff, but that's a small complaint. Recommended!\n")


def _quiet_edged(seconds: float = 0.3, edge: float = 0.1) -> Audio:
    """A mono tone with silence either side, so trim has something to cut."""
    tone = sine(440, seconds=seconds).samples
    pad = int(RATE * edge)
    return Audio(np.pad(tone, ((0, 0), (pad, pad))), RATE)


INPUTS: dict[str, dict[str, Any]] = {
    "image": kinds(),
    "audio": {"mono": _quiet_edged(), "stereo": sine(440, seconds=0.3, channels=2)},
    "text": {"review": TEXT},
}
# What mixing transforms draw their partners from (pipeline `resources`).
RESOURCES: dict[str, Any] = {"image": mixed_partners(), "audio": None, "text": None}


def write_recordings(root: Path) -> Path:
    """The folders the audio EXAMPLES name, relative to a recipe in `root`."""
    write(root / "noise" / "hum.wav", sine(100, seconds=0.3))
    write(root / "noise" / "hiss.flac", tones([3000, 5000], seconds=0.2))
    write(root / "rooms" / "ir.wav", sine(50, seconds=0.05))
    return root


def same(a: Any, b: Any) -> bool:
    """Equal data of any modality: same dtype, shape and values (and rate)."""
    if isinstance(a, Audio):
        return isinstance(b, Audio) and a.sample_rate == b.sample_rate and same(a.samples, b.samples)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) and a == b


@contextmanager
def global_rng_untouched(seed: int) -> Iterator[None]:
    """Seed numpy's and Python's global RNGs; fail if the body draws from either."""
    saved = np.random.get_state(), random.getstate()
    np.random.seed(seed)
    random.seed(seed)
    try:
        yield
        assert np.random.random() == np.random.RandomState(seed).random_sample(), "used np.random"
        assert random.random() == random.Random(seed).random(), "used Python's random"
    finally:
        np.random.set_state(saved[0])
        random.setstate(saved[1])


def declared_behaviour() -> dict[str, list[tuple[ModuleType, Any]]]:
    """Every tests/modalities module's BEHAVIOUR, merged: "modality/name" -> (module, test)s.

    A behaviour module ends with BEHAVIOUR = {"image/hflip": test_..., ...}
    (a test or a tuple of them), naming the test functions themselves, so a
    renamed or deleted test breaks the import rather than passing unseen.
    """
    declared: dict[str, list[tuple[ModuleType, Any]]] = {}
    for path in sorted((TESTS / "modalities").rglob("test_*.py")):
        if "BEHAVIOUR" not in path.read_text(encoding="utf-8"):
            continue  # only a module that declares needs importing
        module = _test_module(path)
        for name, tests in module.BEHAVIOUR.items():
            for test in tests if isinstance(tests, tuple) else (tests,):
                declared.setdefault(name, []).append((module, test))
    return declared


def _test_module(path: Path) -> ModuleType:
    """The module pytest collected from `path`, else a fresh import of the file."""
    module = sys.modules.get(path.stem)
    if module is not None and Path(module.__file__ or "").resolve() == path.resolve():
        return module
    spec = importlib.util.spec_from_file_location(f"behaviour_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses in a test module look themselves up here
    spec.loader.exec_module(module)
    return module
