"""Every shell example in README.md and docs/ that runs `augment` on a user's data (data/, train.csv,
photos/ ...) runs here, in a fresh folder holding the data the example names, and prints what the page
shows. Examples on sample_data/ are tests/test_doc_examples.py's; synopsis lines (SRC, DIR,
RECIPE.toml ...) are not commands. A new example without a setup below fails
test_every_shell_example_has_a_setup, and a setup whose example left the docs fails too."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from paths import PROJECT_ROOT

PAGES = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
SHELL_LANGUAGES = {"", "sh", "bash", "console", "shell", "yaml"}
AUGMENT_LINE = re.compile(r"^\s*(?:\$ |- run: )?(augment .*)$")
SYNOPSIS = re.compile(r"\b(SRC|DIR|RECIPE|FILE)\b|\[--")  # placeholders, optional parts
BUCKET = "s3://team-data/"  # the docs' example bucket: the test's own bucket on a local S3 server
SHOWN_TIME = re.compile(r"\b\d+(\.\d+)? s\b")


def fenced_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of every fenced code block, fences matched in order."""
    blocks, language, lines = [], None, []
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            if language is None:
                language, lines = line.strip()[3:], []
            else:
                blocks.append((language, lines))
                language = None
        elif language is not None:
            lines.append(line)
    return blocks


def example_blocks() -> list[tuple[str, list[str], list[str], bool]]:
    """(page, the block's augment command lines, its other lines, whether it is a terminal session)
    per block whose commands run on a user's data, not on sample_data/ and not a synopsis."""
    found = []
    for page in PAGES:
        for language, lines in fenced_blocks(page.read_text(encoding="utf-8")):
            if language not in SHELL_LANGUAGES:
                continue
            commands = [m[1] for line in lines if (m := AUGMENT_LINE.match(line))
                        and "sample_data/" not in m[1] and not SYNOPSIS.search(m[1])]
            if commands:
                others = [line for line in lines if not AUGMENT_LINE.match(line)]
                session = any(line.startswith("$ ") for line in lines)
                found.append((page.name, commands, others, session))
    return found


def image_classes(folder: Path, counts: dict[str, int]) -> None:
    """Class folders of small sample images: label -> that many files (cycled from sample_data)."""
    pool = sorted((PROJECT_ROOT / "sample_data" / "images").rglob("*.png"))
    for label, count in counts.items():
        (folder / label).mkdir(parents=True)
        for k in range(count):
            shutil.copyfile(pool[k % len(pool)], folder / label / f"{label}_{k:02d}.png")


def sentences(count: int) -> list[tuple[str, str]]:
    texts = sorted((PROJECT_ROOT / "sample_data" / "text").rglob("*.txt"))
    return [(texts[k % len(texts)].read_text(encoding="utf-8").strip(), texts[k % len(texts)].parent.name)
            for k in range(count)]


def write_csv_table(folder: Path) -> None:
    rows = "".join(f'"{text}",{label}\n' for text, label in sentences(6))
    (folder / "train.csv").write_text("sentence,label\n" + rows, encoding="utf-8")


def write_jsonl_splits(folder: Path) -> None:
    (folder / "data").mkdir()
    for name, count in (("train", 6), ("test", 3)):
        lines = "".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in sentences(count))
        (folder / "data" / f"{name}.jsonl").write_text(lines, encoding="utf-8")


def write_metadata_photos(folder: Path) -> None:
    image_classes(folder / "photos", {"all": 4})
    files = sorted((folder / "photos" / "all").iterdir())
    rows = "".join(f"all/{f.name},{'cat' if k % 2 else 'dog'}\n" for k, f in enumerate(files))
    (folder / "photos" / "metadata.csv").write_text("file_name,label\n" + rows, encoding="utf-8")


def write_balance_example(folder: Path) -> None:
    image_classes(folder / "data", {"cat": 10, "dog": 3})
    shutil.copyfile(PROJECT_ROOT / "recipes" / "flips.toml", folder / "r.toml")


def write_class_folders(folder: Path) -> None:
    image_classes(folder / "data", {"cat": 4, "dog": 4})
    shutil.copyfile(PROJECT_ROOT / "recipes" / "light.toml", folder / "recipe.toml")


def after_earlier_commands(folder: Path) -> None:
    """Runs on what the block's earlier commands wrote (or needs nothing)."""


def images_in_the_bucket(folder: Path) -> None:
    """s3://team-data/raw holds class folders (uploaded by the test, which has the bucket)."""
    image_classes(folder / "bucket" / "raw", {"cat": 3, "dog": 3})


