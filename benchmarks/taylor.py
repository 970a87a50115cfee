"""Taylor mode: all derivatives of a scalar function in one pass, beside the
same Taylor-series recurrence written by hand, and beside nested forward mode.

- f(x) = exp(sin x) x / (1 + x^2) at x = 0.7, orders K = 1..8 and 30:
  ``dr.func.taylor(f, K)(0.7)`` (f, f', ..., f^(K)) beside a hand-written
  recurrence on Python floats that computes the same K+1 derivatives in
  O(K^2) (normalized Taylor coefficients of sin and cos together, exp, the
  product, the quotient by 1 + x^2, times k! at the end), in two forms: the
  same arithmetic Taylor mode does (every intermediate a full series), the
  reference of the issue's targets (at most 8x at order 8, 10x at order
  30), and the recurrence specialised to this f by hand (x = x0 + t, so
  products with x are O(K)), for comparison.
  For orders 1..8 also the old way, K nested ``dr.func.jvp`` calls, whose
  cost grows exponentially with K (about 3x per order here: a product's
  derivative is three products).
- if ``dr.func.laplacian`` exists: the Laplacian of a small tanh MLP
  u(x) = w3 . tanh(W2 tanh(W1 x + b1) + b2), hidden width 64, at d = 16 and
  64, by ``dr.func.laplacian(u)(x)`` beside ``trace(dr.func.hessian(u)(x))``,
  beside d Hessian-vector products with the unit vectors, and beside the
  Laplacian written out by hand in NumPy. Target: laplacian at least 3x
  faster than trace(hessian) at d = 64.

Run from the repository's root (about 15 seconds; --quick about 3):

    python benchmarks/taylor.py
    python benchmarks/taylor.py --quick
"""

import argparse
import math

import numpy as np

import dualrev as dr
from timing import median_times

ORDERS = (1, 2, 3, 4, 5, 6, 7, 8, 30)
NESTED_MAX_ORDER = 8
X0 = 0.7
TARGETS = {8: 8.0, 30: 10.0}   # at most this many times the hand-written recurrence


# -- derivatives of a scalar function ------------------------------------------

def f(x):
    return dr.exp(dr.sin(x)) * x / (1 + x * x)


def f_derivatives_by_hand(x0, order):
    """[f(x0), f'(x0), ..., f^(order)(x0)] by the Taylor recurrences on
    floats, along x(t) = x0 + t. Lists hold normalized coefficients (the
    k-th derivative over k!)."""
    # sin and cos together: s' = c x', c' = -s x', and x' = 1
    s, c = [math.sin(x0)], [math.cos(x0)]
    for k in range(1, order + 1):
        s.append(c[k - 1] / k)
        c.append(-s[k - 1] / k)
    # e = exp(s): e' = e s', so k e_k = sum_{j=1..k} j s_j e_{k-j}
    js = [j * s[j] for j in range(order + 1)]
    e = [math.exp(s[0])]
    for k in range(1, order + 1):
        acc = 0.0
        for j in range(1, k + 1):
            acc += js[j] * e[k - j]
        e.append(acc / k)
    # p = e x with x = x0 + t; q = p / d with d = 1 + x^2 = d0 + d1 t + t^2
    d0, d1 = 1.0 + x0 * x0, 2.0 * x0
    q = [e[0] * x0 / d0]
    for k in range(1, order + 1):
        p = x0 * e[k] + e[k - 1]
        r = p - d1 * q[k - 1]
        if k >= 2:
            r -= q[k - 2]
        q.append(r / d0)
    out, factorial = [], 1.0
    for k in range(order + 1):
        if k:
            factorial *= k
        out.append(q[k] * factorial)
    return out


