"""The bundled synonym table, its licence, packaging and rebuild; stopwords."""

import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from augment_cli.modalities.text.transforms import lexicon as text_lexicon
from augment_cli.modalities.text.transforms.lexicon import is_stopword, synonyms, user_table
from paths import PROJECT_ROOT

ROOT = PROJECT_ROOT
DATA = ROOT / "augment_cli" / "modalities" / "text" / "data"
WORDNET = Path("/usr/share/wordnet")


def test_table_has_common_synonyms_and_no_stray_entries():
    table = text_lexicon.wordnet_table()
    assert 30_000 < len(table) < 100_000
    assert "film" in synonyms("movie") and "film" in synonyms("Movie")
    assert "purchase" in synonyms("buy")
    assert synonyms("xyzzyplugh") == () and synonyms("\u8fd9\u90e8") == ()
    assert all(word.isalpha() and word.islower() for word in list(table)[:2000])


def test_table_is_small_and_licence_ships_beside_it():
    assert (DATA / "wordnet_synonyms.tsv.gz").stat().st_size < 2_000_000
    licence = (DATA / "WORDNET_LICENSE").read_text(encoding="utf-8")
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in licence
    assert "Permission to use, copy, modify and distribute" in licence


def test_data_files_are_declared_as_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["augment_cli"]
    for path in DATA.iterdir():
        if path.suffix == ".py":
            continue  # the build script sits beside its output; it is not shipped data
        assert any(fnmatch(f"modalities/text/data/{path.name}", p) for p in patterns), path.name


@pytest.mark.skipif(not (WORDNET / "data.noun").is_file(), reason="wordnet-base not installed")
def test_build_script_reproduces_the_shipped_table(tmp_path):
    subprocess.run([sys.executable, str(DATA / "build_synonyms.py"), str(WORDNET),
                    str(tmp_path)], check=True, capture_output=True)
    for name in ("wordnet_synonyms.tsv.gz", "WORDNET_LICENSE"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


@pytest.mark.parametrize("word, expected", [
    ("movies", "films"), ("Movies", "films"), ("cities", "metropolises"), ("breaks", "interrupts"),
    ("purchases", "buys"), ("boxes", None),
])
def test_words_ending_in_s_use_their_base_form(word, expected):
    found = synonyms(word)
    if expected is None:
        assert all(s.endswith("s") for s in found)
    else:
        assert expected in found


def test_multiword_synonyms_are_not_given_an_s():
    assert "split up" in synonyms("break") and not any(" " in s for s in synonyms("breaks"))


def test_words_in_the_table_are_not_treated_as_plurals():
    assert synonyms("news") == tuple(s for s in text_lexicon.wordnet_table().get("news", "").split("|") if s)
    assert synonyms("glass") == synonyms("glass") and "glas" not in text_lexicon.wordnet_table()


@pytest.mark.parametrize("word", ["the", "The", "I'm", "i\u2019m", "don't", "is"])
def test_stopwords_include_contractions(word):
    assert is_stopword(word)


@pytest.mark.parametrize("word", ["movie", "battery", "great", "I"])
def test_content_words_are_not_stopwords(word):
    assert is_stopword(word) == (word == "I")


def test_user_file_overrides_extends_and_adds(tmp_path):
    path = tmp_path / "syn.txt"
    path.write_text("\ufeff# mine\n\nmovie = flick\nbuy += snap up, acquire\nGPU = graphics card\n",
                    encoding="utf-8")
    assert synonyms("movie", str(path)) == ("flick",)
    assert synonyms("buy", str(path))[:2] == ("snap up", "acquire")
    assert "purchase" in synonyms("buy", str(path))
    assert synonyms("gpu", str(path)) == ("graphics card",)
    assert set(user_table(str(path))) == {"movie", "buy", "gpu"}


@pytest.mark.parametrize("line", ["movie", "movie =", "= film", "movie == film"])
def test_user_file_bad_line_names_the_line(tmp_path, line):
    path = tmp_path / "syn.txt"
    path.write_text(f"ok = fine\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"syn.txt:2: expected"):
        user_table(str(path))
