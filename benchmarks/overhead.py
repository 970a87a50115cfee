"""Per-op overhead of a recorded scalar op, forward and backward.

A chain of ``y = y + 0.6 + 0.25 * sin(y) * cos(y)`` on 0-d tensors (6
recorded ops per step), differentiated by ``.backward()``, beside the same
chain with its derivative written by hand on Python floats.

    python benchmarks/overhead.py            # 2,000-op chain and 10^6-op chain
    python benchmarks/overhead.py --quick    # 2,000-op chain only
"""

import argparse
import gc
import math
import resource
import time

import dualrev as dr
from timing import median_times

OPS_PER_STEP = 6


def chain_dualrev(steps):
    x = dr.tensor(0.3, requires_grad=True)
    y = x
    for _ in range(steps):
        y = y + 0.6 + 0.25 * dr.sin(y) * dr.cos(y)
    y.backward()
    return x.grad.item()


def chain_by_hand(steps):
    """The same chain and its derivative on floats: forward keeps what the
    backward sweep needs, as any tape must."""
    y, saved = 0.3, []
    for _ in range(steps):
        s, c = math.sin(y), math.cos(y)
        saved.append((s, c))
        y = y + 0.6 + 0.25 * s * c
    grad = 1.0
    for s, c in reversed(saved):
        grad = grad * (1.0 + 0.25 * (c * c - s * s))
    return grad




def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10^6-op chain")
    args = parser.parse_args()
    assert math.isclose(chain_dualrev(50), chain_by_hand(50), rel_tol=1e-12)

    steps = 2000 // OPS_PER_STEP
    ops = steps * OPS_PER_STEP
    ours, hand = median_times([lambda: chain_dualrev(steps), lambda: chain_by_hand(steps)], 21)
    print(f"chain of {ops} ops:   dualrev {ours / ops * 1e6:6.2f} us/op   "
          f"by hand {hand / ops * 1e6:5.2f} us/op   ratio {ours / hand:5.1f}x")
    if args.quick:
        return
    steps = 10**6 // OPS_PER_STEP
    ops = steps * OPS_PER_STEP
    gc.collect()
    start = time.perf_counter()
    chain_dualrev(steps)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"chain of {ops} ops: dualrev {seconds:5.2f} s ({seconds / ops * 1e6:.2f} us/op), "
          f"peak memory of the process {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
