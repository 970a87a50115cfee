"""The algorithms of ``dualrev.func.minimize``, on flat NumPy vectors.

Each method takes an ``Objective`` (``value_and_grad``, ``hvp``,
``hessian``, ``sparse_hessian`` at a point, counted and cached by
``optimize.py``) and the starting vector, and returns an :class:`Outcome`.
The formulas are those of Nocedal & Wright, *Numerical Optimization* (2nd
ed., 2006): the strong-Wolfe line search (Alg. 3.5, 3.6), BFGS and the
L-BFGS two-loop recursion (6.1, 7.4), line-search Newton-CG (7.1),
trust-region updates (4.1) with Steihaug's CG (7.2) or the exact
subproblem (4.3, here solved on an eigendecomposition).

``dr.optim.LBFGS`` has a strong-Wolfe search of its own on purpose: it
repeats PyTorch's operations in PyTorch's order, to give PyTorch's
iterates bit for bit; this one is free to judge by slopes below f's
rounding, which PyTorch's does not.
"""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple

import numpy as np

MESSAGES = {0: "Optimization terminated successfully.",
            1: "Maximum number of iterations has been exceeded.",
            2: "Desired error not necessarily achieved due to precision loss."}


class Outcome(NamedTuple):
    x: np.ndarray
    nit: int
    status: int
    hess_inv: Any = None


class _Stop:
    """The common stopping rule: ``‖g‖ ≤ gtol`` in the chosen norm, within
    ``maxiter`` iterations (scipy's default 200·n)."""

    def __init__(self, x, gtol, norm, maxiter):
        self.gtol, self.norm = float(gtol), norm
        self.maxiter = 200 * x.size if maxiter is None else int(maxiter)

    def converged(self, g):
        return np.linalg.norm(g, self.norm) <= self.gtol


def _finite(f, g):
    return np.isfinite(f) and np.all(np.isfinite(g))


# -- the strong-Wolfe line search ------------------------------------------------

def _cubic_minimum(a, fa, da, b, fb, db):
    """The minimiser of the cubic matching f and f' at a and b, or None."""
    d1 = da + db - 3 * (fa - fb) / (a - b)
    radicand = d1 * d1 - da * db
    if not (np.isfinite(radicand) and radicand >= 0):
        return None
    d2 = np.copysign(np.sqrt(radicand), b - a)
    denominator = db - da + 2 * d2
    if denominator == 0:
        return None
    return b - (b - a) * (db + d2 - d1) / denominator


