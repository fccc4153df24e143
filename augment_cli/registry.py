"""The one table of transforms: name -> TransformSpec.

Recipe validation, `augment transforms`, the README reference and the
registry-wide tests all read from here, so a transform exists everywhere or
nowhere. To add one: declare its parameters and decorate its sampler with
`@register(...)` in a family module (modalities/<modality>/transforms/), and
put the maths in the family's `*_ops.py` as a plain function of (data, params).

Appliers are named as "module:function" strings and imported on first use, so
validating a recipe or printing help never imports OpenCV or librosa.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from augment_cli import modalities
from augment_cli.plugins import resolve

# Modality names in table order; each modality's families, meta() and the
# rest of what it is live in its modalities/ entry.
MODALITIES = modalities.NAMES


class _Required:
    """Default of a parameter the recipe must give. Pickles as this module's
    REQUIRED, so a spec with a required parameter can go to a worker."""

    def __repr__(self) -> str:
        return "REQUIRED"

    def __reduce__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

# An image transform's `geometry`: what it does to the annotations (boxes,
# polygons, masks, keypoints) of the pixels it moves. PIXELS: it changes
# pixel values only, so annotations stay as they are. UNKNOWN: its geometry is
# not known, so annotated data refuses it at recipe time. Otherwise a
# "module:function" that, from the transform's sampled parameters and the
# input size, says where every point goes (see annotations/moves.py).
PIXELS = "pixels"
UNKNOWN = "unknown"

@dataclass(frozen=True)
class Param:
    """One recipe key of a transform.

    kind is "float", "int", "bool", "choice", "str", "path" (a file or
    folder named relative to the recipe file; the checker makes it absolute
    and checks it exists, "" meaning none) or "folder" (a folder relative to
    the recipe file, stored resolved; its `validator` says what it must hold). Numbers take a value or,
    when `ranged`, a [low, high] range drawn uniformly per copy; a choice takes
    one of `choices` or a list of them (one drawn per copy).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    bounds: tuple[float, float] | None = None
    choices: tuple[str, ...] = ()
    ranged: bool = True
    help: str = ""
    # False when the sampler itself draws from the range (e.g. retries until
    # a crop box fits); `draw` then passes the range through untouched.
    draw: bool = True
    # "module:function" called with a checked "str" value or "folder" path at
    # recipe time; raises ValueError with the reason (a modality's own check,
    # e.g. readable recordings or a known text encoding).
    validator: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def describe(self) -> dict[str, Any]:
        """JSON-safe description for `augment transforms --json` and the docs."""
        return {
            "name": self.name,
            "type": self.kind + (" or [low, high]" if self.ranged and self.kind in NUMBER_KINDS else ""),
            "default": None if self.required else _jsonable(self.default),
            "required": self.required,
            "allowed": self.allowed_text(),
            "help": self.help,
        }

    def allowed_text(self) -> str:
        if self.choices:
            return " | ".join(self.choices)
        if self.bounds:
            return f"{_num(self.bounds[0])} .. {_num(self.bounds[1])}"
        return ""


NUMBER_KINDS = ("float", "int")
Sampler = Callable[[Any, dict[str, Any], dict[str, Any]], dict[str, Any]]
# A whole-step check run at recipe time, after each value passed its Param:
# returns None, or (key, reason) for a problem that spans keys or needs I/O.
StepCheck = Callable[[dict[str, Any]], "tuple[str, str] | None"]
# What a step may do to some datasets' labels, for `augment preview`'s warning:
# given the step's validated values (ranges as (low, high)), None when safe or
# one phrase saying which data it breaks (e.g. "a 6 turned 180 degrees reads as a 9").
LabelRisk = Callable[[dict[str, Any]], "str | None"]


@dataclass(frozen=True)
class TransformSpec:
    """A registered transform: how to check, sample, and apply it."""

    name: str
    modality: str
    params: tuple[Param, ...]
    sampler: Sampler
    applier: str
    doc: str
    check: StepCheck | None = None
    # True for mixing transforms: the applier is (data, params, partners),
    # partners being pipeline's `resources` (other files of the same label).
    uses_partners: bool = False
    # True when the sampler draws nothing of its own (no use of its rng): a
    # copy is then decided by the drawn values and the source alone, which
    # lets run/outcomes.py count how many distinct copies a recipe can make.
    fixed: bool = False
    # PIXELS, UNKNOWN or "module:function" (see PIXELS above); None: not
    # declared, which the registry-wide tests refuse for an image transform.
    geometry: str | None = None
    label_risk: LabelRisk | None = None
    # Fusion (run/fusion.py): "module:function"s that let consecutive steps
    # of a copy apply as one. `warp`: (params, input width, input height) ->
    # the warp settings (interpolation, border, fill) under which its pixels
    # are exactly a warp by its `geometry`'s one matrix (at the size it
    # makes), or None when these params on this size are not.
    # `lut`: (params, dtype) -> the lookup table its pixels go through
    # (colour channels only, alpha kept).
    warp: str | None = None
    lut: str | None = None

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def apply_function(self) -> Callable[..., Any]:
        return resolve(self.applier)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "modality": self.modality,
            "description": self.doc,
            "params": [p.describe() for p in self.params],
        }


