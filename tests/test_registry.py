"""Registry-wide checks: every registered transform of every modality, from one table.

EXAMPLES must name every registered transform (and nothing else): a new
transform fails here until it has example values (Albumentations'
check_all_augs_exists), a removed one until its entry goes. Each transform
then runs through the real recipe checker and pipeline on every kind of
input its modality's codec produces: JSON-safe, picklable, p = 0 never and
p = 1 always applies, same seed same draw, exact replay, input untouched.
REFUSED lists the (transform, input kind) pairs refused by design; those must
raise a SampleError naming the transform, never silently pass.
"""

from __future__ import annotations

import importlib.util
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audio_signals import sine, tones, write
from augment_cli import modalities, registry
from augment_cli.errors import SampleError
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps as pipeline
from catalogue_helpers import kinds, mixed_partners
from paths import ASSETS, TESTS

TEXT = ("I'm glad I bought this kettle. It boils water quickly and looks great on the counter.\n"
        "\nThe lid is a little stiff, but that's a small complaint. Recommended!\n")
FOLDERS = "{folders}"  # replaced by the module's recording folders
# transform -> recipe values that make it run (required ones) and visible.
EXAMPLES: dict[str, dict[str, dict[str, Any]]] = {
    "image": {name: {} for name in (
        "affine", "auto_contrast", "brightness_contrast", "channel_shuffle", "clahe", "color_jitter",
        "cutmix", "defocus", "downscale", "elastic", "equalize", "gamma", "gaussian_blur", "gaussian_noise",
        "grayscale", "grid_dropout", "hflip", "hue_saturation_value", "invert", "jpeg", "median_blur",
        "mixup", "mosaic", "motion_blur", "perspective", "posterize", "randaugment", "random_erasing",
        "random_resized_crop", "sepia", "sharpen", "solarize", "to_gray", "trivial_augment", "vflip")} | {
    "random_crop": {"height": 30, "width": 40},
        "center_crop": {"height": 30, "width": 80},
        "resize": {"height": 37, "width": 29},
        "pad": {"top": 3, "left": [1, 5]},
        "rotate": {"angle_deg": [-30, 30]},
    },
    "audio": {name: {} for name in (
        "add_noise", "speed", "time_stretch", "pitch_shift", "time_shift", "gain", "gain_transition",
        "normalize", "clipping_distortion", "polarity_invert", "reverse", "lowpass", "highpass",
        "bandpass", "mp3_compression", "time_mask", "trim", "pad_or_crop")} | {
        "background_noise": {"folder": f"{FOLDERS}/noise"},
        "short_noises": {"folder": f"{FOLDERS}/noise"},
        "impulse_response": {"folder": f"{FOLDERS}/rooms"},
    },
    "text": {name: {} for name in (
        "synonym_replace", "random_insert", "random_swap", "random_delete", "sentence_shuffle",
        "char_noise")} | {
        "back_translate": {"backend": "command", "model": "fake-1", "command": (
            f"{sys.executable} {ASSETS / 'fake_translator.py'} {{src}} {{tgt}} {FOLDERS}/count.txt")},
    },
}
# (transform, input kind) -> what the refusal says.
REFUSED = {
    ("image", "jpeg", "l16"): "16-bit", ("image", "jpeg", "rgb16"): "16-bit",
    ("image", "jpeg", "rgba16"): "16-bit",
    ("image", "sepia", "l8"): "colour", ("image", "sepia", "la8"): "colour",
    ("image", "sepia", "l16"): "colour",
}
CASES = [(m, name) for m in modalities.NAMES for name in sorted(EXAMPLES[m])]


def inputs(modality: str) -> dict[str, Any]:
    """Every kind of data the modality's codec hands transforms."""
    if modality == "image":
        return kinds()
    if modality == "audio":
        return {"mono": sine(440, seconds=0.3), "stereo": sine(440, seconds=0.3, channels=2)}
    return {"text": TEXT}


PARTNERS = {"image": mixed_partners(), "audio": None, "text": None}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("recordings")
    write(root / "noise" / "hum.wav", sine(100, seconds=0.3))
    write(root / "noise" / "hiss.flac", tones([3000, 5000], seconds=0.2))
    write(root / "rooms" / "ir.wav", sine(50, seconds=0.05))
    return root


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(tmp_path / "cache"))  # back_translate's


