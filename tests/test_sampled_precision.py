"""Every float a sampler records keeps at most six significant digits.

Iterates registry.specs(), so a new transform is covered as soon as it is
registered; one with required values adds them to REQUIRED_VALUES.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from audio_signals import sine, write
from augment_cli import registry
from conftest import textured
from paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "augment_cli"

SEEDS = range(12)
TEXT = "The quick brown fox jumps over the lazy dog. It was not amused at all.\n"
DATA = {"image": textured(), "audio": sine(440, seconds=0.3, channels=2), "text": TEXT}
# Required values, and ranges wide enough to reach awkward floats.
REQUIRED_VALUES = {
    "rotate": {"angle_deg": [-30, 30]},
    "randaugment": {"n": 4, "magnitude": [0, 30]},
    "random_crop": {"height": 30, "width": 40},
    "center_crop": {"height": 30, "width": 80},
    "resize": {"height": 37, "width": 29},
    "back_translate": {"backend": "command", "command": "cat", "model": "m"},
}


def floats(value: Any) -> list[float]:
    """Every float inside a JSON-like record."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats(v)]
    if isinstance(value, (list, tuple)):
        return [f for v in value for f in floats(v)]
    return []


def values_for(spec: registry.TransformSpec, folder: str) -> dict[str, Any]:
    """Defaults plus required values, shaped as a checked recipe holds them."""
    values = {p.name: p.default for p in spec.params if not p.required}
    values.update(REQUIRED_VALUES.get(spec.name, {}))
    values.update({p.name: folder for p in spec.params if p.kind == "folder"})
    return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("recordings")
    write(root / "a.wav", sine(100, seconds=0.2))
    write(root / "b.wav", sine(200, seconds=0.2))
    return str(root)


@pytest.mark.parametrize("spec", registry.specs(), ids=lambda s: f"{s.modality}/{s.name}")
def test_every_recorded_float_has_at_most_six_significant_digits(spec, folder):
    values = values_for(spec, folder)
    recorded = []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        meta = {**registry.meta_function(spec.modality)(DATA[spec.modality]),
                "partners": ("same/p1.png", "same/p2.png")}
        params = spec.sampler(rng, registry.draw(rng, spec, values), meta)
        recorded += floats(params)
    loose = [x for x in recorded if registry.significant(x) != x]
    assert not loose, f"{spec.name} records floats beyond 6 significant digits: {loose[:5]}"


@pytest.mark.parametrize("value, expected", [
    (0.1 + 0.2, 0.3), (123456.7, 123457.0), (-1.23456789e-7, -1.23457e-7), (0.0, 0.0),
    (2.5, 2.5), (1e21 + 1, 1e21),
])
def test_significant_keeps_six_significant_digits(value, expected):
    assert registry.significant(value) == expected
    assert isinstance(registry.significant(value), float)


def test_span_reads_a_value_or_a_range():
    assert registry.span(0.5) == (0.5, 0.5)
    assert registry.span((1, 3)) == (1, 3)
    assert registry.span([0.1, 0.2]) == (0.1, 0.2)


def test_families_round_and_span_through_the_registry_only():
    """One way to round a recorded float and to read a range: no family keeps
    its own copy (`.6g`, `round(x, 6)`, `def _span`)."""
    copies = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name != "registry.py" and re.search(r"\.6g|round\([^()]*, 6\)|def _?span\(", text):
            copies.append(path.relative_to(PACKAGE).as_posix())
    assert copies == []
