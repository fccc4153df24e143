"""ARCHITECTURE.md's tree is the package's: every top-level module and package
has exactly one entry, and each package's entry names every module in it, so
the page a newcomer reads cannot drift from `ls -R augment_cli`."""

from __future__ import annotations

import re

import pytest

from paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "augment_cli"
# A tree entry starts two spaces in: "  name/   what it holds", continued by deeper-indented lines.
ENTRY = re.compile(r"^  (\S+)\s")


def tree_entries() -> list[tuple[str, str]]:
    """(name, text) of each entry of the first code block of ARCHITECTURE.md, in order."""
    page = (PROJECT_ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = page.split("```", 2)[1]
    entries: list[tuple[str, str]] = []
    for line in block.splitlines():
        if match := ENTRY.match(line):
            entries.append((match.group(1), line))
        elif entries and line.startswith("   "):
            entries[-1] = (entries[-1][0], entries[-1][1] + " " + line.strip())
    return entries


def top_level() -> set[str]:
    modules = {p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    packages = {p.name + "/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    return modules | packages


def test_every_top_level_module_and_package_has_one_entry():
    names = [name for name, _ in tree_entries()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"ARCHITECTURE.md describes these twice: {repeated}"
    assert set(names) == top_level()


def _modules_of(package: str) -> list[str]:
    folder = PACKAGE / package
    if package == "modalities":  # each modality folder's parts; transforms/<family> are told as a pattern
        folder_parts = [p for m in folder.iterdir() if (m / "__init__.py").is_file() for p in m.iterdir()]
    else:
        folder_parts = list(folder.iterdir())
    return sorted({p.stem for p in folder_parts
                   if (p.suffix == ".py" or p.is_dir()) and not p.name.startswith("__")})


@pytest.mark.parametrize("package", sorted(name[:-1] for name in top_level() if name.endswith("/")))
def test_each_package_entry_names_every_module_in_it(package):
    text = dict(tree_entries())[package + "/"]
    missing = [module for module in _modules_of(package) if not re.search(rf"\b{module}\b", text)]
    assert not missing, f"ARCHITECTURE.md's {package}/ entry does not name: {missing}"
