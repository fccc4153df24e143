"""Registry-wide checks: every registered image transform, on every kind.

These iterate the registry, so a new transform is covered the moment it is
registered; one that needs required values must add them to EXAMPLES.
"""

from __future__ import annotations

import json
import pickle
import re

import numpy as np
import pytest

from augment_cli import registry
from augment_cli.errors import SampleError
from augment_cli.run import steps as pipeline
from catalogue_helpers import kinds, mixed_partners, step_for
from paths import TESTS

SPECS = registry.specs("image")
NAMES = [s.name for s in SPECS]
KINDS = kinds()
# Values for required parameters (and ranges that make the transform visible).
EXAMPLES = {
    "random_crop": {"height": 30, "width": 40},
    "center_crop": {"height": 30, "width": 80},
    "resize": {"height": 37, "width": 29},
    "pad": {"top": 3, "left": [1, 5]},
    "rotate": {"angle_deg": [-30, 30]},
}
# (transform, kind) pairs that must be refused with a SampleError naming the
# transform instead of silently losing data. Everything else must work.
REFUSED = {
    ("jpeg", "l16"), ("jpeg", "rgb16"), ("jpeg", "rgba16"),
    ("sepia", "l8"), ("sepia", "la8"), ("sepia", "l16"),
}


PARTNERS = mixed_partners()  # mixing transforms draw from these


def augment_once(name: str, image: np.ndarray, p: float, seed: int = 3):
    step = step_for(name, p, **EXAMPLES.get(name, {}))
    return pipeline.augment(image, (step,), "image", np.random.SeedSequence(seed), PARTNERS)


@pytest.mark.parametrize("name", NAMES)
def test_spec_is_documented_and_picklable(name):
    spec = registry.get("image", name)
    assert spec.doc and all(p.help for p in spec.params)
    copy = pickle.loads(pickle.dumps(spec))
    assert copy.name == name and [p.required for p in copy.params] == [p.required for p in spec.params]
    missing = [p.name for p in spec.params if p.required and p.name not in EXAMPLES.get(name, {})]
    assert not missing, f"add example values for {name}'s required {missing} to EXAMPLES"


@pytest.mark.parametrize("name", NAMES)
def test_p_zero_never_applies(name):
    image = KINDS["rgb8"]
    for seed in range(5):
        out, records = augment_once(name, image, 0.0, seed)
        assert records == [] and out is image


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("name", NAMES)
def test_applies_keeps_kind_and_replays_exactly(name, kind):
    source = KINDS[kind]
    if (name, kind) in REFUSED:
        with pytest.raises(SampleError) as caught:
            augment_once(name, source, 1.0)
        assert caught.value.transform == name
        return
    pristine = source.copy()
    out, records = augment_once(name, source, 1.0)
    np.testing.assert_array_equal(source, pristine)  # appliers never write into their input
    assert [r["transform"] for r in records] == [name]
    stored = json.loads(json.dumps(records))  # what the manifest keeps
    assert stored == records
    assert out.dtype == source.dtype and out.ndim == source.ndim
    assert out.shape[2:] == source.shape[2:]
    again = pipeline.replay(source, stored, "image", PARTNERS)
    np.testing.assert_array_equal(again, out)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_gives_same_params(name):
    image = KINDS["rgb8"]
    first = [augment_once(name, image, 1.0, seed)[1] for seed in range(6)]
    assert first == [augment_once(name, image, 1.0, seed)[1] for seed in range(6)]


def test_every_transform_has_a_behaviour_test():
    text = "".join(p.read_text() for p in (TESTS / "modalities" / "image").glob("test_image*.py"))
    missing = [n for n in NAMES if not re.search(rf"def test_{n}\b|def test_{n}_", text)]
    assert not missing, f"no behaviour test (def test_<name>...) for: {missing}"


@pytest.mark.parametrize("kind", ["rgb8", "la8", "rgba16"])
@pytest.mark.parametrize("name", NAMES)
def test_accepts_a_non_contiguous_view(name, kind):
    """A crop returns a view into its input; every transform must take one."""
    source = KINDS[kind][3:40, 5:50]
    if (name, kind) in REFUSED:
        return
    out, records = augment_once(name, source, 1.0)
    np.testing.assert_array_equal(pipeline.replay(np.ascontiguousarray(source), records, "image",
                                                  PARTNERS), out)


@pytest.mark.parametrize("name", NAMES)
def test_16_bit_output_keeps_its_low_byte(name):
    """No transform quietly goes through 8 bits: a 16-bit source whose values
    are not multiples of 257 must not come out as an 8-bit image scaled up."""
    source = KINDS["rgb16"]
    if (name, "rgb16") in REFUSED:
        return
    out, _ = augment_once(name, source, 1.0)
    assert (out % 257 != 0).mean() > 0.3


def test_require_names_what_is_missing_where_get_says_none():
    assert registry.require("image", "rotate").name == "rotate"
    assert registry.get("image", "spin") is None
    with pytest.raises(LookupError, match="no image transform 'spin'"):
        registry.require("image", "spin")


def test_float_draws_are_generator_uniform_rounded():
    # A recipe keeps its streams across versions: a drawn float is exactly
    # numpy's Generator.uniform(low, high), rounded to 6 significant digits.
    ours, numpys = np.random.default_rng(9), np.random.default_rng(9)
    for low, high in ((-0.2, 0.2), (0.8, 1.1), (-15, 15), (1e-4, 3e3)):
        for _ in range(500):
            expected = float(f"{numpys.uniform(low, high):.6g}")
            assert registry._draw_number(ours, "float", (low, high)) == expected
