"""Offline English lexicon: stopwords and the bundled WordNet synonym table.

The table (data/wordnet_synonyms.tsv.gz, built by augment_cli/modalities/text/data/build_synonyms.py
from Princeton WordNet 3.0; licence in data/WORDNET_LICENSE) is loaded once
per process on first use. Lines stay unsplit strings until a word is looked
up, which keeps the load to a few tens of milliseconds.

A recipe may add a user synonym file (domain vocabulary), UTF-8, one entry
per line:

    # comments and blank lines are ignored
    gpu = graphics card, graphics processor     # replaces the WordNet entry
    movie += feature film                       # adds to the WordNet entry
"""

from __future__ import annotations

import gzip
import os
import re
from functools import lru_cache
from pathlib import Path

from augment_cli.inputs import MAX_SIDE_FILE_BYTES, read_bounded
from augment_cli.storage import is_url

TABLE_PATH = Path(__file__).resolve().parent.parent / "data" / "wordnet_synonyms.tsv.gz"
USER_LINE = re.compile(r"^\s*([^=+#\s][^=+#]*?)\s*(\+?=)\s*([^#=]*?)\s*(?:#.*)?$")

# Function words that carry little meaning but much grammar; EDA steps leave
# them alone by default so sentences stay readable. Contractions of them are
# included so "I'm" and "don't" are treated like "I" and "do", and so are
# negations: deleting or moving "never" can flip a sentiment label.
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves
i'm i've i'll i'd you're you've you'll you'd he's she's it's we're we've we'll we'd they're
they've they'll they'd that's there's what's who's let's isn't aren't wasn't weren't hasn't
haven't hadn't doesn't don't didn't won't wouldn't can't cannot couldn't shouldn't mustn't
never nothing nobody none neither nowhere without
""".split())


def is_stopword(word: str) -> bool:
    return word.lower().replace("\u2019", "'") in STOPWORDS


@lru_cache(maxsize=1)
def wordnet_table() -> dict[str, str]:
    """word -> "syn1|syn2|..." (split lazily by `synonyms`)."""
    with gzip.open(TABLE_PATH, "rt", encoding="utf-8") as handle:
        return dict(line.rstrip("\n").split("\t", 1) for line in handle)


def user_table(path: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Parse a user synonym file: word -> ("=" or "+=", synonyms).

    Raises ValueError naming the line for anything it cannot read, and for a
    path that is not a regular file or is over MAX_SIDE_FILE_BYTES. Cached per
    version of the file (see `file_version`): one process may run twice
    around an edit of it (api.expand, --workers 1).
    """
    return _user_table(path, file_version(path))


def file_version(path: str) -> tuple[int, int] | None:
    """Size and mtime of a file (a URL's: as the recipe check listed it), the key of caches of
    what it holds."""
    if is_url(path):
        from augment_cli.storage.sidefiles import version_of

        return version_of(path)
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


@lru_cache(maxsize=8)
def _user_table(path: str, version: tuple[int, int] | None) -> dict[str, tuple[str, tuple[str, ...]]]:
    entries = {}
    try:
        lines = _read_user_file(path).decode("utf-8-sig").splitlines()
    except (OSError, ValueError) as exc:  # a FIFO or /dev/zero is refused, not read forever
        raise ValueError(f"cannot read synonym file {path}: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = USER_LINE.match(line)
        synonyms = tuple(s.strip() for s in match.group(3).split(",") if s.strip()) if match else ()
        if not match or not synonyms:
            raise ValueError(f"{path}:{number}: expected 'word = synonym, synonym' "
                             f"or 'word += synonym', got {line.strip()!r}")
        entries[match.group(1).lower()] = (match.group(2), synonyms)
    return entries


def _read_user_file(path: str) -> bytes:
    if is_url(path):  # in object storage (storage/sidefiles.py): one bounded GET
        from augment_cli.storage.sidefiles import read

        return read(path, MAX_SIDE_FILE_BYTES)
    return read_bounded(path, MAX_SIDE_FILE_BYTES)


def synonyms(word: str, user_path: str = "") -> tuple[str, ...]:
    """Synonyms of `word` (case-insensitive), user entries first; () if unknown.

    The table holds base forms. A word ending in -s that is not in it
    ("movies", "breaks") is looked up by its base form and its one-word
    synonyms get the same -s ending ("films", "interrupts"), so plurals and
    third persons are covered. Multi-word synonyms are left out there: where
    the -s goes depends on the phrase ("motion pictures", "splits up").
    """
    return _synonyms(word, user_path, file_version(user_path) if user_path else None)


@lru_cache(maxsize=65536)
def _synonyms(word: str, user_path: str, version: tuple[int, int] | None) -> tuple[str, ...]:
    key = word.lower()
    found = _entry(key, user_path)
    if not found:
        base = next((b for b in _base_forms(key) if _entry(b, user_path)), None)
        found = tuple(_add_s(s) for s in _entry(base, user_path) if " " not in s) if base else ()
    return tuple(s for s in found if s.lower() != key)


def _entry(key: str, user_path: str) -> tuple[str, ...]:
    found = tuple(s for s in wordnet_table().get(key, "").split("|") if s)
    if user_path:
        mode, extra = user_table(user_path).get(key, ("+=", ()))
        found = extra if mode == "=" else extra + tuple(s for s in found if s not in extra)
    return found


def _base_forms(word: str) -> list[str]:
    """Candidate base forms of a word ending in -s, most specific first."""
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return []
    forms = [word[:-3] + "y"] if word.endswith("ies") else []
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        forms.append(word[:-2])
    return forms + [word[:-1]]


def _add_s(phrase: str) -> str:
    """Regular -s ending on the last word: film -> films, box -> boxes, city -> cities."""
    if phrase.endswith(("s", "x", "z", "ch", "sh")):
        return phrase + "es"
    if phrase.endswith("y") and phrase[-2:-1] not in ("a", "e", "i", "o", "u"):
        return phrase[:-1] + "ies"
    return phrase + "s"
