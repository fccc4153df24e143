"""Run every registered transform of one modality on degenerate inputs.

Images of 1x1, 1xN and Nx1 pixels (uint8 and uint16; 1 to 4 channels),
audio of one frame, text of one character. Each transform runs with its
defaults and once per value of each of its choice parameters (every
interpolation, every border). A case may give a result or a clear
SampleError; anything else is printed as `fail <case>: <error>`.

Run in a child process by tests/run/test_degenerate_inputs.py: a hang inside
native code (OpenCV spinning) cannot be interrupted by a Python signal
handler, so each case arms faulthandler's watchdog thread, which exits the
process with the case's traceback; the parent names the case from the last
`start` line. Usage: python degenerate_runner.py image|audio|text SECONDS [PART/PARTS]
(PART/PARTS: every PARTS-th transform from the PART-th, to split the work).
"""

from __future__ import annotations

import faulthandler
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from augment_cli import registry
from augment_cli.errors import SampleError
from augment_cli.recipe import parse_recipe
from augment_cli.run import steps as pipeline

ASSETS = Path(__file__).resolve().parent
# Values for required parameters, small enough to stay degenerate too.
REQUIRED = {
    ("image", "random_crop"): 'height = 1\nwidth = 2\n',
    ("image", "center_crop"): 'height = 2\nwidth = 1\n',
    ("image", "resize"): 'height = 1\nwidth = 3\n',
    ("image", "rotate"): 'angle_deg = [-30, 30]\n',
}
SEEDS = 2


def variants(modality: str, name: str, folder: Path) -> Iterator[str]:
    """TOML bodies of one step: defaults, then each choice of each choice parameter."""
    spec = registry.require(modality, name)
    base = REQUIRED.get((modality, name), "") + _side_values(modality, name, folder)
    yield base
    for param in spec.params:
        if param.kind == "choice" and not (name == "back_translate" and param.name == "backend"):
            for choice in param.choices:
                yield base + f'{param.name} = "{choice}"\n'


def _side_values(modality: str, name: str, folder: Path) -> str:
    spec = registry.require(modality, name)
    if spec.param("folder"):
        return f'folder = "{folder / ("rooms" if name == "impulse_response" else "noise")}"\n'
    if name == "back_translate":
        command = f"{sys.executable} {ASSETS / 'fake_translator.py'} {{src}} {{tgt}} {folder / 'count.txt'}"
        return f"backend = \"command\"\ncommand = '{command}'\nmodel = \"fake-1\"\n"
    return ""


def images() -> Iterator[tuple[str, np.ndarray]]:
    for height, width in ((1, 1), (1, 7), (7, 1)):
        for dtype in (np.uint8, np.uint16):
            for channels in (1, 2, 3, 4):
                shape = (height, width) if channels == 1 else (height, width, channels)
                scale = 257 if dtype == np.uint16 else 1
                pixels = (np.arange(height * width * channels) * 37 % 250 * scale).astype(dtype)
                yield f"{height}x{width}x{channels} {np.dtype(dtype).name}", pixels.reshape(shape)


def audios() -> Iterator[tuple[str, object]]:
    from augment_cli.modalities.audio.codec import Audio

    for channels in (1, 2):
        yield f"1 frame x{channels}", Audio(np.full((channels, 1), 0.25, np.float32), 16000)


def texts() -> Iterator[tuple[str, str]]:
    for text in ("a", "é", ".", " ", "\n"):
        yield repr(text), text


class Partners:
    """Mixing partners, themselves degenerate: `.paths` and path -> data."""

    def __init__(self, items: dict[str, object]):
        self.items, self.paths = items, tuple(sorted(items))

    def __call__(self, path: str) -> object:
        return self.items[path]


def make_folders(root: Path) -> None:
    """Recording folders for the audio steps that read files (one frame each too)."""
    import soundfile as sf

    for sub, name in (("noise", "hum.wav"), ("rooms", "ir.wav")):
        (root / sub).mkdir()
        sf.write(root / sub / name, np.full(1, 0.1, np.float32), 16000)


def inputs(modality: str) -> list[tuple[str, object]]:
    return list({"image": images, "audio": audios, "text": texts}[modality]())


def main(modality: str, seconds: float, part: str = "0/1") -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_folders(root)
        data = inputs(modality)
        partners = Partners({f"p{i}": item for i, (_, item) in enumerate(data)})
        first, parts = (int(n) for n in part.split("/"))
        for name in registry.names(modality)[first::parts]:
            for body in variants(modality, name, root):
                toml = f'[[{modality}]]\ntransform = "{name}"\n{body}'
                steps = parse_recipe(toml, str(root / "r.toml")).steps_for(modality)
                for label, item in data:
                    failures += run_case(f"{name} [{body.strip()!r}] on {label}", modality, steps,
                                         item, partners, seconds)
    print(f"done, {failures} failures", flush=True)
    return 0


def run_case(case: str, modality: str, steps, item, partners, seconds: float) -> int:
    print(f"start {case}", flush=True)
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        for seed in range(SEEDS):
            pipeline.augment(item, steps, modality, np.random.SeedSequence(seed), partners)
    except SampleError as exc:
        if exc.__cause__ is not None:  # apply_one wrapped an exception the applier did not expect
            print(f"fail {case}: {exc}", flush=True)
            return 1
    except Exception as exc:
        print(f"fail {case}: {type(exc).__name__}: {exc}", flush=True)
        return 1
    finally:
        faulthandler.cancel_dump_traceback_later()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]), *sys.argv[3:]))
