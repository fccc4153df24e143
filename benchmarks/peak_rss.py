"""Run the `augment` CLI in this process and print the main process's own
peak RSS (workers excluded) to stderr as `peak_rss_mib=<n>`.

    python3 benchmarks/peak_rss.py expand SRC --recipe R --copies 1 --out DIR
"""

import atexit
import resource
import sys


def _report() -> None:
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"peak_rss_mib={peak_kib / 1024:.1f}", file=sys.stderr)


if __name__ == "__main__":
    atexit.register(_report)
    from augment_cli.cli import main

    sys.argv = ["augment", *sys.argv[1:]]
    main()
