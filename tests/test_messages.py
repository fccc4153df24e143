"""What a user reads: help that fits 80 columns, errors that name the near
miss, stats and captions that say the telling thing."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from audio_signals import sine, write
from augment_cli.cli import app
from augment_cli.commands import stats as stats_module
from augment_cli.commands.sheet import short_caption
from augment_cli.commands.stats import duration, stats_text
from augment_cli.errors import RecipeError
from augment_cli.recipe import parse_recipe


@pytest.mark.parametrize("command", ["expand", "preview", "stats", "verify"])
def test_help_fits_80_columns_with_every_option_whole(command):
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0
    assert "…" not in result.output and "{" not in result.output
    assert all(len(line) <= 80 for line in result.output.splitlines())
    if command != "verify":  # SOURCE is optional: --annotations FILE may name a COCO JSON instead
        assert re.search(rf"Usage: augment {command} \[OPTIONS\] \[SOURCE\]", result.output)


def test_expand_help_shows_the_default_worker_count():
    result = CliRunner().invoke(app, ["expand", "--help"], env={"COLUMNS": "200"}, terminal_width=200)
    assert re.search(r"Default: \d+, the usable cores", result.output)


def test_a_file_given_as_source_says_so(tmp_path, write_recipe, run_cli):
    (tmp_path / "a.png").write_bytes(b"x")
    result = run_cli("expand", tmp_path / "a.png", "-r", write_recipe(), "-o", tmp_path / "o")
    assert result.exit_code == 2
    assert f"the source {tmp_path / 'a.png'} is a file, not a folder" in result.stderr


@pytest.mark.parametrize("text, message", [
    ('[[image]]\ntransform = "hflp"\n', "unknown image transform 'hflp' (did you mean 'hflip'?)"),
    ('[[image]]\ntransform = "rotate"\nangle = 3\n', "unknown parameter (did you mean 'angle_deg'?)"),
    ('[output]\njpeg_qualty = 80\n[[image]]\ntransform = "hflip"\n',
     "unknown key (did you mean 'jpeg_quality'?)"),
])
def test_unknown_names_get_a_did_you_mean(text, message):
    with pytest.raises(RecipeError, match=re.escape(message)):
        parse_recipe(text, "r.toml")


def test_format_jpeg_is_jpg():
    jpeg = parse_recipe('[output]\nformat = "jpeg"\n[[image]]\ntransform = "hflip"\n', "r.toml")
    jpg = parse_recipe('[output]\nformat = "jpg"\n[[image]]\ntransform = "hflip"\n', "r.toml")
    assert jpeg.output.format == "jpg" and jpeg.digest == jpg.digest


def test_preview_captions_show_the_parameters_that_vary():
    record = {"transform": "motion_blur", "params": {"kernel": 7, "angle_deg": 93.2}}
    assert short_caption([record]) == "motion_blur 7 93.2"
    lowpass = {"transform": "lowpass", "params": {"cutoff_hz": 3961.7, "order": 4}}
    assert short_caption([lowpass]) == "lowpass 3962"
    assert short_caption([lowpass, {"duplicate_of": 1}]) == "lowpass 3962"


def test_durations_read_at_any_length():
    assert [duration(s) for s in (0.75, 59.4, 200, 7300, 1.92154e14)] == [
        "0.75 s", "59.4 s", "3 min 20 s", "2 h 01 min", "53,376,111,111 h 06 min"]


def test_stats_heading_names_what_is_measured_for_the_modalities_present(tmp_path):
    write(tmp_path / "src" / "yes" / "a.wav", sine(440, seconds=200.0, rate=8000))
    text = stats_text(stats_module.collect(tmp_path / "src"))
    assert "modalities: formats; audio length" in text and "image sizes" not in text
    assert "3 min 20 s of audio" in text


def test_validate_says_how_many_distinct_copies_a_few_choice_recipe_can_make(write_recipe, run_cli):
    result = run_cli("validate", write_recipe('[[image]]\ntransform = "hflip"\np = 0.5\n'))
    assert result.exit_code == 0 and "at most 1 distinct copy of a file" in result.stderr
    result = run_cli("validate", write_recipe())
    assert result.exit_code == 0 and "distinct" not in result.stderr
