"""The documentation site builds with --strict: a broken link, a missing anchor or a page left out
of the nav fails here (and so in CI), as does a stale generated page (tests/commands/test_docs.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from paths import PROJECT_ROOT


def _build(root: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=root, capture_output=True, text=True, timeout=120)


def test_the_docs_site_builds_strictly(tmp_path):
    done = _build(PROJECT_ROOT, tmp_path / "site")
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "site" / "transforms" / "index.html").is_file()


def test_a_broken_link_fails_the_build(tmp_path):
    copy = tmp_path / "project"
    (copy / "docs").mkdir(parents=True)
    (copy / "mkdocs.yml").write_text((PROJECT_ROOT / "mkdocs.yml").read_text())
    for page in (PROJECT_ROOT / "docs").glob("*.md"):
        (copy / "docs" / page.name).write_text(page.read_text())
    with open(copy / "docs" / "index.md", "a") as index:
        index.write("\nSee [the missing page](missing.md).\n")
    done = _build(copy, tmp_path / "site")
    assert done.returncode != 0 and "missing.md" in done.stderr
