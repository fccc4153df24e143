"""`augment preview`: sample choice, contact sheet, text and audio renderers, CLI errors."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile
from PIL import Image

from augment_cli import modalities
from augment_cli.commands.preview import PreviewRow, RenderContext, pick_samples
from augment_cli.commands.render import Renderer
from augment_cli.commands.sheet import CAPTION_LINES, LINE_HEIGHT, PAD, THUMB, short_caption
from augment_cli.layouts import Sample
from augment_cli.modalities.audio.preview import render_audio
from augment_cli.modalities.text.preview import render_text, text_diffs
from augment_cli.recipe import parse_recipe
from conftest import FLIPS

CELL_W, CELL_H = THUMB + PAD, THUMB + CAPTION_LINES * LINE_HEIGHT + 2 * PAD


def test_pick_samples_spreads_over_labels_and_files():
    samples = [Sample(f"{label}/{i:02}.png", label, "image") for label in "abc" for i in range(9)]
    picked = pick_samples(samples, 6)
    assert [s.relative for s in picked] == ["a/00.png", "a/04.png", "b/00.png", "b/04.png",
                                            "c/00.png", "c/04.png"]
    assert pick_samples(samples[:2], 6) == samples[:2]  # never more than a label has
    assert pick_samples(list(reversed(samples)), 4) == pick_samples(samples, 4)


def test_short_caption_names_transforms_and_first_real_numbers():
    records = [{"transform": "hflip", "params": {}},
               {"transform": "rotate", "params": {"angle_deg": -7.3125, "border": "reflect", "fill": 0}}]
    assert short_caption(records) == "hflip, rotate -7.31"
    assert short_caption([]) == "(nothing applied)"
    assert short_caption([{"transform": "lowpass", "params": {"cutoff_hz": 3961.7}}]) == "lowpass 3962"


def test_preview_sheet_shows_originals_then_the_copies_expand_writes(image_tree, write_recipe,
                                                                      run_cli, tmp_path):
    out = tmp_path / "sheets" / "preview.png"
    result = run_cli("preview", image_tree, "-r", write_recipe(), "--out", out, "--samples", 3,
                     "--copies", 2, "--seed", 5)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"Wrote {out}" in result.stderr
    sheet = np.asarray(Image.open(out).convert("RGB"))
    assert sheet.shape == (3 * CELL_H + PAD, 3 * CELL_W + PAD, 3)
    expand_out = tmp_path / "expanded"
    run_cli("expand", image_tree, "-r", write_recipe(), "--copies", 2, "--out", expand_out,
            "--workers", 1, "--seed", 5)
    # row 1 is cat/b.png (a 64x48 PNG, drawn at 160x120 centred in its box); cell 2 is copy 1
    expected = Image.open(expand_out / "cat" / "b__aug1.png").convert("RGB").resize((THUMB, 120),
                                                                                 Image.Resampling.BILINEAR)
    x, y = PAD + CELL_W, PAD + CELL_H + (THUMB - 120) // 2
    drawn = sheet[y:y + 120, x:x + THUMB].astype(int)
    assert np.abs(drawn - np.asarray(expected, dtype=int)).mean() < 1.0


def test_preview_reports_a_broken_source_and_exits_1(image_tree, write_recipe, run_cli, tmp_path):
    (image_tree / "cat" / "a.jpg").write_bytes(b"not a jpeg")
    result = run_cli("preview", image_tree, "-r", write_recipe(), "--out", tmp_path / "p.png",
                     "--samples", 4, "--quiet")
    assert result.exit_code == 1
    assert result.stderr == "Error: cat/a.jpg: not a readable image (unknown or corrupt format)\n"
    assert (tmp_path / "p.png").is_file()


@pytest.mark.parametrize("args,message", [
    (["--out", "p.jpg"], "Error: --out must end in .png or .html, got p.jpg"),
    (["--out", "p.png", "--recipe", "missing.toml"], "missing.toml: file not found"),
    (["--out", "p.png", "--samples", "0"], "Invalid value for '--samples'"),
    (["--out", "p.png", "--copies", "1000000000"],
     "Error: a preview shows at most --samples 200 and --copies 50 (got 6 and 1,000,000,000)"),
    (["--out", "p.png", "--samples", "100000"], "a preview shows at most --samples 200"),
])
def test_preview_usage_errors_exit_2(image_tree, write_recipe, run_cli, tmp_path, args, message):
    recipe = ["--recipe", write_recipe()] if "--recipe" not in args else []
    result = run_cli("preview", image_tree, *recipe, *args)
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.output and not (Path("p.png").exists())


@pytest.mark.parametrize("where", [".", "cat", "cat/deep"])
def test_preview_out_inside_the_source_is_refused(image_tree, write_recipe, run_cli, where):
    out = image_tree / where / "preview.png"
    before = sorted(image_tree.rglob("*"))
    result = run_cli("preview", image_tree, "--recipe", write_recipe(), "--out", out)
    assert result.exit_code == 2
    assert f"--out {out} is inside the source folder {image_tree}" in result.stderr
    assert sorted(image_tree.rglob("*")) == before


def test_preview_missing_source_exits_2(tmp_path, write_recipe, run_cli):
    result = run_cli("preview", tmp_path / "nope", "-r", write_recipe(), "--out", tmp_path / "p.png")
    assert result.exit_code == 2
    assert result.stderr == f"Error: source folder not found: {tmp_path / 'nope'}\n"


def test_preview_with_nothing_to_show_exits_2(tmp_path, write_recipe, run_cli):
    (tmp_path / "src" / "cat").mkdir(parents=True)
    (tmp_path / "src" / "cat" / "notes.txt").write_text("hello")
    result = run_cli("preview", tmp_path / "src", "-r", write_recipe(), "--out", tmp_path / "p.png")
    assert result.exit_code == 2 and "has steps in" in result.stderr


def _text_row(original: str, copies: list[str]) -> PreviewRow:
    row = PreviewRow(Sample("pos/a.txt", "pos", "text"), decoded=SimpleNamespace(data=original))
    row.copies = [(k, text, [{"transform": "word_swap", "params": {"rate": 0.1}}])
                  for k, text in enumerate(copies, 1)]
    return row


def test_text_renderer_prints_diffs_and_writes_html(tmp_path):
    rows = [_text_row("a good <film>", ["a great <film>", "a good <film>"])]
    context = RenderContext(tmp_path / "preview.png", tmp_path / "preview.png",
                            parse_recipe(FLIPS, "r.toml"), color=False)
    files, text = render_text(rows, context)
    assert files == [tmp_path / "preview.html"]
    assert text == ("== pos/a.txt\n#1 [word_swap 0.1] a [-good-]{+great+} <film>\n"
                    "#2 [word_swap 0.1] a good <film>\n")
    page = files[0].read_text(encoding="utf-8")
    assert "a <del>good</del><ins>great</ins> &lt;film&gt;" in page
    assert "\x1b[32;1mgreat" in text_diffs(rows, color=True)


class WavCodec:
    """Stands in for audio_codec (not in this branch): Audio-like data to WAV bytes."""

    @staticmethod
    def encode(data, decoded, extension, output):
        buffer = io.BytesIO()
        soundfile.write(buffer, data.samples.T, data.sample_rate, format="WAV")
        return buffer.getvalue()


def test_audio_renderer_draws_spectrograms_and_writes_clips(tmp_path):
    rate = 8000
    tone = SimpleNamespace(samples=np.sin(np.arange(rate) / 3)[None, :].astype(np.float32), sample_rate=rate)
    row = PreviewRow(Sample("dog/bark.wav", "dog", "audio"), decoded=SimpleNamespace(data=tone),
                     codec=WavCodec)
    row.copies = [(1, SimpleNamespace(samples=tone.samples * 0.5, sample_rate=rate), [])]
    context = RenderContext(tmp_path / "preview.png", tmp_path / "preview.png",
                            parse_recipe(FLIPS, "r.toml"), color=False)
    files, text = render_audio([row], context)
    assert files == [tmp_path / "preview.png", tmp_path / "preview-clips" / "dog" / "bark__aug1.wav"]
    clip, clip_rate = soundfile.read(files[1])
    assert clip_rate == rate and np.allclose(clip, tone.samples[0] * 0.5, atol=1e-4)
    sheet = np.asarray(Image.open(files[0]).convert("L"))
    assert sheet.shape == (CELL_H + PAD, 2 * CELL_W + PAD)
    assert sheet[PAD:PAD + 96, PAD:PAD + THUMB].max() == 255  # the spectrogram is drawn


def test_sheets_of_several_modalities_get_their_own_names(tmp_path, monkeypatch):
    from augment_cli.commands.preview import PreviewResult, _render

    seen = {}

    def record(rows, context):
        seen[rows[0].sample.modality] = context.png
        return [context.png], ""

    real_part = modalities.part
    monkeypatch.setattr(modalities, "part", lambda modality, field: (
        Renderer(record, draws_png=True) if field == "preview" else real_part(modality, field)))
    rows = [PreviewRow(Sample("a/x.png", "a", "image")), PreviewRow(Sample("a/y.wav", "a", "audio"))]
    recipe = parse_recipe(FLIPS, "r.toml")
    _render(rows, tmp_path / "p.png", recipe, False, PreviewResult())
    assert seen == {"image": tmp_path / "p-image.png", "audio": tmp_path / "p-audio.png"}
    seen.clear()
    _render(rows[:1], tmp_path / "p.html", recipe, False, PreviewResult())
    assert seen == {"image": tmp_path / "p.png"}


def test_audio_preview_clips_are_what_expand_writes(tmp_path, write_recipe, run_cli):
    """Preview makes its copies with the worker's own functions: the clips have
    expand's names, container ([output] audio_format) and bytes."""
    src = tmp_path / "src" / "tone"
    src.mkdir(parents=True)
    t = np.arange(8000) / 8000
    soundfile.write(src / "a.wav", (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 8000,
                    subtype="PCM_16")
    recipe = write_recipe('[output]\naudio_format = "flac"\n\n[[audio]]\ntransform = "gain"\n'
                          'gain_db = [-6, 6]\n')
    assert run_cli("preview", tmp_path / "src", "-r", recipe, "--out", tmp_path / "p.png",
                   "--samples", 1, "--copies", 2).exit_code == 0
    assert run_cli("expand", tmp_path / "src", "-r", recipe, "--copies", 2, "--out", tmp_path / "out",
                   "--workers", 1, "-q").exit_code == 0
    for k in (1, 2):
        clip = tmp_path / "p-clips" / "tone" / f"a.wav__aug{k}.flac"
        assert clip.read_bytes() == (tmp_path / "out" / "tone" / f"a.wav__aug{k}.flac").read_bytes()
