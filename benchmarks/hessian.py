"""Whole Hessians and Hessian-vector products, beside the same written by hand.

- the chained Rosenbrock function, sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2,
  Hessian at n = 10, 100, 400 and HVP at n = 10^4 and 10^6;
- logsumexp(A x) + x.x/2 with A of shape (2n, n), Hessian at n = 10, 100, 400.

dualrev's Hessian is forward-over-reverse with all n directions batched
(`dr.func.hessian`), its HVP `dr.func.hvp`. Run:

    python benchmarks/hessian.py
"""


import numpy as np

import dualrev as dr
from timing import median_times


def rosenbrock(x):
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


def rosenbrock_hessian(x):
    """The tridiagonal Hessian, by hand."""
    n = x.size
    h = np.zeros((n, n))
    i = np.arange(n - 1)
    h[i, i] += 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    h[i + 1, i + 1] += 200.0
    h[i, i + 1] = h[i + 1, i] = -400.0 * x[:-1]
    return h


def rosenbrock_hvp(x, v):
    """H v without forming H, by hand."""
    out = np.zeros_like(x)
    out[:-1] += (1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0) * v[:-1] - 400.0 * x[:-1] * v[1:]
    out[1:] += 200.0 * v[1:] - 400.0 * x[:-1] * v[:-1]
    return out


def logsumexp_quadratic(A):
    At = dr.tensor(A)

    def f(x):
        return dr.logsumexp(At @ x, 0) + (x * x).sum() / 2
    return f


def logsumexp_quadratic_hessian(A, x):
    """A^T (diag(p) - p p^T) A + I with p = softmax(A x), by hand."""
    z = A @ x
    p = np.exp(z - z.max())
    p /= p.sum()
    Ap = A.T * p
    return Ap @ A - np.outer(A.T @ p, A.T @ p) + np.eye(x.size)




def report(name, ours, hand):
    print(f"{name:<34} dualrev {ours * 1e3:9.3f} ms   by hand {hand * 1e3:9.3f} ms   "
          f"ratio {ours / hand:6.1f}x")


def main():
    rng = np.random.default_rng(0)
    for n in (10, 100, 400):
        x = rng.uniform(-1, 1, n)
        hessian = dr.func.hessian(rosenbrock)
        assert np.allclose(np.asarray(hessian(x)), rosenbrock_hessian(x))
        repeats = 50 if n < 400 else 20
        report(f"Rosenbrock Hessian n={n}",
               *median_times([lambda: hessian(x), lambda: rosenbrock_hessian(x)], repeats))
    for n in (10, 100, 400):
        A = rng.standard_normal((2 * n, n)) / np.sqrt(n)
        x = rng.uniform(-1, 1, n)
        f = logsumexp_quadratic(A)
        hessian = dr.func.hessian(f)
        assert np.allclose(np.asarray(hessian(x)), logsumexp_quadratic_hessian(A, x))
        repeats = 20 if n < 400 else 5
        report(f"logsumexp Hessian n={n}",
               *median_times([lambda: hessian(x), lambda: logsumexp_quadratic_hessian(A, x)],
                             repeats))
    for n in (10**4, 10**6):
        x, v = rng.uniform(-1, 1, n), rng.standard_normal(n)
        _, hv = dr.func.hvp(rosenbrock, (x,), (v,))
        assert np.allclose(np.asarray(hv), rosenbrock_hvp(x, v))
        repeats = 20 if n < 10**6 else 9
        report(f"Rosenbrock HVP n={n}",
               *median_times([lambda: dr.func.hvp(rosenbrock, (x,), (v,)),
                              lambda: rosenbrock_hvp(x, v)], repeats))


if __name__ == "__main__":
    main()
