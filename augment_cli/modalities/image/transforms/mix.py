"""Mixing within a label: mixup, cutmix and mosaic.

The partner is drawn from the copy's own random stream among the *other*
files of the source's label (meta["partners"], sorted), and recorded by its
path relative to SRC, so the output's label is exactly the source's and a
manifest row replays. A partner is converted to the source's kind (depth,
grey/colour, alpha) and resized to the source's size. With no other file in
the label the copy is the source unchanged (partner recorded as null).
"""

from __future__ import annotations

from augment_cli.registry import Param, register

OPS = "augment_cli.modalities.image.transforms.mix_ops"
GEOMETRY = "augment_cli.modalities.image.transforms.point_maps"


def _pick(rng, meta):
    partners = meta.get("partners", ())
    return partners[int(rng.integers(len(partners)))] if partners else None


@register("mixup", modality="image", geometry=f"{GEOMETRY}:mixup",
          apply=f"{OPS}:mixup", uses_partners=True, params=(
    Param("lam", "float", (0.6, 0.9), bounds=(0, 1),
          help="weight of the source (1 = source only, 0.5 = even blend)"),
))
def mixup(rng, drawn, meta):
    """Blend with another image of the same label: out = lam x source + (1 - lam) x partner."""
    partner = _pick(rng, meta)
    return {"partner": partner, "lam": drawn["lam"] if partner else 1.0}


@register("cutmix", modality="image", geometry=f"{GEOMETRY}:cutmix",
          apply=f"{OPS}:cutmix", uses_partners=True, params=(
    Param("area", "float", (0.1, 0.4), bounds=(0, 1),
          help="fraction of the image replaced by the partner's box"),
))
def cutmix(rng, drawn, meta):
    """Paste a box (same place, drawn size) from another image of the same label."""
    partner = _pick(rng, meta)
    width, height = meta["width"], meta["height"]
    side = drawn["area"] ** 0.5  # the box keeps the image's aspect ratio
    w, h = round(width * side), round(height * side)
    x, y = int(rng.integers(0, width - w + 1)), int(rng.integers(0, height - h + 1))
    return {"partner": partner, "box": [x, y, w, h] if partner else [0, 0, 0, 0]}


@register("mosaic", modality="image", geometry=f"{GEOMETRY}:mosaic",
          apply=f"{OPS}:mosaic", uses_partners=True, params=(
    Param("centre", "float", (0.3, 0.7), bounds=(0.05, 0.95), draw=False,
          help="where the 2x2 tiles meet, as a fraction of width and height"),
))
def mosaic(rng, drawn, meta):
    """Collage (2x2) of the source and three images of the same label, each scaled into its tile."""
    low, high = drawn["centre"] if isinstance(drawn["centre"], tuple) else (drawn["centre"],) * 2
    cx = round(meta["width"] * rng.uniform(low, high))
    cy = round(meta["height"] * rng.uniform(low, high))
    tiles = [_pick(rng, meta) for _ in range(3)]
    if tiles[0] is None:
        return {"tiles": [None] * 4, "centre_px": [cx, cy]}
    tiles.insert(int(rng.integers(4)), None)  # None = the source, in a random tile
    return {"tiles": tiles, "centre_px": [cx, cy]}