def steps(modality: str, name: str, p: float, folders: Path, **values: Any) -> tuple:
    """The transform as a validated one-step recipe (through the real checker)."""
    merged = {**EXAMPLES[modality][name], **values}
    body = "".join(f"{key} = {json.dumps(value).replace(FOLDERS, folders.as_posix())}\n"
                   for key, value in merged.items())
    text = f'[[{modality}]]\ntransform = "{name}"\np = {p}\n{body}'
    return parse_recipe(text, str(folders / "r.toml")).steps_for(modality)


def augment_once(modality: str, name: str, data: Any, folders: Path, p: float = 1.0, seed: int = 3):
    return pipeline.augment(data, steps(modality, name, p, folders), modality,
                            np.random.SeedSequence(seed), PARTNERS[modality])


def test_every_registered_transform_has_examples_and_nothing_else():
    for modality in modalities.NAMES:
        registered, listed = set(registry.names(modality)), set(EXAMPLES[modality])
        assert not registered - listed, f"add {modality} EXAMPLES for {sorted(registered - listed)}"
        assert not listed - registered, f"{modality} EXAMPLES name unregistered {sorted(listed - registered)}"
    assert {(m, n) for m, n, _ in REFUSED} <= set(CASES)


@pytest.mark.parametrize("modality, name", CASES)
def test_spec_is_documented_and_picklable(modality, name):
    spec = registry.require(modality, name)
    assert spec.doc and all(p.help for p in spec.params)
    copy = pickle.loads(pickle.dumps(spec))
    assert copy.name == name and [p.required for p in copy.params] == [p.required for p in spec.params]
    missing = [p.name for p in spec.params if p.required and p.name not in EXAMPLES[modality][name]]
    assert not missing, f"add example values for {name}'s required {missing} to EXAMPLES"


@pytest.mark.parametrize("modality, name", CASES)
def test_p_zero_never_applies_and_steps_pickle(modality, name, folders):
    data = next(iter(inputs(modality).values()))
    for seed in range(4):
        out, records = augment_once(modality, name, data, folders, p=0.0, seed=seed)
        assert records == [] and out is data
    always = steps(modality, name, 1.0, folders)
    assert pickle.loads(pickle.dumps(always)) == always


@pytest.mark.parametrize("modality, name", CASES)
def test_applies_on_every_input_kind_keeps_it_and_replays_exactly(modality, name, folders):
    for kind, data in inputs(modality).items():
        if (modality, name, kind) in REFUSED:
            with pytest.raises(SampleError, match=REFUSED[modality, name, kind]) as caught:
                augment_once(modality, name, data, folders)
            assert caught.value.transform == name
            continue
        pristine = _snapshot(data)
        out, records = augment_once(modality, name, data, folders)
        assert _snapshot(data) == pristine, "an applier wrote into its input"
        assert [r["transform"] for r in records] == [name]
        stored = json.loads(json.dumps(records, allow_nan=False))  # what the manifest keeps
        assert stored == records and "skipped" not in records[0]["params"]
        again = pipeline.replay(data, stored, modality, PARTNERS[modality])
        assert _snapshot(again) == _snapshot(out), f"{name} on {kind} does not replay exactly"
        _assert_same_kind(modality, data, out)


@pytest.mark.parametrize("modality, name", CASES)
def test_same_seed_gives_the_same_draw(modality, name, folders):
    data = next(iter(inputs(modality).values()))
    first = [augment_once(modality, name, data, folders, seed=seed)[1] for seed in range(4)]
    assert first == [augment_once(modality, name, data, folders, seed=seed)[1] for seed in range(4)]


@pytest.mark.parametrize("name", sorted(EXAMPLES["text"]))
def test_every_text_transform_changes_some_copy(name, folders):
    outputs = {augment_once("text", name, TEXT, folders, seed=copy)[0] for copy in range(1, 6)}
    assert outputs != {TEXT}, f"{name} never changed the text"


IMAGE_SIZE_KEEPING = [name for name in sorted(EXAMPLES["image"]) if not any(
    p.required and p.name != "angle_deg" for p in registry.require("image", name).params)]


