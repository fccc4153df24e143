"""Build augment_cli/modalities/text/data/wordnet_synonyms.tsv.gz from Princeton WordNet 3.0.

    apt-get install -y wordnet-base      # Debian/Ubuntu: the WordNet 3.0 database
    python augment_cli/modalities/text/data/build_synonyms.py [WORDNET_DIR [OUT_DIR]]   # defaults below

The table maps a lower-case single word to its synonyms: the other lemmas of
the synsets of its most frequent senses (index.* lists senses in frequency
order). Rare senses are left out on purpose: "good" -> "commodity" is a
WordNet synonym, but swapping it into a review would change its meaning.
Proper nouns (capitalised lemmas) are left out too.

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
MAX_SENSES = 3            # per part of speech, most frequent first
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


def build(root: Path) -> dict[str, list[str]]:
    synsets: dict[str, list[str]] = {}
    senses: dict[str, list[tuple[int, list[str]]]] = {}
    for pos in POS:
        synsets.update({f"{pos}:{k}": v for k, v in read_synsets(root / f"data.{pos}").items()})
        for lemma, (tagged, offsets) in read_senses(root / f"index.{pos}").items():
            if KEY.match(lemma):
                senses.setdefault(lemma, []).append((tagged, [f"{pos}:{o}" for o in offsets]))
    table = {}
    for lemma, by_pos in senses.items():
        found: list[str] = []
        for offset in _common_senses(by_pos):
            found.extend(w for w in synsets[offset]
                         if w != lemma and VALUE.match(w) and w not in found)
        if found:
            table[lemma] = found[:MAX_SYNONYMS]
    return table


def _common_senses(by_pos: list[tuple[int, list[str]]]) -> list[str]:
    """The first senses of the lemma's main parts of speech.

    A part of speech whose senses are tagged in the corpus less than a third as
    often as the main one is left out ("good" is mostly an adjective, so the
    noun "goodness" is not offered), as is any with no tagged sense at all
    when another has some.
    """
    ranked = sorted(by_pos, key=lambda item: -item[0])
    top = ranked[0][0]
    # Senses never seen in the tagged corpus are rare ("phone" as a speech
    # sound): only the first sense is taken then.
    return [offset for tagged, offsets in ranked if tagged * 3 >= top
            for offset in offsets[: max(1, min(tagged, MAX_SENSES))]]


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
