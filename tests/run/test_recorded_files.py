"""Files a step picked are named relative to the recipe in the manifest, and
replay joins them back onto the recipe's folder."""

from __future__ import annotations

import os
from pathlib import Path

from augment_cli.outdir.manifest import transforms_json
from augment_cli.run.recorded_files import MARK, relative_to, resolved_from

BASE = Path("/data/project/recipes")
RECORDS = [
    {"transform": "background_noise",
     "params": {"noise_file": "/data/project/noise/hum.wav", "offset_fraction": 0.25}},
    {"transform": "short_noises",
     "params": {"bursts": [{"noise_file": "/data/project/recipes/clicks/a.wav", "start_s": 0.1},
                           {"noise_file": "/elsewhere/b.flac", "start_s": 0.2}]}},
    {"transform": "impulse_response", "params": {"ir_file": "/data/project/ir/room.wav"}},
    {"transform": "gain", "params": {"gain_db": 3.0, "note": "/data/project/noise/hum.wav"}},
]


def test_every_file_parameter_becomes_relative_to_the_recipe_folder():
    relative = relative_to(RECORDS, BASE)
    assert relative[0]["params"] == {"noise_file": "../noise/hum.wav", "offset_fraction": 0.25}
    bursts = relative[1]["params"]["bursts"]
    assert [b["noise_file"] for b in bursts] == ["clicks/a.wav", "../../../elsewhere/b.flac"]
    assert [b["start_s"] for b in bursts] == [0.1, 0.2]
    assert relative[2]["params"]["ir_file"] == "../ir/room.wav"
    assert relative[3] == RECORDS[3]  # only *_file parameters are paths
    assert RECORDS[0]["params"]["noise_file"] == "/data/project/noise/hum.wav"  # input kept


def test_resolving_gives_back_the_absolute_paths():
    back = resolved_from(relative_to(RECORDS, BASE), BASE)
    normalised = [{**r, "params": _normalised(r["params"])} for r in back]
    assert normalised == RECORDS


def test_rows_without_files_are_recognised_from_their_json():
    assert MARK in transforms_json(RECORDS[:1])
    assert MARK not in transforms_json(RECORDS[3:])


def _normalised(params):
    """`base/../x` as `x` (replay's paths are joined, not normalised)."""
    if "bursts" in params:
        return {"bursts": [{**b, "noise_file": os.path.normpath(b["noise_file"])} for b in params["bursts"]]}
    return {k: os.path.normpath(v) if k.endswith("_file") else v for k, v in params.items()}
