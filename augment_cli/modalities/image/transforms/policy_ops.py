"""Policy maths: apply the ops a policy sampler recorded, in order."""

from __future__ import annotations

from typing import Any

import numpy as np

from augment_cli import registry


def apply_ops(image: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    out = image
    for op in params["ops"]:
        spec = registry.require("image", op["transform"])
        out = spec.apply_function()(out, op["params"])
    return out.copy() if out is image else out
