"""Properties of each text transform that fail when it does the wrong thing."""

from collections import Counter

import pytest

from augment_cli.errors import SampleError
from augment_cli.modalities.text.transforms import core_ops as text_ops
from augment_cli.modalities.text.transforms.lexicon import is_stopword, synonyms
from augment_cli.modalities.text.transforms.tokens import sentences, words
from text_helpers import run, sample

REVIEW = ("I'm really happy with this phone. The battery lasts two full days, and the screen "
          "is bright and sharp.\n\nShipping was quick! I'd buy it again from this seller.\n")
LONG = " ".join(["The quick brown fox jumps over the lazy dog near a quiet river bank."] * 10)
CJK = "\u8fd9\u90e8\u7535\u5f71\u5f88\u597d\u770b\uff0c\u6211\u975e\u5e38\u559c\u6b22\u3002\n"
SEEDS = range(20)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_swap_keeps_the_multiset_of_words_and_the_layout(seed):
    out, params = run("random_swap", REVIEW, seed, alpha=0.3)
    assert params["swaps"]
    # The same words; a sentence's first word may change case with its place.
    assert Counter(map(str.lower, words(out))) == Counter(map(str.lower, words(REVIEW)))
    assert out != REVIEW or all(words(REVIEW)[i] == words(REVIEW)[j] for i, j in params["swaps"])
    assert layout(out) == layout(REVIEW)  # punctuation and spacing did not move


def layout(text):
    return [c for c in text if not c.isalnum() and c != "'"]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_swap_protects_stopwords_by_default(seed):
    out, _ = run("random_swap", REVIEW, seed, alpha=0.5)
    before, after = words(REVIEW), words(out)
    for i, word in enumerate(before):
        if is_stopword(word):
            assert after[i] == word


@pytest.mark.parametrize("alpha", [0.1, 0.2, 0.5])
def test_random_delete_removes_about_alpha_of_the_words(alpha):
    total = len(words(LONG))
    for seed in SEEDS:
        out, _ = run("random_delete", LONG, seed, alpha=alpha, protect_stopwords=False)
        assert len(words(out)) == total - round(alpha * total)
        assert "  " not in out  # each deleted word took one space with it


@pytest.mark.parametrize("text", ["Wonderful!", "Great movie", "one", "Really really good."])
def test_random_delete_never_returns_empty_text(text):
    for seed in SEEDS:
        out, _ = run("random_delete", text, seed, alpha=1.0, protect_stopwords=False)
        assert words(out)


def test_random_delete_keeps_the_other_words_in_order():
    out, params = run("random_delete", REVIEW, 3, alpha=0.2)
    deleted = {index for index, _ in params["delete"]}
    assert words(out) == [w for i, w in enumerate(words(REVIEW)) if i not in deleted]
    assert not any(is_stopword(word) for _, word in params["delete"])


@pytest.mark.parametrize("seed", SEEDS)
def test_synonym_replace_uses_table_words_and_never_touches_stopwords(seed):
    out, params = run("synonym_replace", REVIEW, seed, alpha=0.5)
    assert params["replace"]
    before, after = words(REVIEW), words(out)
    replaced = {index: new for index, _, new in params["replace"]}
    for _, old, new in params["replace"]:
        assert not is_stopword(old)
        assert new.lower() in synonyms(old)
    unchanged = [w for i, w in enumerate(before) if i not in replaced]
    assert all(w in after for w in unchanged)
    assert out.replace("\n", "") != REVIEW.replace("\n", "")


def test_synonym_replace_keeps_capitals():
    out, params = run("synonym_replace", "Movie night.", 0, alpha=1.0)
    assert params["replace"][0][1] == "Movie" and out[0].isupper()


def test_random_insert_adds_synonyms_of_the_texts_words():
    out, params = run("random_insert", LONG, 1, alpha=0.1)
    assert len(params["insert"]) == round(0.1 * len(words(LONG)))
    sources = [w for w in set(words(LONG)) if not is_stopword(w)]
    for _, word in params["insert"]:
        assert any(word in synonyms(source) for source in sources)
    added = Counter(words(out)) - Counter(words(LONG))
    assert sum(added.values()) == sum(len(words(w)) for _, w in params["insert"])


@pytest.mark.parametrize("seed", SEEDS)
def test_sentence_shuffle_keeps_every_sentence_exactly_once(seed):
    text = "One here. Two here! Three here? Four here.\n\nFive here. Six here.\n"
    out, _ = run("sentence_shuffle", text, seed)
    _, before, _, _ = sentences(text)
    _, after, _, paragraphs = sentences(out)
    assert Counter(after) == Counter(before)
    assert set(after[:4]) == set(before[:4])  # sentences stay in their paragraph
    assert paragraphs == [0, 0, 0, 0, 1, 1]


def test_sentence_shuffle_changes_the_order_and_keep_first_holds():
    text = "A one. B two. C three. D four. E five."
    orders = {tuple(sample("sentence_shuffle", text, s)["order"]) for s in SEEDS}
    assert len(orders) > 5
    for seed in SEEDS:
        out, _ = run("sentence_shuffle", text, seed, keep_first=True)
        assert out.startswith("A one. ")


def test_char_noise_edits_about_rate_of_the_letters():
    out, params = run("char_noise", LONG, 0, rate=0.05, protect_stopwords=False)
    letters = sum(c.isalpha() for c in LONG)
    assert abs(len(params["edits"]) - 0.05 * letters) <= 0.05 * letters * 0.3
    assert out != LONG and len(out) - len(LONG) < len(params["edits"])
    for offset, old, new in params["edits"]:
        assert LONG[offset:offset + len(old)] == old and old != new


