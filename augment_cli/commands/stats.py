"""`augment stats SRC`: what a labelled tree holds, from file headers.

Per label: files, modalities, formats, bytes and image sizes; the files whose
header cannot be read; and a warning when the labels are imbalanced. Images
and audio are read only as far as their headers (Pillow's lazy open,
soundfile.info), so a tree of thousands of files takes seconds; a text file
is read whole (its words are what there is to count). A file whose header
reads but whose body is truncated is only found by `expand` itself.

For an annotated layout (yolo, coco, voc, masks) each image's annotations are
read too: objects per class (for a semantic mask, images per class value)
and the images without any object; malformed labels count as unreadable.

Each modality's header reader is named by its entry in the modality table
(modalities/<name>/header.py): a function of a path returning a dict with at
least "format", or raising SampleError, with the checks its codec applies.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from augment_cli import layouts, modalities
from augment_cli.errors import SampleError, printable
from augment_cli.layouts.coco_explicit import read_source
from augment_cli.layouts.splits import read_root

TOTALS = ("seconds", "words")  # summed per label: audio length, text length
IMBALANCE_RATIO = 1.5  # largest / smallest label above this is worth a warning
Progress = Callable[[int, int], None]


@dataclass
class LabelStats:
    files: int = 0
    bytes: int = 0
    modalities: Counter = field(default_factory=Counter)
    formats: Counter = field(default_factory=Counter)
    sizes: list[tuple[int, int]] = field(default_factory=list)  # image (width, height)
    totals: Counter = field(default_factory=Counter)  # audio "seconds", text "words"
    unreadable: int = 0


@dataclass
class Stats:
    source: str
    labels: dict[str, LabelStats] = field(default_factory=dict)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # e.g. which split of a split tree was read
    annotated: bool = False  # the layout has annotation files: the two counts below are kept
    objects: Counter = field(default_factory=Counter)  # class name -> objects
    without_objects: int = 0  # images with no object (background images)
    unit: str = "files"  # what is counted per label: a table's rows

    @property
    def files(self) -> int:
        return sum(s.files for s in self.labels.values())

    def imbalance(self) -> tuple[str, str, float] | None:
        """(largest label, smallest label, ratio) when the ratio is over IMBALANCE_RATIO.
        An annotated dataset's labels are its splits (train, val), not classes: never."""
        if len(self.labels) < 2 or self.annotated:
            return None
        counts = {label: s.files for label, s in self.labels.items()}
        largest = max(counts, key=lambda k: (counts[k], k))
        smallest = min(counts, key=lambda k: (counts[k], k))
        ratio = counts[largest] / max(counts[smallest], 1)
        return (largest, smallest, round(ratio, 2)) if ratio > IMBALANCE_RATIO else None

    def warnings(self) -> list[str]:
        found = self.imbalance()
        if not found:
            return []
        largest, smallest, ratio = found
        return [f"labels are imbalanced: '{largest}' has {self.labels[largest].files} {self.unit}, "
                f"'{smallest}' {self.labels[smallest].files} (ratio {ratio:g} > {IMBALANCE_RATIO:g})"
                + ("; `augment expand --balance` evens them out" if self.unit == "files" else "")]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "files": self.files, "unit": self.unit,
            "labels": {label: _label_dict(s) for label, s in self.labels.items()},
            "formats": dict(sorted(sum((s.formats for s in self.labels.values()), Counter()).items())),
            "unreadable": [{"file": f, "error": e} for f, e in self.unreadable],
            "skipped": dict(sorted(self.skipped.items())),
            "imbalance": _imbalance_dict(self.imbalance()),
            "warnings": self.warnings(), "notes": list(self.notes),
        } | ({"objects": dict(sorted(self.objects.items())), "images_without_objects": self.without_objects}
             if self.annotated else {})

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)


def collect(source: str | Path | None, on_progress: Progress | None = None, layout: str | None = None,
            annotations: str | Path | None = None, text_columns: tuple[str, ...] = ("text",),
            label_column: str | None = None, split: str | None = None) -> Stats:
    """Walk `source` like `expand` does and read every file's header (`annotations`:
    a COCO JSON to read, `--annotations FILE`); a table SRC is counted row by
    row (`text_columns`, `label_column`, `split` as expand takes them)."""
    source, layout, explicit = read_source(source, annotations, layout)
    if layouts.find(source, layout) == "table":
        from augment_cli.commands.table_stats import table_stats

        return table_stats(source, text_columns, label_column, split)
    layouts.check_source(source)
    name = layouts.find(source, layout)
    # a train/val/test tree: its training split, as expand reads it
    name, chosen = read_root(source, name, explicit=layout is not None)
    found = layouts.get(name, explicit)
    walked = layouts.scan(chosen.root, found)
    stats = Stats(str(source), skipped=walked.skipped.copy(), notes=[chosen.note] if chosen.note else [],
                  annotated=found.annotated)
    if found.annotated:  # label files without an image, JSON entries naming missing files
        stats.unreadable += [(path, why) for path, _, _, why in walked.refused]
    source = chosen.root
    for done, sample in enumerate(walked.samples, 1):
        label = stats.labels.setdefault(sample.label, LabelStats())
        info = _add(stats, label, source, sample)
        if found.annotated and info is not None:
            _count_objects(stats, label, found, source, sample, (info["width"], info["height"]))
        if on_progress:
            on_progress(done, len(walked.samples))
    return stats


