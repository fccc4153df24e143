"""A stand-in machine translator for tests: argv = SRC TGT COUNT_FILE.

Reads lines on stdin, writes one "translation" per line on stdout, like the
command backend expects. en->xx swaps a few words for pivot words; xx->en
maps them back to (different) English words, so the round trip paraphrases.
Each run appends one line to COUNT_FILE so tests can count invocations.
"""

import re
import sys

TO_PIVOT = {"good": "gut", "movie": "Film", "great": "toll", "bad": "schlecht"}
FROM_PIVOT = {"gut": "fine", "Film": "film", "toll": "terrific", "schlecht": "poor"}

src, tgt, count_file = sys.argv[1:4]
with open(count_file, "a", encoding="utf-8") as handle:
    handle.write(f"{src}->{tgt}\n")
table = TO_PIVOT if src == "en" else FROM_PIVOT
for line in sys.stdin.read().split("\n")[:-1]:
    print(re.sub(r"[\w']+", lambda word: table.get(word.group(), word.group()), line))
