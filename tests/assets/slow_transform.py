"""A test-only image transform that sleeps: for the watchdog and orphan tests.

Importing this module registers `test_sleep`. `slow_augment.py` imports it
before running the CLI, and a spawned pool worker re-imports that script
(multiprocessing's spawn runs the parent's main module), so the transform
exists in the main process and in every worker alike.
"""

from __future__ import annotations

import time

from augment_cli.registry import Param, register


@register("test_sleep", modality="image", apply="slow_transform:apply", params=(
    Param("seconds", "float", 30.0, bounds=(0, 3600), ranged=False, help="how long to sleep"),
    Param("width", "int", 0, bounds=(0, 65535), ranged=False,
          help="sleep only on images this wide (0: every image)"),
))
def test_sleep(rng, drawn, meta):
    """Sleep (on images of the given width), then leave the image as it is."""
    return drawn


def apply(image, params):
    if params["width"] in (0, image.shape[1]):
        time.sleep(params["seconds"])
    return image.copy()