def wolfe_step(objective, x, f0, g0, d, step=1.0, c1=1e-4, c2=0.9, max_evals=30):
    """A step length along the descent direction ``d`` meeting the strong
    Wolfe conditions, as ``(alpha, f, g)`` at ``x + alpha d``; None when
    none is found in ``max_evals`` evaluations. Non-finite values count as
    too long a step."""
    slope0 = float(g0 @ d)
    evals = 0

    def at(alpha):
        nonlocal evals
        evals += 1
        f, g = objective.value_and_grad(x + alpha * d)
        if not _finite(f, g):
            return np.inf, g, np.nan
        return f, g, float(g @ d)

    # f's rounding (Hager & Zhang take 1e-6 of |f|)
    noise = max(1e-10, 100 * np.finfo(x.dtype).eps) * abs(f0)

    def sufficient(alpha, f, slope):
        """Armijo's decrease, or where f no longer changes above its
        rounding, Hager & Zhang's approximate form (the slope has
        decreased to (1 - 2 c1) of its start's size)."""
        return f <= f0 + c1 * alpha * slope0 or (
            f <= f0 + noise and slope <= (1 - 2 * c1) * -slope0)

    def higher(f, than):
        """Whether f is above ``than`` by more than rounding (below that,
        values cannot be compared and the slopes decide)."""
        return f > than and abs(f - f0) > noise

    def zoom(lo, hi):
        """``lo`` and ``hi`` as (alpha, f, slope, g): ``lo`` meets the
        sufficient decrease with the lowest value so far; the interval
        between them holds a strong-Wolfe point."""
        while evals < max_evals:
            left, right = min(lo[0], hi[0]), max(lo[0], hi[0])
            width = right - left
            if width <= 1e-16 * max(right, 1.0):
                break
            trial = None
            if np.isfinite(hi[1]) and np.isfinite(hi[2]):
                trial = _cubic_minimum(lo[0], lo[1], lo[2], hi[0], hi[1], hi[2])
            if trial is None or not (left + 0.1 * width <= trial <= right - 0.1 * width):
                trial = left + width / 2
            f, g, slope = at(trial)
            if not sufficient(trial, f, slope) or higher(f, lo[1]):
                hi = (trial, f, slope, g)
                continue
            if abs(slope) <= -c2 * slope0:
                return trial, f, g
            if slope * (hi[0] - lo[0]) >= 0:
                hi = lo
            lo = (trial, f, slope, g)
        # No strong-Wolfe point found: a step with sufficient decrease will do.
        return (lo[0], lo[1], lo[3]) if lo[0] > 0 else None

    previous = (0.0, f0, slope0, g0)
    alpha = step
    while evals < max_evals:
        f, g, slope = at(alpha)
        if not sufficient(alpha, f, slope) or (evals > 1 and higher(f, previous[1])):
            return zoom(previous, (alpha, f, slope, g))
        if abs(slope) <= -c2 * slope0:
            return alpha, f, g
        if slope >= 0:
            return zoom((alpha, f, slope, g), previous)
        previous = (alpha, f, slope, g)
        alpha *= 4
    # Still going down after max_evals expansions (unbounded below?): keep the
    # farthest point, which met the sufficient decrease.
    return (previous[0], previous[1], previous[3]) if previous[0] > 0 else None


def _line_search_method(objective, x, stop, direction):
    """The loop shared by BFGS, L-BFGS, Newton-CG and sparse Newton:
    ``direction(x, g, k)`` gives the search direction and the first trial
    step; ``direction.update(s, y)`` (when present) learns from the step."""
    f, g = objective.value_and_grad(x)
    for k in range(stop.maxiter):
        if stop.converged(g):
            return Outcome(x, k, 0)
        d, first_step = direction(x, g, k)
        found = wolfe_step(objective, x, f, g, d, first_step)
        if found is None:
            return Outcome(x, k, 2)
        alpha, f_new, g_new = found
        s = alpha * d
        if np.array_equal(x + s, x):
            return Outcome(x, k, 2)  # a step too small to change x
        if hasattr(direction, "update"):
            direction.update(s, g_new - g)
        x, f, g = x + s, f_new, g_new
    return Outcome(x, stop.maxiter, 0 if stop.converged(g) else 1)


def _first_step(g, k):
    """The trial step: 1, except on the first iteration of a quasi-Newton
    method, whose direction -g has no scale: there a unit move."""
    return 1.0 if k > 0 else min(1.0, 1.0 / max(np.linalg.norm(g), 1e-300))


# -- quasi-Newton ----------------------------------------------------------------

class _InverseHessian:
    """BFGS's dense inverse-Hessian estimate, scaled by sᵀy / yᵀy before the
    first update (Nocedal & Wright eq. 6.20)."""

    def __init__(self, n):
        self.matrix, self.updated = np.eye(n), False

    def __call__(self, x, g, k):
        d = -self.matrix @ g
        if not g @ d < 0:  # lost positive definiteness by rounding: start afresh
            self.matrix, self.updated, d = np.eye(g.size), False, -g
        return d, (1.0 if self.updated else _first_step(g, 0))

    def update(self, s, y):
        sy = s @ y
        if not sy > 1e-10 * np.linalg.norm(s) * np.linalg.norm(y):
            return  # no positive curvature along s: keep the estimate
        if not self.updated:
            self.matrix *= sy / (y @ y)
            self.updated = True
        rho = 1 / sy
        Hy = self.matrix @ y
        self.matrix += (rho * rho * (y @ Hy) + rho) * np.outer(s, s) - rho * (
            np.outer(s, Hy) + np.outer(Hy, s))


