"""Minimisation fed by exact derivatives: ``minimize`` (scipy's interface and
result, JAX's ``jax.scipy.optimize.minimize`` call) and ``scipy_objective``
(dualrev's gradient and Hessian-vector products in the form
``scipy.optimize.minimize`` takes).

Both see the user's function through an :class:`Objective`: the inputs, a
pytree of tensors, are flattened to one NumPy vector; the value and the
gradient come from one reverse sweep, and the last point's are kept, so a
line search that asks for f and then for ∇f at the same point pays once.
The algorithms (``minimizers.py``) work on those vectors and never see a
Tensor.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable

import numpy as np

from ..core.values import shape_of
from ..creation import from_numpy
from .._tensor import Tensor
from .tree import flatten, unflatten
from .transforms import hessian, hvp, value_and_grad
from .sparse import sparse_hessian
from .coloring import scipy_sparse
from . import minimizers

__all__ = ["minimize", "OptimizeResult", "scipy_objective"]

METHODS = {"bfgs": minimizers.bfgs, "l-bfgs": minimizers.lbfgs,
           "newton-cg": minimizers.newton_cg, "trust-ncg": minimizers.trust_ncg,
           "trust-exact": minimizers.trust_exact, "newton-sparse": minimizers.newton_sparse}


class OptimizeResult(dict):
    """The outcome of :func:`minimize`, a dict whose keys are also
    attributes, as ``scipy.optimize.OptimizeResult``: ``x`` (the minimiser,
    in the structure of ``x0``), ``fun`` (the value there, a float), ``jac``
    (the gradient, structured as ``x``), ``nit`` (iterations), ``nfev``,
    ``njev``, ``nhev`` (evaluations of the function, its gradient, and of
    Hessians or Hessian-vector products), ``success``, ``status`` (0
    converged, 1 iteration limit, 2 no further progress possible: the line
    search or trust region found no decrease, as where the function is NaN)
    and ``message``.

    ``minimize`` makes it; a missing attribute raises AttributeError, as a
    missing key raises KeyError.

    Args:
        **fields: the entries, by name (``x=..., fun=..., ...``).

    Example:
        >>> import dualrev as dr
        >>> res = dr.func.minimize(lambda x: ((x - 3) ** 2).sum(), dr.zeros(2),
        ...                        method="newton-cg")
        >>> res.success, res.x, res.nit
        (True, tensor([3., 3.]), 1)
        >>> res.nfev, res.nhev, res["fun"] == res.fun
        (2, 1, True)
    """

    def __init__(self, **fields: Any) -> None:
        super().__init__(**fields)

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __repr__(self):
        width = max(map(len, self)) + 1
        return "\n".join(f"{key.rjust(width)}: {value!r}".replace("\n", "\n" + " " * (width + 2))
                         for key, value in self.items())

    def __dir__(self):
        return list(self.keys())


class Objective:
    """A scalar function of a pytree of tensors, seen as a function of one
    flat NumPy vector, with counted and cached evaluations.

    ``fun(x, *args)`` is called with ``x`` rebuilt in the structure, shapes
    and dtype of ``x0``. ``value_and_grad(z)`` is one reverse sweep; the last
    point's value and gradient are kept and returned again for an equal
    point. ``hvp(z, v)`` is forward-over-reverse; ``hessian(z)`` dense;
    ``sparse_hessian(z)`` a ``scipy.sparse`` matrix (the ``sparse`` extra)."""

    def __init__(self, fun: Callable[..., Any], x0: Any, args: tuple = ()) -> None:
        if not callable(fun):
            raise TypeError(f"fun must be callable, got {type(fun).__name__}")
        leaves, self.tree = flatten(x0)
        if not leaves:
            raise ValueError("x0 holds no values to optimise")
        arrays = [_as_array(leaf) for leaf in leaves]
        self.dtype = np.result_type(*arrays, np.float32)
        if self.dtype.kind != "f":
            raise TypeError(f"minimize works on real floating-point values, x0 has {self.dtype}")
        self.shapes = [a.shape for a in arrays]
        self.sizes = [a.size for a in arrays]
        self.x0 = np.concatenate([a.astype(self.dtype).ravel() for a in arrays])
        self.fun, self.args = fun, tuple(args)
        self.nfev = self.njev = self.nhev = 0
        self._last: tuple | None = None
        self._grad = value_and_grad(self.flat_fun)
        self._sparse_hessian = None

    def unflatten(self, z: np.ndarray) -> Any:
        """The structure of ``x0`` around the values of flat vector ``z``."""
        parts, start = [], 0
        for shape, size in zip(self.shapes, self.sizes):
            parts.append(from_numpy(np.array(z[start:start + size], self.dtype).reshape(shape)))
            start += size
        return unflatten(self.tree, parts)

    def flat_fun(self, z: Tensor) -> Tensor:
        """The function of one flat tensor ``z`` (slices of it rebuild ``x0``'s structure)."""
        if len(self.shapes) == 1:
            parts = [z.reshape(self.shapes[0])]
        else:
            bounds = np.cumsum([0] + self.sizes)
            parts = [z[a:b].reshape(shape) for a, b, shape in zip(bounds, bounds[1:], self.shapes)]
        out = self.fun(unflatten(self.tree, parts), *self.args)
        if not isinstance(out, Tensor):
            raise TypeError(f"minimize: fun returned a {type(out).__name__}, which does not "
                            "depend on x: return the Tensor computed from x (without .item(), "
                            "float() or .numpy())")
        if math.prod(shape_of(out)) != 1:
            raise ValueError("minimize: fun must return a scalar (one element), but it returned "
                             f"shape {tuple(shape_of(out))}; reduce it, e.g. with .sum()")
        return out.reshape(())

    def value_and_grad(self, z: np.ndarray, fresh: bool = False) -> tuple[float, np.ndarray]:
        """``(f(z), ∇f(z))``, one reverse sweep, or the kept ones of the last
        point (unless ``fresh``)."""
        if not fresh and self._last is not None and np.array_equal(self._last[0], z):
            return self._last[1], self._last[2]
        value, gradient = self._grad(from_numpy(np.array(z, self.dtype)))
        self.nfev += 1
        self.njev += 1
        # (detached: fun may use tensors that require grad, as a model's parameters)
        f = float(value.detach().item())
        g = gradient.detach().numpy().astype(self.dtype, copy=False)
        self._last = (np.array(z, copy=True), f, g)
        return f, g

    def hvp(self, z: np.ndarray, v: np.ndarray) -> np.ndarray:
        """The Hessian at ``z`` times ``v``."""
        self.nhev += 1
        point, direction = from_numpy(np.array(z, self.dtype)), from_numpy(np.array(v, self.dtype))
        return hvp(self.flat_fun, (point,), (direction,))[1].detach().numpy()

    def hessian(self, z: np.ndarray) -> np.ndarray:
        """The dense n × n Hessian at ``z``."""
        self.nhev += 1
        return hessian(self.flat_fun)(from_numpy(np.array(z, self.dtype))).detach().numpy()

    def sparse_hessian(self, z: np.ndarray) -> Any:
        """The Hessian at ``z`` as a ``scipy.sparse`` CSR array (pattern and
        coloring found on the first call, reused after)."""
        if self._sparse_hessian is None:
            self._sparse_hessian = sparse_hessian(self.flat_fun)
        self.nhev += 1
        return self._sparse_hessian(from_numpy(np.array(z, self.dtype)))


def _as_array(leaf):
    if isinstance(leaf, Tensor):
        return leaf.detach().numpy()
    if isinstance(leaf, (bool, np.bool_)) or not isinstance(leaf, (int, float, np.ndarray,
                                                                    np.generic)):
        raise TypeError("x0 must be a Tensor, an array, a number or a pytree (tuple, list, dict) "
                        f"of them, but holds a {type(leaf).__name__}")
    return np.asarray(leaf, dtype=np.float64 if np.asarray(leaf).dtype.kind in "iu" else None)


def minimize(fun: Callable[..., Any], x0: Any, *, args: tuple = (), method: str,
             tol: float | None = None, options: dict[str, Any] | None = None) -> OptimizeResult:
    """Minimise the scalar ``fun(x, *args)`` from ``x0`` with exact
    gradients, Hessian-vector products or Hessians, as
    ``scipy.optimize.minimize`` and ``jax.scipy.optimize.minimize``.

    Methods:

    * ``"bfgs"``: quasi-Newton with a dense inverse-Hessian estimate and a
      strong-Wolfe line search (n up to a few thousand).
    * ``"l-bfgs"``: limited-memory BFGS (``options["history_size"]``, 10).
    * ``"newton-cg"``: inexact Newton: truncated conjugate gradients on exact
      Hessian-vector products, stopped early at negative curvature
      (Steihaug's test), then a line search. No matrix is formed.
    * ``"trust-ncg"``: trust-region Newton with Steihaug's CG.
    * ``"trust-exact"``: trust-region Newton on the dense Hessian, the
      subproblem solved exactly (eigendecomposition; small n).
    * ``"newton-sparse"``: Newton on the sparse Hessian (``sparse_hessian``)
      with a sparse direct solve, shifted where it is not a descent
      direction; needs the ``sparse`` extra (scipy).

    Args:
        fun: the function, of tensors in ``x0``'s structure, returning a
            scalar tensor.
        x0: the starting point: a Tensor, an array, or a pytree of them (a
            list of numbers is a pytree of scalars, as in JAX: give a vector
            as ``dr.tensor([...])``).
        args: extra arguments passed to ``fun`` after ``x``.
        method: one of the names above (case does not matter).
        tol: the gradient tolerance (``options["gtol"]``): stop when
            ``‖∇f‖ ≤ tol`` (2-norm, or ``options["norm"]``). Default 1e-5.
        options: ``maxiter`` (default 200·n), ``gtol``, ``norm``, ``disp``
            (print the outcome, as scipy), and per
            method: ``history_size`` (l-bfgs), ``max_cg_iter`` (newton-cg,
            trust-ncg), ``initial_trust_radius``, ``max_trust_radius``,
            ``eta`` (trust-region methods).

    Returns:
        OptimizeResult: ``x``, ``fun``, ``jac``, ``nit``, ``nfev``, ``njev``,
        ``nhev``, ``success``, ``status``, ``message``. Not converging is
        reported there (``success`` False), not raised.

    Raises:
        ValueError: an unknown method or option, a negative ``tol`` or
            ``maxiter``, ``fun`` not scalar, or its value or gradient not
            finite at ``x0``.
        TypeError: ``fun`` returns no Tensor (a float does not depend on x).
        ImportError: ``"newton-sparse"`` without scipy.

    Example:
        >>> import dualrev as dr
        >>> def rosenbrock(x):
        ...     return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        >>> res = dr.func.minimize(rosenbrock, dr.tensor([-1.2, 1.0]), method="trust-exact",
        ...                        tol=1e-10)
        >>> res.x, res.success, res.nit
        (tensor([1.0000, 1.0000]), True, 26)
        >>> float(dr.linalg.vector_norm(res.jac)) < 1e-10
        True
    """
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ValueError(f"minimize: unknown method {method!r}; choose one of "
                         + ", ".join(repr(m) for m in METHODS))
    if method.lower() == "newton-sparse":
        scipy_sparse()
    options = dict(options or {})
    disp = bool(options.pop("disp", False))
    if tol is not None:
        options.setdefault("gtol", tol)
    if not isinstance(args, tuple):
        args = (args,)  # scipy's convenience: one extra argument
    _check_options(options)
    algorithm = METHODS[method.lower()]
    known = [name for name in inspect.signature(algorithm).parameters if name not in
             ("objective", "x")]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ValueError(f"minimize: unknown option(s) {', '.join(map(repr, unknown))} for "
                         f"method {method!r}; it takes {', '.join(map(repr, known))}")
    objective = Objective(fun, x0, args)
    f0, g0 = objective.value_and_grad(objective.x0)
    if not (math.isfinite(f0) and np.all(np.isfinite(g0))):
        what = "value" if not math.isfinite(f0) else "gradient"
        raise ValueError(f"minimize: the {what} of fun at x0 is not finite; start from a "
                         "point where fun and its gradient are finite")
    outcome = algorithm(objective, objective.x0, **options)
    f, g = objective.value_and_grad(outcome.x)
    result = OptimizeResult(
        x=objective.unflatten(outcome.x), fun=f, jac=objective.unflatten(g), nit=outcome.nit,
        nfev=objective.nfev, njev=objective.njev, nhev=objective.nhev,
        success=outcome.status == 0, status=outcome.status, message=minimizers.MESSAGES[outcome.status])
    if outcome.hess_inv is not None:
        result["hess_inv"] = from_numpy(outcome.hess_inv)
    if disp:
        print(f"{result.message}\n         Current function value: {f:.6g}\n"
              f"         Iterations: {result.nit}\n         Function evaluations: {result.nfev}\n"
              f"         Hessian evaluations: {result.nhev}")
    return result


def _check_options(options):
    """The options every method shares, checked before it starts."""
    gtol, maxiter, norm = options.get("gtol", 0.0), options.get("maxiter", 0), options.get("norm", 2)
    if not (isinstance(gtol, (int, float)) and gtol >= 0):
        raise ValueError(f"minimize: tol (gtol) must be a number >= 0, got {gtol!r}")
    if maxiter is not None and not (isinstance(maxiter, (int, np.integer)) and maxiter >= 0):
        raise ValueError(f"minimize: maxiter must be an integer >= 0, got {maxiter!r}")
    if not (norm in (np.inf, -np.inf) or isinstance(norm, (int, float)) and norm >= 1):
        raise ValueError(f"minimize: norm must be a number >= 1 or inf (a vector norm), "
                         f"got {norm!r}")


def scipy_objective(fun: Callable[..., Any], x0: Any = None, *, hessp: bool = True,
                    hess: bool = False) -> ScipyObjective:
    """``fun``, ``jac`` and ``hessp`` (and with ``hess=True`` the sparse
    ``hess``) for ``scipy.optimize.minimize``, from dualrev's exact
    derivatives: ``scipy.optimize.minimize(**dr.func.scipy_objective(f),
    x0=x0, method=...)``.

    scipy calls ``fun(x, *args)`` and ``jac(x, *args)`` at the same points:
    the value and gradient are computed together in one reverse sweep and
    the last point's kept, so each point costs one sweep.

    Args:
        fun: a scalar function of one Tensor (or, with ``x0``, of a pytree).
        x0: optional: a pytree of tensors like the function's input. Then
            the result also holds ``x0``, the flat starting vector scipy
            wants, and ``unflatten`` turns scipy's ``x`` back into the tree.
        hessp: include ``hessp``, the Hessian-vector product. Turn it off
            for the methods that use none (``"BFGS"``, ``"L-BFGS-B"``,
            ``"CG"``): scipy warns when given one.
        hess: add ``hess``, the Hessian as a ``scipy.sparse`` matrix by
            :func:`sparse_hessian` (needs the ``sparse`` extra). Off by
            default, as scipy warns when a method is given a Hessian it does
            not use.

    Returns:
        ScipyObjective: a dict of ``fun``, ``jac``, ``hessp`` (``hess``,
        ``x0``) to unpack into ``scipy.optimize.minimize``.

    Example:
        >>> import numpy as np, scipy.optimize
        >>> import dualrev as dr
        >>> def rosenbrock(x):
        ...     return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        >>> res = scipy.optimize.minimize(**dr.func.scipy_objective(rosenbrock),
        ...                               x0=np.array([-1.2, 1.0]), method="trust-krylov",
        ...                               options={"gtol": 1e-8})
        >>> np.round(res.x, 6), res.success
        (array([1., 1.]), True)
    """
    return ScipyObjective(fun, x0, hessp, hess)


class ScipyObjective(dict):
    """What :func:`scipy_objective` returns: a dict of the callables
    ``scipy.optimize.minimize`` takes, with ``unflatten(x)`` to rebuild the
    structure of ``x0`` (when given) around a flat vector."""

    def __init__(self, fun, x0, hessp, hess):
        super().__init__()
        self._fun = fun
        self._objectives: dict[tuple, Objective] = {}
        self._template = x0
        self._layout = None if x0 is None else Objective(fun, x0)
        if self._layout is not None:
            self["x0"] = self._layout.x0.copy()
        self["fun"] = self.fun
        self["jac"] = self.jac
        if hessp:
            self["hessp"] = self.hessp
        if hess:
            scipy_sparse()
            self["hess"] = self.hess

    def _objective_for(self, x, args):
        """The Objective of this shape of ``x`` and these extra arguments
        (scipy passes the same ``args`` every call; a new tuple starts afresh)."""
        template = self._template if self._template is not None else x
        key = (np.shape(x) if self._template is None else None, tuple(map(id, args)))
        if key not in self._objectives:
            self._objectives.clear()
            self._objectives[key] = Objective(self._fun, template, args)
        return self._objectives[key]

    def fun(self, x: np.ndarray, *args: Any) -> float:
        """The value at flat ``x``, computed afresh (the data ``fun`` reads may
        have changed since the last call), its gradient kept from the same sweep."""
        return self._objective_for(x, args).value_and_grad(np.ravel(x), fresh=True)[0]

    def jac(self, x: np.ndarray, *args: Any) -> np.ndarray:
        """The gradient at flat ``x`` (kept from ``fun`` at the same point)."""
        return self._objective_for(x, args).value_and_grad(np.ravel(x))[1].copy()

    def hessp(self, x: np.ndarray, p: np.ndarray, *args: Any) -> np.ndarray:
        """The Hessian at ``x`` times ``p``."""
        return self._objective_for(x, args).hvp(np.ravel(x), np.ravel(p))

    def hess(self, x: np.ndarray, *args: Any) -> Any:
        """The Hessian at ``x`` as a ``scipy.sparse`` CSR array."""
        return self._objective_for(x, args).sparse_hessian(np.ravel(x))

    def unflatten(self, x: np.ndarray) -> Any:
        """scipy's flat ``x`` in the structure of ``x0`` (a Tensor if no ``x0`` was given)."""
        if self._layout is None:
            return from_numpy(np.array(x))
        return self._layout.unflatten(np.asarray(x))
