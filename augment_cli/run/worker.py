"""process_sample(job) -> SampleResult: one source file, all its copies.

Runs in a worker process (or in-process for --workers 1). It is a plain
picklable function of its argument, reads the file once, decodes once, makes
every copy, encodes and writes each atomically, with the files the layout
says a copy carries beside it. It never raises: any failure becomes a failed
result, and the files already written for that source are removed so the
tree always matches the manifest. `open_source` and `make_copy` are the
per-copy steps `augment preview` shares, so a preview shows what expand writes.
"""

from __future__ import annotations

import contextlib
import copy as copying
import dataclasses
import hashlib
import os
import stat
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from augment_cli import registry
from augment_cli.annotations.model import Annotated, Targets
from augment_cli.annotations.summary import object_count
from augment_cli.errors import SampleError
from augment_cli.layouts.base import Layout, Sample
from augment_cli.layouts.reading import read_regular
from augment_cli.modalities import codec_for
from augment_cli.outdir.files import atomic_write, remove_quietly
from augment_cli.outdir.index import Stamp
from augment_cli.outdir.manifest import ManifestRow, transforms_json
from augment_cli.plugins import resolve
from augment_cli.recipe.model import GroupStep, Recipe
from augment_cli.run.distinct import DistinctCopies, marked
from augment_cli.run.jobs import Job, SampleResult
from augment_cli.run.outcomes import distinct_copies_at_most
from augment_cli.run.partners import OtherFiles, Partners
from augment_cli.run.recorded_files import MARK, relative_to
from augment_cli.run.seeding import copy_seed
from augment_cli.run.steps import Record, augment
from augment_cli.storage import is_url

if TYPE_CHECKING:  # imported by the first URL job only: a local run never loads storage/
    from augment_cli.storage.worker import ObjectWriter


@dataclass(frozen=True)
class OpenedSource:
    """One source read and decoded once, ready for any number of copies."""

    sample: Sample
    decoded: Any            # the codec's decoded object (its .data is what transforms get)
    codec: ModuleType
    recipe: Recipe
    resources: Partners | None  # other files of the label, for mixing recipes
    targets: Targets | None = None  # the source's annotations (annotated layouts)

    @property
    def original(self) -> Any:
        """Copy 0 as the steps see data: the pixels, with their targets when annotated."""
        if self.targets is None:
            return self.decoded.data
        return Annotated(self.decoded.data, self.targets, self.recipe.annotations)


def open_source(root: str | Path, sample: Sample, recipe: Recipe, payload: bytes,
                partners: tuple[str, ...] = (), layout: Layout | None = None) -> OpenedSource:
    """Decode a source's bytes, and read its annotations when `layout` has
    them; SampleError if its codec refuses the bytes or its labels are malformed.
    Mixing partners then come with their own targets (read through the layout).
    `root` is SRC: a path, or a URL SRC's Remote standing where the folder does (its labels
    are then read on the bucket: storage/lookups.py)."""
    codec = codec_for(sample.modality)
    decoded = codec.decode(payload, recipe.output)
    decode = partial(codec.decode, output=recipe.output)
    targets, annotate = None, None
    root = Path(root) if isinstance(root, str) else root
    if layout is not None and layout.annotated:
        targets = layout.read_targets(root, sample, image_size(decoded.data))
        annotate = partial(_partner_targets, layout, root, sample)
    resources = (Partners(root, OtherFiles(partners, sample.relative), decode, annotate)
                 if partners else None)
    return OpenedSource(sample, decoded, codec, recipe, resources, targets)


def make_copy(source: OpenedSource, seed: int, copy: int, attempt: int = 0) -> tuple[Any, list[Record]]:
    """Copy `copy` (>= 1) of a source: its data (an Annotated for an annotated
    layout: pixels and moved targets) and the records of what was applied.
    `attempt` >= 1 draws it again (a redraw of a duplicate: distinct.py)."""
    sample = source.sample
    steps = source.recipe.steps_for(sample.modality)
    sequence = copy_seed(seed, sample.relative, copy, attempt)
    if source.targets is None:
        return augment(source.decoded.data, steps, sample.modality, sequence, source.resources,
                       fuse=source.recipe.output.fuse)
    # Each copy moves its own targets; the recipe's [annotations] limits say which it keeps.
    start = Annotated(source.decoded.data, copying.deepcopy(source.targets), source.recipe.annotations)
    return augment(start, steps, sample.modality, sequence, source.resources,
                   fuse=source.recipe.output.fuse)


def image_size(pixels: Any) -> tuple[int, int]:
    """(width, height) of decoded pixels."""
    return int(pixels.shape[1]), int(pixels.shape[0])


