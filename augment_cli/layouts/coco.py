"""COCO: one or more COCO JSON files and the images they list.

The JSONs are `annotations/*.json` or `_annotations.coco.json` (Roboflow's
export: at the top of SRC or in a split folder). An image's `file_name`
resolves from the JSON's folder, else from SRC, SRC/images or the folder a
COCO file is named after (instances_train2017.json -> train2017/). Each
JSON is a label (mixing stays inside it). A JSON that does not parse, an
entry naming a missing file and a file listed twice are refused per entry.

A copy's image entry and annotations go to a companion file
`.augment-coco/<image>.json` as it is written, so resumed and incremental
runs keep every finished copy's annotations; `finish` then writes one COCO
JSON per input JSON at the same place in DIR, with the input's info,
licenses and categories, new image and annotation ids (1, 2, ... in file
name order), `area` recomputed, and `augment: {source_image_id, copy}` in
each image entry. Its file_names resolve from that JSON's folder in DIR
when the images lie under it, else from DIR.
"""

from __future__ import annotations

import json
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from augment_cli.errors import SampleError
from augment_cli.layouts.annotated import (
    AnnotatedLayout,
    dataset_file,
    digest_of,
    dir_files,
    is_file,
    read_label_bytes,
)
from augment_cli.layouts.base import Sample, Scan
from augment_cli.layouts.tree import printable, unsafe_name, walk_files
from augment_cli.modalities import modality_of

if TYPE_CHECKING:  # numpy: imported by workers, not by the main process's walk
    from augment_cli.annotations.model import Annotated, Targets

ROBOFLOW_NAME = "_annotations.coco.json"
COMPANIONS = ".augment-coco"
SKIP_UNLISTED = "image no COCO file lists"


@dataclass
class CocoFile:
    """One parsed COCO JSON: its images by SRC-relative path, annotations by image id."""

    raw: dict[str, Any]
    categories: dict[int, str]
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    annotations: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (what, why)


def coco_files(source: Path) -> list[str]:
    """SRC-relative paths of the COCO JSONs of a tree, sorted."""
    if not isinstance(source, Path):  # a URL SRC (storage.location.Remote): its listings
        return _listed_coco_files(source)
    found = [f"annotations/{p.name}" for p in (source / "annotations").glob("*.json") if p.is_file()]
    found += [ROBOFLOW_NAME] if (source / ROBOFLOW_NAME).is_file() else []
    found += [f"{p.parent.name}/{ROBOFLOW_NAME}" for p in source.glob(f"*/{ROBOFLOW_NAME}") if p.is_file()]
    return sorted(set(found))


def _listed_coco_files(source: Any) -> list[str]:
    """coco_files of a URL SRC: annotations/ and the top level listed, each top-level folder's
    _annotations.coco.json looked up (HEAD requests, sent together: storage/lookups.py)."""
    from augment_cli.storage.lookups import listing, objects_among

    found = [f"annotations/{name}" for name, folder in listing(source, "annotations").items()
             if not folder and name.endswith(".json")]
    top = listing(source, "")
    found += [ROBOFLOW_NAME] if top.get(ROBOFLOW_NAME) is False else []
    found += objects_among(source, [f"{name}/{ROBOFLOW_NAME}" for name, folder in top.items() if folder])
    return sorted(set(found))


