"""Adding a modality is one folder plus one table entry (modalities/__init__.py).

A copy of the package gets tests/assets/toy_modality/ as modalities/toy/ and
one line in MODALITIES, nothing else; every command then works on .toy files
in a subprocess (so spawned workers import the same copy): validate, the
transform list, stats, preview, expand with 1 and 2 workers (same bytes),
verify, and the online Augmenter."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from paths import ASSETS, PROJECT_ROOT

LAST_ENTRY = '    "text": _parts("text", (".txt",), ("core",)),\n'
TOY_ENTRY = '    "toy": _parts("toy", (".toy",), ("core",)),\n'
RECIPE = '[[toy]]\ntransform = "shift"\nby = [1, 50]\n\n[[toy]]\ntransform = "flip"\np = 0.5\n'


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """A copy of augment_cli with the toy folder and its one table entry."""
    root = tmp_path_factory.mktemp("toy_package")
    copied = root / "augment_cli"
    shutil.copytree(PROJECT_ROOT / "augment_cli", copied, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ASSETS / "toy_modality", copied / "modalities" / "toy",
                    ignore=shutil.ignore_patterns("__pycache__"))
    table = copied / "modalities" / "__init__.py"
    source = table.read_text(encoding="utf-8")
    assert source.count(LAST_ENTRY) == 1, "the MODALITIES literal changed: update LAST_ENTRY"
    table.write_text(source.replace(LAST_ENTRY, LAST_ENTRY + TOY_ENTRY), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """SRC with two labels of .toy files (and a file the codec refuses), and a recipe."""
    root = tmp_path_factory.mktemp("toy_project")
    for label, rows in {"odd": ["1\n3\n5\n", "7\n9\n"], "even": ["2\n4\n", "6\n8\n10\n"]}.items():
        for i, text in enumerate(rows):
            (root / "src" / label).mkdir(parents=True, exist_ok=True)
            (root / "src" / label / f"{label}{i}.toy").write_text(text, encoding="ascii")
    (root / "src" / "odd" / "broken.toy").write_text("one\n", encoding="ascii")
    (root / "toy.toml").write_text(RECIPE, encoding="utf-8")
    return root


def augment(package: Path, project: Path, *args: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(package)}
    return subprocess.run([sys.executable, "-m", "augment_cli", *map(str, args)], capture_output=True,
                          text=True, cwd=project, env=env, timeout=120)


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def test_the_copy_is_only_one_folder_and_one_line_more(package):
    original, copied = PROJECT_ROOT / "augment_cli", package / "augment_cli"
    added = {p.relative_to(copied).as_posix() for p in copied.rglob("*.py")}
    present = {p.relative_to(original).as_posix() for p in original.rglob("*.py")}
    assert added - present and all(name.startswith("modalities/toy/") for name in added - present)
    changed = [name for name in sorted(present & added)
               if (original / name).read_bytes() != (copied / name).read_bytes()]
    assert changed == ["modalities/__init__.py"]


def test_validate_and_transforms_know_the_new_modality(package, project):
    validated = augment(package, project, "validate", "toy.toml")
    assert validated.returncode == 0, validated.stderr
    listed = json.loads(augment(package, project, "transforms", "--modality", "toy", "--json").stdout)
    assert sorted(entry["name"] for entry in listed) == ["flip", "shift"]


def test_stats_reads_the_new_modality_through_its_header(package, project):
    done = augment(package, project, "stats", "src", "--json")
    data = json.loads(done.stdout)
    assert data["labels"]["odd"]["modalities"] == {"toy": 3}
    assert data["labels"]["even"]["formats"] == {"TOY": 2}
    assert [row["file"] for row in data["unreadable"]] == ["odd/broken.toy"]


def test_expand_writes_the_same_copies_with_one_or_two_workers(package, project):
    outs = []
    for workers in (1, 2):
        out = project / f"out{workers}"
        done = augment(package, project, "expand", "src", "-r", "toy.toml", "--copies", 3, "--seed", 5,
                       "--workers", workers, "--out", out)
        assert done.returncode == 1, done.stderr  # broken.toy is a per-file failure
        assert "odd/broken.toy" in (out / "errors.csv").read_text(encoding="utf-8")
        outs.append(tree(out))
        assert augment(package, project, "verify", out).returncode == 0
    assert outs[0] == outs[1]
    copy = outs[0]["even/even0__aug1.toy"].decode().split()
    assert sorted(int(v) for v in copy) != [2, 4] and len(copy) == 2  # shifted by 1..50
    assert sum(name.endswith(".toy") for name in outs[0]) == 4 * 3


def test_preview_uses_the_new_modalitys_renderer(package, project):
    done = augment(package, project, "preview", "src", "-r", "toy.toml", "--copies", 2,
                   "--out", project / "preview.png")
    assert "== even/even0.toy" in done.stdout and "#2 " in done.stdout, done.stderr


def test_the_online_augmenter_gives_expand_its_values(package, project):
    out = project / "out-online"
    augment(package, project, "expand", "src", "-r", "toy.toml", "--copies", 1, "--seed", 5,
            "--workers", 1, "--out", out)
    code = ("from augment_cli import Augmenter; "
            "print(list(Augmenter('toy.toml', seed=5).augment('toy', (2, 4), source='even/even0.toy').data))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project,
                          env={**os.environ, "PYTHONPATH": str(package)}, timeout=60)
    assert done.returncode == 0, done.stderr
    expanded = (out / "even" / "even0__aug1.toy").read_text().split()
    assert json.loads(done.stdout) == [int(v) for v in expanded]