@pytest.mark.parametrize("kind", ["keyboard", "ocr", "swap"])
def test_char_noise_kinds_each_do_their_own_edit(kind):
    only = {k: k == kind for k in ("keyboard", "ocr", "swap")}
    _, params = run("char_noise", LONG, 2, rate=0.1, **only)
    for _, old, new in params["edits"]:
        if kind == "swap":
            assert new == old[::-1] and len(old) == 2
        elif kind == "keyboard":
            assert len(old) == len(new) == 1 and old.lower() != new.lower()
        else:
            assert (old, new) in text_ops_ocr_pairs()


def text_ops_ocr_pairs():
    from augment_cli.modalities.text.transforms.noise import OCR_CONFUSIONS
    return set(OCR_CONFUSIONS.items())


ALL_WORD_STEPS = [
    ("synonym_replace", {"alpha": 0.5}), ("random_insert", {"alpha": 0.5}),
    ("random_swap", {"alpha": 0.5}), ("random_delete", {"alpha": 0.5}),
    ("sentence_shuffle", {}), ("char_noise", {"rate": 0.3}),
]


@pytest.mark.parametrize("name, values", ALL_WORD_STEPS)
def test_im_survives_every_transform(name, values):
    text = "I'm sure this works. I'm happy, honestly."
    for seed in SEEDS:
        out, _ = run(name, text, seed, **values)
        assert out.count("I'm") == text.count("I'm") or name == "random_insert"
        assert "I'm" in out and "I m" not in out and "I ' m" not in out


@pytest.mark.parametrize("name, values", ALL_WORD_STEPS)
def test_cjk_line_passes_through_unharmed(name, values):
    for seed in SEEDS[:5]:
        out, _ = run(name, CJK, seed, **values)
        assert out == CJK


def test_accented_words_survive_char_noise_and_swaps():
    text = "Tr\u00e8s bon caf\u00e9, na\u00efve cr\u00e8me br\u00fbl\u00e9e."
    for seed in SEEDS:
        out, _ = run("char_noise", text, seed, rate=0.3)
        for accented in ("\u00e8", "\u00e9", "\u00ef", "\u00fb"):
            assert out.count(accented) == text.count(accented)
        out, _ = run("random_swap", text, seed, alpha=0.5)
        assert Counter(map(str.lower, words(out))) == Counter(map(str.lower, words(text)))


def test_appliers_refuse_a_changed_source():
    params = sample("synonym_replace", REVIEW, 0, alpha=0.5)
    with pytest.raises(SampleError, match="differs"):
        text_ops.synonym_replace(REVIEW.replace("phone", "tablet").replace("battery", "cell"),
                                 params)


@pytest.mark.parametrize("protect", [True, False])
def test_random_delete_keeps_a_content_word(protect):
    for text in ("what is phenylalanine\n", "Who is the author of it ?\n", "why not\n"):
        content = [w for w in words(text) if not is_stopword(w)]
        for seed in SEEDS:
            out, _ = run("random_delete", text, seed, alpha=1.0, protect_stopwords=protect)
            assert words(out)
            assert not content or any(not is_stopword(w) for w in words(out)), (text, seed, out)


def test_swapping_a_sentence_start_refits_its_casing():
    assert text_ops.random_swap("What is phenylalanine?", {"swaps": [[0, 2]]}) == "Phenylalanine is what?"
    # A name keeps its capital off the sentence start; after "e.g." no sentence starts.
    assert text_ops.random_swap("Paris is big.", {"swaps": [[0, 2]]}) == "Big is Paris."
    assert text_ops.random_swap("It works. What now", {"swaps": [[1, 2]]}) == "It what. Works now"
    assert text_ops.random_swap("see e.g. this one", {"swaps": [[3, 4]]}) == "see e.g. one this"


@pytest.mark.parametrize("word, wrong", [("fruit", "yield"), ("loud", "trashy"), ("core", "core group"),
                                         ("good", "full"), ("big", "bad")])
def test_synonyms_come_from_the_words_common_senses(word, wrong):
    assert wrong not in synonyms(word)


def test_synonyms_are_ordered_by_sense_frequency_and_single_words_are_picked():
    assert synonyms("movie")[0] == "film" and synonyms("car")[0] == "auto"
    picked = Counter(run("synonym_replace", "Movie night\n", seed, alpha=1.0)[0].split()[0]
                     for seed in SEEDS)
    assert all(" " not in word and word[0].isupper() for word in picked)
    assert picked.most_common(1)[0][0] == "Film"


# The transforms these tests pin down (tests/test_registry.py fails while a
# registered transform is named in no module's BEHAVIOUR).
BEHAVIOUR = {
    "text/char_noise": (test_char_noise_edits_about_rate_of_the_letters,
                        test_char_noise_kinds_each_do_their_own_edit),
    "text/random_delete": (test_random_delete_removes_about_alpha_of_the_words,
                           test_random_delete_never_returns_empty_text,
                           test_random_delete_keeps_the_other_words_in_order,
                           test_random_delete_keeps_a_content_word),
    "text/random_insert": test_random_insert_adds_synonyms_of_the_texts_words,
    "text/random_swap": (test_random_swap_keeps_the_multiset_of_words_and_the_layout,
                         test_random_swap_protects_stopwords_by_default,
                         test_swapping_a_sentence_start_refits_its_casing),
    "text/sentence_shuffle": (test_sentence_shuffle_keeps_every_sentence_exactly_once,
                              test_sentence_shuffle_changes_the_order_and_keep_first_holds),
    "text/synonym_replace": (test_synonym_replace_uses_table_words_and_never_touches_stopwords,
                             test_synonym_replace_keeps_capitals,
                             test_synonyms_are_ordered_by_sense_frequency_and_single_words_are_picked),
}
