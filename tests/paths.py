"""Where the tests find the project's own files, wherever a test module sits."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
PROJECT_ROOT = TESTS.parent
ASSETS = TESTS / "assets"
