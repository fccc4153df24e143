"""The registry documents itself: every transform and parameter is described, and the
docs site's transforms page is the generated one."""

from __future__ import annotations

import json

import pytest

from augment_cli import registry
from augment_cli.commands import docs
from paths import PROJECT_ROOT

PAGE = PROJECT_ROOT / docs.PAGE


def test_the_transforms_page_is_up_to_date():
    stale = "run: python -m augment_cli.commands.docs"
    assert PAGE.read_text(encoding="utf-8") == docs.transforms_page(), stale


def test_the_page_says_what_each_image_transform_does_to_annotations():
    rows = {line.split("|")[1].strip(" `"): line.rstrip(" |").rsplit("|", 1)[1].strip()
            for line in docs.transforms_page().splitlines() if line.startswith("| `")}
    assert rows["hflip"] == "moved" and rows["gaussian_blur"] == "kept"
    assert all(rows[s.name] in ("moved", "kept", "refused") for s in registry.specs("image"))


def test_update_page_writes_only_a_stale_page(tmp_path):
    page = tmp_path / "transforms.md"
    assert docs.update_page(page) and page.read_text(encoding="utf-8") == docs.transforms_page()
    assert not docs.update_page(page)


@pytest.mark.parametrize("spec", registry.specs(), ids=lambda s: f"{s.modality}/{s.name}")
def test_every_transform_and_parameter_is_documented(spec):
    assert spec.doc and spec.doc[0].isupper()
    assert all(p.help for p in spec.params), [p.name for p in spec.params if not p.help]
    assert f"`{spec.name}`" in PAGE.read_text(encoding="utf-8")


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
                               cwd=PROJECT_ROOT, timeout=60)
    assert completed.stdout.strip() == "[]", completed.stderr
