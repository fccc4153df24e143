"""back_translate: translation backends and the on-disk translation cache.

No network, ever: a backend is a local program or library the user set up.

Backends (the `backend` recipe key):
    command      A user command run once per direction. It reads one text
                 line per stdin line and writes exactly one translated line
                 per input line on stdout (UTF-8). "{src}" and "{tgt}" in the
                 command are replaced by the language codes, e.g.
                 command = "python3 my_mt.py --from {src} --to {tgt}".
    ctranslate2  Two local CTranslate2 model folders, model_dir (source ->
                 pivot) and back_model_dir (pivot -> source); see text_ct2.

The round trip of a text is cached under a key hashing (backend, model,
command or model folders, languages, text): every copy of a file and every
re-run translates it once. The cache lives in $AUGMENT_CACHE_DIR, else
$XDG_CACHE_HOME/augment, else ~/.cache/augment, under translations/; the key
is recorded in the manifest and a replay reads the cached result.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

from augment_cli.errors import SampleError
from augment_cli.outdir.files import atomic_write

BACKENDS = ("command", "ctranslate2")
HOW_TO = ('back_translate needs a local translation backend (no network is ever used): add '
          'backend = "command" and command = "your-mt --from {src} --to {tgt}", a program that '
          'reads one line per stdin line and writes one translated line per line on stdout; or '
          'backend = "ctranslate2" with model_dir and back_model_dir (see README)')
IDENTITY = ("backend", "model", "command", "model_dir", "back_model_dir", "source", "pivot")
# The copies of one file are made one after the other in one process, so a
# small in-memory cache in front of the disk one is enough.
_MEMORY: dict[str, str] = {}
MEMORY_ENTRIES = 64


def check_step(values: dict[str, Any]) -> tuple[str, str] | None:
    """Recipe-time check: a backend is configured and its program or models exist."""
    if not values["backend"]:
        return "backend", HOW_TO
    if values["backend"] == "ctranslate2":
        return _check_ctranslate2(values)
    command = values["command"]
    if not command:
        return "command", "backend \"command\" needs command = \"...\"; " + HOW_TO
    if "{tgt}" not in command:
        return "command", "the command must contain {tgt} (and usually {src}), replaced by the language codes"
    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError) as exc:
        return "command", f"cannot parse the command: {exc}"
    if shutil.which(program) is None and not Path(program).is_file():
        return "command", f"program {program!r} not found (not on PATH and not a file)"
    return None


def _check_ctranslate2(values: dict[str, Any]) -> tuple[str, str] | None:
    from augment_cli.modalities.text.transforms import ct2 as text_ct2

    problem = text_ct2.missing_library()
    if problem:
        return "backend", problem
    for key in ("model_dir", "back_model_dir"):
        if not values[key]:
            return key, (f"backend \"ctranslate2\" needs {key} = \"folder\" (relative to the "
                         "recipe): model_dir translates source -> pivot, back_model_dir pivot -> source")
        problem = text_ct2.check_model_dir(values[key])
        if problem:
            return key, problem
    return None


def backend_params(drawn: dict[str, Any]) -> dict[str, Any]:
    """The recorded params of one back_translate step (without the cache key)."""
    keep = ("command",) if drawn["backend"] == "command" else ("model_dir", "back_model_dir")
    params = {key: drawn[key] for key in ("backend", "model", *keep, "source", "pivot", "timeout_s")}
    if not params["model"] and drawn["backend"] == "ctranslate2":
        params["model"] = f"{Path(drawn['model_dir']).name}+{Path(drawn['back_model_dir']).name}"
    return params


def cache_key(text: str, params: dict[str, Any]) -> str:
    identity = [params.get(key, "") for key in IDENTITY] + [text]
    return hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode("utf-8")).hexdigest()


def cache_dir() -> Path:
    if os.environ.get("AUGMENT_CACHE_DIR"):
        return Path(os.environ["AUGMENT_CACHE_DIR"]) / "translations"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "augment" / "translations"


def round_trip(text: str, params: dict[str, Any]) -> str:
    """source -> pivot -> source, from the cache when this text was seen before."""
    key = params["key"]
    if cache_key(text, params) != key:
        raise SampleError("the text differs from the one whose translation was recorded")
    if key in _MEMORY:
        return _MEMORY[key]
    path = cache_dir() / key[:2] / f"{key}.txt"
    try:
        result = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        result = _translate_text(_translate_text(text, params, params["source"], params["pivot"]),
                                 params, params["pivot"], params["source"])
        _store(path, result)
    if len(_MEMORY) >= MEMORY_ENTRIES:
        _MEMORY.clear()
    _MEMORY[key] = result
    return result


def _store(path: Path, result: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, result.encode("utf-8"))
    except OSError:
        pass  # an unwritable cache costs time on the next run, not correctness


def _translate_text(text: str, params: dict[str, Any], src: str, tgt: str) -> str:
    """Translate every non-blank line; blank lines and indentation stay as they were."""
    lines = text.split("\n")
    wanted = [i for i, line in enumerate(lines) if line.strip()]
    translated = _run_backend(params, [lines[i].strip() for i in wanted], src, tgt)
    for i, new in zip(wanted, translated, strict=True):
        line = lines[i]
        indent, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()):]
        lines[i] = indent + new.strip() + trail
    return "\n".join(lines)


def _run_backend(params: dict[str, Any], lines: list[str], src: str, tgt: str) -> list[str]:
    if params["backend"] == "ctranslate2":
        from augment_cli.modalities.text.transforms import ct2 as text_ct2
        forward = tgt == params["pivot"]
        return text_ct2.translate(params["model_dir" if forward else "back_model_dir"], lines)
    return run_command(params["command"], lines, src, tgt, params.get("timeout_s", 300))


def run_command(command: str, lines: list[str], src: str, tgt: str, timeout_s: float) -> list[str]:
    """Run the user's translator once on `lines`; one output line per input line."""
    argv = shlex.split(command.replace("{src}", src).replace("{tgt}", tgt))
    try:
        done = subprocess.run(argv, input="\n".join(lines) + "\n", capture_output=True,
                              encoding="utf-8", errors="strict", timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired, UnicodeError) as exc:
        raise SampleError(f"translation command failed: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise SampleError(f"translation command exited with status {done.returncode}: {last}")
    output = done.stdout.split("\n")
    if output and output[-1] == "":
        output.pop()
    if len(output) != len(lines):
        raise SampleError(f"translation command returned {len(output)} lines for {len(lines)}")
    return output
