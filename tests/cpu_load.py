"""A busy machine on demand, for tests of wall-clock limits.

The ``regex`` module's ``timeout`` counts CPU seconds; with every core busy those arrive
later than wall-clock seconds, which is how a 5 s tool limit once took 7.5 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager


@contextmanager
def busy_machine():
    """One CPU-bound process per core for the duration of the block."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
