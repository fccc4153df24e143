"""Run the `augment` CLI in this process and print the main process's own
peak RSS (workers excluded) to stderr as `peak_rss_mib=<n>`.

    python3 benchmarks/peak_rss.py expand SRC --recipe R --copies 1 --out DIR
"""

import atexit
import resource
import sys


def peak_rss_mib() -> float:
    """This process's own peak RSS. Not getrusage's ru_maxrss: Linux carries
    the high-water mark of the memory a process had before its exec() into
    it, and a child started by subprocess (vfork + exec) begins inside its
    parent's memory, so ru_maxrss reports at least the parent's peak (a
    benchmark holding 100k paths: 84 MiB against the child's own 30).
    VmHWM belongs to the current memory image only."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _report() -> None:
    print(f"peak_rss_mib={peak_rss_mib():.1f}", file=sys.stderr)


if __name__ == "__main__":
    atexit.register(_report)
    from augment_cli.cli import main

    sys.argv = ["augment", *sys.argv[1:]]
    main()
