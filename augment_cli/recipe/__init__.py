"""TOML recipe -> validated, frozen Recipe. The whole file is checked before
any work starts; the first problem raises RecipeError naming file, step, key
and (where the TOML shows it) the line.

Format v1:

    [output]                 # optional
    format = "keep"          # keep | jpg | png | webp
    jpeg_quality = 95

    [[image]]                # one table per step, applied in order
    transform = "rotate"
    p = 0.7                  # probability, default 1
    angle_deg = [-15, 15]    # a value, or [low, high] drawn per copy

    [[image]]
    p = 0.5                  # a group step: one member, weighted by its p
    one_of = [ { transform = "hflip" }, { transform = "vflip", p = 0.2 } ]

    [[image]]                # n distinct members (weighted by p), in listed order
    some_of = [ { transform = "gamma" }, { transform = "sharpen" }, { transform = "jpeg" } ]
    n = [1, 2]               # a count or a [low, high] range

    [[image]]                # every member, in a random order, each firing with its p
    shuffle = [ { transform = "invert", p = 0.2 }, { transform = "equalize" } ]

    [annotations]            # optional, for annotated datasets (annotations/limits.py)
    min_visibility = 0.3     # objects with less of their area left are dropped
    mask_fill = 0            # mask value where a warp brings in outside pixels

recipe_model.py holds what a Recipe is (steps, output options, digest) and
recipe_checker.py the checks; what callers need is importable from here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from augment_cli.errors import RecipeError
from augment_cli.inputs import MAX_RECIPE_BYTES, read_bounded
from augment_cli.recipe.checker import Checker
from augment_cli.recipe.model import GroupStep, OutputOptions, Recipe, Step, TransformStep

# What callers need of a recipe; the rest of recipe_model is its own business.
__all__ = ["GroupStep", "OutputOptions", "Recipe", "Step", "TransformStep", "load_recipe", "parse_recipe"]


def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a recipe file; raise RecipeError on the first problem."""
    name = str(path)
    try:
        text = read_bounded(path, MAX_RECIPE_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise RecipeError("file not found", recipe=name) from None
    except OSError as exc:
        raise RecipeError(f"cannot read: {exc.strerror or exc}", recipe=name) from None
    except UnicodeDecodeError as exc:
        raise RecipeError(f"cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})",
                          recipe=name) from None
    except ValueError as exc:  # a device, a FIFO, a folder, or too big
        raise RecipeError(f"cannot read: it {exc}", recipe=name) from None
    return parse_recipe(text, name)


def parse_recipe(text: str, name: str) -> Recipe:
    if len(text) > MAX_RECIPE_BYTES:
        raise RecipeError(f"cannot read: it is larger than the {MAX_RECIPE_BYTES // 2**20} MiB limit",
                          recipe=name)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"TOML syntax error: {exc}", recipe=name) from None
    except RecursionError:  # valid TOML, but tomllib recurses once per nested array or table
        raise RecipeError("values are nested too deeply to read", recipe=name) from None
    try:
        return Checker(text, name).recipe(document)
    except RecursionError:  # what tomllib read deeply nested, the checks walk the same way
        raise RecipeError("values are nested too deeply to check", recipe=name) from None
