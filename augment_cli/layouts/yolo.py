"""YOLO (Ultralytics): data.yaml, images/<split>/... and labels/<split>/<stem>.txt.

Labels are found where Ultralytics looks for them: the last `images/` of an
image's path becomes `labels/` and the suffix `.txt`. An image without a
label file, or with an empty one, is a background image and stays one (its
copies get an empty label file). A label file with no image is refused. The
split (the folder after `images/`, or before it: train/images/...) is the
sample's label, so mixing transforms never mix splits and [copies] can name
them. DIR gets the same tree and a data.yaml whose split paths point into
DIR: `path` is dropped, so they resolve from data.yaml's own folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from augment_cli.errors import SampleError, UsageError
from augment_cli.layouts.annotated import (
    SKIP_OUTSIDE,
    AnnotatedLayout,
    dataset_file,
    digest_of,
    file_bytes,
    is_file,
    label_bytes,
    label_text,
    read_label_text,
    split_of,
)
from augment_cli.layouts.base import Sample, Scan
from augment_cli.layouts.tree import SKIP_UNSUPPORTED, printable, unsafe_name, walk_files
from augment_cli.modalities import modality_of

if TYPE_CHECKING:  # numpy: imported by workers, not by the main process's walk
    from augment_cli.annotations.model import Annotated, Targets

CONFIG_NAMES = ("data.yaml", "data.yml")
OUT_CONFIG = "data.yaml"
SPLITS = ("train", "val", "test")
NO_IMAGE = "a label file with no image (looked for its stem under the matching images/ folder)"
# LabelImg and similar tools keep the class names beside the labels; data.yaml's names rule.
CLASS_LISTS = ("classes.txt",)
SKIP_CLASS_LIST = "class list beside the labels (data.yaml's names are used)"


@dataclass(frozen=True)
class Classes:
    """What data.yaml says about the labels: class names by id, and pose's shape."""

    names: dict[int, str]
    kpt_shape: tuple[int, int] | None = None
    flip_idx: tuple[int, ...] | None = None


def label_path(image: str) -> str:
    """Ultralytics' img2label_paths on a POSIX path relative to SRC or DIR."""
    head, found, tail = ("/" + image).rpartition("/images/")
    if not found:
        return image.rsplit(".", 1)[0] + ".txt"
    return (head + "/labels/" + tail).lstrip("/").rsplit(".", 1)[0] + ".txt"


class Yolo(AnnotatedLayout):
    name = "yolo"

    def detect(self, source: Path) -> bool:
        return any(is_file(source, name) for name in CONFIG_NAMES)

    def walk(self, source: Path, follow_links: bool, scan: Scan) -> Iterator[Sample]:
        load_config(source)  # a broken data.yaml stops the run before anything is written
        expected: set[str] = set()
        labels: list[str] = []
        for relative in walk_files(source, follow_links, scan):
            parts = relative.split("/")
            if relative in CONFIG_NAMES:
                continue
            if "labels" in parts[:-1] and parts[-1] in CLASS_LISTS:
                scan.skipped[SKIP_CLASS_LIST] += 1
            elif "labels" in parts[:-1] and relative.endswith(".txt"):
                labels.append(relative)
            elif "images" not in parts[:-1]:
                scan.skipped[SKIP_OUTSIDE] += 1
            elif modality_of(relative) != "image":
                scan.skipped[SKIP_UNSUPPORTED] += 1
            elif (problem := unsafe_name(relative)) is not None:
                scan.refused.append((printable(relative), split_of(parts), "image", problem))
            else:
                expected.add(label_path(relative))
                yield Sample(relative, split_of(parts), "image")
        for relative in labels:
            if relative not in expected:
                scan.refused.append((printable(relative), split_of(relative.split("/"), "labels"),
                                     "image", NO_IMAGE))

    def read_targets(self, source: Path, sample: Sample, size: tuple[int, int]) -> Targets:
        from augment_cli.annotations.model import Targets
        from augment_cli.layouts.yolo_labels import parse_labels

        shown = label_path(sample.relative)
        text = label_text(source, shown)
        if text is None:
            return Targets()  # a background image
        classes = load_config(source)
        objects = parse_labels(text, classes, size, shown)
        return Targets(objects, flip_idx=classes.flip_idx)

    def annotation_digest(self, source: Path, sample: Sample) -> str:
        config = Path(_config_stamp(source)[0])
        shown = label_path(sample.relative)
        return digest_of(file_bytes(config, config.name), label_bytes(source, shown) or b"")

    def label_files(self, relative: str) -> tuple[str, ...]:
        return (label_path(relative),)

    def companion_names(self, media_name: str) -> tuple[str, ...]:
        return (label_path(media_name),)

    def annotation_name(self, sample: Sample, media_name: str) -> str:
        return label_path(media_name)

    def companions(self, sample: Sample, media_name: str, records: list[dict[str, Any]],
                   annotated: Annotated | None = None) -> dict[str, bytes]:
        from augment_cli.layouts.yolo_labels import format_labels

        if annotated is None:
            raise SampleError("a YOLO copy needs its targets")
        size = (annotated.image.shape[1], annotated.image.shape[0])
        return {label_path(media_name): format_labels(annotated.targets.objects, size).encode()}

    def check_annotations(self, out: Path, media_name: str, size: tuple[int, int]) -> list[str]:
        from augment_cli.layouts.yolo_labels import parse_labels

        shown = label_path(media_name)
        if not (out / shown).is_file():
            return []  # verify reports a missing companion itself
        try:
            objects = parse_labels(read_label_text(out / shown, shown), load_config(out), size, shown)
        except (SampleError, UsageError) as exc:
            return [str(exc)]
        # Centre and size are each written to 6 decimals: an edge may land 1e-6 outside.
        slack = 1e-5
        return [f"{shown}:{line}: coordinates outside 0..1" for line, obj in enumerate(objects, 1)
                if obj.box is not None and (min(obj.box[0] / size[0], obj.box[1] / size[1]) < -slack
                                            or obj.box[2] / size[0] > 1 + slack
                                            or obj.box[3] / size[1] > 1 + slack)]

    def finish(self, source: Path, rows: Iterable[Any], out: Path) -> dict[str, bytes]:
        import yaml

        config = dict(_raw_config(*_config_stamp(source)))
        config.pop("path", None)  # split paths then resolve from DIR/data.yaml's folder
        for split in SPLITS:
            value = config.get(split)
            if isinstance(value, str):
                config[split] = _inside_source(source, value)
            elif isinstance(value, list):
                config[split] = [_inside_source(source, v) if isinstance(v, str) else v for v in value]
        return {OUT_CONFIG: yaml.safe_dump(config, sort_keys=False, allow_unicode=True).encode()}

    def dataset_files(self, rows: Iterable[Any] = ()) -> tuple[str, ...]:
        return (OUT_CONFIG,)