class _TwoLoop:
    """L-BFGS's implicit inverse Hessian: the last ``history_size`` pairs
    (s, y) and the two-loop recursion, scaled by sᵀy / yᵀy of the newest."""

    def __init__(self, history_size):
        if int(history_size) < 1:
            raise ValueError(f"minimize: history_size must be at least 1, got {history_size}")
        self.pairs = deque(maxlen=int(history_size))

    def __call__(self, x, g, k):
        if not self.pairs:
            return -g, _first_step(g, 0)
        q = g.copy()
        alphas = []
        for s, y, rho in reversed(self.pairs):
            a = rho * (s @ q)
            q -= a * y
            alphas.append(a)
        s, y, rho = self.pairs[-1]
        r = q * ((s @ y) / (y @ y))
        for (s, y, rho), a in zip(self.pairs, reversed(alphas)):
            r += (a - rho * (y @ r)) * s
        return -r, 1.0

    def update(self, s, y):
        sy = s @ y
        if sy > 1e-10 * np.linalg.norm(s) * np.linalg.norm(y):
            self.pairs.append((s, y, 1 / sy))


def bfgs(objective, x, *, gtol=1e-5, norm=2, maxiter=None):
    stop = _Stop(x, gtol, norm, maxiter)
    estimate = _InverseHessian(x.size)
    outcome = _line_search_method(objective, x, stop, estimate)
    return outcome._replace(hess_inv=estimate.matrix)


def lbfgs(objective, x, *, gtol=1e-5, norm=2, maxiter=None, history_size=10):
    return _line_search_method(objective, x, _Stop(x, gtol, norm, maxiter), _TwoLoop(history_size))


# -- Newton on Hessian-vector products ---------------------------------------------

def truncated_cg(hvp, g, tolerance, max_iter):
    """An approximate solution of H p = -g by conjugate gradients, stopped
    when the residual is below ``tolerance`` or when a direction of
    non-positive curvature appears (Steihaug's test): then the last iterate,
    or -g if that is still zero."""
    p = np.zeros_like(g)
    r, d = g.copy(), -g
    rr = r @ r
    for j in range(max_iter):
        Hd = hvp(d)
        curvature = d @ Hd
        if not curvature > 0:
            return -g if j == 0 else p
        alpha = rr / curvature
        p += alpha * d
        r += alpha * Hd
        rr, rr_old = r @ r, rr
        if np.sqrt(rr) <= tolerance:
            break
        d = -r + (rr / rr_old) * d
    return p


def _forcing(g):
    """The CG tolerance of an inexact Newton step: min(0.01, √‖g‖)·‖g‖, for
    superlinear convergence (Nocedal & Wright eq. 7.3, whose 0.5 lets a
    curved valley such as Rosenbrock's take three times the steps)."""
    size = np.linalg.norm(g)
    return min(0.01, np.sqrt(size)) * size


def newton_cg(objective, x, *, gtol=1e-5, norm=2, maxiter=None, max_cg_iter=None):
    cg_limit = 20 * x.size if max_cg_iter is None else int(max_cg_iter)

    def direction(x, g, k):
        return truncated_cg(lambda v: objective.hvp(x, v), g, _forcing(g), cg_limit), 1.0
    return _line_search_method(objective, x, _Stop(x, gtol, norm, maxiter), direction)


def _positive_definite_factor(H):
    """SuperLU's factors of sparse symmetric ``H`` if it is positive
    definite, else None. Symmetric mode without off-diagonal pivoting
    factors P H Pᵀ = L U, so by Sylvester's law of inertia H is positive
    definite exactly when every pivot, U's diagonal, is positive."""
    import scipy.sparse.linalg  # (here: scipy is the optional `sparse` extra)
    try:
        with np.errstate(all="ignore"):
            factors = scipy.sparse.linalg.splu(H, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0,
                                               options={"SymmetricMode": True})
    except RuntimeError:  # a zero pivot: singular, or not factorable without pivoting
        return None
    if not np.array_equal(factors.perm_r, factors.perm_c):
        return None  # rows pivoted after all: the inertia cannot be read
    pivots = factors.U.diagonal()
    return factors if np.all(pivots > 0) and np.all(np.isfinite(pivots)) else None