_TABLE: dict[tuple[str, str], TransformSpec] = {}
_LOADED: set[str] = set()  # modalities whose families are imported


def register(name: str, *, modality: str, apply: str, params: tuple[Param, ...] = (),
             check: StepCheck | None = None, uses_partners: bool = False, fixed: bool = False,
             geometry: str | None = None, label_risk: LabelRisk | None = None,
             warp: str | None = None, lut: str | None = None):
    """Decorate a sampler to add a transform to the table.

    The sampler receives (rng, drawn, meta): `drawn` holds every parameter
    with ranges already drawn; it returns the final JSON-safe parameters. The
    first line of its docstring is the transform's one-line description.
    `fixed`: the sampler makes no random draw of its own (see TransformSpec.fixed).
    `geometry` says how the transform moves annotations (PIXELS, UNKNOWN or
    "module:function"); every image transform declares it.
    `label_risk` declares what the transform can do to some datasets' labels.
    `warp`/`lut` declare it fusible (see TransformSpec.warp).
    """
    if modality not in MODALITIES:
        raise ValueError(f"transform {name} registered for unknown modality {modality!r}")

    def decorate(sampler: Sampler) -> Sampler:
        key = (modality, name)
        if key in _TABLE:
            raise ValueError(f"transform {modality}/{name} registered twice")
        doc = (sampler.__doc__ or "").strip().splitlines()
        if not doc:
            raise ValueError(f"transform {modality}/{name} has no docstring")
        _TABLE[key] = TransformSpec(name, modality, tuple(params), sampler, apply, doc[0],
                                    check=check, uses_partners=uses_partners, fixed=fixed,
                                    geometry=geometry, label_risk=label_risk, warp=warp, lut=lut)
        return sampler

    return decorate


def _load_families(modality: str | None = None) -> None:
    """Import the family modules of `modality` (None: every modality)."""
    for name in (modality,) if modality is not None else MODALITIES:
        if name not in _LOADED:
            for module in modalities.MODALITIES[name].families:
                resolve(module)
            _LOADED.add(name)


def get(modality: str, name: str) -> TransformSpec | None:
    _load_families(modality)
    return _TABLE.get((modality, name))


def require(modality: str, name: str) -> TransformSpec:
    """The spec of a name a validated recipe holds (so it exists)."""
    spec = get(modality, name)
    if spec is None:
        raise LookupError(f"no {modality} transform {name!r}")
    return spec


def specs(modality: str | None = None) -> list[TransformSpec]:
    """Every registered transform, sorted by modality then name."""
    _load_families(modality)
    return sorted(
        (s for s in _TABLE.values() if modality in (None, s.modality)),
        key=lambda s: (MODALITIES.index(s.modality), s.name),
    )


def names(modality: str) -> list[str]:
    return [s.name for s in specs(modality)]


def meta_function(modality: str) -> Callable[[Any], dict[str, Any]]:
    """`meta(data)` of a modality (its table entry names it): what samplers may read."""
    return modalities.part(modality, "meta")


def draw(rng: Any, spec: TransformSpec, values: dict[str, Any]) -> dict[str, Any]:
    """Draw every ranged value of a validated step, in declaration order.

    The order is fixed by the spec, so a copy's parameters depend only on its
    random stream, never on dict order or on other steps.
    """
    drawn: dict[str, Any] = {}
    for param in spec.params:
        drawn[param.name] = _draw_value(rng, param, values[param.name])
    return drawn


def _draw_value(rng: Any, param: Param, value: Any) -> Any:
    if not param.draw or not isinstance(value, tuple):
        return value
    if param.kind == "choice":
        return value[int(rng.integers(len(value)))]
    return _draw_number(rng, param.kind, value)


def _draw_number(rng: Any, kind: str, bounds: tuple[float, float]) -> float | int:
    low, high = bounds
    if kind == "int":
        return int(rng.integers(int(low), int(high) + 1))
    # low + (high - low) * random() is exactly what Generator.uniform
    # computes, without its per-call error-state handling (~1 us).
    return significant(low + (high - low) * rng.random())


def significant(value: float) -> float:
    """`value` rounded to six significant digits: the form of every float a
    sampler records. Six digits keep the manifest readable; the rounded value
    is the one applied, so a replay of the manifest is exact."""
    return float(f"{value:.6g}")


def span(value: Any) -> tuple[Any, Any]:
    """(low, high) of a value-or-range parameter the sampler draws itself
    (`Param(draw=False)`): a single value is the range (value, value)."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _num(x: float) -> str:
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
