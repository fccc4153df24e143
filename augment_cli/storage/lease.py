"""One run per URL DIR: a lock object, DIR/.augment-lock, with an owner and a lease.

On disk the kernel's flock() frees a dead run's lock by itself; a bucket has
nothing like it. So the lock is an object naming its owner (host, pid, a
random token) and when its lease ends. It is created with a conditional PUT
(If-None-Match: *, fsspec's mode="create"), which S3 and the servers that
follow it (moto, MinIO) answer atomically: of two runs starting at once, one
gets it. The holder renews the lease at every checkpoint (run/api: at least
every CHECKPOINT_SECONDS while sources finish) and deletes the object at the
end. A run that finds a lease expired takes it over (delete, then the same
conditional create).

Limits, honestly: (1) two runs taking over the same *expired* lease at the
same moment can both succeed (the delete of one may remove the other's fresh
lock); (2) a holder stalled longer than its lease (no source finished in
LEASE_SECONDS) can be overtaken while its workers still write; (3) a
filesystem whose conditional create is emulated (fsspec's default checks,
then writes) has a window between the check and the write. Each leaves at
worst two runs writing the same deterministic bytes; the index of the last
one to finish is what DIR keeps, and `augment verify` tells what stands.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from dataclasses import dataclass

from augment_cli.errors import OutputError, UsageError
from augment_cli.storage.location import Remote, storage_error

LOCK_NAME = ".augment-lock"
LEASE_SECONDS = 600.0


@dataclass
class Lease:
    location: Remote
    owner: str
    name: str = LOCK_NAME
    lost: bool = False  # another run took the lock: this one must not put its state back

    @property
    def key(self) -> str:
        return self.location.key(self.name)

    def record(self) -> bytes:
        until = time.time() + LEASE_SECONDS
        return json.dumps({"owner": self.owner, "expires": until,
                           "expires_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(until))}).encode()

    def acquire(self) -> None:
        """Take the lock object, or take over an expired one; UsageError naming the holder."""
        fs = self.location.fs
        for _ in range(2):
            try:
                fs.pipe_file(self.key, self.record(), mode="create")
                return
            except FileExistsError:
                holder = self._holder()
                if holder is not None and holder.get("expires", 0) > time.time():
                    raise UsageError(f"--out {self.location.url} is in use by another augment run "
                                     f"({holder.get('owner', 'unknown')}, lease until "
                                     f"{holder.get('expires_utc', '?')} UTC)",
                                     hint="wait for it to finish, or choose another --out; a lock left "
                                          "by a killed run frees itself when its lease ends") from None
                fs.rm_file(self.key)  # expired (or unreadable): take it over
            except (PermissionError, FileNotFoundError) as exc:
                raise storage_error(self.location.url, exc) from None
        raise UsageError(f"--out {self.location.url}: another run took the lock at the same moment",
                         hint="run again once it has finished")

    def renew(self) -> None:
        """Push the lease on; OutputError if another run holds the lock now (ours expired)."""
        holder = self._holder()
        if holder is not None and holder.get("owner") != self.owner:
            self.lost = True
            raise OutputError(f"lost the lock of {self.location.url} to {holder.get('owner')}: this run "
                              "stalled past its lease; stopping")
        self.location.fs.pipe_file(self.key, self.record())

    def release(self) -> None:
        holder = self._holder()
        if holder is None or holder.get("owner") == self.owner:
            with contextlib.suppress(FileNotFoundError):
                self.location.fs.rm_file(self.key)

    def _holder(self) -> dict | None:
        try:
            found = json.loads(self.location.fs.cat_file(self.key))
            return found if isinstance(found, dict) else None
        except FileNotFoundError:
            return None
        except ValueError:
            return {}


def new_lease(location: Remote, name: str = LOCK_NAME) -> Lease:
    """A lease on DIR's lock object (a shard's: its own lock name, outdir/statefiles.py)."""
    owner = f"pid {os.getpid()} on {socket.gethostname()}, token {secrets.token_hex(4)}"
    return Lease(location, owner, name)