def load_config(root: Path) -> Classes:
    """The classes of the data.yaml in `root` (cached per file version)."""
    return _classes(*_config_stamp(root))


def _config_stamp(root: Path) -> tuple[str, int, int]:
    for name in CONFIG_NAMES:
        path = dataset_file(root, name)  # a URL SRC's: a local copy (storage/lookups.py)
        if path is not None:
            info = path.stat()
            return str(path), info.st_mtime_ns, info.st_size
    raise UsageError(f"{root} has no {' or '.join(CONFIG_NAMES)}: not a YOLO dataset")


@lru_cache(maxsize=8)
def _raw_config(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    try:
        import yaml
    except ImportError:
        raise UsageError("reading a YOLO data.yaml needs PyYAML", hint="pip install pyyaml") from None
    try:
        loaded = yaml.safe_load(read_label_text(Path(path), path))
    except (yaml.YAMLError, SampleError) as exc:
        raise UsageError(f"{path}: not a readable YAML file ({exc})".replace("\n", " ")) from None
    if not isinstance(loaded, dict) or "names" not in loaded:
        raise UsageError(f"{path}: has no 'names' (the class names of the labels)")
    return loaded


@lru_cache(maxsize=8)
def _classes(path: str, mtime_ns: int, size: int) -> Classes:
    config = _raw_config(path, mtime_ns, size)
    names = config["names"]
    if isinstance(names, list):
        names = dict(enumerate(names))
    if not isinstance(names, dict) or not all(isinstance(k, int) for k in names):
        raise UsageError(f"{path}: 'names' must be a list, or a mapping of class ids to names")
    shape = config.get("kpt_shape")
    if shape is not None and not (isinstance(shape, list) and len(shape) == 2 and shape[1] in (2, 3)
                                  and isinstance(shape[0], int) and shape[0] > 0):
        raise UsageError(f"{path}: kpt_shape must be [keypoints, 2 or 3], got {shape!r}")
    flip = config.get("flip_idx")
    if flip is not None and (shape is None or sorted(flip) != list(range(shape[0]))):
        raise UsageError(f"{path}: flip_idx must be a permutation of the {shape and shape[0]} keypoints")
    return Classes({int(k): str(v) for k, v in names.items()}, tuple(shape) if shape else None,
                   tuple(flip) if flip else None)


def _inside_source(source: Path, split: str) -> str:
    """A split path that names a folder (or list file) of SRC, made relative to
    SRC: it then points into DIR. Absolute ones, and Roboflow's `../train/images`
    (relative to a folder above data.yaml), are found as Ultralytics finds
    them; any other is kept as written."""
    if not isinstance(source, Path):  # a URL SRC (storage.location.Remote): its listings
        return _inside_remote(source, split)
    root = source.resolve()
    candidates = [Path(split)] if Path(split).is_absolute() else [source / split]
    if split.startswith("../"):
        candidates.append(source / split[3:])
    for candidate in candidates:
        found = candidate.resolve()
        if found.exists() and (found == root or root in found.parents):
            return found.relative_to(root).as_posix() or "."
    return split



def _inside_remote(source: Any, split: str) -> str:
    """_inside_source for a URL SRC: a name under it that lists as a folder or an object."""
    from augment_cli.storage.lookups import kind, normalized

    candidates = [split] + ([split[3:]] if split.startswith("../") else [])
    for candidate in candidates:
        found = normalized(candidate)
        if found is not None and kind(source, found) is not None:
            return found
    return split


YOLO = Yolo()
