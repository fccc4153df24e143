"""Build augment_cli/modalities/text/data/wordnet_synonyms.tsv.gz from Princeton WordNet 3.0.

    apt-get install -y wordnet-base      # Debian/Ubuntu: the WordNet 3.0 database
    python augment_cli/modalities/text/data/build_synonyms.py [WORDNET_DIR [OUT_DIR]]   # defaults below

The table maps a lower-case single word to its synonyms: the other lemmas of
the synsets of its common senses, most frequent sense first (cntlist.rev
counts how often each sense of a word was tagged in the SemCor corpus), and
within a sense single words before phrases. A sense tagged less than a third
as often as the word's most frequent one is left out, so a word whose main
sense has no other lemma gets none: "fruit" is not offered "yield", nor
"loud" "trashy", nor "good" "full" (a swap into a review would change its
meaning). A phrase that contains the word itself ("core" -> "core group") is
no synonym. Proper nouns (capitalised lemmas) are left out too.

Output: one line per word, "word<TAB>syn1|syn2|...", sorted, gzipped with a
zero timestamp so the same input always gives the same bytes. The WordNet
licence is copied beside it (its terms require the notice on all copies).
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

POS = ("noun", "verb", "adj", "adv")
# cntlist.rev's synset types: 1 noun, 2 verb, 3 adjective, 4 adverb, 5 adjective satellite
SENSE_POS = {"1": "noun", "2": "verb", "3": "adj", "4": "adv", "5": "adj"}
MAX_SENSES = 3            # per word, most frequent first
COMMON_SHARE = 1 / 3      # of the tags of the word's most frequent sense
MAX_SYNONYMS = 12         # per word, keeps the table small and the choice sane
KEY = re.compile(r"^[a-z]+$")
VALUE = re.compile(r"^[a-z]+(?:[ -][a-z]+){0,2}$")
OUT = Path(__file__).resolve().parent  # the table lives beside this script
LICENCE_HEADER = """WordNet 3.0 licence (applies to wordnet_synonyms.tsv.gz, which is derived
from the WordNet 3.0 database by augment_cli/modalities/text/data/build_synonyms.py)

"""


def read_synsets(data_file: Path) -> dict[str, list[str]]:
    """data.<pos>: synset offset -> its lemmas (underscores become spaces)."""
    synsets = {}
    for line in data_file.read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):  # the licence header
            continue
        fields = line.split()
        count = int(fields[3], 16)
        words = fields[4 : 4 + 2 * count : 2]
        # Adjective lemmas carry a syntactic marker like "(a)" or "(ip)".
        synsets[fields[0]] = [re.sub(r"\([a-z]+\)$", "", w).replace("_", " ") for w in words]
    return synsets


def read_senses(index_file: Path) -> dict[str, tuple[int, list[str]]]:
    """index.<pos>: lemma -> (tagged sense count, synset offsets, most frequent first)."""
    senses = {}
    for line in index_file.read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):
            continue
        fields = line.split()
        synset_count, pointer_count = int(fields[2]), int(fields[3])
        offsets = fields[6 + pointer_count :]
        assert len(offsets) == synset_count, line
        senses[fields[0]] = (int(fields[5 + pointer_count]), offsets)
    return senses


def read_counts(count_file: Path) -> dict[tuple[str, str, int], int]:
    """cntlist.rev: (lemma, part of speech, sense number) -> times tagged."""
    counts: dict[tuple[str, str, int], int] = {}
    for line in count_file.read_text(encoding="latin-1").splitlines():
        key, number, tagged = line.split()
        lemma, _, rest = key.partition("%")
        where = (lemma, SENSE_POS[rest[0]], int(number))
        counts[where] = counts.get(where, 0) + int(tagged)
    return counts


def build(root: Path) -> dict[str, list[str]]:
    synsets: dict[str, list[str]] = {}
    senses: dict[str, list[tuple[int, int, str]]] = {}  # lemma -> (tags, order, synset)
    counts = read_counts(root / "cntlist.rev")
    for rank, pos in enumerate(POS):
        synsets.update({f"{pos}:{k}": v for k, v in read_synsets(root / f"data.{pos}").items()})
        for lemma, (_, offsets) in read_senses(root / f"index.{pos}").items():
            if KEY.match(lemma):
                senses.setdefault(lemma, []).extend(
                    (counts.get((lemma, pos, number), 0), rank * 1000 + number, f"{pos}:{offset}")
                    for number, offset in enumerate(offsets, 1))
    table = {}
    for lemma, found_senses in senses.items():
        found = _synonyms(lemma, [synsets[offset] for offset in _common_senses(found_senses)])
        if found:
            table[lemma] = found[:MAX_SYNONYMS]
    return table


def _common_senses(found: list[tuple[int, int, str]]) -> list[str]:
    """The synsets of the lemma's common senses, most often tagged first.

    A sense tagged less than COMMON_SHARE as often as the most frequent one
    is rare for this word; with no tagged sense at all, only the first one
    WordNet lists is taken (its order is by frequency too)."""
    ranked = sorted(found, key=lambda item: (-item[0], item[1]))
    top = ranked[0][0]
    if top == 0:
        return [min(found, key=lambda item: item[1])[2]]
    return [offset for tagged, _, offset in ranked if tagged >= top * COMMON_SHARE][:MAX_SENSES]


def _synonyms(lemma: str, synsets: list[list[str]]) -> list[str]:
    """Per sense in order, single words first; no phrase holding the lemma itself."""
    found: list[str] = []
    for lemmas in synsets:
        usable = [w for w in lemmas if w != lemma and VALUE.match(w) and w not in found
                  and lemma not in re.split("[ -]", w)]
        found.extend(sorted(usable, key=lambda w: " " in w or "-" in w))
    return found


def write(table: dict[str, list[str]], out: Path) -> Path:
    lines = "".join(f"{word}\t{'|'.join(syns)}\n" for word, syns in sorted(table.items()))
    target = out / "wordnet_synonyms.tsv.gz"
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                   filename="", compresslevel=9) as packed:
        packed.write(lines.encode("utf-8"))
    return target


def copy_licence(root: Path, out: Path) -> None:
    text = (root / "data.noun").read_text(encoding="latin-1")
    notice = [re.sub(r"^\s+\d+ ?", "", line).rstrip() for line in text.splitlines()
              if line.startswith("  ")]
    (out / "WORDNET_LICENSE").write_text(LICENCE_HEADER + "\n".join(notice).strip() + "\n",
                                         encoding="utf-8")


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/wordnet")
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT
    if not (root / "data.noun").is_file():
        sys.exit(f"WordNet 3.0 database not found in {root}; apt-get install wordnet-base")
    out.mkdir(parents=True, exist_ok=True)
    table = build(root)
    target = write(table, out)
    copy_licence(root, out)
    print(f"wrote {len(table):,} words to {target} ({target.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
