"""Apply a recipe's steps to one in-memory item, or replay recorded steps.

Sampling and applying are separate: each step first draws its parameters
from its own stream, then a pure applier uses them. The drawn parameters are
returned as records (JSON-safe), which is what the manifest stores and what
`replay` takes back.

An annotated image (annotations.model.Annotated) goes through the same
steps: each applier gets its pixels, and its targets move by the
transform's declared geometry (annotations/apply.py), from the same params.

Consecutive fusible steps (run/fusion.py) are applied as one unless `fuse`
is False; records are the same either way, and replay fuses as augment does.
"""

from __future__ import annotations

import bisect
import functools
from pathlib import Path
from typing import Any

import numpy as np

from augment_cli import registry
from augment_cli.annotations.model import Annotated, image_of
from augment_cli.errors import SampleError
from augment_cli.recipe.model import GroupStep, Step, TransformStep
from augment_cli.run.fusion import Fuser
from augment_cli.run.recorded_files import resolved_from
from augment_cli.run.seeding import Stream, step_generators

Record = dict[str, Any]


def augment(data: Any, steps: tuple[Step, ...], modality: str, sequence: Stream,
            resources: Any = None, fuse: bool = True) -> tuple[Any, list[Record]]:
    """Run every step that fires on `data`; return the result and its records.

    `resources` (see partners.Partners) gives mixing transforms the other
    files of the source's label: `.paths` and a call path -> decoded data.
    An Annotated `data` comes back Annotated, its finished targets without
    the objects the recipe's [annotations] limits remove.
    """
    records: list[Record] = []
    fuser = _fuser(modality, resources, fuse)
    for step, rng in zip(steps, step_generators(sequence, len(steps)), strict=True):
        # Draw the firing decision first and always, so the rest of this
        # step's stream is the same whatever p is.
        if rng.random() >= step.p:
            continue
        for chosen in _members(rng, step):
            spec = registry.require(modality, chosen.transform)
            drawn = registry.draw(rng, spec, chosen.values_dict())
            # A pending fused run has not changed `data` yet: samplers see
            # the size it will make, as they do unfused.
            meta = meta_of(modality, image_of(data))  # a fresh dict: updated, not copied (audio's is lazy)
            meta.update(fuser.pending_meta())
            meta["partners"] = resources.paths if resources is not None else ()
            params = spec.sampler(rng, drawn, meta)
            data = fuser.add(data, spec, params)
            records.append({"transform": chosen.transform, "params": params})
    return _finished(fuser.flush(data)), records


def replay(data: Any, records: list[Record], modality: str, resources: Any = None,
           base: str | Path | None = None, fuse: bool = True) -> Any:
    """Apply recorded steps (a manifest row's `transforms`) to a source.

    `base` is the recipe file's folder: the manifest names the files a step
    picked (`noise_file`, `ir_file`) relative to it."""
    if base is not None:
        records = resolved_from(records, Path(base))
    fuser = _fuser(modality, resources, fuse)
    for record in records:
        if "transform" not in record:  # a mark, not a step: {"duplicate_of": k} (run/distinct.py)
            continue
        spec = registry.get(modality, record["transform"])
        if spec is None:
            raise SampleError(f"unknown {modality} transform", transform=record["transform"])
        data = fuser.add(data, spec, record["params"])
    return _finished(fuser.flush(data))


def _fuser(modality: str, resources: Any, fuse: bool) -> Fuser:
    return Fuser(lambda data, spec, params: apply_one(modality, spec.name, data, params, resources),
                 enabled=fuse)


def apply_one(modality: str, name: str, data: Any, params: dict[str, Any],
              resources: Any = None) -> Any:
    spec = registry.get(modality, name)
    if spec is None:
        raise SampleError(f"unknown {modality} transform", transform=name)
    try:
        if isinstance(data, Annotated):
            return _annotations().apply_annotated(spec, data, params, resources)
        if spec.uses_partners:
            return spec.apply_function()(data, params, resources)
        return spec.apply_function()(data, params)
    except SampleError:
        raise
    except Exception as exc:  # an applier bug or odd input must not kill the run
        raise SampleError(f"{type(exc).__name__}: {exc}", transform=name) from exc


def _annotations() -> Any:
    # Imported on first annotated item: OpenCV is not for audio or text workers.
    from augment_cli.annotations import apply

    return apply


def _finished(data: Any) -> Any:
    return _annotations().finish(data) if isinstance(data, Annotated) else data


def meta_of(modality: str, data: Any) -> dict[str, Any]:
    """What a sampler may need to know about the current data (e.g. its size)."""
    return registry.meta_function(modality)(data)


def _members(rng: np.random.Generator, step: Step) -> list[TransformStep]:
    """The transform steps a fired step runs, in the order they run."""
    if isinstance(step, TransformStep):
        return [step]
    if step.kind == "one_of":
        return [_pick_member(rng, step)]
    if step.kind == "some_of":
        low, high = step.n if isinstance(step.n, tuple) else (step.n, step.n)
        count = int(rng.integers(low, high + 1))
        weights = np.array([m.p for m in step.members], dtype=float)
        picked = rng.choice(len(step.members), size=count, replace=False, p=weights / weights.sum())
        return [step.members[i] for i in sorted(int(i) for i in picked)]
    # shuffle: draw every member's firing, so the stream does not depend on p.
    order = [int(i) for i in rng.permutation(len(step.members))]
    fires = rng.random(len(step.members))
    return [step.members[i] for i in order if fires[i] < step.members[i].p]


def _pick_member(rng: np.random.Generator, step: GroupStep) -> TransformStep:
    # rng.choice(len(members), p=weights) without its per-call checks: the same
    # one uniform against the same normalised cumulative weights, searched to
    # the right, so the same member (tests/run/test_steps.py holds it to
    # rng.choice); choice's checks were a tenth of a text copy's time.
    cumulative = _cumulative_weights(tuple(m.p for m in step.members))
    return step.members[bisect.bisect_right(cumulative, rng.random())]


@functools.cache
def _cumulative_weights(weights: tuple[float, ...]) -> tuple[float, ...]:
    normalised = np.array(weights, dtype=float)
    normalised = normalised / normalised.sum()
    cumulative = normalised.cumsum()
    cumulative /= cumulative[-1]
    return tuple(cumulative.tolist())
