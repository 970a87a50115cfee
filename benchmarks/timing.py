"""The one timing helper the benchmarks share: medians of interleaved runs."""

import statistics
import time


def median_times(fns, repeats):
    """The median wall time of each of ``fns``, in seconds, over ``repeats``
    rounds that time each of them once in turn. Interleaved, they meet the
    same drifts of the machine (clock speed, other load), so the ratio of
    their medians is fair; each timed call follows an untimed one of the
    same function, so each runs with its own data as warm in the caches as
    it would be in a loop."""
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, runs in zip(fns, times):
            fn()
            start = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - start)
    return [statistics.median(runs) for runs in times]
