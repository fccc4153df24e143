"""Mosaic, cutmix and mixup: every piece's objects land where its pixels land.

The source and two partners of other sizes are scenes of known shapes; each
object is tagged with its image, so after a mix we know whose it is. A
probe replay that lights one shape of one image (all others blank) shows
where that shape's pixels went; the mixed annotations must match it.
"""

from __future__ import annotations

import numpy as np
import pytest

from annotation_checks import check_keypoints, check_object, matches
from annotation_scenes import Scene, rasterised, where_it_landed
from augment_cli.annotations.limits import Limits
from augment_cli.annotations.model import Annotated, Object, Targets
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps
from augment_cli.run.partners import InMemoryPartners

SEEDS = range(16)
RECIPES = {"mosaic": "", "cutmix": "area = [0.2, 0.5]", "mixup": "lam = [0.3, 0.9]"}
SCENES = {None: Scene(), "b.png": Scene(96, 64), "c.png": Scene(150, 110, shift=(5, 3))}
MEASURABLE_PX = 40


def annotated(name: str | None) -> Annotated:
    scene = SCENES[name]
    data = scene.annotated(Limits())
    for obj in data.targets.objects:
        obj.extra["origin"] = (name, obj.category)
    return data


def partners(lit: tuple[str | None, int] | None = None, dot: bool = False) -> InMemoryPartners:
    """Annotated partners (lit None), or probes: only shape `lit` (or its dot) lit."""
    if lit is None:
        return InMemoryPartners({name: annotated(name) for name in SCENES if name})
    return InMemoryPartners({name: probe(name, lit, dot) for name in SCENES if name})


def probe(name: str | None, lit: tuple[str | None, int], dot: bool) -> np.ndarray:
    scene = SCENES[name]
    if lit[0] != name:
        return scene.blank()
    return scene.dot(lit[1]) if dot else scene.probe(lit[1])


def mixed(transform: str, seed: int) -> tuple[Annotated, list]:
    text = f'[[image]]\ntransform = "{transform}"\n{RECIPES[transform]}\n'
    recipe = parse_recipe(text, "mix.toml").steps_for("image")
    return steps.augment(annotated(None), recipe, "image", np.random.SeedSequence(seed), partners())


def landed(records: list, lit: tuple[str | None, int], dot: bool = False) -> np.ndarray:
    out = steps.replay(probe(None, lit, dot), records, "image", partners(lit, dot))
    return out if dot else where_it_landed(out)


def objects_from(targets: Targets, origin: tuple[str | None, int]) -> list[Object]:
    return [o for o in targets.objects if o.extra["origin"] == origin]


def object_from(targets: Targets, origin: tuple[str | None, int]) -> Object | None:
    found = objects_from(targets, origin)
    return found[0] if found else None


@pytest.mark.parametrize("transform", sorted(RECIPES))
def test_every_pieces_objects_follow_its_pixels(transform):
    for seed in SEEDS:
        out, records = mixed(transform, seed)
        for name in SCENES:
            check_image_objects(out, records, name, f"{transform} seed {seed} {name}")


def check_image_objects(out: Annotated, records: list, name: str | None, where: str) -> None:
    """The objects that came from image `name` (None: the source) against its probes."""
    scene, cutmix_source = SCENES[name], records[0]["transform"] == "cutmix" and name is None
    for index in range(len(scene.shapes)):
        pixels = landed(records, (name, index))
        found = objects_from(out.targets, (name, index + 1))
        if len(found) > 1:  # a mosaic may pick one partner for two tiles
            check_repeated(found, pixels, f"{where} class {index + 1}")
            continue
        obj = found[0] if found else None
        check_object(obj, pixels, f"{where} class {index + 1}", covered=cutmix_source)
        if cutmix_source and obj is not None:
            check_covered_visibility(obj, pixels, scene.shapes[index].pixels, where)
    if len(objects_from(out.targets, (name, 1))) <= 1:
        check_keypoints(scene, object_from(out.targets, (name, 1)),
                        lambda k: landed(records, (name, k), dot=True), where,
                        piece_edges(records[0]["params"]))


