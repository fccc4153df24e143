"""`augment stats SRC`: what a labelled tree holds, from file headers only.

Per label: files, modalities, formats, bytes and image sizes; the files whose
header cannot be read; and a warning when the labels are imbalanced. Only
headers are read (Pillow's lazy open, soundfile.info), so a tree of
thousands of files takes seconds. A file whose header reads but whose body
is truncated is only found by `expand` itself.

A modality plugs in with one entry in HEADER_READERS: a function of a path
returning a dict with at least "format", or raising SampleError.
"""

from __future__ import annotations

import json
import statistics
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from augment_cli.dataset import scan
from augment_cli.errors import SampleError, UsageError

TOTALS = ("seconds", "words")  # summed per label: audio length, text length
IMBALANCE_RATIO = 1.5  # largest / smallest label above this is worth a warning
Progress = Callable[[int, int], None]


def image_header(path: Path) -> dict[str, Any]:
    """Format, size and mode from the header; nothing is decoded."""
    from PIL import Image

    from augment_cli.image_codec import MAX_PIXELS

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
                info = {"format": image.format or path.suffix.lstrip(".").upper(),
                        "width": width, "height": height, "mode": image.mode}
    except Image.UnidentifiedImageError:
        raise SampleError("not a readable image (unknown or corrupt format)") from None
    except Image.DecompressionBombError:
        raise SampleError("refused as a decompression bomb (over Pillow's pixel limit)") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise SampleError(f"cannot read image header: {exc}") from None
    if width <= 0 or height <= 0:
        raise SampleError(f"image has no pixels ({width}x{height})")
    if width * height > MAX_PIXELS:
        raise SampleError(f"refused as a decompression bomb: {width}x{height} pixels")
    return info


def audio_header(path: Path) -> dict[str, Any]:
    """Container, sample rate, channels and duration from soundfile's header read."""
    import soundfile

    try:
        info = soundfile.info(str(path))
    except (RuntimeError, OSError, soundfile.LibsndfileError) as exc:
        raise SampleError(f"not a readable audio file: {exc}") from None
    if info.frames <= 0:
        raise SampleError("audio file has no samples")
    return {"format": info.format, "sample_rate": int(info.samplerate),
            "channels": int(info.channels), "seconds": round(float(info.duration), 3)}


def text_header(path: Path) -> dict[str, Any]:
    """A text file must be UTF-8; its size in words is what matters."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SampleError(f"not UTF-8 text (byte {exc.start})") from None
    return {"format": "TXT", "words": len(text.split())}


# modality -> header reader; add an entry when a modality lands in media.EXTENSIONS.
HEADER_READERS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "image": image_header,
    "audio": audio_header,
    "text": text_header,
}


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

    @property
    def files(self) -> int:
        return sum(s.files for s in self.labels.values())

    def imbalance(self) -> tuple[str, str, float] | None:
        """(largest label, smallest label, ratio) when the ratio is over IMBALANCE_RATIO."""
        if len(self.labels) < 2:
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
        return [f"labels are imbalanced: '{largest}' has {self.labels[largest].files} files, "
                f"'{smallest}' {self.labels[smallest].files} (ratio {ratio:g} > {IMBALANCE_RATIO:g}); "
                "`augment expand --balance` evens them out"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "files": self.files,
            "labels": {label: _label_dict(s) for label, s in self.labels.items()},
            "formats": dict(sorted(sum((s.formats for s in self.labels.values()), Counter()).items())),
            "unreadable": [{"file": f, "error": e} for f, e in self.unreadable],
            "skipped": dict(sorted(self.skipped.items())),
            "imbalance": _imbalance_dict(self.imbalance()),
            "warnings": self.warnings(),
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)


def collect(source: str | Path, on_progress: Progress | None = None) -> Stats:
    """Walk `source` like `expand` does and read every file's header."""
    source = Path(source)
    if not source.is_dir():
        raise UsageError(f"source folder not found: {source}")
    walked = scan(source)
    stats = Stats(str(source), skipped=walked.skipped.copy())
    for done, sample in enumerate(walked.samples, 1):
        label = stats.labels.setdefault(sample.label, LabelStats())
        _add(stats, label, source, sample)
        if on_progress:
            on_progress(done, len(walked.samples))
    return stats


def _add(stats: Stats, label: LabelStats, source: Path, sample) -> None:
    path = source / sample.relative
    label.files += 1
    label.modalities[sample.modality] += 1
    try:
        label.bytes += path.stat().st_size
        if path.stat().st_size == 0:
            raise SampleError("empty file (0 bytes)")
        info = HEADER_READERS[sample.modality](path)
    except OSError as exc:
        info, error = None, f"cannot read file: {exc.strerror or exc}"
    except SampleError as exc:
        info, error = None, str(exc)
    if info is None:
        label.unreadable += 1
        stats.unreadable.append((sample.relative, error))
        return
    label.formats[info["format"]] += 1
    if "width" in info:
        label.sizes.append((info["width"], info["height"]))
    for key in TOTALS:
        label.totals[key] += info.get(key, 0)


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
    lines = [f"{stats.source}: {stats.files} files in {len(stats.labels)} labels"]
    width = max([len(label) for label in stats.labels] + [5])
    lines.append(f"  {'label':<{width}}  {'files':>6}  {'MB':>8}  {'unread':>6}  "
                 "modalities: formats; image sizes")
    for label, info in data["labels"].items():
        formats = (", ".join(f"{k} {v}" for k, v in info["modalities"].items()) + ": "
                   + (", ".join(f"{k} {v}" for k, v in info["formats"].items()) or "-"))
        sizes = info["image_sizes"]
        shown = (f"; {_wh(sizes['min'])} .. {_wh(sizes['max'])}" if sizes else "")
        shown += f"; {info['audio_seconds']:g} s of audio" if info["audio_seconds"] else ""
        shown += f"; {info['text_words']} words" if info["text_words"] else ""
        lines.append(f"  {label:<{width}}  {info['files']:>6}  {info['bytes'] / 1e6:>8.2f}  "
                     f"{info['unreadable']:>6}  {formats}{shown}")
    for reason, count in data["skipped"].items():
        lines.append(f"skipped {count}: {reason}")
    for row in data["unreadable"]:
        lines.append(f"unreadable {row['file']}: {row['error']}")
    return "\n".join(lines)


def _wh(pair: list) -> str:
    return f"{pair[0]:g}x{pair[1]:g}"
