"""The online API applies a recipe in memory exactly as `expand` does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from augment_cli import Augmenter, read_image
from augment_cli.errors import AugmentError, UsageError
from augment_cli.outdir.manifest import read_manifest
from augment_cli.run.steps import replay
from conftest import textured

RECIPE = """
[[image]]
transform = "hflip"
p = 0.5

[[image]]
transform = "rotate"
angle_deg = [-30, 30]
p = 0.8

[[image]]
transform = "random_resized_crop"
p = 0.6

[[image]]
transform = "brightness_contrast"
p = 0.7
"""


@pytest.fixture(scope="module")
def augmenter():
    return Augmenter.from_toml(RECIPE)


def test_online_matches_the_pngs_expand_wrote(image_tree, write_recipe, run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("expand", image_tree, "-r", write_recipe(RECIPE), "--copies", 4, "--out", out,
                     "--workers", 1, "--seed", 7)
    assert result.exit_code == 0, result.output
    augmenter = Augmenter(tmp_path / "recipe.toml", seed=7)
    checked = 0
    for row in read_manifest(out / "manifest.csv"):
        made = augmenter.image(read_image(image_tree / row.source), source=row.source, copy=row.copy)
        assert made.params == json.loads(row.transforms)
        if row.file_name.endswith(".png"):
            assert np.array_equal(made.data, np.asarray(Image.open(out / row.file_name)))
            checked += 1
    assert checked == 12
    other = augmenter.image(read_image(image_tree / "cat/b.png"), source="cat/b.png", copy=1, seed=8)
    assert other.params != augmenter.image(read_image(image_tree / "cat/b.png"), source="cat/b.png",
                                           copy=1).params


def test_generator_gives_fresh_reproducible_draws(augmenter):
    pixels = textured(seed=3)
    first = np.random.default_rng(42)
    draws = [augmenter.image(pixels, rng=first) for _ in range(5)]
    again = np.random.default_rng(42)
    assert [d.params for d in draws] == [augmenter.image(pixels, rng=again).params for _ in range(5)]
    assert len({json.dumps(d.params) for d in draws}) > 1
    for draw in draws:  # the params are the whole story: replaying them gives the pixels
        assert np.array_equal(replay(pixels, draw.params, "image"), draw.data)


def test_single_channel_shapes_are_kept(augmenter):
    gray = textured(channels=1, seed=2)
    assert augmenter.image(gray, seed=1).data.shape == gray.shape
    assert augmenter.image(gray[:, :, None], seed=1).data.shape == gray.shape + (1,)
    assert np.array_equal(augmenter.image(gray[:, :, None], seed=1).data[:, :, 0],
                          augmenter.image(gray, seed=1).data)


@pytest.mark.parametrize("call,message", [
    (lambda a: a.image(np.zeros((4, 4), np.float32)), "uint8/uint16 array, got float32"),
    (lambda a: a.image(np.zeros((4, 4, 5), np.uint8)), "1 to 4 channels, got 5"),
    (lambda a: a.image(textured(), seed=1, rng=np.random.default_rng()), "either seed or rng"),
    (lambda a: a.image(textured(), copy=0), "copy must be at least 1"),
    (lambda a: a.text("hello"), "has no [[text]] steps"),
    (lambda a: a.audio(np.zeros(100), 8000), "has no [[audio]] steps"),
    (lambda a: a.augment("video", b""), "unknown modality 'video'; known: image, audio, text"),
])
def test_bad_calls_raise_usage_errors(augmenter, call, message):
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("]", r"\]")):
        call(augmenter)


def test_bad_recipe_raises_recipe_error_naming_the_key():
    with pytest.raises(AugmentError, match="key 'angle_deg': missing required parameter"):
        Augmenter.from_toml('[[image]]\ntransform = "rotate"\n')


def test_documented_dataset_example_runs(image_tree, write_recipe):
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "python-api.md").read_text(encoding="utf-8")
    code = text.split("<!-- online-example -->\n```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "docs/python-api.md", "exec"), namespace)
    files = sorted(image_tree.rglob("*.png"))
    dataset = namespace["AugmentedImages"](files, [f.parent.name for f in files], recipe=write_recipe())
    first, label = dataset[0]
    assert len(dataset) == 3 and label == "cat" and first.shape == read_image(files[0]).shape
    again, _ = dataset[0]
    assert np.array_equal(first, again)  # same epoch and index: same draw
    draws = set()
    for epoch in range(6):
        dataset.epoch = epoch
        draws.add(dataset[0][0].tobytes())
    assert len(draws) > 1  # a new epoch brings new draws


AUDIO_RECIPE = Path(__file__).parent.parent / "recipes" / "audio.toml"


def test_online_audio_encodes_to_the_files_expand_wrote(tmp_path, run_cli):
    import soundfile

    from augment_cli.modalities.audio import codec as audio_codec
    from augment_cli.recipe import load_recipe

    rate = 16000
    t = np.arange(rate // 2) / rate
    for label, hz in (("low", 300), ("high", 2000)):
        (tmp_path / "src" / label).mkdir(parents=True)
        soundfile.write(tmp_path / "src" / label / "a.wav", 0.4 * np.sin(2 * np.pi * hz * t), rate,
                        subtype="PCM_16")
    out = tmp_path / "out"
    result = run_cli("expand", tmp_path / "src", "-r", AUDIO_RECIPE, "--copies", 3, "--out", out,
                     "--workers", 1)
    assert result.exit_code == 0, result.output
    augmenter, output = Augmenter(AUDIO_RECIPE), load_recipe(AUDIO_RECIPE).output
    for row in read_manifest(out / "manifest.csv"):
        decoded = audio_codec.decode((tmp_path / "src" / row.source).read_bytes())
        made = augmenter.audio(decoded.data.samples, decoded.data.sample_rate, source=row.source,
                               copy=row.copy)
        assert made.params == json.loads(row.transforms)
        # the in-memory result is before encoding; the codec's encode gives the file's bytes
        blob = audio_codec.encode(audio_codec.Audio(made.data, made.sample_rate), decoded,
                                  Path(row.file_name).suffix, output)
        assert blob == (out / row.file_name).read_bytes()


TEXT_RECIPE = Path(__file__).parent.parent / "recipes" / "eda.toml"


def test_online_text_and_text_preview_match_expand(tmp_path, run_cli):
    from augment_cli.modalities.text import codec as text_codec
    from augment_cli.recipe import load_recipe

    texts = {"pos/a.txt": "A quiet and lovely film, well acted and warmly shot.\n",
             "neg/b.txt": "The plot is thin and the ending drags on far too long.\n"}
    for name, text in texts.items():
        (tmp_path / "src" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "src" / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("expand", tmp_path / "src", "-r", TEXT_RECIPE, "--copies", 3, "--out", out,
                     "--workers", 1)
    assert result.exit_code == 0, result.output
    augmenter, output = Augmenter(TEXT_RECIPE), load_recipe(TEXT_RECIPE).output
    for row in read_manifest(out / "manifest.csv"):
        decoded = text_codec.decode((tmp_path / "src" / row.source).read_bytes())
        made = augmenter.text(decoded.data, source=row.source, copy=row.copy)
        assert made.params == json.loads(row.transforms)
        # the modality-generic call is the same call
        assert augmenter.augment("text", decoded.data, source=row.source, copy=row.copy) == made
        blob = text_codec.encode(made.data, decoded, Path(row.file_name).suffix, output)
        assert blob == (out / row.file_name).read_bytes()
    preview = run_cli("preview", tmp_path / "src", "-r", TEXT_RECIPE, "--out", tmp_path / "p.html",
                      "--copies", 3)
    assert preview.exit_code == 0, preview.output
    assert "== neg/b.txt\n#1 [" in preview.stdout and "\x1b[" not in preview.stdout
    assert "<h3>pos/a.txt</h3>" in (tmp_path / "p.html").read_text(encoding="utf-8")
