"""Fuzzing the recipe loader: any document loads or is refused with a RecipeError
(exit 2 and one message) -- never another exception, so never a traceback."""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from augment_cli import registry
from augment_cli.errors import RecipeError
from augment_cli.recipe import Recipe, parse_recipe

KEYS = ["transform", "p", "one_of", "angle_deg", "sigma", "scale", "ratio", "border", "fill",
        "brightness", "contrast", "format", "jpeg_quality", "version", "image", "audio", "text", "output"]
NAMES = [spec.name for spec in registry.specs()] + ["nope", ""]

scalars = st.one_of(st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.sampled_from(NAMES), st.text(max_size=8))
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=6))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(keys, inner, max_size=4)),
                      max_leaves=12)
steps = st.lists(st.dictionaries(keys, values, max_size=5), max_size=4)
documents = st.dictionaries(keys, st.one_of(values, steps), max_size=5)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    pairs = (f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items())
    return "{" + ", ".join(pairs) + "}"


def to_toml(document: dict) -> str:
    return "".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}\n" for k, v in document.items())


def loads_or_refuses(text: str) -> None:
    try:
        assert isinstance(parse_recipe(text, "fuzz.toml"), Recipe)
    except RecipeError as exc:
        message = str(exc)
        assert message.startswith("fuzz.toml") and "\n" not in message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_structured_document_loads_or_is_refused(document):
    loads_or_refuses(to_toml(document))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_is_refused(text):
    loads_or_refuses(text)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(NAMES), st.dictionaries(st.sampled_from(KEYS), values, max_size=4))
def test_any_step_of_a_known_transform_loads_or_is_refused(name, extra):
    loads_or_refuses(to_toml({"image": [{"transform": name, **extra}]}))


def test_fuzz_refusal_reaches_the_user_as_exit_2(run_cli, write_recipe):
    result = run_cli("validate", write_recipe('image = [{transform = "rotate", angle_deg = nan}]\n'))
    assert result.exit_code == 2 and "NaN is not a valid value" in result.stderr