def f_derivatives_same_arithmetic(x0, order):
    """The same derivatives by the arithmetic Taylor mode does, written by
    hand on lists of floats: every intermediate a full series, each
    operation its recurrence (sin and cos together, exp, Cauchy products,
    the quotient), nothing known to be zero skipped. The reference of the
    targets: what an O(K^2) Taylor mode costs when written out in Python."""
    n = order + 1
    x = [x0, 1.0] + [0.0] * (n - 2) if n > 1 else [x0]
    s, c = [math.sin(x0)], [math.cos(x0)]
    for k in range(1, n):
        s.append(sum(j * x[j] * c[k - j] for j in range(1, k + 1)) / k)
        c.append(-sum(j * x[j] * s[k - j] for j in range(1, k + 1)) / k)
    e = [math.exp(s[0])]
    for k in range(1, n):
        e.append(sum(j * s[j] * e[k - j] for j in range(1, k + 1)) / k)
    p = [sum(e[j] * x[k - j] for j in range(k + 1)) for k in range(n)]
    d = [sum(x[j] * x[k - j] for j in range(k + 1)) for k in range(n)]
    d[0] += 1.0
    q = []
    for k in range(n):
        q.append((p[k] - sum(d[j] * q[k - j] for j in range(1, k + 1))) / d[0])
    return [q[k] * math.factorial(k) for k in range(n)]


def nested_jvp(g, order):
    """x -> (g(x), g'(x), ..., g^(order)(x)) by ``order`` nested forward
    passes: each level differentiates the tuple of the level inside it once
    more, along the tangent 1."""
    if order == 0:
        return lambda x: (g(x),)
    inner = nested_jvp(g, order - 1)

    def outer(x):
        values, tangents = dr.func.jvp(inner, (x,), (1.0,))
        return tuple(values) + (tangents[-1],)
    return outer


def floats(values):
    return [float(v) for v in values]