def _partner_targets(layout: Layout, root: Path, sample: Sample, relative: str, pixels: Any) -> Annotated:
    """A mixing partner as an annotated sample: its pixels and its own targets."""
    partner = Sample(relative, sample.label, sample.modality)
    targets = layout.read_targets(root, partner, image_size(pixels))
    return Annotated(pixels, targets if targets is not None else Targets())


def distinct_copies(source: OpenedSource, distinct: bool = True) -> DistinctCopies:
    """What refuses repeated copies of this source (`distinct` False: nothing).
    An annotated source is compared with its targets, as its copies are."""
    most = _most_distinct(source.recipe, source.sample.modality)
    return DistinctCopies(source.original, distinct, most)


@lru_cache(maxsize=16)
def _most_distinct(recipe: Recipe, modality: str) -> int | None:
    return distinct_copies_at_most(recipe, modality)


def make_distinct_copy(source: OpenedSource, seed: int, copy: int,
                       made: DistinctCopies) -> tuple[Any, list[Record], int | None]:
    """make_copy, redrawn while it repeats the source or an earlier copy in `made`;
    the third value is the copy a kept duplicate repeats (0: the source), else None."""
    return made.make(copy, partial(make_copy, source, seed, copy))


_WARM: set[tuple[str, str]] = set()  # (recipe digest, modality) whose code is imported


def warm(job: Job) -> None:
    """Import the codec and the appliers a job needs (once per recipe and
    modality), so the watchdog's clock times the file, not the imports."""
    key = (job.recipe.digest, job.sample.modality)
    if key in _WARM:
        return
    codec_for(job.sample.modality)
    for step in job.recipe.steps_for(job.sample.modality):
        for member in step.members if isinstance(step, GroupStep) else (step,):
            with contextlib.suppress(ImportError, LookupError):  # process_sample reports it
                registry.require(job.sample.modality, member.transform).apply_function()
    _WARM.add(key)


def process_sample(job: Job) -> SampleResult:
    result = SampleResult(job.sample)
    if job.recipe.side_objects:  # side files in object storage: what the recipe check listed
        _serve_side_files(job)
    writer = _Writer(Path(job.out_root)) if not is_url(job.out_root) else _object_writer(job)
    try:
        result.stamp, payload = (_read_source(Path(job.source_root) / job.sample.relative)
                                 if not is_url(job.source_root) else _read_object(job))
        result.sha256 = source_digest(job, payload)
        result.rows, result.companions, result.duplicates = _make_copies(job, payload, writer)
    except SampleError as exc:
        result.error = str(exc)
    except MemoryError:
        result.error = "out of memory"
    except Exception as exc:  # never let one file take the run down
        result.error = f"unexpected {type(exc).__name__}: {exc}"
    if result.error is not None:
        writer.remove_written()
        result.rows, result.companions, result.duplicates = [], [], (0, 0)
    return result


def _serve_side_files(job: Job) -> None:
    from augment_cli.storage.sidefiles import serve

    serve(job.recipe.side_objects, job.storage)


def _object_writer(job: Job) -> ObjectWriter:
    from augment_cli.storage.worker import ObjectWriter

    return ObjectWriter(job)


def _read_object(job: Job) -> tuple[Stamp, bytes]:
    from augment_cli.storage.worker import read_object

    return read_object(job)


def source_digest(job: Job, payload: bytes) -> str:
    """The index's SHA-256 of a source; an annotated one's is followed by
    ":" and that of its annotations (taken before they are read), so a
    re-run redoes it when either changes (outdir/incremental.py)."""
    digest = hashlib.sha256(payload).hexdigest()
    layout = resolve(job.layout)
    if not layout.annotated:
        return digest
    return digest + ":" + layout.annotation_digest(source_root(job), job.sample)


def source_root(job: Job) -> Path:
    """SRC as a layout reads it: a path, or a URL SRC's Remote (standing where a folder does,
    as in run/plan.py)."""
    if not is_url(job.source_root):
        return Path(job.source_root)
    from augment_cli.storage.location import Remote

    return cast(Path, Remote(job.source_root, job.storage))


