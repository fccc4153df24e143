"""Resolution and quality transforms: worse input data on purpose.

Downscaling, JPEG artefacts, sensor noise and the blurs a camera makes
(motion, defocus), plus median blur and sharpening. The maths is in
`image_quality_ops.py`. Noise is drawn in the applier from a seed the sampler
draws and records, so a manifest row replays to the same pixels.
"""

from __future__ import annotations

from augment_cli.modalities.image.transforms.core import INTERPOLATION, odd_size
from augment_cli.registry import PIXELS, Param, register

OPS = "augment_cli.modalities.image.transforms.quality_ops"


@register("downscale", modality="image", geometry=PIXELS, apply=f"{OPS}:downscale", params=(
    Param("scale", "float", (0.25, 0.5), bounds=(0.01, 1), help="size of the small copy (0.5 = half)"),
    INTERPOLATION,
))
def downscale(rng, drawn, meta):
    """Shrink then enlarge back to the source size: a low-resolution look."""
    return drawn


@register("jpeg", modality="image", fixed=True, geometry=PIXELS, apply=f"{OPS}:jpeg", params=(
    Param("quality", "int", (50, 90), bounds=(1, 100), help="JPEG quality of the re-compression"),
))
def jpeg(rng, drawn, meta):
    """Re-compress as JPEG at the drawn quality (block and ringing artefacts); 8-bit images only."""
    return drawn


@register("gaussian_noise", modality="image", geometry=PIXELS, apply=f"{OPS}:gaussian_noise", params=(
    Param("std", "float", (0.01, 0.05), bounds=(0, 1),
          help="noise standard deviation as a fraction of the full range"),
    Param("per_channel", "bool", True, help="independent noise per channel (false = same for all)"),
))
def gaussian_noise(rng, drawn, meta):
    """Add zero-mean Gaussian noise (seeded, recorded) to the colour channels."""
    return {**drawn, "noise_seed": int(rng.integers(2**31))}


@register("motion_blur", modality="image", geometry=PIXELS, apply=f"{OPS}:motion_blur", params=(
    Param("kernel", "int", (3, 9), bounds=(3, 101), draw=False,
          help="length of the motion in pixels (odd; an even bound is rounded up)"),
    Param("angle_deg", "float", (0.0, 180.0), bounds=(-360, 360), help="direction of the motion"),
))
def motion_blur(rng, drawn, meta):
    """Blur along a straight line of the drawn length and direction (camera shake)."""
    return {**drawn, "kernel": odd_size(rng, drawn["kernel"])}


@register("median_blur", modality="image", geometry=PIXELS, apply=f"{OPS}:median_blur", params=(
    Param("kernel", "int", (3, 5), bounds=(3, 99), draw=False,
          help="window side in pixels (odd; an even bound is rounded up)"),
))
def median_blur(rng, drawn, meta):
    """Replace each pixel by the median of its window (removes speckle, keeps edges)."""
    return {"kernel": odd_size(rng, drawn["kernel"])}


@register("sharpen", modality="image", geometry=PIXELS, apply=f"{OPS}:sharpen", params=(
    Param("amount", "float", (0.2, 1.0), bounds=(0, 10), help="strength (0 = unchanged)"),
    Param("sigma", "float", 1.0, bounds=(0.1, 20), help="size of the detail sharpened, in pixels"),
))
def sharpen(rng, drawn, meta):
    """Unsharp mask: out = in + amount x (in - gaussian_blur(in, sigma))."""
    return drawn


@register("defocus", modality="image", geometry=PIXELS, apply=f"{OPS}:defocus", params=(
    Param("radius", "int", (3, 7), bounds=(1, 50), help="radius of the out-of-focus disc in pixels"),
    Param("alias_blur", "float", (0.1, 0.5), bounds=(0, 5),
          help="sigma softening the disc's edge"),
))
def defocus(rng, drawn, meta):
    """Lens defocus: convolve with a disc of the drawn radius."""
    return drawn
