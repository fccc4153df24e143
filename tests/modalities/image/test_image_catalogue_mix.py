"""Mixing within a label: mixup, cutmix, mosaic, and the plumbing that keeps
partners inside the source's label and replayable."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from PIL import Image

from augment_cli import api
from augment_cli.modalities.image import codec as image_codec
from augment_cli.modalities.image.transforms.mix_ops import matched
from augment_cli.run import steps as pipeline
from augment_cli.run.partners import OtherFiles, Partners
from catalogue_helpers import MemoryPartners, apply, kinds, smooth_rgb
from paths import PROJECT_ROOT

RGB = smooth_rgb()
OTHER = smooth_rgb(seed=9)[::-1].copy()
ONE = MemoryPartners({"a/other.png": OTHER})


def test_mixup_lambda_one_is_source_and_blend_is_weighted():
    np.testing.assert_array_equal(run_mix("mixup", {"partner": "a/other.png", "lam": 1.0}), RGB)
    out = run_mix("mixup", {"partner": "a/other.png", "lam": 0.25})
    np.testing.assert_allclose(out, 0.25 * RGB + 0.75 * OTHER, atol=1)


def test_cutmix_pastes_the_partner_box_only():
    out = run_mix("cutmix", {"partner": "a/other.png", "box": [10, 5, 20, 15]})
    np.testing.assert_array_equal(out[5:20, 10:30], OTHER[5:20, 10:30])
    outside = np.ones(RGB.shape[:2], bool)
    outside[5:20, 10:30] = False
    np.testing.assert_array_equal(out[outside], RGB[outside])
    for seed in range(10):
        _, params = apply_mix("cutmix", seed, area=[0.25, 0.25])
        x, y, w, h = params["box"]
        assert (w, h) == (32, 24) and x + w <= 64 and y + h <= 48


def test_mosaic_tiles_hold_scaled_source_and_partners():
    params = {"tiles": [None, "a/other.png", "a/other.png", "a/other.png"], "centre_px": [32, 24]}
    out = run_mix("mosaic", params)
    np.testing.assert_array_equal(out[:24, :32], matched(RGB, RGB, (32, 24)))
    np.testing.assert_array_equal(out[24:, 32:], matched(OTHER, RGB, (32, 24)))
    _, drawn = apply_mix("mosaic", 3)
    assert drawn["tiles"].count(None) == 1 and 0.3 * 64 <= drawn["centre_px"][0] <= 0.7 * 64


def test_mixing_without_partners_keeps_the_source():
    for name in ("mixup", "cutmix", "mosaic"):
        out, params = apply(name, RGB, 1)  # no resources: a label with one file
        np.testing.assert_array_equal(out, RGB)
        assert params.get("partner", "x") is None or params.get("tiles") == [None] * 4


def test_matched_converts_kind_and_size():
    every = kinds()
    grey_to_rgba16 = matched(every["l8"], every["rgba16"], (10, 7))
    assert grey_to_rgba16.shape == (7, 10, 4) and grey_to_rgba16.dtype == np.uint16
    assert (grey_to_rgba16[..., 3] == 65535).all()
    rgb16_to_l8 = matched(every["rgb16"], every["l8"])
    assert rgb16_to_l8.shape == every["l8"].shape and rgb16_to_l8.dtype == np.uint8


def test_mixing_never_picks_another_label_and_replays_from_files(tmp_path):
    source = tmp_path / "src"
    for label, shade in (("cat", 0), ("dog", 255)):
        (source / label).mkdir(parents=True)
        for i in range(3):
            pixels = np.full((24, 32, 3), shade, np.uint8)
            pixels[i, i] = 128  # files differ, a label's shade is its own
            Image.fromarray(pixels).save(source / label / f"{label}{i}.png")
    recipe = tmp_path / "r.toml"
    recipe.write_text('[[image]]\ntransform = "mixup"\nlam = 0.5\n'
                      '[[image]]\ntransform = "cutmix"\n[[image]]\ntransform = "mosaic"\n')
    out = tmp_path / "out"
    assert api.expand(source=source, recipe=recipe, out=out, copies=4, workers=1).exit_code == 0
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 24
    for row in rows:
        records = json.loads(row["transforms"])
        used = [r["params"]["partner"] for r in records if "partner" in r["params"]]
        used += [t for r in records for t in r["params"].get("tiles", []) if t]
        assert used and all(p.split("/")[0] == row["label"] and p != row["source"] for p in used)
        written = np.asarray(Image.open(out / row["file_name"]))
        # cat files hold 0 and 128, dog files 255 and 128: any blend of a
        # dog into a cat would leave values above 128.
        assert written.max() <= 128 if row["label"] == "cat" else written.min() >= 128
        partners = Partners(source, [p for p in _label_files(source, row["label"]) if p != row["source"]],
                            image_codec.decode)
        decoded = image_codec.decode((source / row["source"]).read_bytes()).data
        np.testing.assert_array_equal(pipeline.replay(decoded, records, "image", partners), written)


def _label_files(source, label):
    return sorted(f"{label}/{p.name}" for p in (source / label).iterdir())


def run_mix(name, params):
    return pipeline.apply_one("image", name, RGB, params, ONE)


def apply_mix(name, seed, **values):
    from catalogue_helpers import step_for
    out, records = pipeline.augment(RGB, (step_for(name, 1.0, **values),), "image",
                                    np.random.SeedSequence(seed), ONE)
    return out, records[0]["params"]


def test_mixing_is_byte_identical_across_worker_counts(tmp_path):
    source = tmp_path / "src"
    for label in ("a", "b"):
        (source / label).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(smooth_rgb(seed=i + (label == "b") * 10)).save(source / label / f"{i}.png")
    recipe = tmp_path / "r.toml"
    recipe.write_text('[[image]]\nsome_of = [ { transform = "mixup" }, { transform = "cutmix" }, '
                      '{ transform = "mosaic" } ]\nn = [1, 2]\n')
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        api.expand(source=source, recipe=recipe, out=out, copies=3, workers=workers)
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.png"))}
                       | {"manifest": (out / "manifest.csv").read_bytes()})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 19


def test_rerun_redoes_a_mixed_label_whole_and_matches_a_fresh_run(tmp_path):
    source = tmp_path / "src"
    for label in ("cat", "dog"):
        (source / label).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(smooth_rgb(seed=i + (label == "dog") * 10)).save(source / label / f"{i}.png")
    recipe = tmp_path / "r.toml"
    recipe.write_text('[[image]]\ntransform = "mixup"\n')
    out = tmp_path / "out"
    api.expand(source=source, recipe=recipe, out=out, copies=2, workers=1)
    Image.fromarray(smooth_rgb(seed=77)).save(source / "cat" / "2.png")  # a partner changes
    summary = api.expand(source=source, recipe=recipe, out=out, copies=2, workers=1)
    assert (summary.regenerated, summary.unchanged) == (3, 3)
    (source / "dog" / "1.png").unlink()  # a partner goes away
    summary = api.expand(source=source, recipe=recipe, out=out, copies=2, workers=1)
    assert (summary.removed, summary.regenerated, summary.unchanged) == (1, 2, 3)
    fresh = tmp_path / "fresh"
    api.expand(source=source, recipe=recipe, out=fresh, copies=2, workers=1)
    def files(root):
        return {p.relative_to(root): p.read_bytes() for p in root.rglob("*.png")}
    assert files(out) == files(fresh)
    assert (out / "manifest.csv").read_bytes() == (fresh / "manifest.csv").read_bytes()


def test_catalogue_recipe_runs_on_sample_data(tmp_path):
    """The shipped worked example is valid and runs end to end on the bundled images."""
    root = PROJECT_ROOT
    out = tmp_path / "out"
    summary = api.expand(source=root / "sample_data" / "images", recipe=root / "recipes" / "catalogue.toml",
                         out=out, copies=2, workers=1)
    assert summary.exit_code == 0 and summary.copies_written == 48
    with open(out / "manifest.csv", newline="", encoding="utf-8") as handle:
        names = {r["transform"] for row in csv.DictReader(handle) for r in json.loads(row["transforms"])}
    assert {"hflip", "random_erasing"} <= names


def test_preview_mixes_with_the_same_partners_as_expand(tmp_path):
    from augment_cli import layouts
    from augment_cli.commands.preview import build_row
    from augment_cli.recipe import load_recipe
    from augment_cli.run.partners import label_groups

    source = tmp_path / "src"
    (source / "cat").mkdir(parents=True)
    for i in range(3):
        Image.fromarray(smooth_rgb(seed=i)).save(source / "cat" / f"{i}.png")
    recipe_path = tmp_path / "r.toml"
    recipe_path.write_text('[[image]]\ntransform = "cutmix"\n')
    recipe = load_recipe(recipe_path)
    walked = layouts.scan(source, layouts.get("folders"))
    sample = walked.samples[0]
    partners = label_groups(walked.samples)[("cat", "image")]
    row = build_row(source, sample, recipe, 2, 0, partners)
    out = tmp_path / "out"
    api.expand(source=source, recipe=recipe_path, out=out, copies=2, workers=1)
    for k, data, records in row.copies:
        assert records[0]["params"]["partner"] in partners
        written = np.asarray(Image.open(out / "cat" / f"0__aug{k}.png"))
        np.testing.assert_array_equal(data, written)


def test_online_augmenter_mixes_with_given_partners_and_replays():
    from augment_cli.online import Augmenter
    from augment_cli.run.partners import InMemoryPartners

    augmenter = Augmenter.from_toml('[[image]]\ntransform = "mixup"\nlam = 0.5\n')
    partners = InMemoryPartners({"cat/b.png": OTHER})
    out = augmenter.image(RGB, seed=1, source="cat/a.png", partners=partners)
    assert out.params[0]["params"]["partner"] == "cat/b.png"
    np.testing.assert_allclose(out.data, 0.5 * RGB + 0.5 * OTHER, atol=1)
    np.testing.assert_array_equal(pipeline.replay(RGB, out.params, "image", partners), out.data)
    alone = augmenter.image(RGB, seed=1, source="cat/a.png")
    np.testing.assert_array_equal(alone.data, RGB)


@pytest.mark.parametrize("excluded", ["a/0.png", "a/3.png", "a/9.png", "a/absent.png"])
def test_other_files_view_is_the_label_without_the_source(excluded):
    """The view a job picks partners from equals the filtered list, index by
    index, so picks (and every mixing output) are what they were."""
    label = tuple(sorted(f"a/{i}.png" for i in range(10)))
    expected = [p for p in label if p != excluded]
    view = OtherFiles(label, excluded)
    assert len(view) == len(expected) and list(view) == expected
    assert [view[i] for i in range(-len(expected), len(expected))] == expected * 2
    assert view[2:5] == expected[2:5]
    assert all(p in view for p in expected) and excluded not in view and "b/0.png" not in view
    with pytest.raises(IndexError):
        view[len(expected)]


def test_a_label_list_crosses_to_a_worker_once_not_with_every_job():
    """Jobs pickle their label's list as its key; each worker gets the lists
    once at start (partners.share), so a big label costs O(n), not O(n^2)."""
    import pickle

    from augment_cli.errors import SampleError
    from augment_cli.run.partners import label_files, share, shareable, unshare

    partners = label_files({("cat", "image"): tuple(f"cat/{i:05d}.png" for i in range(5000))})
    files = partners[("cat", "image")]
    blob = pickle.dumps(files)
    assert len(blob) < 200
    try:
        share(shareable(partners))
        assert pickle.loads(blob) == files
    finally:
        unshare(shareable(partners))
    with pytest.raises(SampleError, match="label cat"):
        pickle.loads(blob)


def test_two_runs_label_lists_on_one_worker_stay_apart():
    """A Dask worker may serve two mixing runs at once: a label named alike in
    both must give each run's jobs their own run's files, never the other's."""
    import pickle

    from augment_cli.run.partners import label_files, share, shareable, unshare

    first = label_files({("cat", "image"): ("cat/a.png", "cat/b.png")})
    second = label_files({("cat", "image"): ("cat/x.png", "cat/y.png", "cat/z.png")})
    blobs = [pickle.dumps(run[("cat", "image")]) for run in (first, second)]
    try:
        share(shareable(first))
        share(shareable(second))
        assert [tuple(pickle.loads(blob)) for blob in blobs] == [("cat/a.png", "cat/b.png"),
                                                                ("cat/x.png", "cat/y.png", "cat/z.png")]
        unshare(shareable(second))  # the second run ends first
        assert tuple(pickle.loads(blobs[0])) == ("cat/a.png", "cat/b.png")
    finally:
        unshare(shareable(first))
        unshare(shareable(second))


# The transforms these tests pin down (tests/test_registry.py fails while a
# registered transform is named in no module's BEHAVIOUR).
BEHAVIOUR = {
    "image/cutmix": test_cutmix_pastes_the_partner_box_only,
    "image/mixup": test_mixup_lambda_one_is_source_and_blend_is_weighted,
    "image/mosaic": test_mosaic_tiles_hold_scaled_source_and_partners,
}
