"""Registry-wide checks: every registered transform of every modality, from one table.

Every test below iterates `registry.specs()`, so a new transform is covered
the moment it is registered; it then fails until it has an entry in EXAMPLES
(the values that make it run and show) and a behaviour test that names it in
its module's BEHAVIOUR (see `test_every_transform_has_a_behaviour_test`).
A (transform, input) pair that must not run goes in REFUSED with its reason.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from augment_cli import registry
from augment_cli.annotations.model import Annotated, Object, Targets
from augment_cli.errors import SampleError
from augment_cli.plugins import resolve
from augment_cli.recipe import Recipe, parse_recipe
from augment_cli.run import steps as pipeline
from paths import ASSETS
from registry_inputs import (
    INPUTS,
    RESOURCES,
    declared_behaviour,
    global_rng_untouched,
    same,
    write_recordings,
)

# A command the back_translate "command" backend runs: tests/assets' fake
# translator, counting its runs nowhere.
TRANSLATE = f"{sys.executable} {ASSETS / 'fake_translator.py'} {{src}} {{tgt}} {os.devnull}"
# Every registered transform -> recipe values over its defaults: its required
# ones, and ranges that make it visible on the modality's first INPUT. Folder
# values are relative to the recipe (registry_inputs.write_recordings).
EXAMPLES: dict[str, dict[str, dict[str, Any]]] = {
    "image": {
        "affine": {}, "auto_contrast": {}, "brightness_contrast": {},
        "center_crop": {"height": 30, "width": 80},
        "channel_shuffle": {}, "clahe": {}, "color_jitter": {}, "cutmix": {}, "defocus": {},
        "downscale": {}, "elastic": {}, "equalize": {}, "gamma": {}, "gaussian_blur": {},
        "gaussian_noise": {}, "grayscale": {}, "grid_dropout": {}, "hflip": {},
        "hue_saturation_value": {}, "invert": {}, "jpeg": {}, "median_blur": {}, "mixup": {},
        "mosaic": {}, "motion_blur": {},
        "pad": {"top": 3, "left": [1, 5]},
        "perspective": {}, "posterize": {}, "randaugment": {},
        "random_crop": {"height": 30, "width": 40},
        "random_erasing": {}, "random_resized_crop": {},
        "resize": {"height": 37, "width": 29},
        "rotate": {"angle_deg": [-30, 30]},
        "sepia": {}, "sharpen": {}, "solarize": {}, "to_gray": {}, "trivial_augment": {}, "vflip": {},
    },
    "audio": {
        "add_noise": {}, "background_noise": {"folder": "noise"}, "bandpass": {},
        "clipping_distortion": {}, "gain": {}, "gain_transition": {}, "highpass": {},
        "impulse_response": {"folder": "rooms"}, "lowpass": {}, "mp3_compression": {},
        "normalize": {}, "pad_or_crop": {}, "pitch_shift": {}, "polarity_invert": {},
        "reverse": {}, "short_noises": {"folder": "noise"}, "speed": {}, "time_mask": {},
        "time_shift": {}, "time_stretch": {}, "trim": {},
    },
    "text": {
        "back_translate": {"backend": "command", "command": TRANSLATE, "model": "fake-1"},
        "char_noise": {}, "random_delete": {}, "random_insert": {}, "random_swap": {},
        "sentence_shuffle": {}, "synonym_replace": {},
    },
}
# (modality, transform, input kind) refused by design, with the reason the
# SampleError (naming the transform) must give, instead of silently losing data.
REFUSED = {
    ("image", "jpeg", kind): "JPEG holds 8 bits per channel; this uint16 image would be truncated"
    for kind in ("l16", "rgb16", "rgba16")
} | {
    ("image", "sepia", kind): "needs an RGB or RGBA image; a grey image has no colour to tint"
    for kind in ("l8", "la8", "l16")
}
# Image transforms whose output size is their parameters' (all others keep it).
RESIZES = {"center_crop", "pad", "random_crop", "resize"}

SPECS = registry.specs()
CASES = [(s, kind) for s in SPECS for kind in INPUTS[s.modality]]
APPLIED = [(s, kind) for s, kind in CASES if (s.modality, s.name, kind) not in REFUSED]
IMAGES = registry.specs("image")
SEEDS = (3, 4, 5)  # the copies each applied case runs


def key(spec: registry.TransformSpec) -> str:
    return f"{spec.modality}/{spec.name}"


def case_id(case: Any) -> str:
    return key(case) if isinstance(case, registry.TransformSpec) else str(case)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return write_recordings(tmp_path_factory.mktemp("recipe"))


@pytest.fixture(autouse=True)
def private_cache(request, monkeypatch, tmp_path_factory):
    """A fresh translation cache per text test (back_translate fills one); only
    those: a tmp folder costs ~10 ms, more than most cases here take."""
    spec = getattr(request.node, "callspec", None) and request.node.callspec.params.get("spec")
    if spec is not None and spec.modality == "text":
        monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@functools.cache
def recipe(modality: str, name: str, p: float, root: Path) -> Recipe:
    """A one-step recipe of transform `name` with its EXAMPLES values, as a user writes it."""
    values = "".join(f"{k} = {json.dumps(v)}\n" for k, v in EXAMPLES[modality][name].items())
    return parse_recipe(f'[[{modality}]]\ntransform = "{name}"\np = {p}\n{values}', str(root / "r.toml"))


def run(spec: registry.TransformSpec, data: Any, root: Path, seed: Any, p: float = 1.0):
    steps = recipe(spec.modality, spec.name, p, root).steps_for(spec.modality)
    return pipeline.augment(data, steps, spec.modality, np.random.SeedSequence(seed),
                            RESOURCES[spec.modality])


def reference(spec: registry.TransformSpec) -> Any:
    """The modality's first input: every transform must visibly change it."""
    return next(iter(INPUTS[spec.modality].values()))


