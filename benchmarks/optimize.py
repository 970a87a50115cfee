"""Minimisation with exact derivatives, beside scipy's L-BFGS-B.

The extended Rosenbrock function of Moré, Garbow and Hillstrom (1981),

    f(x) = sum_i 100 (x[2i] - x[2i-1]^2)^2 + (1 - x[2i-1])^2   (1-based),

from x0 = (-1.2, 1, -1.2, 1, ...), at n = 10^4 and 10^5, to a gradient of
2-norm at most 1e-8. Its Hessian is block diagonal (2 x 2 blocks). Rows:

- ``dr.func.minimize`` with "l-bfgs", "newton-cg", "trust-ncg" and
  "newton-sparse" ("bfgs" and "trust-exact" hold an n x n matrix: not at
  these sizes). Every "newton-sparse" call detects the Hessian's pattern
  and colors it afresh (each ``minimize`` call makes its own
  ``sparse_hessian``), so its first call and later ones do the same work;
  both are printed, and the detection and coloring alone.
- ``scipy.optimize.minimize(method="L-BFGS-B")`` fed (a) by dualrev's
  gradient through ``dr.func.scipy_objective`` and (b) by the gradient
  written by hand in NumPy (value and gradient together, ``jac=True``).
  L-BFGS-B stops on the infinity norm of the projected gradient: gtol =
  1e-8 / sqrt(n) there implies a 2-norm of at most 1e-8; ftol = 0 keeps it
  from stopping earlier on a small decrease of f.

Times are medians of interleaved runs (timing.py); the final gradient norm
is the hand-written gradient's at each row's answer. The issue's target:
"newton-cg" at n = 10^5 faster than L-BFGS-B with the analytic gradient.

    python benchmarks/optimize.py            # about half a minute on an idle machine
    python benchmarks/optimize.py --quick    # 3 repeats instead of 7, about 10 seconds
"""

import argparse
import time

import numpy as np
import scipy.optimize

import dualrev as dr
from timing import median_times

GTOL = 1e-8
METHODS = ("l-bfgs", "newton-cg", "trust-ncg", "newton-sparse")


def rosenbrock(x):
    """The extended Rosenbrock function on a dualrev tensor."""
    odd, even = x[0::2], x[1::2]
    return (100 * (even - odd ** 2) ** 2 + (1 - odd) ** 2).sum()


def rosenbrock_value_and_grad(x):
    """Its value and gradient on a NumPy vector, written by hand."""
    odd, even = x[0::2], x[1::2]
    r = even - odd ** 2
    gradient = np.empty_like(x)
    gradient[0::2] = -400 * r * odd - 2 * (1 - odd)
    gradient[1::2] = 200 * r
    return float((100 * r * r + (1 - odd) ** 2).sum()), gradient


def lbfgsb(fun, x0, jac):
    n = x0.size
    return scipy.optimize.minimize(fun, x0, jac=jac, method="L-BFGS-B", options=dict(
        gtol=GTOL / np.sqrt(n), ftol=0.0, maxiter=100_000, maxfun=100_000))


def runners(x0):
    """Each row's name and a function running it to the end, returning
    (x as NumPy, iterations, nfev, the njev / nhev column)."""
    rows = {}
    for method in METHODS:
        def run(method=method):
            res = dr.func.minimize(rosenbrock, x0, method=method, tol=GTOL)
            assert res.success, (method, res.message)
            return res.x.numpy(), res.nit, res.nfev, f"{res.njev} / {res.nhev}"
        rows[f'minimize "{method}"'] = run

    def scipy_dualrev():
        # fun and jac only: handed hessp too, L-BFGS-B warns that it does not use it.
        objective = dr.func.scipy_objective(rosenbrock)
        res = lbfgsb(objective["fun"], x0, objective["jac"])
        assert res.success, res.message
        return res.x, res.nit, res.nfev, f"{res.njev} / -"

    def scipy_analytic():
        res = lbfgsb(rosenbrock_value_and_grad, x0, True)
        assert res.success, res.message
        return res.x, res.nit, res.nfev, f"{res.njev} / -"
    rows["L-BFGS-B, scipy_objective"] = scipy_dualrev
    rows["L-BFGS-B, analytic gradient"] = scipy_analytic
    return rows


def sparse_detection(x0):
    """Seconds of the sparse Hessian's first call at x0 (pattern detection,
    star coloring, one evaluation) and of a second call (the evaluation)."""
    hessian = dr.func.sparse_hessian(rosenbrock)
    start = time.perf_counter()
    hessian(x0)
    first = time.perf_counter() - start
    start = time.perf_counter()
    hessian(x0)
    return first, time.perf_counter() - start


def bench(n, repeats):
    x0 = np.tile([-1.2, 1.0], n // 2)
    rows = runners(x0)
    start = time.perf_counter()
    rows['minimize "newton-sparse"']()
    first_sparse = time.perf_counter() - start
    stats = {name: run() for name, run in rows.items()}
    times = dict(zip(rows, median_times(list(rows.values()), repeats)))
    reference = times["L-BFGS-B, analytic gradient"]
    print(f"\n### n = {n:,}, median of {repeats} interleaved runs\n")
    print("| method | time (ms) | iterations | nfev | njev / nhev | final ‖g‖₂ | time / L-BFGS-B analytic |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (x, nit, nfev, evaluations) in stats.items():
        norm = np.linalg.norm(rosenbrock_value_and_grad(x)[1])
        assert norm <= GTOL, (name, norm)
        print(f"| {name} | {times[name] * 1e3:.1f} | {nit} | {nfev} | {evaluations} | "
              f"{norm:.1e} | {times[name] / reference:.2f}x |")
    detection, evaluation = sparse_detection(x0)
    later = times['minimize "newton-sparse"']
    print(f'\n"newton-sparse": first call {first_sparse * 1e3:.1f} ms, later calls (median) '
          f"{later * 1e3:.1f} ms; each call detects and colors "
          f"the pattern again: sparse_hessian's first call {detection * 1e3:.1f} ms, "
          f"a later one {evaluation * 1e3:.1f} ms.")
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    print(f"Extended Rosenbrock from (-1.2, 1, ...) to ‖∇f‖₂ <= {GTOL:g}; numpy "
          f"{np.__version__}, scipy {scipy.__version__}")
    for n in (10**4, 10**5):
        times = bench(n, repeats)
    ratio = times['minimize "newton-cg"'] / times["L-BFGS-B, analytic gradient"]
    print(f'\nTarget: "newton-cg" at n = 10^5 faster than L-BFGS-B with the analytic gradient: '
          f"{ratio:.2f}x, {'holds' if ratio < 1 else 'does NOT hold'}.")


if __name__ == "__main__":
    main()