def _make_copies(job: Job, payload: bytes,
                 writer: _Writer | ObjectWriter) -> tuple[list[ManifestRow], list[str], tuple[int, int]]:
    """Write every output of the job: its manifest rows, the companion files'
    names and (copies redrawn, duplicates kept)."""
    sample, layout = job.sample, resolve(job.layout)
    source = open_source(source_root(job), sample, job.recipe, payload, job.partners, layout)
    # Every output of a source shares one folder: check it once, not per copy.
    folder = writer.folder_of(job.outputs[0][1])
    rows, companions = [], []
    made = distinct_copies(source, job.distinct)
    for copy, name in job.outputs:
        records: list[Record] = []
        repeats = None
        if copy == 0:
            blob, data = payload, source.original
        else:
            data, records, repeats = make_distinct_copy(source, job.seed, copy, made)
            pixels = data.image if isinstance(data, Annotated) else data
            blob = source.codec.encode(pixels, source.decoded, PurePosixPath(name).suffix, job.recipe.output)
        # The labels are made before the image is written: a copy whose labels
        # cannot be written is never on disk without them (nor they without it).
        annotated = data if isinstance(data, Annotated) else None
        extras = sorted(layout.companions(sample, name, records, annotated).items())
        writer.write(folder / PurePosixPath(name).name, name, blob)
        for extra, content in extras:
            writer.write(writer.folder_of(extra) / PurePosixPath(extra).name, extra, content)
            companions.append(extra)
        rows.append(_row(job, layout, name, copy, marked(records, repeats), blob, annotated))
    writer.flush()
    return rows, companions, (made.redrawn, made.kept)


def _row(job: Job, layout: Layout, name: str, copy: int, records: list[Record], blob: bytes,
         annotated: Annotated | None) -> ManifestRow:
    sample = job.sample
    row = ManifestRow(name, sample.label, sample.relative, copy, sample.modality,
                      _manifest_json(records, job), hashlib.sha256(blob).hexdigest())
    if annotated is None:
        return row
    targets = annotated.targets
    return dataclasses.replace(row, annotations=layout.annotation_name(sample, name),
                               objects=object_count(targets), dropped=targets.dropped)


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
    past the stamp and the next run redoes it. A source swapped for a pipe or
    a device since the walk is refused, not read forever (layouts/reading.py)."""
    try:
        info, payload = read_regular(path)
        return Stamp(info.st_size, info.st_mtime_ns), payload
    except OSError as exc:
        raise SampleError(f"cannot read file: {exc.strerror or exc}") from None


@lru_cache(maxsize=8)
def _real_root(out_root: str) -> Path:
    return Path(out_root).resolve()


class _Writer:
    """Writes one source's outputs into DIR and remembers them, so a failure
    part-way can remove every file of that source again."""

    def __init__(self, out_root: Path):
        self.out_root = out_root
        self.written: list[Path] = []
        self._folders: set[Path] = set()

    def folder_of(self, name: str) -> Path:
        """The (made, checked) folder a DIR-relative name goes into."""
        folder = _inside(self.out_root, PurePosixPath(name).parent.as_posix())
        if folder not in self._folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SampleError(f"cannot write {name}: {exc.strerror or exc}") from None
            self._folders.add(folder)
        return folder

    def write(self, target: Path, name: str, blob: bytes) -> None:
        try:
            atomic_write(target, blob, make_folder=False)
        except OSError as exc:
            raise SampleError(f"cannot write {name}: {exc.strerror or exc}") from None
        self.written.append(target)

    def remove_written(self) -> None:
        for path in self.written:
            remove_quietly(path)

    def flush(self) -> None:
        """Every file is in place as soon as it is written (ObjectWriter sends them here)."""


def _inside(out_root: Path, folder: str) -> Path:
    """The output path, refused if it would lie outside DIR (e.g. reached
    through a symlinked folder inside DIR). Checked for every source (a folder
    swapped for a symlink mid-run is caught) with one lstat per level below
    DIR; only a level that is a symlink is resolved, and DIR itself once per
    process (resolving the whole path was 7 % of a 16x16 PNG's time)."""
    parts, target = PurePosixPath(folder).parts, out_root / folder
    if ".." in parts or (_has_symlink(out_root, parts) and not _resolves_inside(out_root, target)):
        raise SampleError(f"output folder {folder} would be outside the output folder")
    return target


def _resolves_inside(out_root: Path, target: Path) -> bool:
    root, real = _real_root(str(out_root)), target.resolve()
    return real == root or root in real.parents


def _has_symlink(out_root: Path, parts: tuple[str, ...]) -> bool:
    """Whether a level of DIR/<parts> is a symlink (a missing level ends the walk:
    nothing below it exists yet)."""
    level = os.fspath(out_root)
    for part in parts:
        level = os.path.join(level, part)
        try:
            if stat.S_ISLNK(os.lstat(level).st_mode):
                return True
        except (FileNotFoundError, NotADirectoryError):  # mkdir then says what is wrong
            return False
    return False