def check_contract(spec: registry.TransformSpec, source: Any, out: Any, params: dict) -> None:
    """What each modality's callers rely on, whatever the transform."""
    if spec.modality == "image":
        assert out.dtype == source.dtype and out.ndim == source.ndim
        assert out.shape[2:] == source.shape[2:]
        assert spec.name in RESIZES or out.shape == source.shape
    elif spec.modality == "audio":
        assert out.samples.dtype == np.float32 and out.samples.shape[0] == source.samples.shape[0]
        assert out.sample_rate == source.sample_rate
        assert "skipped" not in params
    else:
        assert isinstance(out, str) and out.strip()


def test_every_transform_has_an_example():
    missing = [key(s) for s in SPECS if s.name not in EXAMPLES.get(s.modality, {})]
    assert not missing, f"add these transforms to EXAMPLES in {__file__}: {missing}"


def test_every_table_entry_is_a_registered_transform():
    # With the test above: EXAMPLES holds exactly the registered transforms.
    registered = {key(s) for s in SPECS}
    stale = {f"{m}/{n}" for m, names in EXAMPLES.items() for n in names} - registered
    assert not stale, f"EXAMPLES names transforms that are not registered: {sorted(stale)}"
    refused = {f"{m}/{n}" for m, n, _ in REFUSED}
    assert refused <= registered and all(kind in INPUTS[m] for m, _, kind in REFUSED)
    assert set(registry.names("image")) >= RESIZES


def test_every_transform_has_a_behaviour_test():
    declared = declared_behaviour()
    missing = [key(s) for s in SPECS if key(s) not in declared]
    assert not missing, f"no behaviour test names these in a tests/modalities module's BEHAVIOUR: {missing}"
    stale = sorted(set(declared) - {key(s) for s in SPECS})
    assert not stale, f"BEHAVIOUR names transforms that are not registered: {stale}"
    for name, tests in declared.items():
        for module, test in tests:
            assert test.__name__.startswith("test_"), f"{name}: {test} is not a test"
            assert getattr(module, test.__name__, None) is test, f"{name}: {test} is not collected"


