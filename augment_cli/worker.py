"""process_sample(job) -> SampleResult: one source file, all its copies.

Runs in a worker process (or in-process for --workers 1). It is a plain
picklable function of its argument, reads the file once, decodes once, makes
every copy, encodes and writes each atomically. It never raises: any failure
becomes a failed result, and the copies already written for that source are
removed so the tree always matches the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from augment_cli.dataset import Sample
from augment_cli.errors import SampleError
from augment_cli.files import atomic_write, remove_quietly
from augment_cli.manifest import ManifestRow, transforms_json
from augment_cli.pipeline import augment
from augment_cli.recipe import Recipe
from augment_cli.seeding import copy_seed


@dataclass(frozen=True)
class Job:
    source_root: str
    out_root: str
    sample: Sample
    outputs: tuple[tuple[int, str], ...]  # (copy index, DIR-relative name); 0 = original
    recipe: Recipe
    seed: int


@dataclass
class SampleResult:
    sample: Sample
    rows: list[ManifestRow] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def process_batch(jobs: list[Job]) -> list[SampleResult]:
    """Several jobs per task keeps inter-process overhead low for small files."""
    return [process_sample(job) for job in jobs]


def process_sample(job: Job) -> SampleResult:
    result = SampleResult(job.sample)
    written: list[Path] = []
    try:
        _make_copies(job, result, written)
    except SampleError as exc:
        result.error = str(exc)
    except MemoryError:
        result.error = "out of memory"
    except Exception as exc:  # never let one file take the run down
        result.error = f"unexpected {type(exc).__name__}: {exc}"
    if result.error is not None:
        for path in written:
            remove_quietly(path)
        result.rows.clear()
    return result


def _make_copies(job: Job, result: SampleResult, written: list[Path]) -> None:
    sample, out_root = job.sample, Path(job.out_root)
    payload = _read_source(Path(job.source_root) / sample.relative)
    codec = _codec(sample.modality)
    decoded = codec.decode(payload)
    steps = job.recipe.steps_for(sample.modality)
    for copy, name in job.outputs:
        if copy == 0:
            blob, records = payload, []
        else:
            sequence = copy_seed(job.seed, sample.relative, copy)
            data, records = augment(decoded.data, steps, sample.modality, sequence)
            blob = codec.encode(data, decoded, PurePosixPath(name).suffix, job.recipe.output)
        target = out_root / name
        atomic_write(target, blob)
        written.append(target)
        result.rows.append(ManifestRow(name, sample.label, sample.relative, copy,
                                       sample.modality, transforms_json(records)))


def _read_source(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SampleError(f"cannot read file: {exc.strerror or exc}") from None


def _codec(modality: str):
    """The modality's codec module: decode(bytes) -> Decoded (with .data) and
    encode(data, decoded, extension, output) -> bytes. Imported lazily so an
    image-only run never imports the audio stack."""
    if modality == "image":
        from augment_cli import image_codec
        return image_codec
    if modality == "audio":
        from augment_cli import audio_codec
        return audio_codec
    raise SampleError(f"no codec for modality {modality}")
