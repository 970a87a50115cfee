"""Per-op overhead of a recorded scalar op, forward and backward.

A chain of ``y = y + 0.6 + 0.25 * sin(y) * cos(y)`` on 0-d tensors (6
recorded ops per step), differentiated by ``.backward()``, beside two
references: a minimal reverse-mode tape of plain Python floats (``Var``:
no dtype, version counter, hook or grad mode, so the floor any Python tape
pays), and the chain with its derivative written by hand on floats. The
ratio to the minimal tape is what dualrev's own bookkeeping costs.

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


class Var:
    """A float on the minimal reference tape: its value, its gradient, and
    the (parent, local derivative) pairs it was computed from. Every computed
    Var is appended to ``Var.tape`` as made, so that list is already in
    topological order and backward walks it in reverse, with no graph sort."""

    __slots__ = ("value", "grad", "parents")
    tape = []

    def __init__(self, value, parents=()):
        self.value, self.grad, self.parents = value, 0.0, parents
        if parents:
            Var.tape.append(self)

    def __add__(self, other):
        if isinstance(other, Var):
            return Var(self.value + other.value, ((self, 1.0), (other, 1.0)))
        return Var(self.value + other, ((self, 1.0),))

    def __mul__(self, other):
        if isinstance(other, Var):
            return Var(self.value * other.value, ((self, other.value), (other, self.value)))
        return Var(self.value * other, ((self, other),))

    __radd__, __rmul__ = __add__, __mul__

    def backward(self):
        self.grad = 1.0
        for node in reversed(Var.tape):
            for parent, derivative in node.parents:
                parent.grad += derivative * node.grad
        Var.tape.clear()


def var_sin(v):
    return Var(math.sin(v.value), ((v, math.cos(v.value)),))


def var_cos(v):
    return Var(math.cos(v.value), ((v, -math.sin(v.value)),))


def chain_minimal_tape(steps):
    x = Var(0.3)
    y = x
    for _ in range(steps):
        y = y + 0.6 + 0.25 * var_sin(y) * var_cos(y)
    y.backward()
    return x.grad


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10^6-op chain")
    args = parser.parse_args()
    expected = chain_by_hand(50)
    assert math.isclose(chain_dualrev(50), expected, rel_tol=1e-12)
    assert math.isclose(chain_minimal_tape(50), expected, rel_tol=1e-12)

    steps = 2000 // OPS_PER_STEP
    ops = steps * OPS_PER_STEP
    ours, tape, hand = median_times([lambda: chain_dualrev(steps),
                                     lambda: chain_minimal_tape(steps),
                                     lambda: chain_by_hand(steps)], 21)
    print(f"chain of {ops} ops:   dualrev {ours / ops * 1e6:5.2f} us/op   "
          f"minimal tape {tape / ops * 1e6:4.2f} us/op   by hand {hand / ops * 1e6:4.2f} us/op   "
          f"ratio to minimal tape {ours / tape:.1f}x   ratio to hand {ours / hand:.1f}x")
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