def newton_sparse(objective, x, *, gtol=1e-5, norm=2, maxiter=None):
    import scipy.sparse  # (here: scipy is the optional `sparse` extra)

    def direction(x, g, k):
        """Newton's step on H + τI, τ = 0 or the smallest of 2e-3, 2e-2, ...
        times H's largest diagonal entry that makes it positive definite
        (Nocedal & Wright's Alg. 3.3), so an indefinite H, near a saddle
        point, gives a step downhill along its negative curvature."""
        H = scipy.sparse.csc_array(objective.sparse_hessian(x))
        scale = max(float(np.abs(H.diagonal()).max(initial=0.0)), 1e-8)
        identity = scipy.sparse.eye_array(g.size, format="csc")
        shift = 0.0
        for _ in range(30):
            factors = _positive_definite_factor(H if shift == 0 else H + shift * identity)
            if factors is not None:
                p = factors.solve(-g)
                if np.all(np.isfinite(p)):
                    return p, 1.0
            shift = 2e-3 * scale if shift == 0 else shift * 10  # never -λ exactly when λ = ±scale
        return -g, _first_step(g, 0)
    return _line_search_method(objective, x, _Stop(x, gtol, norm, maxiter), direction)


# -- trust regions ------------------------------------------------------------------

def _to_boundary(p, d, radius):
    """τ ≥ 0 with ‖p + τ d‖ = radius."""
    a, b, c = d @ d, 2 * (p @ d), p @ p - radius * radius
    return (-b + np.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a)


def steihaug_cg(hvp, g, radius, tolerance, max_iter):
    """Steihaug's CG for min gᵀp + ½pᵀHp in ‖p‖ ≤ radius: ``(p, Hp,
    on_boundary)``."""
    p, Hp = np.zeros_like(g), np.zeros_like(g)
    r, d = g.copy(), -g
    rr = r @ r
    if np.sqrt(rr) <= tolerance:
        return p, Hp, False
    for _ in range(max_iter):
        Hd = hvp(d)
        curvature = d @ Hd
        alpha = rr / curvature if curvature > 0 else np.inf
        if not curvature > 0 or np.linalg.norm(p + alpha * d) >= radius:
            tau = _to_boundary(p, d, radius)
            return p + tau * d, Hp + tau * Hd, True
        p, Hp = p + alpha * d, Hp + alpha * Hd
        r = r + alpha * Hd
        rr, rr_old = r @ r, rr
        if np.sqrt(rr) <= tolerance:
            break
        d = -r + (rr / rr_old) * d
    return p, Hp, False


def exact_subproblem(H, g, radius):
    """The minimiser of gᵀp + ½pᵀHp in ‖p‖ ≤ radius, and whether it is on
    the boundary, from the eigendecomposition H = QΛQᵀ: p(μ) = -(H + μI)⁻¹g
    with the μ ≥ max(0, -λ_min) that puts it on the boundary (Newton's
    method on 1/‖p(μ)‖), including the "hard case"."""
    lam, Q = np.linalg.eigh(H)
    a = Q.T @ g
    if lam[0] > 0:
        p = -Q @ (a / lam)
        if np.linalg.norm(p) <= radius:
            return p, False
    low = max(0.0, -lam[0])
    lowest = lam - lam[0] <= 1e-12 * max(1.0, np.abs(lam).max())
    if lam[0] <= 0 and np.all(np.abs(a[lowest]) <= 1e-12 * max(np.linalg.norm(g), 1e-300)):
        # The hard case: g has no part along the lowest eigenvectors.
        with np.errstate(divide="ignore", invalid="ignore"):
            p = -Q @ np.where(lowest, 0.0, a / (lam + low))
        size = np.linalg.norm(p)
        if size <= radius:
            return p + np.sqrt(radius * radius - size * size) * Q[:, 0], True
    high = low + np.linalg.norm(g) / radius
    mu = high
    for _ in range(100):
        shifted = lam + mu
        p = -Q @ (a / shifted)
        size = np.linalg.norm(p)
        if abs(size - radius) <= 1e-10 * radius:
            break
        if size > radius:
            low = mu
        else:
            high = mu
        slope = -np.sum(a * a / shifted ** 3) / size ** 3  # d(1/‖p‖)/dμ
        mu_next = mu - (1 / size - 1 / radius) / slope
        mu = mu_next if low < mu_next < high else (low + high) / 2
    return p, True


