"""The files a table run writes into DIR: part files, joined tables, copies.

Each chunk's rows go to a part file under DIR/.augment-parts/ (hidden, so no
loader reads it); once every chunk of a table is done the parts are joined,
a block at a time, into DIR/<table name> through a temporary name, and the
parts removed. A held-out table is copied byte for byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from augment_cli.layouts.table_formats import header_bytes
from augment_cli.outdir import claim
from augment_cli.outdir.files import replace_via_temporary
from augment_cli.outdir.table_index import Output, TableIndex

PARTS = ".augment-parts"
BLOCK = 1 << 20


def part_name(table: str, first: int) -> str:
    return f"{PARTS}/{table}/{first:012d}.part"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def intact(out: Path, output: Output) -> bool:
    """Whether DIR still holds the table as it was written."""
    path = out / output.name
    return path.is_file() and sha256_of(path) == output.sha256


def copy_unchanged(out: Path, item: Any, index: TableIndex) -> None:
    """A held-out table, copied as it is."""
    target = out / item.table.name
    def write(temporary: Path) -> None:
        shutil.copyfile(item.table.path, temporary)

    replace_via_temporary(target, write)
    index.put_output(Output(item.table.name, item.key, sha256_of(target), False))


def join_parts(out: Path, item: Any, parts: list[Path]) -> str:
    """Write DIR/<table> from its parts in row order; its SHA-256."""
    target, output_format = out / item.table.name, item.output_format
    if output_format.kind == "parquet":
        from augment_cli.layouts.table_parquet import concatenate

        replace_via_temporary(target, lambda temporary: concatenate(parts, temporary, output_format.schema))
        return sha256_of(target)
    digest = hashlib.sha256()

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as handle:
            for block in _blocks(header_bytes(output_format), parts):
                digest.update(block)
                handle.write(block)

    replace_via_temporary(target, write)
    return digest.hexdigest()


def _blocks(head: bytes, parts: Iterable[Path]) -> Iterable[bytes]:
    yield head
    for part in parts:
        with open(part, "rb") as handle:
            while block := handle.read(BLOCK):
                yield block


def drop_parts(out: Path, index: TableIndex, table: str) -> None:
    index.forget_chunks(table)
    shutil.rmtree(out / PARTS / table, ignore_errors=True)
    with contextlib.suppress(OSError):
        (out / PARTS).rmdir()  # only once empty


def drop_stale_chunks(out: Path, index: TableIndex, table: str, key: str) -> None:
    """Forget the chunks recorded for another version of the table (or other options)."""
    if any(chunk.key != key for chunk in index.chunks(table)):
        drop_parts(out, index, table)


def remove_gone(out: Path, index: TableIndex, prepared: list[Any]) -> int:
    """Remove the outputs of tables no longer in SRC; how many."""
    present = {item.table.name for item in prepared}
    gone = [output for output in index.outputs() if output.name not in present]
    for output in gone:
        claim.remove_outputs(out, [output.name])
        index.forget_output(output.name)
    return len(gone)


def reset_if_needed(out: Path, state: claim.RunState, overwrite: bool, index: TableIndex,
                    state_name: str = claim.STATE_NAME) -> str | None:
    """As claim.reset_if_needed for files: another recipe, seed, copies or
    version (or --overwrite) removes every table written before; why, or None.
    `state_name`: the record of this run or shard (outdir/statefiles.py)."""
    reasons = claim.reset_reasons(out, state, overwrite, index, state_name)
    if not reasons:
        return None
    claim.remove_outputs(out, [output.name for output in index.outputs()])
    shutil.rmtree(out / PARTS, ignore_errors=True)
    index.clear()
    return "; ".join(reasons)
