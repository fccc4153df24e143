"""`augment merge URL`: the shards of a run into a URL DIR made into the unsharded run.

Each shard (`expand --shard K/M --out URL`) left its outputs and its own
record (.augment-shard-K-of-M.*) in DIR. Holding DIR's lock object, with no
shard's lease still live, the shards' records are fetched into DIR's
working folder (storage/workdir.py), merged there as on disk
(outdir/merge.py: the same checks, the same manifest.csv, errors.csv and
dataset files, byte for byte), the unsharded record is put into DIR, and
only then are the shards' objects removed: DIR always holds one or the other.
The outputs are not touched: the shards wrote them where they belong.
"""

from __future__ import annotations

import time

from augment_cli.errors import UsageError
from augment_cli.layouts import get
from augment_cli.layouts.metadata import NAMES as METADATA_NAMES
from augment_cli.outdir.claim import RunState, read_state
from augment_cli.outdir.merge import Merged, merge
from augment_cli.outdir.statefiles import UNSHARDED, StateFiles, is_shard_file, shards_in
from augment_cli.storage import is_url, objects
from augment_cli.storage.copies import urls_in_messages
from augment_cli.storage.lease import Lease
from augment_cli.storage.location import check_reachable, parse_options, remote, storage_error
from augment_cli.storage.lookups import remembered
from augment_cli.storage.walk import folder_names
from augment_cli.storage.workdir import WorkingCopy


def merge_url(url: str, storage_options: list[str] | tuple[str, ...] | None = None) -> Merged:
    """Merge the shards in a URL DIR; a UsageError (DIR untouched) when they do not make one run."""
    location = remote(url, parse_options(storage_options))
    check_reachable(location, must_exist=False)
    shard_names = sorted(name for name in folder_names(location, "") if is_shard_file(name))
    if not shard_names:
        raise UsageError(f"{url} holds no shards to merge",
                         hint="write them with: augment expand ... --shard K/M --out URL")
    for name in shard_names:
        if name.endswith(".lock") and _live(Lease(location, "merge", name)):
            raise UsageError(f"{url}: a shard is still running ({name} holds a live lease)",
                             hint="merge once every shard has finished")
    copy = WorkingCopy(location, UNSHARDED, METADATA_NAMES)
    with copy.registered(), urls_in_messages(), copy.leased(overwrite=False), remembered():
        for name in shard_names:
            if not name.endswith(".lock"):
                _fetch(copy, name)
        state = _first_record(copy)
        src = state.src if state is not None else ""  # a URL SRC: read as a Remote by the dataset files
        if state is not None and (layout := get(state.layout)).annotated:  # a data.yaml, COCO JSONs
            copy.layout, copy.names = layout, (*copy.names, *layout.dataset_files())
        merged = merge(copy.folder, remote(src, location.options) if is_url(src) else None)
        copy.put_all()  # the unsharded record first: DIR never holds neither
        try:
            objects.remove(location, shard_names)
        except Exception as exc:
            raise storage_error(url, exc, "cannot remove the shards' records in") from None
    merged.out = url  # type: ignore[assignment]
    return merged


def _live(lease: Lease) -> bool:
    holder = lease._holder()
    return holder is not None and holder.get("expires", 0) > time.time()


def _fetch(copy: WorkingCopy, name: str) -> None:
    try:
        (copy.folder / name).write_bytes(copy.location.fs.cat_file(copy.location.key(name)))
    except Exception as exc:
        raise storage_error(copy.location.child_url(name), exc, "cannot read") from None


def _first_record(copy: WorkingCopy) -> RunState | None:
    """The first shard's run record (SRC, the layout), or None."""
    shards = sorted(shards_in(copy.folder), key=str)
    return read_state(copy.folder, StateFiles.of(shards[0]).state) if shards else None
