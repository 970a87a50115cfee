"""Sparse Jacobians and Hessians beside the analytic matrices.

- The chained Rosenbrock function, n = 10^4 and 10^5: ``dr.func.sparse_hessian``
  beside its tridiagonal Hessian written out as a scipy matrix.
- The residual of -Δu + u³ = f on an N x N grid (5-point stencil), N = 100
  and 300: ``dr.func.sparse_jacobian`` beside the analytic Jacobian
  (the stencil matrix plus diag(3u²)).

For each: the number of colors; the first call split into detection,
coloring and one evaluation; later calls (one compressed sweep and the
decompression), and both as ratios to the analytic matrix built in the same
run. The issue's targets at n = 10^5: later calls at most 8x, the first at
most 400x.

    python benchmarks/sparse.py            # about a minute
    python benchmarks/sparse.py --quick    # the smaller sizes only
"""

import argparse
import os
import sys
import time

import numpy as np
import scipy.sparse as sp

import dualrev as dr
from dualrev.func import coloring
from timing import median_times

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))
from test_sparsity import rosenbrock, stencil_residual  # noqa: E402  (the tests' functions)


def rosenbrock_hessian(x):
    """The analytic Hessian of the chained Rosenbrock function, tridiagonal."""
    main = np.zeros_like(x)
    main[:-1] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    main[1:] += 200
    off = -400 * x[:-1]
    return sp.diags_array([off, main, off], offsets=[-1, 0, 1], format="csr")


def stencil_jacobian(u):
    """The analytic Jacobian of the stencil residual -Δu + u³ (grid units)."""
    n = int(round(np.sqrt(u.size)))
    ones = np.ones(u.size)
    side = np.ones(u.size - 1)
    side[n - 1::n] = 0  # no neighbor across a row's end
    return sp.diags_array([-np.ones(u.size - n), -side, 4 * ones + 3 * u ** 2, -side,
                           -np.ones(u.size - n)], offsets=[-n, -1, 0, 1, n], format="csr")


def first_call_split(make, detect, color, x):
    """Seconds of a fresh first call, and of detection and coloring alone."""
    start = time.perf_counter()
    make()(x)
    first = time.perf_counter() - start
    start = time.perf_counter()
    pattern = detect(x)
    detection = time.perf_counter() - start
    start = time.perf_counter()
    colors = color(pattern)
    coloring_time = time.perf_counter() - start
    return first, detection, coloring_time, int(colors.max()) + 1


def report(name, make, analytic, detect, color, x, repeats):
    derivative = make()
    result = derivative(x)
    expected = analytic(x)
    assert abs(result - expected).max() <= 1e-9 * abs(expected).max(), name
    first, detection, coloring_time, colors = first_call_split(make, detect, color, x)
    later, by_hand = median_times([lambda: derivative(x), lambda: analytic(x)], repeats)
    print(f"{name:<34} colors {colors}   analytic {by_hand * 1e3:7.2f} ms")
    print(f"{'':<34} first call {first * 1e3:8.1f} ms = {first / by_hand:6.0f}x "
          f"(detection {detection * 1e3:.1f} ms, coloring {coloring_time * 1e3:.1f} ms)")
    print(f"{'':<34} later calls {later * 1e3:7.2f} ms = {later / by_hand:6.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 10^4 and N = 100 only")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for n in (10**4,) if args.quick else (10**4, 10**5):
        x = rng.standard_normal(n)
        report(f"Rosenbrock Hessian n={n}", lambda: dr.func.sparse_hessian(rosenbrock),
               rosenbrock_hessian, dr.func.hessian_sparsity(rosenbrock), coloring.star_coloring,
               x, 21)
    for side in (100,) if args.quick else (100, 300):
        u = rng.standard_normal(side * side)
        report(f"stencil Jacobian N={side} (n={side * side})",
               lambda: dr.func.sparse_jacobian(stencil_residual), stencil_jacobian,
               dr.func.jacobian_sparsity(stencil_residual), coloring.column_coloring, u, 21)


if __name__ == "__main__":
    main()
