"""A URL SRC or DIR: where it is, how to reach it, and what to say when it cannot be reached.

Storage options come from `--storage-option key=value` (repeatable; a dotted key
such as `client_kwargs.region_name` nests) on top of the protocol's own sources
(AWS_ENDPOINT_URL, AWS_PROFILE, ~/.aws/config ... for s3fs). Their values are
secrets as often as not: `masked` is the only way they appear in a message.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from augment_cli.errors import UsageError

# protocol -> (the package that implements it, how to install it)
PACKAGES = {
    "s3": ("s3fs", "pip install 'augment-cli[s3]'"), "s3a": ("s3fs", "pip install 'augment-cli[s3]'"),
    "gs": ("gcsfs", "pip install gcsfs"), "gcs": ("gcsfs", "pip install gcsfs"),
    "az": ("adlfs", "pip install adlfs"), "abfs": ("adlfs", "pip install adlfs"),
    "abfss": ("adlfs", "pip install adlfs"),
}
Options = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Remote:
    """A folder-like prefix in object storage: `url` without a trailing slash.

    Plain data (picklable): a worker or a Dask task rebuilds the filesystem
    from `protocol` and `options` itself."""

    url: str
    options: Options = ()

    @property
    def protocol(self) -> str:
        return self.url.split("://", 1)[0].lower()

    @property
    def root(self) -> str:
        """The path the filesystem knows this prefix by (for s3: bucket/key-prefix)."""
        return self.fs._strip_protocol(self.url)

    @property
    def fs(self) -> Any:
        return filesystem(self.protocol, self.options)

    def key(self, relative: str) -> str:
        """The filesystem path of a name relative to this prefix."""
        return f"{self.root}/{relative}" if relative else self.root

    def child_url(self, relative: str) -> str:
        return f"{self.url}/{relative}"

    def child(self, relative: str) -> Remote:
        """The prefix `relative` under this one (the chosen split of a train/val/test SRC)."""
        return Remote(self.child_url(relative), self.options)

    def resolve(self) -> Remote:
        """A URL is already absolute (for RunState.of, which records SRC resolved)."""
        return self

    def __str__(self) -> str:
        return self.url

    def __truediv__(self, relative: str) -> str:
        return self.child_url(relative)


def remote(value: str, options: Options = ()) -> Remote:
    """A Remote for a URL; UsageError for one without a bucket or path."""
    scheme, _, rest = value.partition("://")
    url = f"{scheme}://{rest.rstrip('/')}"
    if not rest.strip("/"):
        raise UsageError(f"{value}: a URL needs a bucket (and optionally a prefix), e.g. s3://bucket/data")
    return Remote(url, options)


def parse_options(pairs: list[str] | tuple[str, ...] | None) -> Options:
    """`--storage-option key=value` strings as sorted (key, value) pairs; UsageError naming a bad one
    (its key only: the value may be a secret)."""
    found: dict[str, str] = {}
    for pair in pairs or ():
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            shown = key.strip() or "(empty)"
            raise UsageError(f"--storage-option {shown}: expected key=value",
                             hint="e.g. --storage-option endpoint_url=http://127.0.0.1:9000")
        found[key.strip()] = value
    return tuple(sorted(found.items()))


def masked(options: Options) -> str:
    """The options as a message may show them: keys only."""
    return ", ".join(f"{key}=***" for key, _ in options) or "none"


def filesystem_kwargs(options: Options) -> dict[str, Any]:
    """Options as the filesystem's keyword arguments: dotted keys nest, true/false/none and
    integers are typed (s3fs's anon=true, use_ssl=false, max_concurrency=16)."""
    # A listings cache would grow with every folder listed, and answer a re-run
    # in the same process (a test, a notebook) with what the bucket held before.
    kwargs: dict[str, Any] = {"use_listings_cache": False}
    for key, text in options:
        *parents, last = key.split(".")
        level = kwargs
        for parent in parents:
            level = level.setdefault(parent, {})
        level[last] = _typed(text)
    return kwargs


def _typed(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    if text.isdigit():
        return int(text)
    return text


@functools.lru_cache(maxsize=16)
def filesystem(protocol: str, options: Options) -> Any:
    """The fsspec filesystem of a protocol, once per process; UsageError when its package is missing."""
    package, install = PACKAGES.get(protocol, (None, None))
    try:
        import fsspec
    except ImportError:
        raise UsageError(f"{protocol}:// URLs need the fsspec package",
                         hint=install or "pip install fsspec") from None
    try:
        return fsspec.filesystem(protocol, **filesystem_kwargs(options))
    except ImportError:
        raise UsageError(f"{protocol}:// URLs need the {package or protocol} package",
                         hint=install or f"install the fsspec implementation of {protocol}://") from None
    except ValueError as exc:
        if "not known" in str(exc) or "Protocol" in str(exc):
            raise UsageError(f"{protocol}:// is not a storage protocol fsspec knows",
                             hint="use s3://, gs://, az://, memory:// ... or a local path") from None
        raise UsageError(f"{protocol}:// storage options refused ({masked(options)}): "
                         f"{type(exc).__name__}") from None
    except TypeError as exc:
        raise UsageError(f"{protocol}:// storage options refused ({masked(options)}): {_first_line(exc)}",
                         hint="see the options of its filesystem (e.g. s3fs.S3FileSystem)") from None


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def storage_error(url: str, exc: BaseException, what: str = "cannot reach") -> UsageError:
    """One line naming the URL and the reason, for a failure to list, read or write it."""
    if isinstance(exc, FileNotFoundError):
        return UsageError(f"{url}: no such bucket or prefix",
                          hint="check the bucket name (and the endpoint: AWS_ENDPOINT_URL or "
                               "--storage-option endpoint_url=...)")
    if isinstance(exc, PermissionError):
        return UsageError(f"{url}: permission denied (check the credentials and the bucket's policy)",
                          hint="credentials come from the protocol's usual sources (AWS_ACCESS_KEY_ID, "
                               "AWS_PROFILE, ~/.aws/credentials) or --storage-option")
    return UsageError(f"{url}: {what} it: {_first_line(exc)}")


def check_reachable(location: Remote, must_exist: bool) -> bool:
    """Whether the prefix holds anything; UsageError when its bucket is missing or access is refused
    (and, with `must_exist`, when the prefix holds nothing: a SRC)."""
    fs, root = location.fs, location.root
    bucket = root.lstrip("/").split("/", 1)[0]
    try:
        try:
            found = bool(fs.ls(root, detail=False))  # one level: cheap however big the prefix
        except FileNotFoundError:
            found = False
        if not found and not fs.exists(bucket):  # an empty prefix, or no bucket at all
            raise storage_error(location.url, FileNotFoundError())
    except UsageError:
        raise
    except Exception as exc:  # botocore/aiohttp errors: one line, never a traceback
        raise storage_error(location.url, _as_os_error(exc)) from None
    if must_exist and not found:
        raise UsageError(f"source folder not found: {location.url} (no objects under that prefix)")
    return found


def _as_os_error(exc: BaseException) -> BaseException:
    """s3fs maps most S3 errors to OSError kinds; a few (bad access keys) arrive as botocore's."""
    text = str(exc)
    if any(code in text for code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied",
                                     "ExpiredToken", "InvalidToken", "Forbidden", "403")):
        return PermissionError(text)
    if "NoSuchBucket" in text:
        return FileNotFoundError(text)
    return exc
