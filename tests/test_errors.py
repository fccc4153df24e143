"""errors.py: what a user sees of a name is one printable line."""

from __future__ import annotations

import pytest

from augment_cli.errors import printable


@pytest.mark.parametrize(("raw", "shown"), [
    ("plain name.png", "plain name.png"),
    ("a\rb\nc\td", "a\\rb\\nc\\td"),
    ("esc\x1b[31m", "esc\\x1b[31m"),
    ("del\x7f c1\x85", "del\\x7f c1\\x85"),
    ("line\u2028para\u2029", "line\\u2028para\\u2029"),
    ("bad\udcff.png", "bad\\xff.png"),   # an undecodable byte, as os.fsdecode hands it over
    ("caf\u00e9 \u732b", "caf\u00e9 \u732b"),  # letters of any script stay as they are
])
def test_printable_escapes_controls_and_undecodable_bytes(raw, shown):
    assert printable(raw) == shown
