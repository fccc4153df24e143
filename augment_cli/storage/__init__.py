"""Datasets in object storage: SRC and DIR given as fsspec URLs (s3://, gs://, az://, memory://).

A plain path never comes here: `is_url` is the one test, and everything else
in this package is imported only for a URL, so a local run keeps today's code
path (and start-up time). Modules:

  location   Remote (a URL + its storage options), parsing --storage-option, the
             filesystem of a URL (built in each process: workers make their own),
             and one-line errors for a missing package, bucket or permission
  walk       the streamed, sorted listing that stands for the local tree walk
  objects    reading a source object, writing outputs (one PUT each), removing them
  workdir    DIR's run state (index, run record, reports) kept in a local working
             copy, fetched from DIR at the start and put back at checkpoints
  lease      one run per DIR: a lock object with an owner and a lease
  runs       expand and repair with a URL SRC or DIR, around api.expand
  verify     `augment verify URL`
  merge      `augment merge URL`: the shards of a run into a URL DIR made into one run
  staging    stats and preview of a URL SRC (its objects fetched into a temporary folder)
  copies     single objects read as local files (a metadata file), streamed to the cache folder
  table_source  a URL table SRC: its tables copied to the cache folder, stamps kept
  tables     a table run into (or from) URLs: DIR's tables brought into the working copy and sent back
  sidefiles  a recipe's side files and folders given as URLs (noise, impulse responses, synonyms)
  lookups    what the layouts ask of a URL SRC besides its walk (a name's kind, a folder's names,
             label files, dataset-level annotation files), answered from listings
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(value: object) -> bool:
    """Whether a SRC/DIR value is an fsspec URL (`scheme://...`) rather than a path.

    `file://` counts as a URL too (it goes through fsspec's local filesystem)."""
    return isinstance(value, str) and _SCHEME.match(value) is not None


# working folder -> storage.workdir.WorkingCopy, while a run into a URL DIR holds it
MIRRORS: dict[Path, Any] = {}


def mirror_of(out: Path) -> Any:
    """The WorkingCopy a working folder stands for during a run into a URL DIR, or
    None for a real local DIR (the usual case: an empty dict, one lookup)."""
    return MIRRORS.get(out) if MIRRORS else None


# a local copy of a URL table SRC (storage/table_source.py) -> its URL, while a run reads it
SOURCES: dict[str, str] = {}


def source_url(resolved: str) -> str:
    """SRC as a run record names it: the URL a local copy stands for, else the path itself."""
    return SOURCES.get(resolved, resolved) if SOURCES else resolved