def bench_derivatives(quick):
    print(f"f(x) = exp(sin x) x / (1 + x^2) at x = {X0}: all derivatives 0..K")
    print("  same arithmetic: Taylor mode written by hand (full series; the targets' reference)")
    print("  by hand: the recurrence specialised to this f (x = x0 + t, 1 + x^2 quadratic)")
    print(f"{'K':>3} {'taylor':>11} {'same arith.':>12} {'ratio':>7} {'target':>7} {'by hand':>11}"
          f" {'ratio':>7} {'nested jvp':>12} {'nested/taylor':>14}")
    for order in ORDERS:
        taylor = dr.func.taylor(f, order)
        expected = f_derivatives_by_hand(X0, order)
        got = floats(taylor(X0))
        assert len(got) == order + 1
        for k, (a, b, c) in enumerate(zip(got, expected,
                                          f_derivatives_same_arithmetic(X0, order))):
            assert math.isclose(a, b, rel_tol=1e-9) and math.isclose(c, b, rel_tol=1e-9), \
                (order, k, a, b, c)
        repeats = 21 if quick else 301
        ours, same, hand = median_times([lambda: taylor(X0),
                                         lambda: f_derivatives_same_arithmetic(X0, order),
                                         lambda: f_derivatives_by_hand(X0, order)], repeats)
        target = f"<={TARGETS[order]:.0f}x" if order in TARGETS else ""
        line = (f"{order:>3} {ours * 1e6:8.1f} us {same * 1e6:9.1f} us {ours / same:6.1f}x "
                f"{target:>7} {hand * 1e6:8.1f} us {ours / hand:6.1f}x")
        if order <= NESTED_MAX_ORDER:
            nested = nested_jvp(f, order)
            got_nested = floats(nested(X0))
            for k, (a, b) in enumerate(zip(got_nested, expected)):
                assert math.isclose(a, b, rel_tol=1e-9), (order, k, a, b)
            # each call costs ~3^K: fewer rounds at high orders keep the run short
            nested_repeats = max(3 if quick else 9,
                                 min(repeats, (5 if quick else 101) * 3 ** 5 // 3 ** order))
            # timed beside taylor again, so that their ratio meets the same drifts
            ours_again, slow = median_times([lambda: taylor(X0), lambda: nested(X0)],
                                            nested_repeats)
            line += f" {slow * 1e3:9.3f} ms {slow / ours_again:13.1f}x"
        print(line)


# -- Laplacian of an MLP (only once dr.func.laplacian exists) -------------------

WIDTH = 64


def mlp(d):
    """u(x) = w3 . tanh(W2 tanh(W1 x + b1) + b2) with fixed random weights,
    as a dualrev function and its weights as arrays."""
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((WIDTH, d)) / np.sqrt(d)
    b1 = rng.standard_normal(WIDTH) * 0.1
    W2 = rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH)
    b2 = rng.standard_normal(WIDTH) * 0.1
    w3 = rng.standard_normal(WIDTH) / np.sqrt(WIDTH)
    weights = W1, b1, W2, b2, w3
    tW1, tb1, tW2, tb2, tw3 = (dr.tensor(w) for w in weights)

    def u(x):
        return (tw3 * dr.tanh(tW2 @ dr.tanh(tW1 @ x + tb1) + tb2)).sum()
    return u, weights


def mlp_laplacian_by_hand(weights, x):
    """The trace of u's Hessian written out: with h = tanh(z), h' = 1 - h^2
    and h'' = -2 h h', it is sum_j h1''_j v_j |W1_j|^2 + sum_k w3_k h2''_k |M_k|^2,
    where v = W2^T (w3 h2') and M = W2 diag(h1') W1."""
    W1, b1, W2, b2, w3 = weights
    h1 = np.tanh(W1 @ x + b1)
    g1 = 1.0 - h1 * h1
    h2 = np.tanh(W2 @ h1 + b2)
    g2 = 1.0 - h2 * h2
    v = W2.T @ (w3 * g2)
    M = W2 @ (g1[:, None] * W1)
    return (-2.0 * h1 * g1 * v) @ (W1 * W1).sum(1) + (-2.0 * w3 * h2 * g2) @ (M * M).sum(1)


def laplacian_by_hvps(u, x):
    """The Laplacian as d Hessian-vector products with the unit vectors."""
    total = 0.0
    for i, e in enumerate(np.eye(x.size)):
        _, hv = dr.func.hvp(u, (x,), (e,))
        total += float(hv[i])
    return total


def bench_laplacian(quick):
    print(f"\nLaplacian of u(x) = w3 . tanh(W2 tanh(W1 x + b1) + b2), width {WIDTH}")
    for d in (16, 64):
        u, weights = mlp(d)
        x = np.random.default_rng(1).uniform(-1, 1, d)
        laplacian, hessian = dr.func.laplacian(u), dr.func.hessian(u)

        def by_laplacian():
            return float(laplacian(x))

        def by_hessian():
            return float(np.trace(np.asarray(hessian(x))))

        def by_hvps():
            return laplacian_by_hvps(u, x)

        def by_hand():
            return float(mlp_laplacian_by_hand(weights, x))

        expected = by_hand()
        for name, fn in (("laplacian", by_laplacian), ("trace(hessian)", by_hessian),
                         ("d HVPs", by_hvps)):
            value = fn()
            assert np.isclose(value, expected, rtol=1e-8, atol=0.0), (d, name, value, expected)
        repeats = 5 if quick else 21
        lap, hes, hvps, hand = median_times([by_laplacian, by_hessian, by_hvps, by_hand],
                                            repeats)
        target = "   (target: >= 3x)" if d == 64 else ""
        print(f"d={d:<3} laplacian {lap * 1e3:8.3f} ms   trace(hessian) {hes * 1e3:8.3f} ms   "
              f"{d} HVPs {hvps * 1e3:8.3f} ms   by hand {hand * 1e3:7.3f} ms")
        print(f"      trace(hessian)/laplacian {hes / lap:5.1f}x{target}   "
              f"HVPs/laplacian {hvps / lap:5.1f}x   laplacian/by hand {lap / hand:6.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    bench_derivatives(args.quick)
    if hasattr(dr.func, "laplacian"):
        bench_laplacian(args.quick)
    else:
        print("\n(dr.func.laplacian does not exist yet: the Laplacian benchmark is skipped)")


if __name__ == "__main__":
    main()
