"""Allocator settings for the large temporaries of batched derivatives.

A Hessian by forward-over-reverse pushes n directions at once, so every
operation makes an (n, ...) array and keeps many alive until the sweep ends.
glibc serves blocks above a threshold with mmap and returns freed heap
memory to the system eagerly, so each such array arrives as fresh pages and
pays a page fault per 4 KiB: at n = 400 that was four fifths of the time of
a Hessian. Raising the two thresholds (what the environment variables
``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` do) lets freed
blocks be reused instead; the cost is that up to the trim threshold of freed
memory stays with the process.

Applied once, on import, on Linux with glibc, unless the user has set either
variable or ``DUALREV_MALLOC_TUNING=0``.
"""

import ctypes
import os
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 256 << 20


def tune_allocator():
    """Raise glibc's mmap and trim thresholds; returns whether it did."""
    if not sys.platform.startswith("linux") or os.environ.get("DUALREV_MALLOC_TUNING") == "0":
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
