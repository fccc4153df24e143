"""The content of what a recipe reads (synonyms file, recording folders) decides
regeneration, without changing the recipe digest."""

from __future__ import annotations

import json
import shutil

from audio_signals import sine, write
from augment_cli.outdir.claim import STATE_NAME
from augment_cli.recipe import load_recipe
from augment_cli.recipe.inputs import inputs_digest
from conftest import tree_bytes

SYNONYMS = '[[text]]\ntransform = "synonym_replace"\nalpha = 1.0\nsynonyms = "vocab/syn.txt"\n'
NOISE = ('[[audio]]\ntransform = "background_noise"\nfolder = "noises"\nsnr_db = 10\n')


def expand(run_cli, src, recipe, out):
    result = run_cli("expand", src, "--recipe", recipe, "--copies", 3, "--out", out, "--workers", 1)
    assert result.exit_code == 0, result.output
    return result


def text_project(tmp_path):
    (tmp_path / "src" / "tech").mkdir(parents=True)
    (tmp_path / "src" / "tech" / "a.txt").write_text("The gpu and the movie.\n")
    (tmp_path / "vocab").mkdir()
    (tmp_path / "vocab" / "syn.txt").write_text("gpu = graphics card\nmovie = feature film\n")
    (tmp_path / "r.toml").write_text(SYNONYMS)
    return tmp_path / "src", tmp_path / "r.toml"


def audio_project(tmp_path):
    write(tmp_path / "src" / "tone" / "a.wav", sine(440, seconds=0.3))
    write(tmp_path / "noises" / "hum.wav", sine(60, seconds=0.3, amplitude=0.2))
    (tmp_path / "r.toml").write_text(NOISE)
    return tmp_path / "src", tmp_path / "r.toml"


def test_editing_the_synonyms_file_regenerates_as_a_fresh_run(tmp_path, run_cli):
    src, recipe = text_project(tmp_path)
    out = tmp_path / "out"
    expand(run_cli, src, recipe, out)
    digest = load_recipe(recipe).digest
    (tmp_path / "vocab" / "syn.txt").write_text("gpu = video card\nmovie = picture\n")
    assert load_recipe(recipe).digest == digest  # the recipe digest names the file, not its words
    result = expand(run_cli, src, recipe, out)
    assert "Regenerating everything: a file or folder the recipe reads changed" in result.stderr
    assert (out / "tech" / "a__aug1.txt").read_text() == "The video card and the picture.\n"
    fresh = tmp_path / "fresh"
    expand(run_cli, src, recipe, fresh)
    assert tree_bytes(out) == tree_bytes(fresh)


def test_adding_a_recording_to_the_noise_folder_regenerates_as_a_fresh_run(tmp_path, run_cli):
    src, recipe = audio_project(tmp_path)
    out = tmp_path / "out"
    expand(run_cli, src, recipe, out)
    assert "0 regenerated" in expand(run_cli, src, recipe, out).stderr  # nothing changed: kept
    write(tmp_path / "noises" / "hiss.wav", sine(3000, seconds=0.3, amplitude=0.2))
    result = expand(run_cli, src, recipe, out)
    assert "Regenerating everything: a file or folder the recipe reads changed" in result.stderr
    fresh = tmp_path / "fresh"
    expand(run_cli, src, recipe, fresh)
    assert tree_bytes(out) == tree_bytes(fresh)
    assert any("hiss.wav" in line for line in (out / "manifest.csv").read_text().splitlines())


def test_a_recording_replaced_under_its_name_is_read_again_in_the_same_process(tmp_path, run_cli):
    src, recipe = audio_project(tmp_path)
    out = tmp_path / "out"
    expand(run_cli, src, recipe, out)
    write(tmp_path / "noises" / "hum.wav", sine(2000, seconds=0.4, amplitude=0.3))  # same name
    assert "Regenerating everything" in expand(run_cli, src, recipe, out).stderr
    fresh = tmp_path / "fresh"
    expand(run_cli, src, recipe, fresh)
    assert tree_bytes(out) == tree_bytes(fresh)


def test_the_inputs_digest_is_the_same_in_a_moved_project_and_empty_without_side_files(tmp_path,
                                                                                      write_recipe):
    _, recipe = audio_project(tmp_path / "here")
    shutil.copytree(tmp_path / "here", tmp_path / "there" / "deeper")
    here, there = (inputs_digest(load_recipe(p)) for p in (recipe, tmp_path / "there/deeper/r.toml"))
    assert here == there != ""
    assert inputs_digest(load_recipe(write_recipe())) == ""


def test_the_run_state_records_the_inputs_digest(tmp_path, run_cli, image_tree, write_recipe):
    src, recipe = text_project(tmp_path / "text")
    expand(run_cli, src, recipe, tmp_path / "out")
    assert json.loads((tmp_path / "out" / STATE_NAME).read_text())["inputs"] == inputs_digest(
        load_recipe(recipe))
    expand(run_cli, image_tree, write_recipe(), tmp_path / "images")
    assert json.loads((tmp_path / "images" / STATE_NAME).read_text())["inputs"] == ""
