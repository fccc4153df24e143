"""`augment` with the test-only `test_sleep` transform registered (see slow_transform.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import slow_transform  # noqa: E402,F401  (registers test_sleep, here and in spawned workers)

from augment_cli.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
