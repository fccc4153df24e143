"""Distinct copies: repeats of the source or of an earlier copy are redrawn,
what cannot be made distinct is kept, marked and counted; --allow-duplicates
writes what runs wrote before copies were made distinct."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from augment_cli import api
from augment_cli.online import read_image
from augment_cli.recipe import parse_recipe
from augment_cli.run.distinct import REDRAWS, DistinctCopies, fingerprint
from augment_cli.run.outcomes import distinct_copies_at_most
from augment_cli.run.steps import replay
from tests.conftest import save, textured, tree_bytes

HFLIP = '[[image]]\ntransform = "hflip"\np = 0.5\n'
FLIP_ROTATE = HFLIP + '[[image]]\ntransform = "rotate"\nangle_deg = [-20, 20]\np = 0.3\n'


def rows(out: Path) -> list[dict[str, str]]:
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def pixels_of(path: Path) -> bytes:
    return fingerprint(read_image(path))


def test_hflip_alone_makes_one_distinct_copy_and_marks_the_rest(tmp_path, write_recipe):
    src = tmp_path / "src"
    save(src / "cat" / "a.png", textured(seed=1))
    summary = api.expand(source=src, recipe=write_recipe(HFLIP), out=tmp_path / "o", copies=3, workers=1)
    found = {row["copy"]: json.loads(row["transforms"]) for row in rows(tmp_path / "o")}
    assert found["1"] == [{"transform": "hflip", "params": {}}]  # redrawn until it differs from the source
    for copy in ("2", "3"):  # the source (0) or copy 1: the only pictures hflip can give
        assert found[copy][-1] in ({"duplicate_of": 0}, {"duplicate_of": 1})
    assert (summary.duplicates_kept, summary.files_with_duplicates) == (2, 1)
    assert summary.duplicate_files == [("cat/a.png", 2)]
    assert any("at most 1 distinct copy of a file, fewer than the 3" in w for w in summary.warnings)


def test_no_copy_repeats_the_source_or_a_sibling_when_the_recipe_can_avoid_it(tmp_path, write_recipe):
    src = tmp_path / "src"
    for k in range(6):
        save(src / "cat" / f"{k}.png", textured(seed=k))
    out = tmp_path / "o"
    summary = api.expand(source=src, recipe=write_recipe(FLIP_ROTATE), out=out, copies=4, workers=1)
    assert summary.duplicates_redrawn > 0 and summary.duplicates_kept == 0
    for k in range(6):
        seen = {pixels_of(src / "cat" / f"{k}.png")}
        for copy in range(1, 5):
            content = pixels_of(out / "cat" / f"{k}__aug{copy}.png")
            assert content not in seen
            seen.add(content)


def test_allow_duplicates_keeps_first_draws_and_a_default_run_changes_only_the_repeats(tmp_path,
                                                                                     write_recipe):
    src = tmp_path / "src"
    for k in range(6):
        save(src / "cat" / f"{k}.png", textured(seed=k))
    recipe = write_recipe(FLIP_ROTATE)
    api.expand(source=src, recipe=recipe, out=tmp_path / "dup", copies=4, workers=1, allow_duplicates=True)
    api.expand(source=src, recipe=recipe, out=tmp_path / "new", copies=4, workers=1)
    before, after = tree_bytes(tmp_path / "dup"), tree_bytes(tmp_path / "new")
    changed = 0
    for k in range(6):
        # A first draw is replaced exactly when it repeats the source or an earlier copy as written.
        seen = {pixels_of(src / "cat" / f"{k}.png")}
        for copy in range(1, 5):
            name = f"cat/{k}__aug{copy}.png"
            repeat = pixels_of(tmp_path / "dup" / name) in seen
            seen.add(pixels_of(tmp_path / "new" / name))
            assert (before[name] != after[name]) == repeat, name
            changed += repeat
    assert changed > 0


def test_copies_are_compared_on_pixels_so_a_re_encoded_jpeg_is_still_a_repeat(tmp_path, write_recipe):
    src = tmp_path / "src"
    for k in range(4):
        save(src / "cat" / f"{k}.jpg", textured(seed=k), quality=90)
    recipe = write_recipe(HFLIP)
    api.expand(source=src, recipe=recipe, out=tmp_path / "dup", copies=1, workers=1, allow_duplicates=True)
    api.expand(source=src, recipe=recipe, out=tmp_path / "new", copies=1, workers=1)
    assert any(json.loads(row["transforms"]) == [] for row in rows(tmp_path / "dup"))
    assert all(json.loads(row["transforms"]) == [{"transform": "hflip", "params": {}}]
               for row in rows(tmp_path / "new"))


def test_redrawn_copies_do_not_depend_on_the_worker_count(tmp_path, write_recipe):
    src = tmp_path / "src"
    for k in range(8):
        save(src / ("cat" if k % 2 else "dog") / f"{k}.png", textured(seed=k))
    recipe = write_recipe(FLIP_ROTATE)
    one = api.expand(source=src, recipe=recipe, out=tmp_path / "one", copies=4, workers=1)
    two = api.expand(source=src, recipe=recipe, out=tmp_path / "two", copies=4, workers=2, file_timeout=0)
    assert one.duplicates_redrawn == two.duplicates_redrawn > 0
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_switching_allow_duplicates_regenerates_the_folder(tmp_path, write_recipe, image_tree):
    recipe, out = write_recipe(HFLIP), tmp_path / "o"
    api.expand(source=image_tree, recipe=recipe, out=out, copies=2, workers=1)
    again = api.expand(source=image_tree, recipe=recipe, out=out, copies=2, workers=1, allow_duplicates=True)
    assert again.regenerate_reason == "--allow-duplicates changed"
    assert "duplicate_of" not in (out / "manifest.csv").read_text(encoding="utf-8")


def test_a_copy_that_stays_a_repeat_is_kept_as_first_drawn_after_every_redraw():
    calls: list[int] = []

    def attempt(number: int):
        calls.append(number)
        return np.zeros((2, 2), np.uint8), [{"transform": "t", "params": {"n": number}}]

    made = DistinctCopies(np.zeros((2, 2), np.uint8))
    data, records, repeats = made.make(1, attempt)
    assert calls == list(range(REDRAWS + 1)) and repeats == 0
    assert records == [{"transform": "t", "params": {"n": 0}}] and made.kept == 1


def test_text_is_compared_by_its_characters():
    made = DistinctCopies("what is it\n")
    texts = iter(["what is it\n", "is what it\n"])
    assert made.make(1, lambda n: (next(texts), []))[0] == "is what it\n" and made.redrawn == 1


def test_replay_skips_the_duplicate_mark():
    pixels = textured()
    out = replay(pixels, [{"transform": "hflip", "params": {}}, {"duplicate_of": 1}], "image")
    assert np.array_equal(out, pixels[:, ::-1])


@pytest.mark.parametrize(("text", "most"), [
    (HFLIP, 1),
    ('[[image]]\ntransform = "hflip"\n', 1),
    (HFLIP + '[[image]]\ntransform = "vflip"\np = 0.5\n', 3),
    ('[[image]]\ntransform = "posterize"\nbits = [4, 8]\n', 5),
    ('[[image]]\ntransform = "posterize"\nbits = [4, 8]\np = 0.5\n', 5),
    ('[[image]]\ntransform = "jpeg"\nquality = [50, 52]\np = 0.5\n'
     '[[image]]\ntransform = "hflip"\np = 0.5\n', 7),
    ('[[image]]\none_of = [{transform = "hflip"}, {transform = "vflip"}]\n', 2),
    (FLIP_ROTATE, None),
    ('[[image]]\ntransform = "random_erasing"\n', None),
])
def test_distinct_outcomes_are_counted_from_the_recipes_discrete_choices(text, most):
    assert distinct_copies_at_most(parse_recipe(text, "r.toml"), "image") == most


def test_no_warning_when_the_recipe_has_enough_outcomes(tmp_path, write_recipe, image_tree):
    summary = api.expand(source=image_tree, recipe=write_recipe(FLIP_ROTATE), out=tmp_path / "o",
                         copies=5, workers=1)
    assert not any("distinct" in w for w in summary.warnings)


def test_a_first_draw_uses_the_stream_every_run_has_used_and_redraws_others():
    from augment_cli.run.seeding import copy_seed, path_words, step_generators

    first = copy_seed(3, "cat/a.png", 2)
    assert first.entropy == (3, *path_words("cat/a.png"), 2)
    assert copy_seed(3, "cat/a.png", 2, 0).entropy == first.entropy

    def draws(stream):
        return tuple(step_generators(stream, 1)[0].integers(0, 2**63, size=2).tolist())

    redraws = {draws(copy_seed(3, "cat/a.png", 2, k)) for k in range(1, REDRAWS + 1)}
    assert len(redraws) == REDRAWS and draws(first) not in redraws


def test_once_the_recipe_is_exhausted_a_repeat_is_kept_without_redraws():
    calls: list[int] = []
    outcomes = iter([1, 1, 1])

    def attempt(number: int):
        calls.append(number)
        return np.full((2, 2), next(outcomes, 1), np.uint8), []

    made = DistinctCopies(np.zeros((2, 2), np.uint8), most=1)
    made.make(1, attempt)
    assert made.make(2, attempt)[2] == 1 and calls == [0, 0] and made.kept == 1
