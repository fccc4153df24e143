"""Apply a recipe's steps to one in-memory item, or replay recorded steps.

Sampling and applying are separate: each step first draws its parameters
from its own stream, then a pure applier uses them. The drawn parameters are
returned as records (JSON-safe), which is what the manifest stores and what
`replay` takes back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from augment_cli import registry
from augment_cli.errors import SampleError
from augment_cli.recipe import GroupStep, Step, TransformStep
from augment_cli.seeding import step_generators

Record = dict[str, Any]


def augment(data: Any, steps: tuple[Step, ...], modality: str,
            sequence: np.random.SeedSequence) -> tuple[Any, list[Record]]:
    """Run every step that fires on `data`; return the result and its records."""
    records: list[Record] = []
    for step, rng in zip(steps, step_generators(sequence, len(steps))):
        # Draw the firing decision first and always, so the rest of this
        # step's stream is the same whatever p is.
        if rng.random() >= step.p:
            continue
        chosen = _pick_member(rng, step) if isinstance(step, GroupStep) else step
        spec = registry.get(modality, chosen.transform)
        drawn = registry.draw(rng, spec, chosen.values_dict())
        params = spec.sampler(rng, drawn, meta_of(modality, data))
        data = apply_one(modality, chosen.transform, data, params)
        records.append({"transform": chosen.transform, "params": params})
    return data, records


def replay(data: Any, records: list[Record], modality: str) -> Any:
    """Apply recorded steps (a manifest row's `transforms`) to a source."""
    for record in records:
        data = apply_one(modality, record["transform"], data, record["params"])
    return data


def apply_one(modality: str, name: str, data: Any, params: dict[str, Any]) -> Any:
    spec = registry.get(modality, name)
    if spec is None:
        raise SampleError(f"unknown {modality} transform", transform=name)
    try:
        return spec.apply_function()(data, params)
    except SampleError:
        raise
    except Exception as exc:  # an applier bug or odd input must not kill the run
        raise SampleError(f"{type(exc).__name__}: {exc}", transform=name) from exc


def meta_of(modality: str, data: Any) -> dict[str, Any]:
    """What a sampler may need to know about the current data (e.g. its size)."""
    return registry.meta_function(modality)(data)


def _pick_member(rng: np.random.Generator, step: GroupStep) -> TransformStep:
    weights = np.array([m.p for m in step.members], dtype=float)
    index = int(rng.choice(len(step.members), p=weights / weights.sum()))
    return step.members[index]
