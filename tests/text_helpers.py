"""Shared helpers for the text tests: sample and apply one transform."""

from __future__ import annotations

from typing import Any

import numpy as np

from augment_cli import registry
from augment_cli.run import steps as pipeline


def sample(name: str, text: str, seed: int = 0, **values: Any) -> dict[str, Any]:
    """Draw params for transform `name` on `text` with recipe `values` over defaults."""
    spec = registry.get("text", name)
    rng = np.random.default_rng(seed)
    merged = {p.name: p.default for p in spec.params} | values
    drawn = registry.draw(rng, spec, merged)
    return spec.sampler(rng, drawn, pipeline.meta_of("text", text))


def run(name: str, text: str, seed: int = 0, **values: Any) -> tuple[str, dict[str, Any]]:
    params = sample(name, text, seed, **values)
    return pipeline.apply_one("text", name, text, params), params
