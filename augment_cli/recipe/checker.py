"""Validates one parsed TOML document into a Recipe, pointing at lines."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Any

from augment_cli import registry, storage
from augment_cli.annotations.limits import PARAMS as LIMIT_PARAMS
from augment_cli.annotations.limits import Limits
from augment_cli.errors import RecipeError
from augment_cli.plugins import resolve
from augment_cli.recipe.model import (
    FORMAT_VERSION,
    GROUP_KEYS,
    GROUP_KINDS,
    OUTPUT_PARAMS,
    TOP_LEVEL_KEYS,
    GroupStep,
    OutputOptions,
    Recipe,
    Step,
    TransformStep,
    recipe_digest,
)
from augment_cli.recipe.values import check_value
from augment_cli.registry import MODALITIES, Param

# Spellings users write for an [output] choice: (key, written) -> the value meant.
OUTPUT_ALIASES = {("format", "jpeg"): "jpg", ("audio_format", "wave"): "wav"}


def did_you_mean(name: str, known: list[str]) -> str:
    """" (did you mean 'hflip'?)" for a near miss among `known`, else ""."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Checker:
    """Validates one parsed document; knows the text to point at lines."""

    def __init__(self, text: str, name: str):
        self.name = name
        self.lines = text.splitlines()
        self.headers = _headers(self.lines)
        self.first_assignment: dict[str, int | None] = {}  # key -> line, for lookups from the top
        # Folder values (noise, impulse responses) are relative to the recipe file.
        self.base = Path(name).resolve().parent
        # Absolute path values -> as relative to the recipe file, for the digest:
        # the same recipe beside the same files means the same in any checkout.
        self.relative: dict[str, str] = {}
        self.side_objects: dict[str, tuple] = {}  # a URL value -> its objects (storage/sidefiles.py)

    def fail(self, reason: str, step: str | None = None, key: str | None = None,
             line: int | None = None) -> RecipeError:
        return RecipeError(reason, recipe=self.name, step=step, key=key, line=line)

    def recipe(self, document: dict[str, Any]) -> Recipe:
        for key in document:
            if key not in TOP_LEVEL_KEYS:
                raise self.fail(f"unknown top-level key; expected one of {', '.join(TOP_LEVEL_KEYS)}",
                                key=key, line=self.key_line(key, 0))
        version = document.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise self.fail(f"unsupported recipe version {version!r}; this tool reads version 1",
                            key="version")
        steps = tuple((m, self.modality_steps(m, document.get(m, []))) for m in MODALITIES)
        if not any(s for _, s in steps):
            raise self.fail("the recipe has no steps; add an [[image]], [[audio]] or [[text]] table")
        output = OutputOptions(**self.keyed_table("output", OUTPUT_PARAMS, document.get("output", {})))
        limits = Limits(**self.keyed_table("annotations", LIMIT_PARAMS, document.get("annotations", {})))
        digest = recipe_digest(steps, output, self.relative, limits)
        return Recipe(self.name, steps, output, digest, self.copies(document.get("copies", {})), limits,
                      tuple(sorted(self.side_objects.items())))

    def modality_steps(self, modality: str, tables: Any) -> tuple[Step, ...]:
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise self.fail(f"'{modality}' must be a list of tables: write each step as [[{modality}]]",
                            key=modality)
        return tuple(self.step(modality, i + 1, t) for i, t in enumerate(tables))

    def step(self, modality: str, index: int, table: dict[str, Any]) -> Step:
        line = self.header_line(modality, index)
        groups = [k for k in GROUP_KINDS if k in table]
        if len(groups) > 1:
            raise self.fail(f"a step is one group: found both {groups[0]} and {groups[1]}",
                            f"[[{modality}]] step {index}", groups[1], line)
        if groups:
            return self.group(modality, index, table, groups[0], line)
        where = f"[[{modality}]] step {index}"
        return self.transform_step(modality, table, where, line)

    def transform_step(self, modality: str, table: dict[str, Any], where: str,
                       line: int | None) -> TransformStep:
        name = table.get("transform")
        if name is None:
            raise self.fail(f"missing 'transform' (or a group key: {', '.join(GROUP_KINDS)})",
                            where, line=line)
        spec = registry.get(modality, name) if isinstance(name, str) else None
        if spec is None:
            known = ", ".join(registry.names(modality)) or "none yet"
            guess = did_you_mean(name, registry.names(modality)) if isinstance(name, str) else ""
            raise self.fail(f"unknown {modality} transform {name!r}{guess}; known: {known}", where,
                            key="transform", line=self.key_line("transform", line))
        where = f"{where} ({name})"
        p = self.probability(table, where, line)
        values = {}
        for key, value in table.items():
            if key in ("transform", "p"):
                continue
            param = spec.param(key)
            if param is None:
                expected = ", ".join(q.name for q in spec.params) or "none besides p"
                guess = did_you_mean(key, [q.name for q in spec.params] + ["p"])
                raise self.fail(f"unknown parameter{guess}; {name} takes: {expected}", where, key,
                                self.key_line(key, line))
            values[key] = self.value(param, value, where, line)
        for param in spec.params:
            if param.name not in values:
                if param.required:
                    raise self.fail("missing required parameter", where, param.name, line)
                values[param.name] = param.default
        problem = spec.check(values) if spec.check else None
        if problem:
            key, reason = problem
            raise self.fail(reason, where, key, self.key_line(key, line) if key in table else line)
        return TransformStep(name, p, tuple(values.items()), where)

    def group(self, modality: str, index: int, table: dict[str, Any], kind: str,
              line: int | None) -> GroupStep:
        where = f"[[{modality}]] step {index} ({kind})"
        allowed = (kind, "p", *GROUP_KEYS[kind])
        extra = [k for k in table if k not in allowed]
        if extra:
            names = [repr(k) for k in allowed]
            raise self.fail(f"a {kind} group takes only {', '.join(names[:-1])} and {names[-1]}",
                            where, extra[0], self.key_line(extra[0], line))
        members = table[kind]
        if not isinstance(members, list) or not members or not all(isinstance(m, dict) for m in members):
            raise self.fail("expected a non-empty list of inline tables like { transform = \"hflip\" }",
                            where, kind, self.key_line(kind, line))
        members_line = self.key_line(kind, line)  # members' keys are searched from here
        checked = tuple(self.transform_step(modality, m, f"{where} option {i + 1}", members_line)
                        for i, m in enumerate(members))
        if sum(m.p for m in checked) <= 0:
            raise self.fail("every option has p = 0, so none can be picked", where, kind, line)
        n = 1
        if kind == "some_of":
            if "n" not in table:
                raise self.fail("missing 'n': how many members to apply", where, "n", line)
            n = self.value(Param("n", "int", bounds=(1, len(checked))), table["n"], where, line)
            if sum(m.p > 0 for m in checked) < (n[1] if isinstance(n, tuple) else n):
                raise self.fail("n is more than the members with p > 0", where, "n", line)
        return GroupStep(kind, self.probability(table, where, line), checked, where, n)

    def probability(self, table: dict[str, Any], where: str, line: int | None) -> float:
        param = Param("p", "float", 1.0, bounds=(0.0, 1.0), ranged=False)
        return self.value(param, table.get("p", 1.0), where, line)

    def value(self, param: Param, value: Any, where: str | None, line: int | None) -> Any:
        if param.kind in ("path", "folder") and storage.is_url(value):  # docs/object-storage.md
            return self.url_value(param, value, where, line)
        try:
            value = check_value(param, value, self.base)
        except ValueError as exc:
            raise self.fail(str(exc), where, param.name, self.key_line(param.name, line)) from None
        if param.kind == "path" and value:
            value = self.path(value, param, where, line)
        if param.kind in ("path", "folder") and value:
            self.relative[value] = Path(os.path.relpath(value, self.base)).as_posix()
        return value

    def url_value(self, param: Param, value: str, where: str | None, line: int | None) -> str:
        """A side file or folder in object storage (storage/sidefiles.py): listed and checked now,
        its objects kept with the recipe for the workers."""
        from augment_cli.storage.sidefiles import checked

        try:
            url, objects = checked(param.kind, value)
            if param.kind == "folder" and param.validator:
                resolve(param.validator)(url)
        except ValueError as exc:
            raise self.fail(str(exc), where, param.name, self.key_line(param.name, line)) from None
        self.side_objects[url] = objects
        return url

    def path(self, value: str, param: Param, where: str | None, line: int | None) -> str:
        """A file or folder named relative to the recipe file -> its absolute path."""
        path = (Path(self.name).resolve().parent / value).resolve()
        if not path.exists():
            raise self.fail(f"not found: {path}", where, param.name,
                            self.key_line(param.name, line))
        return str(path)

    def keyed_table(self, name: str, params: tuple[Param, ...], table: Any) -> dict[str, Any]:
        """A [name] table of single values, each checked against its Param."""
        where = f"[{name}]"
        if not isinstance(table, dict):
            raise self.fail("must be a table", key=name)
        line = self.header_line(name, 0)
        values = {}
        for key, value in table.items():
            param = next((p for p in params if p.name == key), None)
            if param is None:
                expected = ", ".join(p.name for p in params)
                guess = did_you_mean(key, [p.name for p in params])
                raise self.fail(f"unknown key{guess}; {where} takes: {expected}", where, key,
                                self.key_line(key, line))
            if param.kind == "choice" and isinstance(value, list):
                raise self.fail("expected a single value", where, key, self.key_line(key, line))
            if isinstance(value, str):
                value = OUTPUT_ALIASES.get((key, value.lower()), value)
            values[key] = self.value(param, value, where, line)
        return values

    def copies(self, table: Any) -> tuple[tuple[str, int], ...]:
        """[copies]: every key is a label name, every value a positive int."""
        if not isinstance(table, dict):
            raise self.fail("must be a table of label = copies, e.g. [copies] cat = 2", key="copies")
        line = self.header_line("copies", 0)
        for label, value in table.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise self.fail(f"copies must be a positive integer, got {value!r}", "[copies]",
                                label, self.key_line(label, line))
        return tuple(sorted(table.items()))

    def header_line(self, table: str, index: int) -> int | None:
        """Line of the index-th [[table]] header (or [table] when index is 0)."""
        numbers = self.headers.get((table, bool(index)), [])
        return numbers[max(index, 1) - 1] if len(numbers) >= max(index, 1) else None

    def key_line(self, key: str, start: int | None) -> int | None:
        """First line at or after `start` that assigns `key`, before the next header.

        Without a start the search runs over the whole file; its answer is
        kept per key, so a recipe of thousands of inline steps is not rescanned
        for each (validation stays linear in the recipe's length)."""
        if not start:
            if key not in self.first_assignment:
                self.first_assignment[key] = self._find_key(key, None)
            return self.first_assignment[key]
        return self._find_key(key, start)

    def _find_key(self, key: str, start: int | None) -> int | None:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=|[{{,]\s*{re.escape(key)}\s*=")
        for number in range(start or 1, len(self.lines) + 1):
            text = self.lines[number - 1]
            if number > (start or 0) and start and text.lstrip().startswith("["):
                break
            if pattern.search(text):
                return number
        return start


_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]")


def _headers(lines: list[str]) -> dict[tuple[str, bool], list[int]]:
    """(table, is an array of tables) -> the line numbers of its headers, in
    order, found in one pass: [[image]] step k is the k-th [[image]] line."""
    found: dict[tuple[str, bool], list[int]] = {}
    for number, text in enumerate(lines, 1):
        match = _ARRAY_HEADER.match(text)
        array = match is not None
        match = match or _TABLE_HEADER.match(text)
        if match:
            found.setdefault((match.group(1), array), []).append(number)
    return found
