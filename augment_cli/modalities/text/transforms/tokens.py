"""Tokens and sentences that rebuild the exact source text.

`tokenize` cuts a str into word, whitespace and punctuation tokens such that
"".join(tokenize(s)) == s for every s. Word operations then move or replace
whole word tokens and leave the layout (spaces, line breaks, punctuation,
casing) where it was.

A word is a run of word characters, joined by inner apostrophes or hyphens:
"I'm", "don't", "rock'n'roll" and "well-known" are one token each. Word
characters are Python's \\w (letters and digits of any script, so accents and
CJK are words too) plus the combining marks that \\w leaves out (decomposed
accents, Indic vowel signs), so an operation never separates a mark from its
letter.

Scripts written without spaces between words (Chinese, Japanese, Thai, Lao,
Khmer, Myanmar) cannot be cut into words without a segmenter, so a run of
them is a token but not a word: word operations leave it in place, and a
Chinese line passes through them unchanged.
"""

from __future__ import annotations

import re
from functools import lru_cache

_MARKS = ("\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
          "\u06d6-\u06ed\u0900-\u0963\u0966-\u0dff\u0e31-\u0e3a\u0e47-\u0e4e\u1ab0-\u1aff"
          "\u1dc0-\u1dff\u200c\u200d\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\u3099\u309a")
_WORD_CHAR = rf"[\w{_MARKS}]"
WORD = re.compile(rf"{_WORD_CHAR}+(?:['\u2019-]{_WORD_CHAR}+)*")
TOKEN = re.compile(rf"{WORD.pattern}|\s+|.", re.DOTALL)
# A sentence ends at . ! ? ... (or their CJK forms), after any closing quotes
# or brackets, where whitespace follows and the next word does not start in
# lower case ("e.g. this", "wait... what" go on); CJK full stops need no space.
SENTENCE_END = re.compile(r"(?:[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s*$|\s+[^\sa-z])"
                          r"|[\u3002\uff01\uff1f]+)")
UNSEGMENTED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
                         "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
# Titles and abbreviations whose full stop does not end a sentence ("Dr. Smith").
ABBREVIATION = re.compile(r"(?:^|[\s(\"'])(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Mt|vs|etc|e\.g|i\.e|No|Fig|"
                          r"Inc|Ltd|Co|approx|[A-Z])$")
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


# Small caches: a file's copies tokenise the same few texts (the source and
# each step's result) again and again, but a long document must not be kept
# hundreds of times over.
@lru_cache(maxsize=32)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(TOKEN.findall(text))


def tokenize(text: str) -> list[str]:
    """Word, whitespace and single punctuation tokens; their join is `text`."""
    return list(_tokens(text))


@lru_cache(maxsize=65536)
def is_word(token: str) -> bool:
    """A token word operations may move, replace or delete."""
    return WORD.fullmatch(token) is not None and not UNSEGMENTED.search(token)


def word_slots(tokens: list[str]) -> list[int]:
    """Token indices of the words, in order."""
    return [i for i, token in enumerate(tokens) if is_word(token)]


def sentence_starts(tokens: list[str], slots: list[int]) -> set[int]:
    """Word numbers (indices into `slots`) that begin a sentence: the first
    word, and each word after a sentence end (. ! ? ..., closing quotes
    between) with only whitespace or opening quotes before it."""
    starts, ended = set(), True
    slot_of = {slot: k for k, slot in enumerate(slots)}
    for position, token in enumerate(tokens):
        if position in slot_of:
            if ended:
                starts.add(slot_of[position])
            ended = False
        elif token in ".!?\u2026\u3002\uff01\uff1f":
            ended = True
        elif not (token.isspace() or token in "\"'\u201c\u201d\u2018\u2019()[]"):
            ended = False if token not in ")]" else ended
    return starts


def words(text: str) -> list[str]:
    return list(_words(text))


@lru_cache(maxsize=32)
def _words(text: str) -> tuple[str, ...]:
    return tuple(token for token in _tokens(text) if is_word(token))


def match_case(template: str, word: str) -> str:
    """Give `word` the casing pattern of `template` (UPPER, Title or as is)."""
    if len(template) > 1 and template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def sentences(text: str) -> tuple[str, list[str], list[str], list[int]]:
    """Split `text` into lead, sentence bodies, separators, paragraph ids.

    text == lead + body0 + sep0 + body1 + sep1 + ... + body(n-1) + sep(n-1).
    Separators are the whitespace after each sentence; a separator holding a
    blank line ends a paragraph, and paragraph ids count those.
    """
    stripped = text.lstrip()
    lead, cuts, start = text[: len(text) - len(stripped)], [], len(text) - len(stripped)
    for match in SENTENCE_END.finditer(text, start):
        window = max(0, match.start() - 8)  # longest abbreviation and the space before it
        if not (match.group() == "." and ABBREVIATION.search(text, window, match.start())):
            cuts.append(match.end())
    bodies: list[str] = []
    seps: list[str] = []
    paragraphs: list[int] = []
    paragraph = 0
    for begin, end in zip([start, *cuts], [*cuts, len(text)], strict=True):
        chunk = text[begin:end]
        if not chunk.strip():  # trailing whitespace after the last sentence
            if seps:
                seps[-1] += chunk
            continue
        body = chunk.rstrip()
        leading = len(body) - len(body.lstrip())
        if leading and seps:  # whitespace before the next sentence joins the separator
            seps[-1] += body[:leading]
            if PARAGRAPH_BREAK.search(seps[-1]):
                paragraph += 1
            body = body[leading:]
        bodies.append(body)
        seps.append(chunk[len(chunk.rstrip()):])
        paragraphs.append(paragraph)
    return lead, bodies, seps, paragraphs


def count_sentences(text: str) -> int:
    return len(sentences(text)[1])
