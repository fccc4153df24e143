"""The registry documents itself: every transform and parameter is described, and the
README's table is the generated one."""

from __future__ import annotations

import json

import pytest

from augment_cli import registry
from augment_cli.commands import docs
from paths import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def test_readme_transform_table_is_up_to_date():
    text = README.read_text(encoding="utf-8")
    start = text.index(docs.README_BEGIN)
    end = text.index(docs.README_END) + len(docs.README_END)
    assert text[start:end] == docs.readme_table(), "run: python -m augment_cli.commands.docs"


@pytest.mark.parametrize("spec", registry.specs(), ids=lambda s: f"{s.modality}/{s.name}")
def test_every_transform_and_parameter_is_documented(spec):
    assert spec.doc and spec.doc[0].isupper()
    assert all(p.help for p in spec.params), [p.name for p in spec.params if not p.help]
    assert f"`{spec.name}`" in README.read_text(encoding="utf-8")


def test_transforms_command_lists_registry_as_text_and_json(run_cli):
    text = run_cli("transforms").stdout
    listed = json.loads(run_cli("transforms", "--json").stdout)
    assert [t["name"] for t in listed] == [s.name for s in registry.specs()]
    for spec in registry.specs():
        assert f"{spec.modality}/{spec.name}: {spec.doc}" in text
    rotate = next(t for t in listed if t["name"] == "rotate")
    angle = next(p for p in rotate["params"] if p["name"] == "angle_deg")
    assert angle["required"] and angle["allowed"] == "-360 .. 360"
    result = run_cli("transforms", "--modality", "video")
    assert result.exit_code == 2 and "--modality must be one of" in result.stderr


def test_help_does_not_import_heavy_libraries():
    import subprocess
    import sys

    code = ("import sys; from augment_cli.cli import app; from typer.testing import CliRunner; "
            "CliRunner().invoke(app, ['validate', 'recipes/heavy.toml']); "
            "print(sorted(m for m in ('cv2', 'librosa', 'PIL', 'scipy', 'numpy', 'soundfile', 'pydantic') "
            "if m in sys.modules))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               cwd=README.parent, timeout=60)
    assert completed.stdout.strip() == "[]", completed.stderr