def _count_objects(stats: Stats, label: LabelStats, layout: layouts.Layout, source: Path, sample,
                   size: tuple[int, int]) -> None:
    from augment_cli.annotations.summary import class_name, mask_classes, object_count

    try:
        targets = layout.read_targets(source, sample, size)
    except SampleError as exc:
        label.unreadable += 1
        stats.unreadable.append((sample.relative, str(exc)))
        return
    assert targets is not None, "an annotated layout always reads targets"
    stats.objects.update(class_name(obj) for obj in targets.objects)
    if targets.mask is not None:
        stats.objects.update(f"class {value}" for value in mask_classes(targets.mask))
    stats.without_objects += object_count(targets) == 0


def _add(stats: Stats, label: LabelStats, source: Path, sample) -> dict[str, Any] | None:
    path = source / sample.relative
    label.files += 1
    label.modalities[sample.modality] += 1
    try:
        label.bytes += path.stat().st_size
        if path.stat().st_size == 0:
            raise SampleError("empty file (0 bytes)")
        info = modalities.part(sample.modality, "header")(path)
    except OSError as exc:
        info, error = None, f"cannot read file: {exc.strerror or exc}"
    except SampleError as exc:
        info, error = None, str(exc)
    if info is None:
        label.unreadable += 1
        stats.unreadable.append((sample.relative, error))
        return None
    label.formats[info["format"]] += 1
    if "width" in info:
        label.sizes.append((info["width"], info["height"]))
    for key in TOTALS:
        label.totals[key] += info.get(key, 0)
    return info


def _label_dict(s: LabelStats) -> dict[str, Any]:
    sizes = {}
    if s.sizes:
        widths, heights = [w for w, _ in s.sizes], [h for _, h in s.sizes]
        sizes = {"min": [min(widths), min(heights)], "max": [max(widths), max(heights)],
                 "median": [statistics.median(widths), statistics.median(heights)]}
    return {"files": s.files, "bytes": s.bytes, "modalities": dict(sorted(s.modalities.items())),
            "formats": dict(sorted(s.formats.items())), "image_sizes": sizes,
            "audio_seconds": round(s.totals["seconds"], 3), "text_words": s.totals["words"],
            "unreadable": s.unreadable}


def _imbalance_dict(found: tuple[str, str, float] | None) -> dict[str, Any] | None:
    return None if found is None else {"largest": found[0], "smallest": found[1], "ratio": found[2]}


def stats_text(stats: Stats) -> str:
    """The human-readable table `augment stats` prints on stdout."""
    data = stats.as_dict()
    lines = [f"{stats.source}: {stats.files} {stats.unit} in {len(stats.labels)} labels"]
    width = max([len(label) for label in stats.labels] + [5])
    lines.append(f"  {'label':<{width}}  {stats.unit:>6}  {'MB':>8}  {'unread':>6}  "
                 f"modalities: formats{_measures(data)}")
    for label, info in data["labels"].items():
        formats = (", ".join(f"{k} {v}" for k, v in info["modalities"].items()) + ": "
                   + (", ".join(f"{k} {v}" for k, v in info["formats"].items()) or "-"))
        sizes = info["image_sizes"]
        shown = (f"; {_wh(sizes['min'])} .. {_wh(sizes['max'])}" if sizes else "")
        shown += f"; {duration(info['audio_seconds'])} of audio" if info["audio_seconds"] else ""
        shown += f"; {info['text_words']} words" if info["text_words"] else ""
        lines.append(f"  {label:<{width}}  {info['files']:>6}  {info['bytes'] / 1e6:>8.2f}  "
                     f"{info['unreadable']:>6}  {formats}{shown}")
    if stats.annotated:
        lines.append("objects: " + (", ".join(f"{name} {count}" for name, count in data["objects"].items())
                                    or "none") + f"; images without objects: {stats.without_objects}")
    for reason, count in data["skipped"].items():
        lines.append(f"skipped {count}: {reason}")
    for row in data["unreadable"]:
        lines.append(f"unreadable {row['file']}: {row['error']}")
    return "\n".join(printable(line) for line in lines)


def _measures(data: dict[str, Any]) -> str:
    """The column heading's last part: what is measured, for the modalities present."""
    present = {m for info in data["labels"].values() for m in info["modalities"]}
    names = {"image": "image sizes", "audio": "audio length", "text": "words"}
    shown = [names[m] for m in modalities.NAMES if m in present and m in names]
    return "; " + "; ".join(shown) if shown else ""


def duration(seconds: float) -> str:
    """'2.5 s', '3 min 20 s', '2 h 05 min': readable at any length (never 1.9e+14 s)."""
    if seconds < 60:
        return f"{seconds:.3g} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours:,} h {minutes:02d} min"


def _wh(pair: list) -> str:
    return f"{pair[0]:g}x{pair[1]:g}"
