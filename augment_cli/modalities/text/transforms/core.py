"""Text transforms: parameters, samplers and docs (registered in the table).

Samplers make every random choice (positions, replacement words, edits) and
return it as JSON-safe params; the appliers in `text_ops.py` only carry them
out. The word operations follow EDA (Wei & Zou 2019, "EDA: Easy Data
Augmentation Techniques for Boosting Performance on Text Classification"):
the number of words changed is alpha x the number of words (at least one),
and stopwords are left alone unless protect_stopwords = false.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from augment_cli.modalities.text.transforms import noise as text_noise
from augment_cli.modalities.text.transforms.lexicon import is_stopword, synonyms, user_table
from augment_cli.modalities.text.transforms.tokens import count_sentences, match_case, sentences, words
from augment_cli.modalities.text.transforms.translate import BACKENDS, backend_params, cache_key, check_step
from augment_cli.registry import Param, register

OPS = "augment_cli.modalities.text.transforms.core_ops"

ALPHA = Param("alpha", "float", 0.1, bounds=(0, 1),
              help="fraction of the words changed (EDA's alpha); at least one word when > 0")
PROTECT = Param("protect_stopwords", "bool", True, ranged=False,
                help="leave function words (the, is, I'm, ...) untouched")
SYNONYMS = Param("synonyms", "path", "", ranged=False,
                 help="user synonym file (relative to the recipe) extending the WordNet table")


def meta(text: str) -> dict[str, Any]:
    """Counts, plus the text itself: word samplers pick words from it."""
    word_count, sentence_count = _counts(text)
    return {"words": word_count, "chars": len(text), "sentences": sentence_count, "text": text}


@lru_cache(maxsize=32)
def _counts(text: str) -> tuple[int, int]:
    """Every copy of a file asks again; counting once per text is enough."""
    return len(words(text)), count_sentences(text)


def check_synonyms(values: dict[str, Any]) -> tuple[str, str] | None:
    if values["synonyms"]:
        try:
            user_table(values["synonyms"])
        except ValueError as exc:
            return "synonyms", str(exc)
    return None


@register("synonym_replace", modality="text", apply=f"{OPS}:synonym_replace",
          params=(ALPHA, PROTECT, SYNONYMS), check=check_synonyms)
def synonym_replace(rng, drawn, meta):
    """Replace alpha of the words by a WordNet (or user) synonym; unknown words are skipped."""
    found = words(meta["text"])
    candidates = _candidates(found, drawn, need_synonyms=True)
    count = min(_count(drawn["alpha"], len(found)), len(candidates))
    replace = []
    for index in sorted(_pick(rng, candidates, count)):
        new = match_case(found[index], choose_synonym(rng, synonyms(found[index], drawn["synonyms"])))
        replace.append([index, found[index], new])
    return {"alpha": drawn["alpha"], "replace": replace}


@register("random_insert", modality="text", apply=f"{OPS}:random_insert",
          params=(ALPHA, PROTECT, SYNONYMS), check=check_synonyms)
def random_insert(rng, drawn, meta):
    """Insert synonyms of the text's words at random places, alpha of the word count."""
    found = words(meta["text"])
    candidates = _candidates(found, drawn, need_synonyms=True)
    inserts, size = [], len(found)
    for _ in range(_count(drawn["alpha"], len(found)) if candidates else 0):
        source = found[candidates[int(rng.integers(len(candidates)))]]
        word = choose_synonym(rng, synonyms(source, drawn["synonyms"]))
        inserts.append([int(rng.integers(size + 1)), word])
        size += len(words(word))
    return {"alpha": drawn["alpha"], "insert": inserts}


@register("random_swap", modality="text", apply=f"{OPS}:random_swap", params=(ALPHA, PROTECT))
def random_swap(rng, drawn, meta):
    """Swap two words, alpha x word count times; punctuation and spacing stay in place."""
    found = words(meta["text"])
    candidates = _candidates(found, drawn, need_synonyms=False)
    swaps = []
    for _ in range(_count(drawn["alpha"], len(found)) if len(candidates) > 1 else 0):
        i, j = (int(k) for k in rng.choice(len(candidates), size=2, replace=False))
        swaps.append([candidates[i], candidates[j]])
    return {"alpha": drawn["alpha"], "swaps": swaps}


@register("random_delete", modality="text", apply=f"{OPS}:random_delete", params=(ALPHA, PROTECT))
def random_delete(rng, drawn, meta):
    """Delete alpha of the words (one space with each); a content word (at least a word) always stays."""
    found = words(meta["text"])
    candidates = _candidates(found, drawn, need_synonyms=False)
    count = min(_count(drawn["alpha"], len(found)), len(candidates), max(len(found) - 1, 0))
    picked = _content_word_kept(rng, found, sorted(_pick(rng, candidates, count)))
    delete = [[i, found[i]] for i in picked]
    return {"alpha": drawn["alpha"], "delete": delete}


