"""The one timing helper the benchmarks share: the median of repeated runs."""

import statistics
import time


def median_time(fn, repeats):
    """The median wall time of ``repeats`` calls of ``fn()``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
