"""Every `augment` command the README and docs/ run on the bundled sample data works as shown, in a
fresh folder where the README's quickstart has already run (so an example writing into a folder the
quickstart filled fails here, as it would for a newcomer)."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest

from paths import PROJECT_ROOT

PAGES = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
COMMAND = re.compile(r"^(?:\$ )?augment (expand|stats|preview|validate|verify|transforms) "
                     r"(.*sample_data/.*)$")


def quickstart() -> list[list[str]]:
    """The `augment expand` runs of the README's first command, in order."""
    readme = PAGES[0].read_text(encoding="utf-8")
    first = next(line for line in readme.splitlines() if line.startswith("python3 -m venv"))
    return [shlex.split(part.strip())[1:] for part in first.split("&&") if ".venv/bin/augment " in part]


def examples() -> list[tuple[str, list[str]]]:
    found = []
    for page in PAGES:
        for line in page.read_text(encoding="utf-8").splitlines():
            if match := COMMAND.match(line.strip()):
                words = shlex.split(f"{match[1]} {match[2]}", comments=True)
                found.append((f"{page.name}: {line.strip()}", words))
    return found


def test_the_quickstart_and_the_examples_are_found():
    assert [words[0] for words in quickstart()] == ["expand", "expand", "expand"]
    assert len(examples()) >= 4


@pytest.fixture(scope="module")
def after_quickstart(tmp_path_factory, run_cli_module):
    folder = tmp_path_factory.mktemp("newcomer")
    for name in ("sample_data", "recipes"):
        shutil.copytree(PROJECT_ROOT / name, folder / name)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for words in quickstart():
            assert run_cli_module(*words, "--workers", "1").exit_code == 0, words
    return folder


@pytest.mark.parametrize("shown, words", examples(), ids=[shown for shown, _ in examples()])
def test_every_documented_sample_data_command_runs(shown, words, after_quickstart, run_cli_module,
                                                   monkeypatch):
    monkeypatch.chdir(after_quickstart)
    result = run_cli_module(*words)
    assert result.exit_code == 0, f"{shown}\n{result.stderr}"
