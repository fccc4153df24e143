"""Same-label partners for mixing transforms (mixup, cutmix, mosaic).

A mixing transform blends a source with other files of *its own label*, so
an output's label is exactly its source's. The plan gives each job the
sorted paths of its label's files; the worker wraps them in `Partners`, which
pipeline.augment passes to the sampler (as meta["partners"]: which may be
picked) and to the applier (to load the picked one's pixels). Replaying a
manifest row needs a `Partners` over the same SRC.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, overload

from augment_cli import registry
from augment_cli.errors import SampleError
from augment_cli.layouts.reading import read_regular
from augment_cli.recipe.model import GroupStep, Recipe


class OtherFiles(Sequence[str]):
    """A label's sorted paths without one of them (the job's own source), as
    a view: a job costs O(log n) however large its label, where copying or
    filtering the list per job would make a mixing run quadratic in the
    label's size (10,000 files: 10,000 jobs x 10,000 paths)."""

    def __init__(self, label_paths: tuple[str, ...], excluded: str):
        self._paths = label_paths
        at = bisect_left(label_paths, excluded)
        self._skip = at if at < len(label_paths) and label_paths[at] == excluded else len(label_paths)

    def __len__(self) -> int:
        return len(self._paths) - (self._skip < len(self._paths))

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("partner index out of range")
        return self._paths[index + (index >= self._skip)]

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        at = bisect_left(self._paths, path)
        return at != self._skip and at < len(self._paths) and self._paths[at] == path


class Partners:
    """Other files of one label, read and decoded on first use, then cached
    (a job makes all copies of one source, which may pick the same partner)."""

    def __init__(self, root: Any, paths: Sequence[str], decode: Callable[[bytes], Any],
                 annotate: Callable[[str, Any], Any] | None = None):
        """`annotate(path, pixels)`, for an annotated layout, makes a partner
        what the steps of an annotated image see (pixels with their targets)."""
        self.root = Path(root) if isinstance(root, str) else root  # or a URL SRC's Remote
        self.paths: Sequence[str] = paths if isinstance(paths, OtherFiles) else tuple(paths)
        self._allowed = paths if isinstance(paths, OtherFiles) else frozenset(self.paths)
        self._decode, self._annotate = decode, annotate
        self._cache: dict[str, Any] = {}

    def __call__(self, relative: str) -> Any:
        if relative not in self._allowed:
            raise SampleError(f"mixing partner {relative!r} is not another file of this label")
        if relative not in self._cache:
            try:
                payload = self._read(relative)
            except OSError as exc:
                raise SampleError(f"cannot read mixing partner {relative}: {exc.strerror or exc}") from None
            try:
                data = self._decode(payload).data
                self._cache[relative] = data if self._annotate is None else self._annotate(relative, data)
            except SampleError as exc:
                raise SampleError(f"mixing partner {relative}: {exc.reason}") from None
        return self._cache[relative]


    def _read(self, relative: str) -> bytes:
        if isinstance(self.root, Path):
            return read_regular(self.root / relative)[1]
        from augment_cli.storage.lookups import object_bytes  # a URL SRC: one GET

        return object_bytes(self.root, relative)


class InMemoryPartners:
    """Partners held in memory (online use): name -> decoded data. The names
    are what the manifest-style records show as `partner`."""

    def __init__(self, items: dict[str, Any]):
        self._items = dict(items)
        self.paths = tuple(sorted(self._items))

    def __call__(self, name: str) -> Any:
        if name not in self._items:
            raise SampleError(f"mixing partner {name!r} is not one of the given partners")
        return self._items[name]


def label_groups(samples) -> dict[tuple[str, str], tuple[str, ...]]:
    """Sorted relative paths per (label, modality): who may mix with whom."""
    groups: dict[tuple[str, str], list[str]] = {}
    for sample in samples:
        groups.setdefault((sample.label, sample.modality), []).append(sample.relative)
    return {key: tuple(sorted(paths)) for key, paths in groups.items()}


Key = tuple[str, str, str]  # (the run's lists token, label, modality)


def lists_token(groups: dict[tuple[str, str], tuple[str, ...]]) -> str:
    """A digest of a run's label lists: runs whose lists differ never share
    them, even on one long-lived Dask worker that serves both at once."""
    digest = hashlib.sha256()
    for (label, modality), paths in sorted(groups.items()):
        entry = json.dumps([label, modality, paths], ensure_ascii=False)
        digest.update(entry.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


class LabelFiles(tuple):
    """A label's sorted file paths, one object shared by all its jobs.

    Pickled, it is only its key (the run's lists token, label, modality):
    each pool worker gets the lists once, when it starts (`share`, run by the
    pool's initializer), so a 10,000-file label does not cross the process
    boundary with every batch of jobs, which made a mixing run quadratic in
    the label's size."""

    key: Key

    def __new__(cls, key: Key, paths: tuple[str, ...]) -> LabelFiles:
        files = super().__new__(cls, paths)
        files.key = key
        return files

    def __reduce__(self) -> tuple[Any, tuple[Key]]:
        return _shared, (self.key,)


def label_files(groups: dict[tuple[str, str], tuple[str, ...]]) -> dict[tuple[str, str], LabelFiles]:
    """A plan's partners: per (label, modality), its LabelFiles under this run's token."""
    token = lists_token(groups)
    return {(label, modality): LabelFiles((token, label, modality), paths)
            for (label, modality), paths in groups.items()}


# This worker process's label lists: a pool worker's one run's, set by `share`
# when it starts; a Dask worker's, of every run it serves (each plugin's).
_SHARED: dict[Key, LabelFiles] = {}


def share(groups: dict[Key, tuple[str, ...]]) -> None:
    """Make a run's label lists available to the jobs this process unpickles."""
    _SHARED.update((key, LabelFiles(key, tuple(paths))) for key, paths in groups.items())


def unshare(groups: dict[Key, tuple[str, ...]]) -> None:
    """Forget a run's label lists (its Dask plugin is removed at the run's end)."""
    for key in groups:
        _SHARED.pop(key, None)


def shareable(partners: dict[tuple[str, str], LabelFiles]) -> dict[Key, tuple[str, ...]]:
    """A plan's lists as plain tuples by their full keys, to send to a worker
    (LabelFiles pickle as keys)."""
    return {files.key: tuple(files) for files in partners.values()}


def _shared(key: Key) -> LabelFiles:
    try:
        return _SHARED[key]
    except KeyError:
        raise SampleError(f"the file list of label {key[1]} was not shared with this worker") from None


def uses_partners(recipe: Recipe) -> bool:
    """True when any step (or group member) of the recipe mixes files."""
    for modality, steps in recipe.steps:
        for step in steps:
            members = step.members if isinstance(step, GroupStep) else (step,)
            for member in members:
                spec = registry.require(modality, member.transform)
                if spec.uses_partners:
                    return True
    return False