def piece_edges(params: dict) -> list[tuple[float, float, float, float]]:
    """Where the mix's pieces meet: the borders that cut a dot."""
    width, height = SCENES[None].width, SCENES[None].height
    edges = [(0.0, 0.0, float(width), float(height))]
    if "box" in params:
        x, y, w, h = params["box"]
        edges.append((x, y, x + w, y + h))
    if "centre_px" in params:
        cx, cy = params["centre_px"]
        edges += [(0, 0, cx, cy), (cx, cy, width, height)]
    return edges


def check_repeated(found: list[Object], pixels: np.ndarray, where: str) -> None:
    """One shape shown in several tiles: together its copies cover its pixels."""
    height, width = pixels.shape
    union = np.zeros(pixels.shape, bool)
    for obj in found:
        union |= obj.mask if obj.mask is not None else rasterised(obj.polygons, width, height)
        if not obj.polygons and obj.mask is None:
            x0, y0, x1, y1 = np.round(obj.box).astype(int)
            union[y0:y1, x0:x1] = True
    assert matches(union, pixels), where


def check_covered_visibility(obj: Object, pixels: np.ndarray, drawn: np.ndarray, where: str) -> None:
    """A source object under cutmix's box keeps the share of its area that still shows."""
    if np.count_nonzero(drawn) >= MEASURABLE_PX:
        showing = np.count_nonzero(pixels) / np.count_nonzero(drawn)
        assert abs(obj.visibility - showing) <= 0.1, f"{where}: visibility {obj.visibility} vs {showing}"


@pytest.mark.parametrize("transform", ["mosaic", "cutmix"])
def test_the_semantic_mask_is_each_pieces_mask_where_it_shows(transform):
    for seed in SEEDS:
        out, records = mixed(transform, seed)
        assert out.targets.mask.shape == out.image.shape[:2]
        for category in range(1, 6):
            expected = np.zeros(out.image.shape[:2], bool)
            for name in SCENES:
                expected |= landed(records, (name, category - 1))
            if np.count_nonzero(expected) >= MEASURABLE_PX:
                assert matches(out.targets.mask == category, expected), f"{transform} {seed} {category}"


def test_mixup_keeps_both_images_objects_and_the_heavier_images_mask():
    for seed in SEEDS:
        out, records = mixed("mixup", seed)
        params = records[0]["params"]
        heavier = None if params["lam"] >= 0.5 else params["partner"]
        origins = {o.extra["origin"][0] for o in out.targets.objects}
        assert origins == {None, params["partner"]}
        for category in range(1, 6):
            expected = landed(records, (heavier, category - 1))
            if np.count_nonzero(expected) >= MEASURABLE_PX:
                assert matches(out.targets.mask == category, expected), f"seed {seed} class {category}"


def test_a_partner_without_annotations_brings_pixels_only():
    bare = InMemoryPartners({name: SCENES[name].image() for name in SCENES if name})
    recipe = parse_recipe('[[image]]\ntransform = "cutmix"\narea = 0.3\n', "mix.toml").steps_for("image")
    out, records = steps.augment(annotated(None), recipe, "image", np.random.SeedSequence(3), bare)
    assert records[0]["params"]["partner"] is not None
    assert {o.extra["origin"][0] for o in out.targets.objects} == {None}
    x, y, w, h = records[0]["params"]["box"]
    assert (out.targets.mask[y:y + h, x:x + w] == 0).all()  # mask_fill where the bare partner shows


def test_no_partner_leaves_the_targets_as_they_were():
    recipe = parse_recipe('[[image]]\ntransform = "mosaic"\n', "mix.toml").steps_for("image")
    source = annotated(None)
    out, _ = steps.augment(source, recipe, "image", np.random.SeedSequence(0), InMemoryPartners({}))
    origins = [o.extra["origin"] for o in out.targets.objects]
    assert origins == [o.extra["origin"] for o in source.targets.objects]
    assert np.array_equal(out.targets.mask, source.targets.mask)
    assert out.targets.dropped == 0
