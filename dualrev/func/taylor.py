"""Taylor mode: ``jet`` (JAX's convention), ``derivative``, ``taylor`` and
``laplacian`` (collapsed Taylor mode).

One pass carries a truncated power series through the function: every
primitive's output series follows from its inputs' by its Taylor rule
(``core.taylor``), O(K^2) per operation for order K, where K nested forward
passes would cost O(2^K).
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable, Sequence

import numpy as np

from ..core.levels import new_level
from ..core.primitive import raw_value
from ..core.taylor import fitted
from ..core.values import shape_of
from ..jet import Jet
from .._tensor import Tensor
from .transforms import _check_float, _check_outputs, _lower, _operand, _result, _zeros_like
from .tree import flatten, unflatten

# k! overflows float64 beyond this order: derivatives of higher order are inf
MAX_ORDER = 170


def jet(f: Callable[..., Any], primals: Sequence[Any],
        series: Sequence[Sequence[Any]]) -> tuple[Any, list[Any]]:
    """Taylor mode, with the convention of ``jax.experimental.jet.jet``.

    The inputs move along the path x(t) = x_0 + sum_k x_k t^k / k!, where
    ``primals`` gives the x_0 and ``series`` gives, per primal, its terms
    (x_1, ..., x_K), each of the primal's structure (None for a zero term).
    The result is f(x_0) and the derivatives y_k = d^k/dt^k f(x(t)) at t = 0,
    computed in one pass that costs O(K^2) per operation (nested forward
    mode would cost O(2^K)). With x_1 = v and no higher terms, y_1 is the JVP
    J v and y_2 the second directional derivative vᵀ H v.

    Args:
        f: the function; its output is a tensor or a pytree of tensors.
        primals: a tuple (or list) of the arguments x_0 of ``f``.
        series: a tuple with, for each primal, a sequence of its terms
            (x_1, ..., x_K); every primal has the same number K of terms.

    Returns:
        ``(f(x_0), [y_1, ..., y_K])``: tensors (or pytrees of them, of the
        output's structure).

    Raises:
        TypeError: ``primals`` or ``series`` is not a tuple or list, or an
            entry of ``series`` is not a sequence.
        ValueError: ``series`` does not have one entry per primal, the
            primals have different numbers of terms, or a term's structure
            or shape differs from its primal's.

    Example:
        >>> import dualrev as dr
        >>> y, ys = dr.func.jet(dr.sin, (0.0,), ((1.0, 0.0, 0.0),))
        >>> y, ys  # sin(t) at 0 and its first three derivatives
        (tensor(0.), [tensor(1.), tensor(0.), tensor(-1.)])
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(series, (tuple, list)):
        raise TypeError("jet: primals and series must be tuples, e.g. jet(f, (x,), ((x1, x2),))")
    if len(primals) != len(series):
        raise ValueError(f"jet: {len(primals)} primals but series for {len(series)}; give one "
                         "sequence of terms per primal")
    orders = {len(terms) if isinstance(terms, (tuple, list)) else -1 for terms in series}
    if -1 in orders:
        raise TypeError("jet: each entry of series is a sequence of terms (x_1, ..., x_K)")
    if len(orders) > 1:
        raise ValueError(f"jet: every primal needs the same number of terms, got {sorted(orders)}")
    order = orders.pop() if orders else 0
    level = new_level()
    args = [_jet_of(p, terms, level) for p, terms in zip(primals, series)]
    out = f(*args)
    leaves, tree = flatten(out)
    _check_outputs(leaves, "jet")
    primal_out = unflatten(tree, [_result(_lower(o, level)) for o in leaves])
    series_out = [unflatten(tree, [_result(_term(o, level, k)) for o in leaves])
                  for k in range(1, order + 1)]
    return primal_out, series_out


def _jet_of(primal, terms, level):
    """A primal (a pytree) with its terms as Jets of ``level``."""
    leaves, tree = flatten(primal)
    term_leaves = []
    for term in terms:
        if term is None:  # a zero term
            term_leaves.append([None] * len(leaves))
            continue
        t_leaves, t_tree = flatten(term)
        if t_tree != tree:
            raise ValueError(f"jet: a series term {t_tree!r} differs in structure from its primal "
                             f"{tree!r}")
        term_leaves.append(t_leaves)
    jets = []
    for i, leaf in enumerate(leaves):
        x0 = _operand(leaf)
        _check_float(x0, "jet")
        shape = tuple(shape_of(x0))  # (as its box shows it: one example's, under vmap)
        coefficients = []
        for k, t in enumerate(term_leaves, 1):
            term = None if t[i] is None else _operand(t[i])
            if term is not None and tuple(shape_of(term)) != shape:
                raise ValueError(f"jet: a series term of shape {tuple(shape_of(term))} "
                                 f"does not fit its primal of shape {shape}: every term has its "
                                 "primal's shape")
            coefficients.append(fitted(_scaled(term, 1.0 / math.factorial(k)), x0))
        coefficients = tuple(coefficients)
        jets.append(Jet._make(x0, coefficients, level))
    return unflatten(tree, jets)


def _scaled(value, factor):
    """A term scaled; None for a zero one (an exact zero of plain values too:
    a zero coefficient costs the rules nothing)."""
    if value is None or type(value) is float and value == 0.0:
        return None
    if type(value) is np.ndarray and not value.any():
        return None
    return value if factor == 1.0 else value * factor


def _term(out, level, k):
    """The k-th derivative in t of an output: k! times its coefficient
    (summed over the directions, in collapsed mode)."""
    if isinstance(out, Jet) and out._level == level and out.series[k - 1] is not None:
        return out.series[k - 1] * float(math.factorial(k))
    return _zeros_like(out)


def _order(order, name):
    if type(order) is not int:
        raise TypeError(f"{name}(): argument 'order' must be int, not {type(order).__name__}")
    if not 0 <= order <= MAX_ORDER:
        raise ValueError(f"{name}(): order must be in [0, {MAX_ORDER}] (k! overflows float64 "
                         f"beyond), got {order}")
    return order


def _along_ones(f, x, order):
    """f(x) and its derivatives to ``order`` along the direction of ones."""
    x = _operand(x)
    ones = np.ones(shape_of(raw_value(x))) if shape_of(raw_value(x)) else 1.0
    terms = (ones,) + (None,) * (order - 1) if order else ()
    value, series = jet(f, (x,), (terms,))
    return [value] + series


def derivative(f: Callable[..., Any], order: int = 1) -> Callable[..., Tensor]:
    """The ``order``-th derivative of a scalar-to-scalar ``f`` (elementwise
    on arrays), by Taylor mode: one pass, O(order^2) per operation.

    On an array, ``f`` is differentiated along the direction of ones: the
    result is each entry's derivative when ``f`` acts entrywise (an entry of
    the output depending on several of the input gets the sum over them).

    Args:
        f: a function of one number or tensor.
        order: the order of the derivative, an int from 0 (``f`` itself) to
            170 (beyond which k! overflows float64).

    Returns:
        A function of ``x`` returning f^(order)(x), a tensor of the output's
        shape.

    Raises:
        TypeError: ``order`` is not an int.
        ValueError: ``order`` is out of [0, 170].

    Example:
        >>> import dualrev as dr
        >>> dr.func.derivative(dr.exp, 5)(0.0)
        tensor(1.)
        >>> dr.func.derivative(lambda x: x ** 3, 2)(dr.tensor([1.0, 2.0]))
        tensor([ 6., 12.])
    """
    _order(order, "derivative")

    @functools.wraps(f)
    def derivative_f(x):
        return _along_ones(f, x, order)[order]
    return derivative_f


def taylor(f: Callable[..., Any], order: int) -> Callable[..., tuple[Tensor, ...]]:
    """All of f(x), f'(x), ..., f^(order)(x) at once, for a scalar-to-scalar
    ``f`` (elementwise on arrays): one pass of Taylor mode.

    The same pass as ``derivative``, keeping every order.

    Args:
        f: a function of one number or tensor.
        order: the highest order, an int from 0 to 170.

    Returns:
        A function of ``x`` returning a tuple of ``order + 1`` tensors,
        f(x) first.

    Raises:
        TypeError: ``order`` is not an int.
        ValueError: ``order`` is out of [0, 170].

    Example:
        >>> import dualrev as dr
        >>> dr.func.taylor(dr.sin, 3)(0.0)
        (tensor(0.), tensor(1.), tensor(0.), tensor(-1.))
    """
    _order(order, "taylor")

    @functools.wraps(f)
    def taylor_f(x):
        return tuple(_along_ones(f, x, order))
    return taylor_f


def laplacian(f: Callable[..., Any]) -> Callable[..., Any]:
    """The Laplacian of ``f`` (the trace of its Hessian) with respect to its
    argument; for a function with several outputs (or a tree of them), one
    Laplacian per output.

    One forward pass of collapsed Taylor mode (the "forward Laplacian"):
    the value, one first-order coefficient per input direction (a leading
    axis of n unit vectors) and one second-order coefficient summed over the
    directions. Cost about n + 2 forward passes, and never an n x n matrix.

    Args:
        f: a function of one tensor (of any shape) returning a tensor or a
            pytree of tensors.

    Returns:
        A function of ``x`` returning, for each output entry, the sum of its
        second derivatives along every input entry: a tensor of the output's
        shape (a pytree of them for a pytree output).

    Raises:
        TypeError: (when called) ``x`` is not of a floating-point dtype.

    Example:
        >>> import dualrev as dr
        >>> dr.func.laplacian(lambda x: (x ** 3).sum())(dr.tensor([1.0, 2.0]))
        tensor(18.)
        >>> dr.func.laplacian(lambda x: x ** 3)(dr.tensor([1.0, 2.0]))  # one per output
        tensor([ 6., 12.])
    """
    @functools.wraps(f)
    def laplacian_f(x):
        x = _operand(x)
        _check_float(x, "laplacian")
        raw = raw_value(x)
        shape = shape_of(raw)
        n = math.prod(shape)
        directions = np.eye(n, dtype=raw.dtype if isinstance(raw, np.ndarray) else None)
        level = new_level()
        point = Jet._make(x, (fitted(directions.reshape((n,) + shape), x), fitted(None, x)),
                          level, lead=1)
        out = f(point)
        leaves, tree = flatten(out)
        _check_outputs(leaves, "laplacian")
        return unflatten(tree, [_result(_term(o, level, 2)) for o in leaves])
    return laplacian_f
