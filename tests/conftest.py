"""Shared fixtures: small labelled trees built in tmp_path, recipes, CLI runner."""

from __future__ import annotations

import signal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from augment_cli.cli import app

# The object-storage tests' S3 server and bucket (tests/storage/); started only when a test asks.
from storage_helpers import s3, s3_endpoint  # noqa: F401, E402

# A shell without job control starts background commands (`.ci/run &`, nohup) with SIGINT
# ignored, and every process inherits that: the Ctrl-C tests' runs would then never see their
# signal. The interrupt tests are about augment, not about how the suite was started, so the
# suite takes Python's own handler back (child processes then start with the default one).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

FLIPS = """
[[image]]
transform = "hflip"
p = 0.5

[[image]]
transform = "rotate"
angle_deg = [-20, 20]
p = 0.7
"""


def textured(height: int = 48, width: int = 64, channels: int = 3, seed: int = 0) -> np.ndarray:
    """A smooth, asymmetric test image: flips and rotations visibly change it."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = (x * 3 + y * 2 + rng.integers(0, 40)) % 256
    planes = [(base + 50 * c) % 256 for c in range(channels)]
    return np.stack(planes, axis=-1).astype(np.uint8) if channels > 1 else base.astype(np.uint8)


def save(path: Path, pixels: np.ndarray, **options) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path, **options)
    return path


@pytest.fixture
def image_tree(tmp_path: Path) -> Path:
    """src/<cat|dog>/... with JPEG, PNG, RGBA, grayscale and a sub-folder."""
    src = tmp_path / "src"
    save(src / "cat" / "a.jpg", textured(seed=1), quality=95)
    save(src / "cat" / "b.png", textured(seed=2))
    save(src / "cat" / "deep" / "c.png", textured(channels=4, seed=3))
    save(src / "dog" / "d.jpg", textured(seed=4), quality=95)
    save(src / "dog" / "e.png", textured(channels=1, seed=5))
    return src


@pytest.fixture
def write_recipe(tmp_path: Path):
    def write(text: str = FLIPS, name: str = "recipe.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def _cli_runner():
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def run_cli():
    return _cli_runner()


@pytest.fixture(scope="module")
def run_cli_module():
    """run_cli for module-scoped fixtures."""
    return _cli_runner()


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root (relative path -> bytes), for byte-for-byte comparisons;
    without the run's bookkeeping (lock holder, the SQLite index's page layout),
    which is not an output."""
    from augment_cli.outdir.index import INDEX_FILES
    from augment_cli.outdir.lock import LOCK_NAME

    internal = {LOCK_NAME, *INDEX_FILES}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in internal}
