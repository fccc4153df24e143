"""Pascal VOC: JPEGImages/<stem>.<ext> and Annotations/<stem>.xml.

Each object's `name`, `pose`, `truncated`, `difficult` and `occluded` (and
any other simple child element) are kept; `bndbox` is VOC's 1-based pixel
box (pixel coordinates are xmin - 1 .. xmax) and `size` is rewritten for
every copy. An image without an XML is a background image (its copies get
an XML with no objects); an XML without an image is refused. The images
folder is the sample's label, so mixing takes partners from the whole set.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from augment_cli.errors import SampleError
from augment_cli.layouts.annotated import (
    SidecarLayout,
    check_box,
    label_bytes,
    outside,
    read_label_bytes,
)
from augment_cli.layouts.base import Sample

if TYPE_CHECKING:  # numpy: imported by workers, not by the main process's walk
    from augment_cli.annotations.model import Annotated, Object, Targets

IMAGES, ANNOTATIONS = "JPEGImages", "Annotations"
BOX = ("xmin", "ymin", "xmax", "ymax")
NO_IMAGE = f"an annotation file with no image (looked for its stem under {IMAGES}/)"


class Voc(SidecarLayout):
    name = "voc"
    IMAGES, LABELS, SUFFIX, NO_IMAGE = IMAGES, ANNOTATIONS, ".xml", NO_IMAGE

    def read_targets(self, source: Path, sample: Sample, size: tuple[int, int]) -> Targets:
        from augment_cli.annotations.model import Targets

        shown = self.label_path(sample.relative)
        payload = label_bytes(source, shown)
        if payload is None:
            return Targets()
        root = _parse(payload, shown)
        return Targets([_object(node, size, f"{shown}: object {i}")
                        for i, node in enumerate(root.iter("object"), 1)])

    def companions(self, sample: Sample, media_name: str, records: list[dict[str, Any]],
                   annotated: Annotated | None = None) -> dict[str, bytes]:
        if annotated is None:
            raise SampleError("a VOC copy needs its targets")
        return {self.label_path(media_name): _document(media_name, annotated)}

    def check_annotations(self, out: Path, media_name: str, size: tuple[int, int]) -> list[str]:
        shown = self.label_path(media_name)
        if not (out / shown).is_file():
            return []
        try:
            root = _parse(read_label_bytes(out / shown, shown), shown)
            written = (int(root.findtext("size/width") or -1), int(root.findtext("size/height") or -1))
            if written != size:
                return [f"{shown}: size says {written[0]}x{written[1]}, the image is {size[0]}x{size[1]}"]
            for i, node in enumerate(root.iter("object"), 1):
                box = _box(node, f"{shown}: object {i}")
                if box[0] < 0 or box[1] < 0 or box[2] > size[0] or box[3] > size[1]:
                    return [f"{shown}: object {i}: bndbox outside the image"]
        except (SampleError, ValueError) as exc:
            return [str(exc)]
        return []


def _parse(payload: bytes, shown: str) -> ElementTree.Element:
    try:
        root = ElementTree.fromstring(payload)
    except ElementTree.ParseError as exc:
        raise SampleError(f"{shown}: not well-formed XML ({exc})") from None
    if root.tag != "annotation":
        raise SampleError(f"{shown}: the root element is <{root.tag}>, not <annotation>")
    return root


def _object(node: ElementTree.Element, size: tuple[int, int], where: str) -> Object:
    import numpy as np

    from augment_cli.annotations.model import Object

    name = node.findtext("name")
    if not name:
        raise SampleError(f"{where}: has no <name>")
    box = _box(node, where)
    check_box(box, size, where)
    extra: dict[str, Any] = {child.tag: (child.text or "").strip() for child in node
                             if child.tag not in ("bndbox",) and len(child) == 0}
    # VOC names classes, it does not number them: a number stable per name
    # (CRC-32) tells objects apart (preview colours); the name is what is written.
    return Object(zlib.crc32(name.encode()) & 0xFFFF, box=np.array(box, dtype=np.float64), extra=extra)


def _box(node: ElementTree.Element, where: str) -> tuple[float, float, float, float]:
    values = []
    for key in BOX:
        text = node.findtext(f"bndbox/{key}")
        try:
            values.append(float(text or ""))
        except ValueError:
            raise SampleError(f"{where}: bndbox {key} {text!r} is not a number") from None
    xmin, ymin, xmax, ymax = values
    return xmin - 1, ymin - 1, xmax, ymax


def _document(media_name: str, annotated: Annotated) -> bytes:
    height, width = annotated.image.shape[:2]
    depth = 1 if annotated.image.ndim == 2 else annotated.image.shape[2]
    root = ElementTree.Element("annotation")
    _child(root, "folder", IMAGES)
    _child(root, "filename", media_name.rpartition("/")[2])
    size = _child(root, "size")
    for key, value in (("width", width), ("height", height), ("depth", depth)):
        _child(size, key, str(value))
    _child(root, "segmented", "0")
    for obj in annotated.targets.objects:
        if obj.box is None or outside(tuple(obj.box), (width, height)):
            continue
        node = _child(root, "object")
        for key, value in obj.extra.items():
            _child(node, key, str(value))
        x0, y0, x1, y1 = (float(v) for v in obj.box)
        box = (max(x0, 0) + 1, max(y0, 0) + 1, min(x1, width), min(y1, height))
        bndbox = _child(node, "bndbox")
        for key, value in zip(BOX, box, strict=True):
            _child(bndbox, key, str(round(value)))
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _child(parent: ElementTree.Element, tag: str, text: str | None = None) -> ElementTree.Element:
    node = ElementTree.SubElement(parent, tag)
    if text is not None:
        node.text = text
    return node


VOC = Voc()
