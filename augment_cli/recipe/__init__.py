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

recipe_model.py holds what a Recipe is (steps, output options, digest) and
recipe_checker.py the checks; what callers need is importable from here.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

from augment_cli.errors import RecipeError
from augment_cli.recipe.checker import Checker
from augment_cli.recipe.model import GroupStep, OutputOptions, Recipe, Step, TransformStep

# What callers need of a recipe; the rest of recipe_model is its own business.
__all__ = ["GroupStep", "OutputOptions", "Recipe", "Step", "TransformStep", "load_recipe", "parse_recipe"]


# A recipe is a page of TOML; anything this big is not one (e.g. /dev/zero).
MAX_RECIPE_BYTES = 1 << 20


def load_recipe(path: str | Path) -> Recipe:
    """Read and validate a recipe file; raise RecipeError on the first problem."""
    name = str(path)
    try:
        text = _read_small_file(Path(path)).decode("utf-8")
    except FileNotFoundError:
        raise RecipeError("file not found", recipe=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecipeError(f"cannot read: {exc}", recipe=name) from None
    return parse_recipe(text, name)


def _read_small_file(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_RECIPE_BYTES. Opened without
    blocking, so a FIFO cannot hang the run; a device or FIFO is refused."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise OSError(f"{path} is not a regular file")
        with os.fdopen(handle, "rb", closefd=False) as stream:
            payload = stream.read(MAX_RECIPE_BYTES + 1)
    finally:
        os.close(handle)
    if len(payload) > MAX_RECIPE_BYTES:
        raise OSError(f"over the {MAX_RECIPE_BYTES // 1024} KiB a recipe may have")
    return payload


def parse_recipe(text: str, name: str) -> Recipe:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"TOML syntax error: {exc}", recipe=name) from None
    except RecursionError:  # valid TOML nested thousands deep: tomllib recurses per level
        raise RecipeError("TOML syntax error: values nested too deeply", recipe=name) from None
    return Checker(text, name).recipe(document)
