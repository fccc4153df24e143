"""The README and the docs/ pages name only modules, objects and files the tree
has: a move or rename that leaves the documentation behind fails here."""

from __future__ import annotations

import importlib
import re

import pytest

from paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
PAGES = [README, *(page.read_text(encoding="utf-8") for page in sorted((PROJECT_ROOT / "docs").glob("*.md")))]
DOCS = "\n".join(PAGES)
# `augment_cli.run.steps.replay(...)` and `python -m augment_cli.commands.docs`
DOTTED = sorted(set(re.findall(r"(?:`|python3? -m )(augment_cli(?:\.\w+)+)", DOCS)))
# `augment_cli/modalities/audio/ogg.py`, `tests/...`; `<modality>` stands for each modality
PATHS = sorted(set(re.findall(r"`((?:augment_cli|tests|benchmarks|sample_data|recipes)/[^`\s(]+)`",
                              DOCS)) - {"benchmarks/.venv"})  # made by the benchmark on first use


def resolve(dotted: str) -> object:
    """The module or attribute a dotted name denotes: the longest importable
    module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


def test_the_readme_names_modules_and_files():
    assert {"augment_cli.run.steps.replay", "augment_cli.commands.docs"} <= set(DOTTED)
    assert "augment_cli/modalities/audio/ogg.py" in PATHS


@pytest.mark.parametrize("dotted", DOTTED)
def test_every_dotted_name_resolves(dotted):
    assert resolve(dotted) is not None


@pytest.mark.parametrize("path", PATHS)
def test_every_named_file_exists(path):
    names = [path.replace("<modality>", m) for m in ("image", "audio", "text")] if "<" in path else [path]
    missing = [name for name in names if not (PROJECT_ROOT / name).exists()]
    assert not missing


def test_built_in_modalities_are_not_described_as_pending():
    assert "once installed" not in DOCS and "once their codecs" not in DOCS
    assert "once the audio and text transforms are installed" not in DOCS
