"""Tokens rebuild the exact text; sentences split where a reader would."""

import pytest

from augment_cli.modalities.text.transforms.tokens import match_case, sentences, tokenize, words

TEXTS = [
    "I'm sure it's fine, isn't it?",
    "  Leading and trailing spaces  \n\n",
    "Tabs\tand\nnew lines\r\nstay.",
    "Caf\u00e9 cre\u0300me \u2014 na\u00efve r\u00e9sum\u00e9!",
    "\u8fd9\u90e8\u7535\u5f71\u5f88\u597d\u3002\u6211\u559c\u6b22\u3002",
    "\u0939\u093f\u0928\u094d\u0926\u0940 \u092d\u093e\u0937\u093e",
    "emoji \U0001f44d\U0001f3fd and well-known rock'n'roll, \u201cquoted\u201d.",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_join_of_tokens_is_the_text(text):
    assert "".join(tokenize(text)) == text


def test_contractions_and_hyphenated_words_are_one_word():
    assert words("I'm sure it\u2019s well-known. Don't!") == [
        "I'm", "sure", "it\u2019s", "well-known", "Don't"]


def test_punctuation_is_not_part_of_words():
    assert words("Hello, world! (yes)") == ["Hello", "world", "yes"]


def test_combining_marks_stay_with_their_letters():
    assert words("cre\u0300me \u0939\u093f\u0928\u094d\u0926\u0940") == [
        "cre\u0300me", "\u0939\u093f\u0928\u094d\u0926\u0940"]


def test_sentences_rebuild_the_text_and_count_paragraphs():
    text = "  First one. Second one!\n\nThird? Fourth \u2026 still fourth\n"
    lead, bodies, seps, paragraphs = sentences(text)
    assert lead + "".join(b + s for b, s in zip(bodies, seps, strict=True)) == text
    assert bodies == ["First one.", "Second one!", "Third?", "Fourth \u2026 still fourth"]
    assert paragraphs == [0, 0, 1, 1]


def test_cjk_sentences_split_without_spaces():
    _, bodies, _, _ = sentences("\u4f60\u597d\u3002\u518d\u89c1\uff01")
    assert bodies == ["\u4f60\u597d\u3002", "\u518d\u89c1\uff01"]


@pytest.mark.parametrize("template, word, expected", [
    ("Movie", "film", "Film"), ("MOVIE", "film", "FILM"), ("movie", "film", "film"),
    ("A", "film", "Film"),
])
def test_match_case(template, word, expected):
    assert match_case(template, word) == expected


def test_titles_and_initials_do_not_end_sentences():
    _, bodies, _, _ = sentences("Dr. Smith met J. Doe. They talked (e.g. about Mr. Lee). Fine!")
    assert bodies == ["Dr. Smith met J. Doe.", "They talked (e.g. about Mr. Lee).", "Fine!"]