@pytest.mark.parametrize("kind", ["rgb8", "rgba8", "l8", "rgb16"])
@pytest.mark.parametrize("name", IMAGE_SIZE_KEEPING)
def test_an_image_transform_at_its_defaults_keeps_the_shape(name, kind, folders):
    """With default values (rotate given its angle), no transform changes the
    image's size or channels: sizes change only where the recipe asks."""
    source = kinds()[kind]
    values = {"angle_deg": [-30, 30]} if name == "rotate" else {}
    step = parse_recipe(f'[[image]]\ntransform = "{name}"\n'
                        + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()), "r.toml")
    if ("image", name, kind) in REFUSED:
        with pytest.raises(SampleError, match=REFUSED["image", name, kind]):
            pipeline.augment(source, step.steps_for("image"), "image", np.random.SeedSequence(5),
                             PARTNERS["image"])
        return
    for copy in range(3):
        out, _ = pipeline.augment(source, step.steps_for("image"), "image", np.random.SeedSequence([5, copy]),
                                  PARTNERS["image"])
        assert out.dtype == source.dtype and out.shape == source.shape


@pytest.mark.parametrize("kind", ["rgb8", "la8", "rgba16"])
@pytest.mark.parametrize("name", sorted(EXAMPLES["image"]))
def test_an_image_transform_accepts_a_non_contiguous_view(name, kind, folders):
    """A crop returns a view into its input; every transform must take one."""
    source = kinds()[kind][3:40, 5:50]
    if ("image", name, kind) in REFUSED:
        with pytest.raises(SampleError, match=REFUSED["image", name, kind]):
            augment_once("image", name, source, folders)
        return
    out, records = augment_once("image", name, source, folders)
    again = pipeline.replay(np.ascontiguousarray(source), records, "image", PARTNERS["image"])
    np.testing.assert_array_equal(again, out)


@pytest.mark.parametrize("name", sorted(EXAMPLES["image"]))
def test_a_16_bit_image_keeps_its_low_byte(name, folders):
    """No transform quietly goes through 8 bits: a 16-bit source whose values
    are not multiples of 257 must not come out as an 8-bit image scaled up."""
    source = kinds()["rgb16"]
    if ("image", name, "rgb16") in REFUSED:
        with pytest.raises(SampleError, match=REFUSED["image", name, "rgb16"]):
            augment_once("image", name, source, folders)
        return
    out, _ = augment_once("image", name, source, folders)
    assert (out % 257 != 0).mean() > 0.3


def test_every_transform_has_a_behaviour_test():
    """A behaviour test of transform X is a test in tests/modalities/<modality>/
    named test_X or test_X_..., or marked @pytest.mark.covers("X")."""
    for modality in modalities.NAMES:
        covered = _behaviour_tests(TESTS / "modalities" / modality)
        missing = [name for name in registry.names(modality) if name not in covered]
        assert not missing, f"no behaviour test for {modality} transforms {missing}"


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


def _snapshot(data: Any) -> Any:
    """A comparable copy of a transform's input or output."""
    if isinstance(data, np.ndarray):
        return (data.dtype.str, data.shape, data.tobytes())
    if hasattr(data, "samples"):  # audio
        return (data.sample_rate, data.samples.dtype.str, data.samples.shape, data.samples.tobytes())
    return data


def _assert_same_kind(modality: str, source: Any, out: Any) -> None:
    if modality == "image":
        assert out.dtype == source.dtype and out.ndim == source.ndim and out.shape[2:] == source.shape[2:]
    elif modality == "audio":
        assert out.samples.dtype == np.float32 and out.samples.shape[0] == source.samples.shape[0]
    else:
        assert isinstance(out, str)


def _behaviour_tests(folder: Path) -> set[str]:
    """Transform names the test functions of `folder`'s modules cover."""
    covered: set[str] = set()
    for path in sorted(folder.glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(f"_behaviour_{folder.name}_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for attr, value in vars(module).items():
            if attr.startswith("test_") and callable(value):
                covered.update(_names_in(attr[len("test_"):]))
                for mark in getattr(value, "pytestmark", []):
                    if mark.name == "covers":
                        covered.update(mark.args)
    return covered


def _names_in(test_name: str) -> set[str]:
    """'rotate_border_modes' covers 'rotate' (and 'rotate_border' if that were a transform)."""
    parts = test_name.split("_")
    return {"_".join(parts[:i]) for i in range(1, len(parts) + 1)}