@pytest.mark.parametrize("spec", SPECS, ids=key)
def test_spec_is_documented_and_pickles(spec):
    assert spec.doc and all(p.help for p in spec.params)
    copied = pickle.loads(pickle.dumps(spec))
    assert copied.name == spec.name and copied.modality == spec.modality
    assert [p.required for p in copied.params] == [p.required for p in spec.params]
    examples = EXAMPLES[spec.modality].get(spec.name, {})
    missing = [p.name for p in spec.params if p.required and p.name not in examples]
    assert not missing, f"add example values for {spec.name}'s required {missing} to EXAMPLES"


@pytest.mark.parametrize("spec", SPECS, ids=key)
def test_recipe_and_sampled_params_are_json_safe_and_pickle(spec, root):
    always = recipe(spec.modality, spec.name, 1.0, root)
    assert pickle.loads(pickle.dumps(always)) == always
    for seed in SEEDS:
        _, records = run(spec, reference(spec), root, seed)
        assert json.loads(json.dumps(records, allow_nan=False)) == records
        assert pickle.loads(pickle.dumps(records)) == records


@pytest.mark.parametrize("spec, kind", CASES, ids=case_id)
def test_p_zero_leaves_the_data_unchanged(spec, kind, root):
    source = INPUTS[spec.modality][kind]
    for seed in range(5):
        out, records = run(spec, source, root, seed, p=0.0)
        assert records == [] and out is source


@pytest.mark.parametrize("spec", SPECS, ids=key)
def test_p_one_applies_it_and_changes_the_data(spec, root):
    source, changed = reference(spec), False
    for seed in range(5):
        out, records = run(spec, source, root, [0, seed])
        assert [r["transform"] for r in records] == [spec.name]
        changed = changed or not same(out, source)
    assert changed, f"{key(spec)} never changed its input with the EXAMPLES values"


@pytest.mark.parametrize("spec", SPECS, ids=key)
def test_same_seed_gives_same_params_and_output(spec, root):
    source = reference(spec)
    for seed in range(6):
        first, again = run(spec, source, root, seed), run(spec, source, root, seed)
        assert first[1] == again[1] and same(first[0], again[0])


@pytest.mark.parametrize("spec, kind", CASES, ids=case_id)
def test_applies_keeps_the_contract_and_replays_exactly(spec, kind, root):
    source = INPUTS[spec.modality][kind]
    reason = REFUSED.get((spec.modality, spec.name, kind))
    if reason is not None:
        with pytest.raises(SampleError, match=reason) as caught:
            run(spec, source, root, SEEDS[0])
        assert caught.value.transform == spec.name
        return
    pristine = copy.deepcopy(source)
    for seed in SEEDS:
        out, records = run(spec, source, root, seed)
        assert same(source, pristine), "an applier wrote into its input"
        assert [r["transform"] for r in records] == [spec.name]
        stored = json.loads(json.dumps(records, allow_nan=False))  # what the manifest keeps
        assert stored == records
        check_contract(spec, source, out, records[0]["params"])
        again = pipeline.replay(source, stored, spec.modality, RESOURCES[spec.modality])
        assert same(again, out)


@pytest.mark.parametrize("spec, kind", APPLIED, ids=case_id)
def test_applier_is_pure_and_nothing_uses_the_global_rng(spec, kind, root):
    source = INPUTS[spec.modality][kind]
    with global_rng_untouched(1):
        out, records = run(spec, source, root, SEEDS[0])
    outputs = []
    for global_seed in (2, 3):  # a different global state each time: it must not matter
        with global_rng_untouched(global_seed):
            outputs.append(pipeline.apply_one(spec.modality, spec.name, source, records[0]["params"],
                                              RESOURCES[spec.modality]))
    assert same(outputs[0], out) and same(outputs[1], out)


@pytest.mark.parametrize("kind", ["rgb8", "la8", "rgba16"])
@pytest.mark.parametrize("spec", IMAGES, ids=key)
def test_accepts_a_non_contiguous_view(spec, kind, root):
    """A crop returns a view into its input; every transform must take one."""
    source = INPUTS["image"][kind][3:40, 5:50]
    reason = REFUSED.get(("image", spec.name, kind))
    if reason is not None:
        with pytest.raises(SampleError, match=reason):
            run(spec, source, root, 3)
        return
    out, records = run(spec, source, root, 3)
    again = pipeline.replay(np.ascontiguousarray(source), records, "image", RESOURCES["image"])
    np.testing.assert_array_equal(again, out)