class Coco(AnnotatedLayout):
    """`explicit`: the SRC-relative COCO JSON of `--annotations FILE`, read instead
    of the ones found in the tree (layouts/coco_explicit.py)."""

    name = "coco"

    def __init__(self, explicit: str | None = None):
        self.explicit = explicit

    def detect(self, source: Path) -> bool:
        return bool(coco_files(source))

    def datasets(self, source: Path) -> list[str]:
        """The COCO JSONs this run reads, SRC-relative, sorted."""
        return [self.explicit] if self.explicit else coco_files(source)

    def walk(self, source: Path, follow_links: bool, scan: Scan) -> Iterator[Sample]:
        seen: set[str] = set()
        listed: set[str] = set()
        for dataset in self.datasets(source):
            parsed = load(source, dataset)
            listed.update(parsed.images)
            scan.refused += [(printable(f"{dataset} ({what})"), dataset, "image", why)
                             for what, why in parsed.refused]
            for relative in sorted(parsed.images):
                if relative in seen:
                    scan.refused.append((printable(relative), dataset, "image",
                                         "listed by another COCO file too; list each image once"))
                elif (problem := unsafe_name(relative)) is not None:
                    scan.refused.append((printable(relative), dataset, "image", problem))
                else:
                    seen.add(relative)
                    yield Sample(relative, dataset, "image")
        _count_unlisted(source, follow_links, listed, scan)

    def read_targets(self, source: Path, sample: Sample, size: tuple[int, int]) -> Targets:
        from augment_cli.annotations.model import Targets
        from augment_cli.layouts.coco_objects import to_object

        parsed = load(source, sample.label)
        image = parsed.images.get(sample.relative)
        if image is None:
            raise SampleError(f"{sample.label}: no longer lists {sample.relative}")
        stated = (image.get("width"), image.get("height"))
        if stated != size:
            raise SampleError(f"{sample.label}: image id {image.get('id')} is {stated[0]}x{stated[1]} "
                              f"in the file but {size[0]}x{size[1]} on disk")
        anns = sorted(parsed.annotations.get(image.get("id"), []), key=lambda a: str(a.get("id")))
        return Targets([to_object(ann, parsed.categories, size, f"{sample.label}: annotation id "
                                  f"{ann.get('id')}") for ann in anns])

    def annotation_digest(self, source: Path, sample: Sample) -> str:
        """Of the sample's own entry, annotations and the categories: editing
        one image's annotations in a large JSON redoes that image only."""
        parsed = load(source, sample.label)
        image = parsed.images.get(sample.relative, {})
        own = {"image": image, "annotations": parsed.annotations.get(image.get("id"), []),
               "categories": parsed.raw.get("categories")}
        return digest_of(json.dumps(own, sort_keys=True, default=str).encode())

    def companion_names(self, media_name: str) -> tuple[str, ...]:
        return (f"{COMPANIONS}/{media_name}.json",)

    def annotation_name(self, sample: Sample, media_name: str) -> str:
        return sample.label

    def companions(self, sample: Sample, media_name: str, records: list[dict[str, Any]],
                   annotated: Annotated | None = None) -> dict[str, bytes]:
        from augment_cli.layouts.coco_objects import to_annotation

        if annotated is None:
            raise SampleError("a COCO copy needs its targets")
        size = (int(annotated.image.shape[1]), int(annotated.image.shape[0]))
        # The source image's other keys, its id and the copy index join in
        # `finish`, from SRC's file and the manifest row.
        record = {"dataset": sample.label, "file_name": _file_name(sample.label, media_name),
                  "width": size[0], "height": size[1],
                  "annotations": [to_annotation(obj, size) for obj in annotated.targets.objects]}
        return {self.companion_names(media_name)[0]: _dumps(record)}

    def check_annotations(self, out: Path, media_name: str, size: tuple[int, int]) -> list[str]:
        shown = self.companion_names(media_name)[0]
        try:
            record = json.loads(read_label_bytes(out / shown, shown))
            if [record["width"], record["height"]] != list(size):
                return [f"{shown}: records {record['width']}x{record['height']}, "
                        f"the image is {size[0]}x{size[1]}"]
            return [f"{shown}: annotation {i}: bbox outside the image" for i, ann in
                    enumerate(record["annotations"], 1) if not _box_inside(ann.get("bbox"), size)]
        except FileNotFoundError:
            return []  # verify reports a missing companion itself
        except (SampleError, ValueError, KeyError, TypeError) as exc:
            return [f"{shown}: does not parse ({exc})"]

    def finish(self, source: Path, rows: Iterable[Any], out: Path) -> dict[str, bytes]:
        copies: dict[str, list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
        named = ((row, self.companion_names(row.file_name)[0]) for row in rows)
        for row, payload in dir_files(out, named):  # a URL DIR's: read on the bucket
            copies[row.label].append((row, json.loads(payload)))
        wanted = sorted(set(self.datasets(source)) | set(copies))
        parsed = {dataset: load(source, dataset) for dataset in wanted}
        # An input that does not parse (reported by the walk) has nothing to write back.
        return {dataset: _dumps(_dataset(found, copies[dataset])) for dataset, found in parsed.items()
                if found.raw or copies[dataset]}

    def dataset_files(self, rows: Iterable[Any] = ()) -> tuple[str, ...]:
        return tuple(sorted({row.annotations for row in rows if row.annotations}))


def _count_unlisted(source: Path, follow_links: bool, listed: set[str], scan: Scan) -> None:
    """An image in SRC that no COCO file lists has no labels to move: counted in
    the summary's skipped reasons, so a JSON that misses files is noticed."""
    for relative in walk_files(source, follow_links, Scan()):  # hidden files etc. are not images
        if relative not in listed and modality_of(relative) == "image":
            scan.skipped[SKIP_UNLISTED] += 1


def _dataset(parsed: CocoFile, copies: list[tuple[Any, dict[str, Any]]]) -> dict[str, Any]:
    """The output COCO file: the input's other blocks (info, licenses, categories),
    the copies' images (new ids, provenance) and their annotations (new ids)."""
    result = {k: v for k, v in parsed.raw.items() if k not in ("images", "annotations")}
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for image_id, (row, record) in enumerate(copies, 1):
        source_image = parsed.images.get(row.source, {})
        kept = {k: v for k, v in source_image.items() if k not in ("id", "file_name", "width", "height")}
        provenance = {"source_image_id": source_image.get("id"), "copy": row.copy}
        images.append({"id": image_id, "file_name": record["file_name"], "width": record["width"],
                       "height": record["height"], **kept, "augment": provenance})
        for ann in record["annotations"]:
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, **ann})
    result["images"], result["annotations"] = images, annotations
    return result


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _box_inside(bbox: Any, size: tuple[int, int]) -> bool:
    if bbox is None:
        return True
    x, y, w, h = bbox
    slack = 0.01  # the two decimals boxes are written with
    return w >= 0 and h >= 0 and min(x, y) >= -slack and x + w <= size[0] + slack and y + h <= size[1] + slack