@register("sentence_shuffle", modality="text", apply=f"{OPS}:sentence_shuffle", params=(
    Param("keep_first", "bool", False, ranged=False,
          help="keep the first sentence of each paragraph in place"),
))
def sentence_shuffle(rng, drawn, meta):
    """Reorder the sentences within each paragraph (blank-line separated)."""
    _, bodies, _, paragraphs = sentences(meta["text"])
    order = list(range(len(bodies)))
    by_paragraph: dict[int, list[int]] = {}  # one pass: a scan per paragraph was quadratic
    for place, paragraph in enumerate(paragraphs):
        by_paragraph.setdefault(paragraph, []).append(place)
    for paragraph in sorted(by_paragraph):
        places = by_paragraph[paragraph]
        movable = places[1:] if drawn["keep_first"] else places
        for place, k in zip(movable, rng.permutation(movable), strict=True):
            order[place] = int(k)
    return {"keep_first": drawn["keep_first"], "order": order}


@register("char_noise", modality="text", apply=f"{OPS}:char_noise", check=text_noise.check_kinds,
          params=(
    Param("rate", "float", (0.02, 0.05), bounds=(0, 0.5),
          help="fraction of the eligible letters (ASCII letters of words) edited"),
    Param("keyboard", "bool", True, ranged=False, help="typos: a QWERTY neighbour key"),
    Param("ocr", "bool", True, ranged=False, help="OCR confusions: l/1, rn/m, O/0, e/c, ..."),
    Param("swap", "bool", True, ranged=False, help="two adjacent letters exchanged"),
    PROTECT,
))
def char_noise(rng, drawn, meta):
    """Character-level noise: keyboard typos, OCR confusions and letter swaps at a rate."""
    return {"rate": drawn["rate"], "edits": text_noise.sample_edits(rng, meta["text"], drawn)}


@register("back_translate", modality="text", fixed=True, apply=f"{OPS}:back_translate", check=check_step,
          params=(
    Param("backend", "choice", "", choices=BACKENDS,
          help="translation backend; required (see README: back_translate setup)"),
    Param("command", "str", "", help="for backend command: program reading lines on stdin, "
                                     "{src} and {tgt} replaced by language codes"),
    Param("model_dir", "path", "", help="for backend ctranslate2: model folder source -> pivot"),
    Param("back_model_dir", "path", "",
          help="for backend ctranslate2: model folder pivot -> source"),
    Param("model", "str", "", help="name of the model(s) behind the backend; in the manifest "
                                   "and the cache key"),
    Param("source", "str", "en", help="language code of the texts"),
    Param("pivot", "str", "de", help="language code translated to and back from"),
    Param("timeout_s", "float", 300.0, bounds=(1, 86400), ranged=False,
          help="seconds one translation call may take"),
))
def back_translate(rng, drawn, meta):
    """Paraphrase by translating to a pivot language and back (local backend, cached)."""
    params = backend_params(drawn)
    params["key"] = cache_key(meta["text"], params)
    return params


def choose_synonym(rng, options: tuple[str, ...]) -> str:
    """One of a word's synonyms: a single word when there is one (a phrase
    reads oddly in its place), earlier ones likelier. The table lists the most
    frequent sense first (data/build_synonyms.py), so the weight 1/rank
    favours the sense the word most often has."""
    single = [word for word in options if " " not in word]
    pool = single or list(options)
    weights = [1 / rank for rank in range(1, len(pool) + 1)]
    total = sum(weights)
    return pool[int(rng.choice(len(pool), p=[w / total for w in weights]))]


def _content_word_kept(rng, found: list[str], picked: list[int]) -> list[int]:
    """`picked` less one content word when it would delete them all: a text
    left with function words only ("what is") has lost its meaning."""
    content = [i for i, word in enumerate(found) if not is_stopword(word)]
    if not content or not set(content) <= set(picked):
        return picked
    survivor = content[int(rng.integers(len(content)))]
    return [i for i in picked if i != survivor]


def _count(alpha: float, total: int) -> int:
    """EDA's n = alpha x words, at least 1 when alpha > 0 and there are words."""
    return 0 if alpha <= 0 or total == 0 else max(1, round(alpha * total))


def _candidates(found: list[str], drawn: dict[str, Any], *, need_synonyms: bool) -> list[int]:
    """Indices of the words an operation may touch."""
    return list(_eligible(tuple(found), drawn["protect_stopwords"],
                          drawn["synonyms"] if need_synonyms else None))


@lru_cache(maxsize=32)
def _eligible(found: tuple[str, ...], protect: bool, user: str | None) -> tuple[int, ...]:
    return tuple(i for i, word in enumerate(found)
                 if not (protect and is_stopword(word))
                 and (user is None or synonyms(word, user)))


def _pick(rng, candidates: list[int], count: int) -> list[int]:
    if count <= 0:
        return []
    return [candidates[int(k)] for k in rng.choice(len(candidates), size=count, replace=False)]
