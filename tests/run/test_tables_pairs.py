"""Sentence pairs: one stream for both columns of a copy (the default), or one
per column when the recipe's [output] column_streams = "each" says so."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from augment_cli import api
from augment_cli.errors import RecipeError
from augment_cli.recipe import load_recipe

EDA = (Path(__file__).parents[2] / "recipes" / "eda.toml").read_text()
PAIRS = ("premise,hypothesis,label\n"
         "The tall man walks his small dog in the quiet park today,"
         "A man is outside with an animal near trees,yes\n"
         "Two children play football on a wide green field at noon,"
         "Kids are playing a game outdoors together,yes\n")


def _run(tmp_path: Path, name: str, recipe_text: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    recipe = tmp_path / f"{name}.toml"
    recipe.write_text(recipe_text)
    src = tmp_path / "pairs.csv"
    src.write_text(PAIRS, encoding="utf-8")
    out = tmp_path / name
    assert api.expand(source=src, recipe=recipe, out=out, copies=8, workers=1,
                      text_columns=columns).exit_code == 0
    with open(out / "pairs.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _operations(row: dict[str, str]) -> list[str]:
    return [entry["applied"][0]["transform"] for entry in json.loads(row["augment_transforms"])]


def test_each_column_gets_its_own_stream_when_the_recipe_says_each(tmp_path):
    both = ("premise", "hypothesis")
    shared = _run(tmp_path, "shared", EDA, both)
    each = _run(tmp_path, "each", "[output]\ncolumn_streams = \"each\"\n" + EDA, both)
    assert all(len(set(_operations(row))) == 1 for row in shared)  # one stream: one operation
    assert any(len(set(_operations(row))) == 2 for row in each)    # its own stream per column
    assert [row["label"] for row in each] == ["yes"] * 16


def test_one_text_column_has_the_rows_stream_whatever_column_streams_says(tmp_path):
    shared = _run(tmp_path, "shared", EDA, ("premise",))
    each = _run(tmp_path, "each", "[output]\ncolumn_streams = \"each\"\n" + EDA, ("premise",))
    assert shared == each


def test_column_streams_is_in_the_digest_only_when_set_and_a_bad_value_names_the_key(tmp_path):
    plain, each = tmp_path / "plain.toml", tmp_path / "each.toml"
    plain.write_text(EDA)
    each.write_text("[output]\ncolumn_streams = \"each\"\n" + EDA)
    stated = tmp_path / "stated.toml"
    stated.write_text("[output]\ncolumn_streams = \"shared\"\n" + EDA)
    assert load_recipe(plain).digest == load_recipe(stated).digest != load_recipe(each).digest
    bad = tmp_path / "bad.toml"
    bad.write_text("[output]\ncolumn_streams = \"both\"\n" + EDA)
    with pytest.raises(RecipeError, match="column_streams"):
        load_recipe(bad)
