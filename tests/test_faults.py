"""Bad files are reported with path and reason; the rest of the run goes on."""

from __future__ import annotations

import contextlib
import csv
import struct
import zlib
from pathlib import Path

from test_expand_cli import read_rows


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size: what a decompression bomb looks like at open."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b""))
            + chunk(b"IEND", b""))


def test_bad_images_are_reported_and_the_rest_written(image_tree, write_recipe, run_cli, tmp_path):
    good = (image_tree / "cat" / "a.jpg").read_bytes()
    bad = {
        "cat/truncated.jpg": good[: len(good) // 2],
        "cat/empty.png": b"",
        "dog/text.jpg": b"this is not an image\n",
        "dog/bomb.png": png_header_only(30000, 30000),
    }
    for name, payload in bad.items():
        (image_tree / name).write_bytes(payload)
    out = tmp_path / "out"
    result = run_cli("expand", image_tree, "--recipe", write_recipe(), "--copies", 2, "--out", out,
                     "--workers", 1)
    assert result.exit_code == 1
    errors = {line.split(": ", 2)[1]: line
              for line in result.stderr.splitlines() if line.startswith("Error: ")}
    assert set(errors) == set(bad)
    assert "empty file" in errors["cat/empty.png"]
    assert "decompression bomb" in errors["dog/bomb.png"]
    assert "not a readable image" in errors["dog/text.jpg"]
    assert "truncated" in errors["cat/truncated.jpg"]
    assert "failed 4" in result.stderr and "Read 5 files, wrote 10 copies" in result.stderr
    rows = read_rows(out)
    assert len(rows) == 10 and not any(r["source"] in bad for r in rows)
    with open(out / "errors.csv", newline="", encoding="utf-8") as handle:
        reported = list(csv.DictReader(handle))
    assert sorted(r["source"] for r in reported) == sorted(bad)
    assert not any(p.name.startswith(("truncated__", "empty__", "text__", "bomb__")) for p in out.rglob("*"))
    assert "Traceback" not in result.output


def test_errors_csv_removed_when_a_rerun_succeeds(image_tree, write_recipe, run_cli, tmp_path):
    (image_tree / "cat" / "broken.png").write_bytes(b"\x89PNG broken")
    out = tmp_path / "out"
    recipe = write_recipe()
    assert run_cli("expand", image_tree, "--recipe", recipe, "--out", out, "--workers", 1).exit_code == 1
    assert (out / "errors.csv").exists()
    (image_tree / "cat" / "broken.png").unlink()
    assert run_cli("expand", image_tree, "--recipe", recipe, "--out", out, "--workers", 1).exit_code == 0
    assert not (out / "errors.csv").exists()


def test_failed_write_leaves_no_partial_copies(image_tree, write_recipe, tmp_path, monkeypatch):
    """A source whose third copy cannot be written keeps none of its copies."""
    from augment_cli.api import expand
    from augment_cli.run import worker

    real_write = worker.atomic_write

    def failing_write(path: Path, payload: bytes, **options) -> None:
        if path.name == "a__aug3.jpg":
            raise OSError(28, "No space left on device")
        real_write(path, payload, **options)

    monkeypatch.setattr(worker, "atomic_write", failing_write)
    out = tmp_path / "out"
    summary = expand(source=image_tree, recipe=write_recipe(), out=out, copies=3, workers=1)
    assert summary.exit_code == 1
    assert [row.source for row in summary.failed] == ["cat/a.jpg"]
    assert "No space left on device" in summary.failed[0].error
    assert not list((out / "cat").glob("a__aug*"))
    assert not list(out.rglob(".augment-tmp-*"))


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path, monkeypatch):
    import os

    from augment_cli.outdir.files import atomic_write

    target = tmp_path / "x.bin"
    target.write_bytes(b"old")

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with contextlib.suppress(KeyboardInterrupt):
        atomic_write(target, b"new contents")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_atomic_write_completes_short_writes(tmp_path, monkeypatch):
    """os.write may write less than asked (signals, quotas): the rest follows."""
    import os

    from augment_cli.outdir.files import atomic_write

    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    payload = bytes(range(256)) * 40
    atomic_write(tmp_path / "sub" / "x.bin", payload)
    assert (tmp_path / "sub" / "x.bin").read_bytes() == payload
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["x.bin"]
