"""L-BFGS, as ``torch.optim.LBFGS``: a quasi-Newton method that re-evaluates
the loss through a closure, with an optional strong-Wolfe line search.

The whole parameter set is handled as one flat vector (the parameters
flattened and concatenated in order), held here as NumPy arrays of the
parameters' dtype. Every vector operation is rounded as PyTorch's CPU
kernels round it: ``add(alpha=)`` is a fused multiply-add, and the two
reductions the method uses, the dot product (Intel MKL's, which PyTorch calls)
and the sum (PyTorch's own cascade), add their terms in the same order as
those do. Scalars that PyTorch keeps as 0-dim tensors (directional
derivatives, curvature pairs' ``1 / y.s``, step lengths after the first
iteration) are NumPy scalars of that dtype here, and Python numbers stay
Python numbers, so mixed arithmetic promotes the same way.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..creation import from_numpy
from ..core.grad_mode import enable_grad, no_grad
from .._tensor import Tensor
from .base import Optimizer, Params, _add, _op_dtype, _read, _scalar, _store


# ---------------------------------------------------------------------------
# Reductions in PyTorch's (CPU, contiguous) order of additions.

def _dot(x, y):
    """``torch.dot(x, y)``: the products go to eight running sums, one per
    position modulo 8, over whole blocks of eight; a leftover pair at a time
    goes to the first two sums (a last single one to the first); then the
    sums are folded as four pairs, ``((s01 + s23) + s45) + s67``, and the
    pair's halves added. (Measured against MKL's ``ddot`` as PyTorch 2.13
    calls it on one thread; from 4096 terms MKL splits the work between
    threads, and the last bits can differ.)"""
    terms = x * y
    n = terms.size
    whole = n - n % 8
    if whole:
        # cumsum adds strictly in order: each lane's running sum over the blocks
        lanes = np.cumsum(terms[:whole].reshape(-1, 8), axis=0)[-1]
    else:
        lanes = np.zeros(8, dtype=terms.dtype)
    first = lanes[:2]
    rest = terms[whole:]
    for k in range(0, rest.size - 1, 2):
        first = first + rest[k:k + 2]
    if rest.size % 2:
        first = np.array([first[0] + rest[-1], first[1]])
    pair = ((first + lanes[2:4]) + lanes[4:6]) + lanes[6:8]
    return pair[0] + pair[1]


def _in_order(rows, axis=0):
    """The sum of ``rows`` along ``axis``, added strictly one after another."""
    return np.cumsum(rows, axis=axis).take(-1, axis=axis)


def _sum(x):
    """``x.sum()`` of a 1-D tensor as PyTorch's CPU kernel adds it: rows of
    16 (four vectors of four) are summed in a cascade (every 16 rows' sum
    moves one level up; the levels are added bottom up at the end), whole
    vectors of four that are left over are added to the first vector, the
    four vectors are folded in order, the last up-to-three terms (summed in
    order) join the first lane, and the four lanes are added in order.
    (Measured against PyTorch 2.13 up to 32768 terms, beyond which it splits
    the work between threads.)"""
    n = x.size
    nrows = n // 16
    level = x[:nrows * 16].reshape(nrows, 4, 4)
    acc = np.zeros((4, 4), dtype=x.dtype)
    while level.shape[0]:
        grouped = level.shape[0] - level.shape[0] % 16
        left = level[grouped:]
        if left.shape[0]:
            acc = acc + _in_order(left)
        level = _in_order(level[:grouped].reshape(-1, 16, 4, 4), axis=1)
    vectors = list(acc)
    k = nrows * 16
    while k + 4 <= n:
        vectors[0] = vectors[0] + x[k:k + 4]
        k += 4
    lanes = ((vectors[0] + vectors[1]) + vectors[2]) + vectors[3]
    lane0 = lanes[0]
    if k < n:
        lane0 = lane0 + _in_order(x[k:])
    return ((lane0 + lanes[1]) + lanes[2]) + lanes[3]


# ---------------------------------------------------------------------------
# The line search (after minFunc's polyinterp and WolfeLineSearch, as torch
# ports them from Lua torch's optim).

def _cubic_min(a, fa, ga, b, fb, gb, bounds=None):
    """The minimiser of the cubic through the points ``a`` and ``b`` with
    values ``fa``, ``fb`` and slopes ``ga``, ``gb``, clipped to ``bounds``
    (by default the interval between the points); the interval's midpoint
    when the cubic has no minimum."""
    if bounds is None:
        lo, hi = (a, b) if a <= b else (b, a)
    else:
        lo, hi = bounds
    d1 = ga + gb - 3 * (fa - fb) / (a - b)
    disc = d1 * d1 - ga * gb
    if not disc >= 0:  # no minimum, or NaN: the midpoint, as PyTorch
        return (lo + hi) / 2.0
    d2 = np.sqrt(disc)
    # measured from the farther point
    if a <= b:
        point = b - (b - a) * ((gb + d2 - d1) / (gb - ga + 2 * d2))
    else:
        point = a - (a - b) * ((ga + d2 - d1) / (ga - gb + 2 * d2))
    return min(max(point, lo), hi)


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """A step length ``t`` along ``d`` meeting the strong Wolfe conditions
    (``f(t) <= f + c1 t gtd`` and ``|f'(t)| <= -c2 gtd``), or the best one
    found within ``max_ls`` evaluations. ``evaluate(t)`` returns the loss and
    the flat gradient at ``x + t d``. Returns ``(loss, grad, t, evaluations)``."""
    d_scale = np.abs(d).max()
    f_new, g_new = evaluate(t)
    evals = 1
    gtd_new = _dot(g_new, d)

    # Bracketing: step out until an interval holds an acceptable point.
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    tries = 0
    while tries < max_ls:
        if f_new > (f + c1 * t * gtd) or (tries > 1 and f_new >= f_prev):
            ends, fs, gs, slopes = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            ends, fs, gs = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            ends, fs, gs, slopes = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # extrapolate, between a little past t and ten times t
        t_next = _cubic_min(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                            bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = _dot(g_new, d)
        tries += 1
    if tries >= max_ls:
        ends, fs, gs = [0, t], [f, f_new], [g, g_new]

    # Zoom: shrink the bracket around an acceptable point.
    stuck = False
    low, high = (0, 1) if fs[0] <= fs[-1] else (1, 0)
    while not done and tries < max_ls:
        if abs(ends[1] - ends[0]) * d_scale < tolerance_change:
            break
        t = _cubic_min(ends[0], fs[0], slopes[0], ends[1], fs[1], slopes[1])
        # A trial point near an end twice running, or outside, is moved to a
        # tenth of the bracket's width inside it.
        margin = 0.1 * (max(ends) - min(ends))
        if min(max(ends) - t, t - min(ends)) < margin:
            if stuck or t >= max(ends) or t <= min(ends):
                if abs(t - max(ends)) < abs(t - min(ends)):
                    t = max(ends) - margin
                else:
                    t = min(ends) + margin
                stuck = False
            else:
                stuck = True
        else:
            stuck = False

        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = _dot(g_new, d)
        tries += 1

        if f_new > (f + c1 * t * gtd) or f_new >= fs[low]:
            # not enough decrease, or no better than the low end: new high end
            ends[high], fs[high], gs[high], slopes[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if fs[0] <= fs[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (ends[high] - ends[low]) >= 0:
                # the slope points away from the high end: the low end replaces it
                ends[high], fs[high], gs[high], slopes[high] = (
                    ends[low], fs[low], gs[low], slopes[low])
            ends[low], fs[low], gs[low], slopes[low] = t, f_new, g_new, gtd_new

    return fs[low], gs[low], ends[low], evals


# ---------------------------------------------------------------------------
# The optimizer's state: NumPy values while a step runs, tensors in between.

def _to_state(value):
    if isinstance(value, np.ndarray):
        return from_numpy(value)
    if isinstance(value, np.generic):
        return from_numpy(np.array(value))
    if isinstance(value, list):
        return [_to_state(v) for v in value]
    return value


def _from_state(value, op):
    if isinstance(value, Tensor):
        array = _read(value, op)
        return array[()] if array.ndim == 0 else array
    if isinstance(value, (list, tuple)):
        return [_from_state(v, op) for v in value]
    return value


_SAVED = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")


class LBFGS(Optimizer):
    """The L-BFGS algorithm (after minFunc), with PyTorch's interface, update
    rule and stopping rules, as ``torch.optim.LBFGS``.

    Each ``step(closure)`` runs up to ``max_iter`` iterations. An iteration
    takes the direction ``d = -H g``, with ``H`` the inverse Hessian built by
    the two-loop recursion from the last ``history_size`` pairs of steps
    ``s`` and gradient changes ``y`` (a pair is kept only if ``y.s >
    1e-10``), scaled by ``y.s / y.y`` of the newest pair. The first
    iteration ever goes along ``-g`` with step ``min(1, 1 / |g|_1) * lr``,
    later ones try ``lr``; without a line search the step is taken as it
    is, with ``line_search_fn="strong_wolfe"`` it is searched for (cubic
    interpolation, bracketing then zoom, at most ``max_eval`` evaluations in
    the step). The step stops early when the largest gradient component is
    at most ``tolerance_grad``, when ``g.d > -tolerance_change``, or when
    the last change of the parameters (largest component) or of the loss is
    below ``tolerance_change``.

    There is only one parameter group; the parameters are handled as one
    vector, flattened and concatenated in order (a parameter whose ``.grad``
    is ``None`` counts as having a zero gradient). The method's state (the
    history, the last direction and step, evaluation and iteration counts
    ``func_evals`` and ``n_iter``) is kept under the first parameter, and
    goes through ``state_dict()`` and ``load_state_dict()``.

    In float64 the iterates are PyTorch 2.13's (CPU) bit for bit on the
    recorded cases, for up to 4096 parameters in all (beyond, PyTorch's dot
    products are split between threads), with one exception: the
    strong-Wolfe interpolation takes a square root, and PyTorch's scalar
    ``sqrt`` is not correctly rounded (about one input in a hundred is one
    ulp off), so a line search can differ in the last bit and the
    trajectories by about 1e-12. float32 runs agree to float32's precision,
    not bit for bit (PyTorch's float32 reductions are vectorised otherwise).
    float16 parameters are updated in float32 arithmetic.

    Args:
        params: the parameters to optimize (one group: tensors, or a single
            dict).
        lr: the step length (a factor on the first iteration's).
        max_iter: the most iterations in one ``step``.
        max_eval: the most evaluations of the closure in one ``step``
            (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when no gradient component is larger.
        tolerance_change: stop when the loss or the parameters change by
            less, or the directional derivative is above ``-tolerance_change``.
        history_size: how many curvature pairs are kept.
        line_search_fn: ``None`` (fixed steps) or ``"strong_wolfe"``.

    Raises:
        ValueError: for more than one parameter group, or a negative ``lr``.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor([-1.2, 1.0], requires_grad=True)
        >>> opt = dr.optim.LBFGS([x], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure)
        tensor(24.2000, grad_fn=<AddBackward0>)
        >>> for _ in range(3):
        ...     loss = opt.step(closure)
        >>> x
        tensor([1.0000, 1.0000], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float | Tensor = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    # -- the flat vector -------------------------------------------------------

    def _params(self) -> list[Tensor]:
        return self.param_groups[0]["params"]

    def _flat_grad(self, op):
        parts = [np.zeros(p.numel(), dtype=op) if p.grad is None
                 else _read(p.grad, op).reshape(-1) for p in self._params()]
        return np.concatenate(parts)

    def _move(self, t, d, op):
        """``p += t * d`` for each parameter's slice of ``d``, in place."""
        start = 0
        for p in self._params():
            n = p.numel()
            _store(p, _add(_read(p, op), d[start:start + n].reshape(p.shape), t, op))
            start += n

    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations.

        Args:
            closure: re-evaluates the loss and its gradient: it clears the
                gradients, computes the loss, calls ``backward()`` and returns
                the loss. It runs with gradient recording on, even when
                ``step`` is called under ``no_grad``.

        Returns:
            What the first call of ``closure`` returned: the loss before
            this step's updates.
        """
        if not callable(closure):
            raise TypeError("LBFGS.step() needs a closure that re-evaluates the loss "
                            "(step(closure))")
        user_errstate = np.geterr()

        def call():
            with enable_grad(), np.errstate(**user_errstate):
                return closure()

        # PyTorch's 0-dim tensors divide by zero without a warning.
        with no_grad(), np.errstate(all="ignore"):
            return self._iterate(call)

    def _iterate(self, call):
        group = self.param_groups[0]
        lr = _scalar(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]
        params = self._params()
        op = np.result_type(*(_op_dtype(p.dtype.numpy) for p in params))

        # The method's state is the optimizer's, kept under the first parameter.
        state = self.state[params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = call()
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        grad = self._flat_grad(op)
        if np.abs(grad).max() <= tolerance_grad:
            return first_loss

        d, t, dirs, steps, ro, h_diag, prev_grad, prev_loss = (
            _from_state(state.get(key), op) for key in _SAVED)
        al = _from_state(state.get("al"), op)

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # The direction.
            if state["n_iter"] == 1:
                d = -grad
                dirs, steps, ro = [], [], []
                h_diag = 1
            else:
                y = grad - prev_grad
                s = d * t
                ys = _dot(y, s)
                if ys > 1e-10:
                    if len(dirs) == history_size:
                        del dirs[0], steps[0], ro[0]
                    dirs.append(y)
                    steps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / _dot(y, y)
                if al is None:
                    al = [None] * history_size
                # two-loop recursion: d = -H grad
                q = -grad
                for i in range(len(dirs) - 1, -1, -1):
                    al[i] = _dot(steps[i], q) * ro[i]
                    q = _add(q, dirs[i], -al[i], op)
                d = q * h_diag
                for i in range(len(dirs)):
                    be_i = _dot(dirs[i], d) * ro[i]
                    d = _add(d, steps[i], al[i] - be_i, op)
                state["al"] = _to_state(al)
            prev_grad = grad
            prev_loss = loss

            # The step length.
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / _sum(np.abs(grad))) * lr
            else:
                t = lr
            gtd = _dot(grad, d)
            if gtd > -tolerance_change:
                break

            found = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = [_read(p, p.dtype.numpy).copy() for p in params]

                def evaluate(step_length):
                    self._move(step_length, d, op)
                    value = float(call())
                    flat = self._flat_grad(op)
                    for p, values in zip(params, start):
                        _store(p, values)
                    return value, flat

                loss, grad, t, found = _strong_wolfe(evaluate, t, d, loss, grad, gtd,
                                                     max_ls=max_eval - evals)
                self._move(t, d, op)
                at_optimum = np.abs(grad).max() <= tolerance_grad
            else:
                self._move(t, d, op)
                at_optimum = False
                if n_iter != max_iter:
                    # the last iteration's loss is not evaluated (it would be
                    # wasted on a stochastic objective)
                    loss = float(call())
                    grad = self._flat_grad(op)
                    at_optimum = np.abs(grad).max() <= tolerance_grad
                    found = 1
            evals += found
            state["func_evals"] += found

            # Stopping tests, in PyTorch's order.
            if n_iter == max_iter or evals >= max_eval or at_optimum:
                break
            if np.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        for key, value in zip(_SAVED, (d, t, dirs, steps, ro, h_diag, prev_grad, prev_loss)):
            state[key] = _to_state(value)
        return first_loss