def _file_name(dataset: str, media_name: str) -> str:
    """A copy's file_name: from the JSON's folder in DIR when under it, else from DIR."""
    folder = posixpath.dirname(dataset)
    return media_name[len(folder) + 1:] if folder and media_name.startswith(folder + "/") else media_name


def load(source: Path, dataset: str) -> CocoFile:
    """The parsed COCO file `dataset` of SRC (cached per file version); a URL SRC's is read
    from a local copy (layouts/annotated.dataset_file)."""
    path = source / dataset if isinstance(source, Path) else dataset_file(source, dataset)
    try:
        if path is None:
            raise FileNotFoundError(2, "no such object")
        info = path.stat()
    except OSError as exc:
        return CocoFile({}, {}, refused=[("the file", f"cannot be read: {exc.strerror or exc}")])
    return _parse(source, dataset, str(path), info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=4)
def _parse(root: Path, dataset: str, path: str, mtime_ns: int, size: int) -> CocoFile:
    try:
        raw = json.loads(read_label_bytes(Path(path), dataset))
        categories = {c["id"]: str(c.get("name", c["id"])) for c in raw.get("categories", [])}
        images, annotations = raw["images"], raw.get("annotations", [])
        if not isinstance(images, list) or not isinstance(annotations, list):
            raise TypeError("images and annotations must be lists")
    except (SampleError, ValueError, KeyError, TypeError) as exc:
        return CocoFile({}, {}, refused=[("the file", f"is not a readable COCO file ({exc})")])
    parsed = CocoFile(raw, categories)
    for image in images:
        _add_image(root, dataset, image, parsed)
    listed = {image.get("id") for image in images if isinstance(image, dict)}
    for number, ann in enumerate(annotations, 1):
        if not isinstance(ann, dict):
            parsed.refused.append((f"annotation {number}", "is not an object"))
        elif ann.get("image_id") not in listed:
            parsed.refused.append((f"annotation id {ann.get('id')}",
                                   f"names image id {ann.get('image_id')!r}, which the file does not list"))
        else:
            parsed.annotations.setdefault(ann["image_id"], []).append(ann)
    return parsed


def _add_image(root: Path, dataset: str, image: Any, parsed: CocoFile) -> None:
    if not isinstance(image, dict) or not isinstance(image.get("file_name"), str):
        parsed.refused.append((f"image {image!r:.60}", "has no file_name"))
        return
    relative = resolve_file(root, dataset, image["file_name"])
    if relative in parsed.images:
        parsed.refused.append((f"image id {image.get('id')}", f"lists {relative} a second time"))
    elif relative is None:
        parsed.refused.append((f"image id {image.get('id')}", f"names {image['file_name']!r}, which is "
                               "not in the source folder"))
    elif modality_of(relative) != "image":
        parsed.refused.append((f"image id {image.get('id')}", f"{relative} is not a supported image type"))
    else:
        parsed.images[relative] = image


def resolve_file(root: Path, dataset: str, file_name: str) -> str | None:
    """The SRC-relative path a file_name names, or None when no candidate exists."""
    folder = posixpath.dirname(dataset)
    named_after = Path(dataset).stem.rpartition("_")[2]
    for base in (folder, "", "images", named_after):
        candidate = posixpath.normpath(posixpath.join(base, file_name))
        inside = not candidate.startswith(("../", "/")) and candidate != ".."
        if inside and is_file(root, candidate):
            return candidate
    return None


COCO = Coco()
