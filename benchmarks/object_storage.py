"""The cost of object storage: `augment expand` with SRC and DIR in a local S3 server vs on disk.

    PYTHONPATH=$PWD python benchmarks/object_storage.py [--files 200] [--copies 3] [--rounds 3]
        [--table-rows 20000] [--yolo]

Needs the test extra's moto[server] and s3fs (pip install -e '.[test]'). Builds N
small JPEGs (256x256, 4 labels) on disk and uploads the same tree to a bucket
of a moto S3 server started on 127.0.0.1 (its own process, a free port,
stopped at the end). Then, interleaved round by round, runs the whole CLI
(a child process: start-up and imports included) disk -> disk and bucket ->
bucket with `--workers 2`, each into a fresh DIR, and prints the median
seconds, files/s and the per-round ratio. It also times reading every source
object one request at a time vs objects.fetch_many (BATCH requests in
flight), the concurrency the workers use, as is and with 20 ms added to each
request (asyncio.sleep before s3fs sends it: what a bucket across a network
costs, which a server on 127.0.0.1 does not). moto is a Python server on the same 2
cores: the ratio is an upper bound on the protocol's own overhead, not a
cloud figure (a real bucket adds network latency, which the batching hides).

With --table-rows N (0: skipped) it also times a table run the same way: a
CSV of N review-like rows expanded with recipes/eda.toml (2 copies), disk ->
disk against bucket -> bucket, interleaved. The bucket run copies the table to
the cache and uploads the output table (storage/table_source.py, tables.py),
so its cost over disk is those two transfers plus the lock and state objects.

With --yolo it times a YOLO dataset of the same JPEGs (a label file each) the same way, and
a no-op re-run of each, whose main process reads every label file to compare its digest (on
disk as on the bucket: there one GET per source).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from PIL import Image

RECIPE = '[[image]]\ntransform = "hflip"\np = 0.5\n\n[[image]]\ntransform = "rotate"\nangle_deg = [-15, 15]\n'


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(folder: Path, files: int) -> None:
    rng = np.random.default_rng(0)
    for i in range(files):
        pixels = rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)
        pixels[:, : 128] //= 2  # some structure, so flips change the bytes
        path = folder / f"label{i % 4}" / f"img{i:05d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(path, quality=90)


def start_server() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return server, endpoint


def build_yolo(folder: Path, files: int) -> None:
    """A YOLO tree of the same JPEGs: images/train/, one label file each, data.yaml."""
    build(folder / "flat", files)
    for i, path in enumerate(sorted((folder / "flat").rglob("*.jpg"))):
        image = folder / "images" / "train" / path.name
        image.parent.mkdir(parents=True, exist_ok=True)
        path.rename(image)
        label = folder / "labels" / "train" / f"{path.stem}.txt"
        label.parent.mkdir(parents=True, exist_ok=True)
        label.write_text(f"{i % 2} 0.5 0.5 0.25 0.3\n{(i + 1) % 2} 0.3 0.6 0.2 0.2\n")
    (folder / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [cat, dog]\n")


def yolo_figures(work: Path, fs, bucket: str, env: dict[str, str], files: int, copies: int,
                 rounds: int) -> dict[str, list[float]]:
    """Seconds of a YOLO run and of its no-op re-run, disk -> disk and bucket -> bucket, interleaved."""
    build_yolo(work / "yolo", files)
    fs.put(str(work / "yolo") + "/", f"{bucket}/yolo/", recursive=True)
    common = ["--recipe", str(work / "r.toml"), "--copies", str(copies), "--workers", "2", "--quiet"]
    found: dict[str, list[float]] = {"disk": [], "bucket": [], "disk re-run": [], "bucket re-run": []}
    for round_ in range(rounds):
        for kind, src, out in (("disk", str(work / "yolo"), str(work / f"yout{round_}")),
                               ("bucket", f"s3://{bucket}/yolo", f"s3://{bucket}/yaug{round_}")):
            found[kind].append(timed(["expand", src, "--out", out, *common], env))
            found[f"{kind} re-run"].append(timed(["expand", src, "--out", out, *common], env))
    return found


def build_table(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    words = ("the film was good and the plot moved quickly but the ending felt rushed to me "
             "while the actors gave strong performances in every scene").split()
    lines = ["text,label"]
    for i in range(rows):
        picked = rng.choice(words, size=int(rng.integers(8, 24)))
        lines.append(f"\"{' '.join(picked)}\",{i % 2}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def table_figures(work: Path, fs, bucket: str, env: dict[str, str], rows: int,
                  rounds: int) -> tuple[list[float], list[float]]:
    """Seconds of disk -> disk and bucket -> bucket table runs, interleaved round by round."""
    build_table(work / "tables" / "train.csv", rows)
    fs.put_file(str(work / "tables" / "train.csv"), f"{bucket}/tables/train.csv")
    recipe = Path(__file__).resolve().parents[1] / "recipes" / "eda.toml"
    common = ["--recipe", str(recipe), "--copies", "2", "--workers", "2", "--quiet"]
    disk, remote = [], []
    for round_ in range(rounds):
        local_out = str(work / f"tout{round_}")
        disk.append(timed(["expand", str(work / "tables"), "--out", local_out, *common], env))
        remote.append(timed(["expand", f"s3://{bucket}/tables", "--out", f"s3://{bucket}/taug{round_}",
                             *common], {**env, "AUGMENT_CACHE_DIR": str(work / f"tcache{round_}")}))
    return disk, remote


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "augment_cli", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def fetch_figures(bucket: str, env: dict[str, str], latency: float) -> tuple[float, float]:
    """Seconds to read every source object one at a time (a HEAD, then a GET), and through
    fetch_many, with `latency` seconds added to each request (a bucket across a network)."""
    os.environ.update(env)
    import asyncio

    import s3fs

    from augment_cli.storage.location import remote
    from augment_cli.storage.objects import fetch_many
    from augment_cli.storage.walk import walk_names

    location = remote(f"s3://{bucket}/raw")
    names = list(walk_names(location))
    real = s3fs.S3FileSystem._call_s3

    async def slow(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        await asyncio.sleep(latency)
        return await real(self, *args, **kwargs)

    s3fs.S3FileSystem._call_s3 = slow
    try:
        started = time.perf_counter()
        for name in names:
            location.fs.info(location.key(name))
            location.fs.cat_file(location.key(name))
        one_by_one = time.perf_counter() - started
        started = time.perf_counter()
        fetch_many(location, names)
        return one_by_one, time.perf_counter() - started
    finally:
        s3fs.S3FileSystem._call_s3 = real


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--table-rows", type=int, default=20000)
    parser.add_argument("--yolo", action="store_true", help="also time a YOLO dataset and its re-run")
    options = parser.parse_args()
    server, endpoint = start_server()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint}
    try:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            env["AUGMENT_CACHE_DIR"] = str(work / "cache")
            build(work / "raw", options.files)
            (work / "r.toml").write_text(RECIPE)
            import s3fs

            fs = s3fs.S3FileSystem(endpoint_url=endpoint, key="bench", secret="bench")
            bucket = f"bench-{uuid.uuid4().hex[:8]}"
            fs.mkdir(bucket)
            fs.put(str(work / "raw") + "/", f"{bucket}/raw/", recursive=True)
            common = ["--recipe", str(work / "r.toml"), "--copies", str(options.copies), "--workers", "2",
                      "--quiet"]
            disk, bucket_times = [], []
            for round_ in range(options.rounds):
                disk.append(timed(["expand", str(work / "raw"), "--out", str(work / f"out{round_}"),
                                   *common], env))
                bucket_times.append(timed(["expand", f"s3://{bucket}/raw", "--out",
                                           f"s3://{bucket}/aug{round_}", *common], env))
            reads = {latency: fetch_figures(bucket, env, latency) for latency in (0.0, 0.02)}
            tables = (table_figures(work, fs, bucket, env, options.table_rows, options.rounds)
                      if options.table_rows else None)
            yolo = (yolo_figures(work, fs, bucket, env, options.files, options.copies, options.rounds)
                    if options.yolo else None)
    finally:
        server.terminate()
        server.wait(10)
    ratios = [b / d for b, d in zip(bucket_times, disk, strict=True)]
    files = options.files
    print(f"{files} JPEGs 256x256, {options.copies} copies, --workers 2, {options.rounds} rounds (median)")
    print(f"disk -> disk      {statistics.median(disk):6.2f} s  "
          f"{files / statistics.median(disk):6.1f} files/s")
    print(f"bucket -> bucket  {statistics.median(bucket_times):6.2f} s  "
          f"{files / statistics.median(bucket_times):6.1f} files/s")
    print(f"bucket / disk     {statistics.median(ratios):6.2f}x (per-round ratios "
          f"{', '.join(f'{r:.2f}' for r in ratios)})")
    for latency, (one_by_one, batched) in reads.items():
        print(f"reading the {files} sources, +{latency * 1000:.0f} ms per request: one at a time "
              f"{one_by_one:.2f} s, fetch_many {batched:.2f} s ({one_by_one / batched:.1f}x faster)")
    if tables is not None:
        _print_tables(*tables, options.table_rows)
    if yolo is not None:
        print(f"YOLO, {files} JPEGs with a label file each, {options.copies} copies, --workers 2 (median)")
        for name, times in yolo.items():
            print(f"{name:<17} {statistics.median(times):6.2f} s  (rounds "
                  f"{', '.join(f'{t:.2f}' for t in times)})")


def _print_tables(disk: list[float], remote: list[float], rows: int) -> None:
    ratios = [b / d for b, d in zip(remote, disk, strict=True)]
    print(f"table of {rows} rows, eda.toml, 2 copies, --workers 2 (median; a fresh cache each round)")
    for name, times in (("disk -> disk     ", disk), ("bucket -> bucket ", remote)):
        print(f"{name} {statistics.median(times):6.2f} s  {rows / statistics.median(times):8.0f} rows/s")
    print(f"bucket / disk     {statistics.median(ratios):6.2f}x (per-round ratios "
          f"{', '.join(f'{r:.2f}' for r in ratios)})")


if __name__ == "__main__":
    main()
