"""`augment stats`: counts, formats, sizes, unreadable files, imbalance."""

from __future__ import annotations

import csv
import json
import wave
from pathlib import Path

import numpy as np
import pytest

from augment_cli.commands.stats import collect
from augment_cli.errors import SampleError
from augment_cli.modalities.audio.header import read_header as audio_header
from augment_cli.modalities.text.header import read_header as text_header
from conftest import save, textured


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    save(src / "cat" / "a.png", textured(40, 30, seed=1))
    save(src / "cat" / "b.jpg", textured(20, 10, seed=2), quality=90)
    for i in range(4):
        save(src / "dog" / f"d{i}.png", textured(48, 64, seed=10 + i))
    (src / "dog" / "broken.jpg").write_bytes(b"this is not a jpeg")
    (src / "dog" / "empty.png").write_bytes(b"")
    (src / "dog" / "notes.md").write_text("x")
    (src / "loose.png").write_bytes(b"")
    return src


def test_stats_json_counts_formats_sizes_and_unreadable(tree, run_cli):
    result = run_cli("stats", tree, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"] == 8
    cat, dog = data["labels"]["cat"], data["labels"]["dog"]
    assert cat["formats"] == {"JPEG": 1, "PNG": 1} and cat["modalities"] == {"image": 2}
    assert cat["image_sizes"]["min"] == [10, 20] and cat["image_sizes"]["max"] == [30, 40]
    assert dog["files"] == 6 and dog["unreadable"] == 2 and dog["formats"] == {"PNG": 4}
    assert dog["bytes"] == sum(p.stat().st_size for p in (tree / "dog").iterdir() if p.suffix != ".md")
    unreadable = {row["file"]: row["error"] for row in data["unreadable"]}
    assert unreadable == {"dog/broken.jpg": "not a readable image (unknown or corrupt format)",
                          "dog/empty.png": "empty file (0 bytes)"}
    assert data["skipped"] == {"no label folder": 1, "not a supported media type": 1}
    assert data["imbalance"] == {"largest": "dog", "smallest": "cat", "ratio": 3.0}
    assert "Warning: labels are imbalanced: 'dog' has 6 files, 'cat' 2 (ratio 3 > 1.5)" in result.stderr


def test_stats_text_goes_to_stdout_and_quiet_drops_warnings(tree, run_cli):
    result = run_cli("stats", tree, "--quiet")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].endswith(": 8 files in 2 labels")
    assert any(line.split()[:2] == ["cat", "2"] and line.endswith("image 2: JPEG 1, PNG 1; 10x20 .. 30x40")
               for line in lines)
    assert "unreadable dog/broken.jpg: not a readable image (unknown or corrupt format)" in lines


def test_balanced_tree_has_no_warning(tmp_path, run_cli):
    for label in ("a", "b"):
        for i in range(3):
            save(tmp_path / "src" / label / f"{i}.png", textured(8, 8, seed=i))
    result = run_cli("stats", tmp_path / "src")
    assert result.exit_code == 0 and "Warning" not in result.stderr
    assert collect(tmp_path / "src").imbalance() is None


def test_stats_missing_source_is_one_error_line(run_cli, tmp_path):
    result = run_cli("stats", tmp_path / "nope")
    assert result.exit_code == 2
    assert result.stderr == f"Error: source folder not found: {tmp_path / 'nope'}\n"


def test_audio_and_text_header_readers(tmp_path):
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1), handle.setsampwidth(2), handle.setframerate(8000)
        handle.writeframes((np.sin(np.arange(4000) / 5) * 2000).astype("<i2").tobytes())
    assert audio_header(path) == {"format": "WAV", "sample_rate": 8000, "channels": 1, "seconds": 0.5}
    (tmp_path / "bad.wav").write_bytes(b"RIFFnope")
    with pytest.raises(SampleError, match="not a readable audio file"):
        audio_header(tmp_path / "bad.wav")
    (tmp_path / "t.txt").write_text("three small words", encoding="utf-8")
    assert text_header(tmp_path / "t.txt") == {"format": "TXT", "words": 3}
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe bad")
    with pytest.raises(SampleError, match="UTF-16 text"):
        text_header(tmp_path / "b.txt")


def test_audio_and_text_files_add_seconds_and_words(tmp_path, run_cli):
    for i in range(2):
        path = tmp_path / "src" / "yes" / f"{i}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as handle:
            handle.setnchannels(1), handle.setsampwidth(2), handle.setframerate(8000)
            handle.writeframes(np.zeros(2000 * (i + 1), "<i2").tobytes())
    (tmp_path / "src" / "note").mkdir()
    (tmp_path / "src" / "note" / "a.txt").write_text("one two three four", encoding="utf-8")
    data = json.loads(run_cli("stats", tmp_path / "src", "--json").stdout)
    assert data["labels"]["yes"]["audio_seconds"] == 0.75 and data["labels"]["yes"]["formats"] == {"WAV": 2}
    assert data["labels"]["note"]["text_words"] == 4 and data["labels"]["note"]["modalities"] == {"text": 1}
    text = run_cli("stats", tmp_path / "src").stdout
    assert "audio 2: WAV 2; 0.75 s of audio" in text and "text 1: TXT 1; 4 words" in text


@pytest.mark.parametrize("name, payload", [
    ("nul.txt", b"some text\x00with a NUL byte"),
    ("blank.txt", b"   \n\t \n"),
    ("latin.txt", "caf\u00e9 cr\u00e8me".encode("latin-1")),
    ("huge.txt", b"word " * (2 * 2**20 + 1)),  # just over the 10 MiB limit
])
def test_stats_refuses_exactly_the_text_files_expand_refuses(tmp_path, run_cli, write_recipe, name, payload):
    (tmp_path / "src" / "doc").mkdir(parents=True)
    (tmp_path / "src" / "doc" / name).write_bytes(payload)
    (tmp_path / "src" / "doc" / "fine.txt").write_text("a perfectly good sentence here", encoding="utf-8")
    data = json.loads(run_cli("stats", tmp_path / "src", "--json").stdout)
    recipe = write_recipe('[[text]]\ntransform = "random_swap"\n')
    expanded = run_cli("expand", tmp_path / "src", "-r", recipe, "--copies", 1, "--out", tmp_path / "out")
    assert expanded.exit_code == 1
    with open(tmp_path / "out" / "errors.csv", newline="", encoding="utf-8") as handle:
        refused_by_expand = [(row["source"], row["error"]) for row in csv.DictReader(handle)]
    # the same file, for the codec's own reason, word for word
    assert [(row["file"], row["error"]) for row in data["unreadable"]] == refused_by_expand
