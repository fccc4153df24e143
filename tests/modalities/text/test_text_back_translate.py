"""back_translate with the command backend: round trip, cache, manifest, errors."""

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from augment_cli import api
from augment_cli.cli import app
from augment_cli.modalities.text import codec as text_codec
from augment_cli.outdir.manifest import read_manifest
from augment_cli.recipe import OutputOptions
from augment_cli.run import steps as pipeline
from paths import ASSETS

TRANSLATOR = ASSETS / "fake_translator.py"
GOOD = "A good movie.\n\n  I'm sure it was great!\n"
PARAPHRASE = "A fine film.\n\n  I'm sure it was terrific!\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv("AUGMENT_CACHE_DIR", str(path))
    return path


def write_recipe(tmp_path: Path, body: str) -> Path:
    recipe = tmp_path / "bt.toml"
    recipe.write_text(body, encoding="utf-8")
    return recipe


def translator_recipe(tmp_path: Path, counter: Path) -> Path:
    command = f"{sys.executable} {TRANSLATOR} {{src}} {{tgt}} {counter}"
    return write_recipe(tmp_path, f"[[text]]\ntransform = \"back_translate\"\nbackend = \"command\"\n"
                                  f"command = '{command}'\nmodel = \"fake-1\"\npivot = \"de\"\n")


def make_source(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    for relative, text in (("pos/a.txt", GOOD), ("pos/same.txt", GOOD),
                           ("neg/b.txt", "A bad movie.\r\n")):
        (source / relative).parent.mkdir(parents=True, exist_ok=True)
        (source / relative).write_bytes(text.encode())
    return source


def test_round_trip_is_cached_and_recorded(tmp_path, cache):
    counter = tmp_path / "count.txt"
    source, recipe = make_source(tmp_path), translator_recipe(tmp_path, counter)
    summary = api.expand(source=source, recipe=recipe, out=tmp_path / "out", copies=3, workers=1)
    assert summary.exit_code == 0 and summary.copies_written == 9
    out = tmp_path / "out"
    assert (out / "pos/a__aug2.txt").read_text(encoding="utf-8") == PARAPHRASE
    assert (out / "neg/b__aug1.txt").read_bytes() == b"A poor film.\r\n"  # CRLF kept
    # Two distinct texts x two directions; the duplicate file and copies hit the cache.
    assert counter.read_text().splitlines() == ["en->de", "de->en"] * 2
    for row in read_manifest(out / "manifest.csv"):
        # One paraphrase per text: copies 2 and 3 repeat copy 1, are kept and marked so.
        record, *mark = json.loads(row.transforms)
        assert mark == ([] if row.copy == 1 else [{"duplicate_of": 1}])
        params = record["params"]
        assert (params["backend"], params["model"], params["pivot"]) == ("command", "fake-1", "de")
        assert len(params["key"]) == 64 and (cache / "translations" / params["key"][:2]).is_dir()


def test_rerun_uses_the_disk_cache_and_replay_is_exact(tmp_path, cache):
    counter = tmp_path / "count.txt"
    source, recipe = make_source(tmp_path), translator_recipe(tmp_path, counter)
    api.expand(source=source, recipe=recipe, out=tmp_path / "out", copies=2, workers=1)
    runs = len(counter.read_text().splitlines())
    api.expand(source=source, recipe=recipe, out=tmp_path / "out2", copies=2, workers=2)
    assert len(counter.read_text().splitlines()) == runs
    row = next(r for r in read_manifest(tmp_path / "out/manifest.csv") if r.source == "neg/b.txt")
    decoded = text_codec.decode((source / row.source).read_bytes(), OutputOptions())
    replayed = pipeline.replay(decoded.data, json.loads(row.transforms), "text")
    encoded = text_codec.encode(replayed, decoded, ".txt", OutputOptions())
    assert encoded == (tmp_path / "out" / row.file_name).read_bytes()


def test_translator_failure_is_a_file_error_not_a_crash(tmp_path, cache):
    failing = tmp_path / "fail.py"
    failing.write_text("import sys\nsys.exit('model directory missing')\n")
    recipe = write_recipe(tmp_path, "[[text]]\ntransform = \"back_translate\"\nbackend = \"command\"\n"
                                    f"command = '{sys.executable} {failing} {{tgt}}'\n")
    summary = api.expand(source=make_source(tmp_path), recipe=recipe, out=tmp_path / "out",
                         copies=1, workers=1)
    assert summary.exit_code == 1 and len(summary.failed) == 3
    assert "model directory missing" in summary.failed[0].error


@pytest.mark.parametrize("body, message", [
    ("", 'backend = "command"'),
    ('backend = "command"\n', "needs command"),
    ('backend = "command"\ncommand = "no-such-mt-program {tgt}"\n', "not found"),
    ('backend = "command"\ncommand = "python3 mt.py"\n', "{tgt}"),
    ('backend = "marian"\n', "not one of command"),
])
def test_unconfigured_backend_is_a_recipe_error(tmp_path, body, message):
    recipe = write_recipe(tmp_path, "[[text]]\ntransform = \"back_translate\"\n" + body)
    result = CliRunner().invoke(app, ["expand", str(make_source(tmp_path)), "--recipe",
                                      str(recipe), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert message in result.output and "key '" in result.output
    assert not (tmp_path / "out").exists()


def test_ctranslate2_backend_without_the_extra_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # import now fails as if absent
    recipe = write_recipe(tmp_path, "[[text]]\ntransform = \"back_translate\"\nbackend = \"ctranslate2\"\n")
    result = CliRunner().invoke(app, ["validate", str(recipe)])
    assert result.exit_code == 2 and "pip install 'augment-cli[translate]'" in result.output


# The transforms these tests pin down (tests/test_registry.py fails while a
# registered transform is named in no module's BEHAVIOUR).
BEHAVIOUR = {
    "text/back_translate": (test_round_trip_is_cached_and_recorded,
                            test_rerun_uses_the_disk_cache_and_replay_is_exact),
}
