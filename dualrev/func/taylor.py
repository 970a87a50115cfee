"""Taylor mode: ``jet`` (JAX's convention), ``derivative`` and ``taylor``.

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
    (x_1, ..., x_K), each of the primal's structure. Returns ``(f(x_0),
    [y_1, ..., y_K])`` with y_k the k-th derivative of f(x(t)) at t = 0, in
    one pass that costs O(K^2) per operation.

    >>> import dualrev as dr
    >>> y, ys = dr.func.jet(dr.sin, (0.0,), ((1.0, 0.0, 0.0),))
    >>> float(y), [float(v) for v in ys]
    (0.0, [1.0, 0.0, -1.0])
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
        t_leaves, t_tree = flatten(term)
        if t_tree != tree:
            raise ValueError(f"jet: a series term {t_tree!r} differs in structure from its primal "
                             f"{tree!r}")
        term_leaves.append(t_leaves)
    jets = []
    for i, leaf in enumerate(leaves):
        x0 = _operand(leaf)
        _check_float(x0, "jet")
        coefficients = tuple(fitted(_scaled(_operand(t[i]), 1.0 / math.factorial(k)), x0)
                             for k, t in enumerate(term_leaves, 1))
        jets.append(Jet._make(x0, coefficients, level))
    return unflatten(tree, jets)


def _scaled(value, factor):
    return value if factor == 1.0 else value * factor


def _term(out, level, k):
    """The k-th derivative in t of an output: k! times its coefficient."""
    if isinstance(out, Jet) and out._level == level:
        return _scaled(out.series[k - 1], float(math.factorial(k)))
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
    terms = (ones,) + tuple(ones * 0.0 for _ in range(order - 1)) if order else ()
    value, series = jet(f, (x,), (terms,))
    return [value] + series


def derivative(f: Callable[..., Any], order: int = 1) -> Callable[..., Tensor]:
    """The ``order``-th derivative of a scalar-to-scalar ``f`` (elementwise
    on arrays), by Taylor mode: one pass, O(order^2) per operation.

    >>> import dualrev as dr
    >>> float(dr.func.derivative(dr.exp, 5)(0.0))
    1.0
    """
    _order(order, "derivative")

    @functools.wraps(f)
    def derivative_f(x):
        return _result(_along_ones(f, x, order)[order])
    return derivative_f


def taylor(f: Callable[..., Any], order: int) -> Callable[..., tuple[Tensor, ...]]:
    """All of f(x), f'(x), ..., f^(order)(x) at once, for a scalar-to-scalar
    ``f`` (elementwise on arrays): one pass of Taylor mode.

    >>> import dualrev as dr
    >>> [float(d) for d in dr.func.taylor(dr.sin, 3)(0.0)]
    [0.0, 1.0, 0.0, -1.0]
    """
    _order(order, "taylor")

    @functools.wraps(f)
    def taylor_f(x):
        return tuple(_result(v) for v in _along_ones(f, x, order))
    return taylor_f
