"""The benchmark environment: benchmarks/.venv with augment (editable) and
the comparison libraries of requirements.txt, made on first use. The
comparison libraries never enter augment's own dependencies."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = HERE / ".venv"
PYTHON = VENV / "bin" / "python"


def ensure() -> None:
    """Re-run the calling script inside benchmarks/.venv, creating it if needed."""
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not PYTHON.exists():
        print(f"creating the benchmark environment in {VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", str(REPO),
                        "-r", str(HERE / "requirements.txt")], check=True)
    os.execv(str(PYTHON), [str(PYTHON), *sys.argv])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores{memory}, {platform.system()} {platform.release()}"


def versions(names: tuple[str, ...]) -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = [f"Python {platform.python_version()}"]
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)