# Each documented command -> what it needs in a fresh folder beside recipes/.
SETUPS: dict[str, Callable[[Path], None]] = {
    "augment expand train.csv --recipe recipes/eda.toml --copies 4 --out out-table/ --text-column sentence":
        write_csv_table,
    "augment expand data/ --recipe recipes/eda.toml --copies 4 --out out-splits/   "
    "# data/train.jsonl + data/test.jsonl": write_jsonl_splits,
    "augment expand photos/ --recipe recipes/flips.toml --copies 4 --out out-meta/   # photos/metadata.csv":
        write_metadata_photos,
    "augment expand data/ --recipe r.toml --copies 4 --balance --dry-run --out out/": write_balance_example,
    'augment expand data/ -r recipes/light.toml -n 5 -o "$RUNNER_TEMP/aug" --quiet --summary-json '
    "summary.json": write_class_folders,
    "augment expand data/ --recipe recipe.toml --copies 5 --shard ${{ matrix.shard }}/3 --out out/":
        write_class_folders,
    "augment merge out/ && augment verify out/": after_earlier_commands,
    "augment --version": after_earlier_commands,
    "augment expand s3://team-data/raw --recipe recipes/light.toml --copies 5 --out s3://team-data/aug-v3":
        images_in_the_bucket,
    "augment verify s3://team-data/aug-v3": after_earlier_commands,
    "augment stats s3://team-data/raw": after_earlier_commands,
}
BLOCKS = example_blocks()


def test_every_shell_example_has_a_setup():
    documented = {command for _, commands, _, _ in BLOCKS for command in commands}
    assert sorted(documented) == sorted(SETUPS), "a command lacks a setup here, or a setup its command"


def expanded(command: str, tmp_path: Path, bucket: str = BUCKET) -> list[list[str]]:
    """One shell line as argv lists: $RUNNER_TEMP set, the example bucket the test's own, `&&`
    split, a CI matrix's shard run 1..3."""
    line = command.replace("$RUNNER_TEMP", str(tmp_path / "runner")).replace(BUCKET, bucket)
    lines = [line.replace("${{ matrix.shard }}", str(k)) for k in (1, 2, 3)] if "${{" in line else [line]
    return [shlex.split(part, comments=True)[1:] for one in lines for part in one.split("&&")]


def jq_holds(expression: str, summary: dict) -> bool:
    """A `jq -e` filter of `.path op number` terms joined by `and`, on the summary."""
    def term(text: str) -> bool:
        path, op, number = re.fullmatch(r"\s*\.([\w.]+) (==|>|<) (\d+)\s*", text).groups()
        value = summary
        for key in path.split("."):
            value = value[key]
        return {"==": value == int(number), ">": value > int(number), "<": value < int(number)}[op]
    return all(term(part) for part in expression.split(" and "))


def check_jq_lines(others: list[str], folder: Path) -> None:
    for line in others:
        if match := re.match(r"\s*jq -e '(.*)' (\S+)$", line):
            summary = json.loads((folder / match[2]).read_text(encoding="utf-8"))
            assert jq_holds(match[1], summary), line


def check_shown_output(others: list[str], printed: str) -> None:
    """In a terminal session (`$ ` prompts), the lines shown after a command appear in what it printed
    (times aside; `...` stands for lines left out)."""
    for line in others:
        if line.strip() not in ("", "..."):
            assert SHOWN_TIME.sub("N s", line) in SHOWN_TIME.sub("N s", printed), line


@pytest.mark.parametrize("page, commands, others, session", BLOCKS,
                         ids=[f"{block[0]}: {block[1][0][:60]}" for block in BLOCKS])
def test_every_shell_example_runs_as_shown(page, commands, others, session, tmp_path, run_cli, monkeypatch,
                                          request):
    shutil.copytree(PROJECT_ROOT / "recipes", tmp_path / "recipes")
    for command in commands:
        SETUPS[command](tmp_path)
    bucket = BUCKET
    if any(BUCKET in command for command in commands):  # a local S3 server's bucket stands for it
        s3 = request.getfixturevalue("s3")
        for prefix in sorted((tmp_path / "bucket").iterdir()) if (tmp_path / "bucket").is_dir() else ():
            s3.upload(prefix, prefix.name)
        bucket = s3.url("")
    monkeypatch.chdir(tmp_path)
    printed = ""
    for command in commands:
        for words in expanded(command, tmp_path, bucket):
            result = run_cli(*words)
            assert result.exit_code == 0, f"{page}: {command}\n{result.stderr}"
            printed += result.stdout + result.stderr
    check_jq_lines(others, tmp_path)
    if session:
        check_shown_output(others, printed)
