"""process_sample(job) -> SampleResult: one source file, all its copies.

Runs in a worker process (or in-process for --workers 1). It is a plain
picklable function of its argument, reads the file once, decodes once, makes
every copy, encodes and writes each atomically. It never raises: any failure
becomes a failed result, and the copies already written for that source are
removed so the tree always matches the manifest.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache, partial
from pathlib import Path, PurePosixPath

from augment_cli.codecs import codec_for
from augment_cli.errors import SampleError
from augment_cli.files import atomic_write, remove_quietly
from augment_cli.index import Stamp
from augment_cli.jobs import Job, SampleResult
from augment_cli.manifest import ManifestRow, transforms_json
from augment_cli.partners import OtherFiles, Partners
from augment_cli.pipeline import Record, augment
from augment_cli.recorded_files import MARK, relative_to
from augment_cli.seeding import copy_seed


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
    result.stamp, payload = _read_source(Path(job.source_root) / sample.relative)
    result.sha256 = hashlib.sha256(payload).hexdigest()
    codec = codec_for(sample.modality)
    decoded = codec.decode(payload, job.recipe.output)
    steps = job.recipe.steps_for(sample.modality)
    resources = (Partners(job.source_root, OtherFiles(job.partners, sample.relative),
                          partial(codec.decode, output=job.recipe.output))
                 if job.partners else None)
    # Every output of a source shares one folder: check it once, not per copy.
    folder = _inside(out_root, PurePosixPath(job.outputs[0][1]).parent.as_posix())
    _make_folder(folder, job.outputs[0][1])
    for copy, name in job.outputs:
        records: list[Record] = []
        if copy == 0:
            blob = payload
        else:
            sequence = copy_seed(job.seed, sample.relative, copy)
            data, records = augment(decoded.data, steps, sample.modality, sequence, resources)
            blob = codec.encode(data, decoded, PurePosixPath(name).suffix, job.recipe.output)
        target = folder / PurePosixPath(name).name
        _write(target, name, blob)
        written.append(target)
        result.rows.append(ManifestRow(name, sample.label, sample.relative, copy, sample.modality,
                                       _manifest_json(records, job), hashlib.sha256(blob).hexdigest()))


def _manifest_json(records: list[Record], job: Job) -> str:
    """The transforms cell; files a step picked are named relative to the recipe."""
    text = transforms_json(records)
    if MARK not in text:
        return text
    return transforms_json(relative_to(records, _recipe_folder(job.recipe.path, os.getcwd())))


@lru_cache(maxsize=8)
def _recipe_folder(recipe_path: str, cwd: str) -> Path:
    """Resolved once, not per copy; `cwd` keys it because a relative recipe
    path means another folder after a chdir (in-process runs)."""
    return (Path(cwd) / recipe_path).resolve().parent


def _read_source(path: Path) -> tuple[Stamp, bytes]:
    """Stamp first, then read: if the file changes meanwhile, its mtime moves
    past the stamp and the next run redoes it."""
    try:
        return Stamp.of(path), path.read_bytes()
    except OSError as exc:
        raise SampleError(f"cannot read file: {exc.strerror or exc}") from None


def _write(target: Path, name: str, blob: bytes) -> None:
    try:
        atomic_write(target, blob, make_folder=False)
    except OSError as exc:
        raise SampleError(f"cannot write {name}: {exc.strerror or exc}") from None


def _make_folder(folder: Path, first_name: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SampleError(f"cannot write {first_name}: {exc.strerror or exc}") from None


def _inside(out_root: Path, folder: str) -> Path:
    """The output folder, refused if it would lie outside DIR (e.g. reached
    through a symlinked folder inside DIR)."""
    target = out_root / folder
    root, real = out_root.resolve(), target.resolve()
    if ".." in PurePosixPath(folder).parts or (real != root and root not in real.parents):
        raise SampleError(f"output folder {folder} would be outside the output folder")
    return target