@pytest.mark.parametrize("spec", IMAGES, ids=key)
def test_16_bit_output_keeps_its_low_byte(spec, root):
    """No transform quietly goes through 8 bits: a 16-bit source whose values
    are not multiples of 257 must not come out as an 8-bit image scaled up."""
    source = INPUTS["image"]["rgb16"]
    reason = REFUSED.get(("image", spec.name, "rgb16"))
    if reason is not None:
        with pytest.raises(SampleError, match=reason):
            run(spec, source, root, 3)
        return
    out, _ = run(spec, source, root, 3)
    assert (out % 257 != 0).mean() > 0.3


@pytest.mark.parametrize("spec", IMAGES, ids=key)
def test_every_image_transform_declares_how_it_moves_annotations(spec):
    assert spec.geometry is not None, (
        f"register {spec.name} with geometry=registry.PIXELS (pixel values only), registry.UNKNOWN "
        "(refused for annotated data) or the \"module:function\" of where it sends points")
    if spec.geometry not in (registry.PIXELS, registry.UNKNOWN):
        assert callable(resolve(spec.geometry))


def annotated(image: np.ndarray) -> Annotated:
    """An image with one object and a semantic mask of its own size."""
    box = np.array([2.0, 3.0, 20.0, 15.0])
    keypoints = np.array([[5.5, 6.5, 2.0], [12.0, 9.0, 1.0]])
    polygon = np.array([[2.0, 3.0], [20.0, 3.0], [11.0, 15.0]])
    mask = np.zeros(image.shape[:2], np.uint8)
    mask[3:15, 2:20] = 1
    obj = Object(1, box=box, polygons=[polygon], keypoints=keypoints, mask=mask.astype(bool))
    return Annotated(image, Targets([obj], mask, flip_idx=(1, 0)))


@pytest.mark.parametrize("spec, kind", [c for c in APPLIED if c[0].modality == "image"], ids=case_id)
def test_annotated_images_get_the_same_pixels_and_replay(spec, kind, root):
    """Annotated data takes every image transform: the pixels are the bare
    image's byte for byte, the targets fit the output, and replay gives both."""
    source = INPUTS["image"][kind]
    for seed in SEEDS:
        plain, records = run(spec, source, root, seed)
        out, annotated_records = run(spec, annotated(source), root, seed)
        assert annotated_records == records and same(out.image, plain)
        assert out.targets.mask.shape == plain.shape[:2]
        for obj in out.targets.objects:
            assert obj.mask.shape == plain.shape[:2] and obj.keypoints.shape == (2, 3)
        again = pipeline.replay(annotated(source), records, "image", RESOURCES["image"])
        assert same(again.image, plain) and np.array_equal(again.targets.mask, out.targets.mask)


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


FIXED = [s for s in SPECS if s.fixed]


@pytest.mark.parametrize("spec", FIXED, ids=key)
def test_a_fixed_transforms_sampler_draws_nothing_of_its_own(spec, root):
    """`fixed` lets run/outcomes.py count a recipe's distinct copies: it must be true."""
    values = recipe(spec.modality, spec.name, 1.0, root).steps_for(spec.modality)[0].values_dict()
    rng = np.random.default_rng(0)
    drawn = registry.draw(rng, spec, values)
    state = copy.deepcopy(rng.bit_generator.state)
    meta = pipeline.meta_of(spec.modality, reference(spec))
    params = spec.sampler(rng, dict(drawn), meta)
    assert rng.bit_generator.state == state
    assert params == spec.sampler(rng, dict(drawn), meta)


def test_hflip_and_a_ranged_transform_are_told_apart():
    assert registry.require("image", "hflip").fixed and not registry.require("image", "rotate").fixed