def _trust_region(objective, x, stop, model, initial_trust_radius, max_trust_radius, eta):
    """The trust-region loop: ``model(x, g, radius)`` gives a step, its
    predicted decrease and whether it reached the boundary."""
    if not 0 <= eta < 0.25:
        raise ValueError(f"minimize: eta must be in [0, 0.25), got {eta}")
    if not 0 < initial_trust_radius <= max_trust_radius:
        raise ValueError("minimize: need 0 < initial_trust_radius <= max_trust_radius")
    radius = float(initial_trust_radius)
    f, g = objective.value_and_grad(x)
    for k in range(stop.maxiter):
        if stop.converged(g):
            return Outcome(x, k, 0)
        p, predicted, on_boundary = model(x, g, radius)
        if not predicted > 0:
            return Outcome(x, k, 2)
        f_new, g_new = objective.value_and_grad(x + p)
        if not _finite(f_new, g_new):
            ratio = -np.inf
        elif predicted <= 100 * np.finfo(x.dtype).eps * abs(f):
            # below f's rounding: the gradient judges
            ratio = 1.0 if np.linalg.norm(g_new) < np.linalg.norm(g) else 0.0
        else:
            ratio = (f - f_new) / predicted
        if ratio < 0.25:
            radius = 0.25 * np.linalg.norm(p)
        elif ratio > 0.75 and on_boundary:
            radius = min(2 * radius, max_trust_radius)
        if ratio > eta:
            x, f, g = x + p, f_new, g_new
        if radius <= 1e-15 * max(1.0, np.linalg.norm(x)):
            return Outcome(x, k + 1, 0 if stop.converged(g) else 2)
    return Outcome(x, stop.maxiter, 0 if stop.converged(g) else 1)


def trust_ncg(objective, x, *, gtol=1e-5, norm=2, maxiter=None, max_cg_iter=None,
              initial_trust_radius=1.0, max_trust_radius=1000.0, eta=0.15):
    cg_limit = 20 * x.size if max_cg_iter is None else int(max_cg_iter)

    def model(x, g, radius):
        p, Hp, on_boundary = steihaug_cg(lambda v: objective.hvp(x, v), g, radius,
                                         _forcing(g), cg_limit)
        return p, -(g @ p + 0.5 * (p @ Hp)), on_boundary
    return _trust_region(objective, x, _Stop(x, gtol, norm, maxiter), model,
                         initial_trust_radius, max_trust_radius, eta)


def trust_exact(objective, x, *, gtol=1e-5, norm=2, maxiter=None,
                initial_trust_radius=1.0, max_trust_radius=1000.0, eta=0.15):
    kept: dict[bytes, np.ndarray] = {}

    def model(x, g, radius):
        key = x.tobytes()
        if key not in kept:  # a rejected step keeps x, and its Hessian
            kept.clear()
            kept[key] = objective.hessian(x).reshape(x.size, x.size)
        H = kept[key]
        p, on_boundary = exact_subproblem(H, g, radius)
        return p, -(g @ p + 0.5 * (p @ H @ p)), on_boundary
    return _trust_region(objective, x, _Stop(x, gtol, norm, maxiter), model,
                         initial_trust_radius, max_trust_radius, eta)
