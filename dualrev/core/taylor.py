"""Taylor mode: the Taylor box (the core of a jet) and its handler.

A Taylor box holds a truncated power series in a scalar ``t``,

    x(t) = x_0 + x_1 t + x_2 t^2 + ... + x_K t^K,

as its primal ``x_0`` and its ``series`` (x_1, ..., x_K): normalized
coefficients, the k-th derivative divided by k! (``func.jet`` converts from
and to derivatives). Every coefficient has the primal's shape and dtype and
is a value of the level below, so the series of an input that requires grad
records on the tape, and a jet inside a transform is differentiated by it.

The handler computes the primitive on the primals one level down, then the
output's coefficients by the primitive's ``taylor`` rule: the recurrences of
Griewank and Walther (*Evaluating Derivatives*, ch. 13), each O(K^2) for
order K, written in dualrev's operations. Two kinds of primitive need no
formula of their own (see ``defprim``'s ``taylor``):

- ``LOCALLY_LINEAR``: the primitive is linear in its inputs near the point
  (linear maps, selections, piecewise linear functions on their branch at
  t = 0): each output coefficient is its JVP applied to the inputs' k-th
  coefficients. O(K).
- ``MULTILINEAR``: linear in each input separately (mul, matmul, einsum):
  coefficient k is the sum over k_1 + ... + k_n = k of the primitive applied
  to the inputs' k_i-th coefficients (a Cauchy product for two inputs).

A primitive with no rule at all falls back, with a warning, to nested
forward mode in t: correct, but its cost doubles with each order.

Collapsed mode (``lead`` > 0; Dangel et al., NeurIPS 2025; the "forward
Laplacian" of Li et al. 2023) pushes many directions at once to order 2:
x_1 carries leading batch axes, one direction each, and x_2 is the sum over
the directions, so a product of two first-order coefficients is summed over
those axes as it is formed (``product``). One pass then gives the sum of
the second derivatives along every direction, the Laplacian for the unit
vectors, without any n x n matrix.
"""

import warnings

import numpy as np

from .values import check_real, dtype_of, is_float, shape_of
from .levels import AMBIENT, new_level
from .primitive import TABLE, Box, check_operand, raw_value
from .forward import ForwardBox, _align, _same_dtype, _tangent_of, fit_tangent, unfitted_tangent
from .reverse import ReverseBox

LOCALLY_LINEAR = "locally linear"
MULTILINEAR = "multilinear"


class univariate:
    """The Taylor rule of an elementwise function of one argument, marked as
    such: in collapsed mode its second-order coefficient depends on the
    directions only through the sum of their squares, so the rule runs once
    on that, not on every direction (``_collapsed_univariate``)."""

    __slots__ = ("rule",)

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, ans, x):
        return self.rule(ans, x)


class TaylorBox(Box):
    """The Taylor-mode core of a jet: a primal and its series (x_1, ...,
    x_K) of normalized coefficients, at a level."""

    __slots__ = {"primal": "The value at t = 0 (a number, an array or a box of a lower level).",
                 "series": "The coefficients x_1, ..., x_K, each of the primal's shape "
                           "(None for a zero one).",
                 "lead": "Collapsed mode: the number of leading direction axes of x_1."}

    # the forward box the fallback differentiates with: one with operators
    # (the surface's Dual), as rules apply them to the boxes they get
    forward_box = ForwardBox

    @classmethod
    def _make(cls, primal, series, level, lead=0):
        box = object.__new__(cls)
        box._level = level
        box.primal = primal
        box.series = series
        box.lead = lead
        return box

    def _inner(self):
        return self.primal

    def __repr__(self):
        return f"Jet(primal={self.primal!r}, series={list(self.series)!r})"

    def __bool__(self):
        return bool(self.primal)

    def __float__(self):
        return float(self.primal)

    def __int__(self):
        return int(self.primal)

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(x)`` raises: NumPy code would drop the series."""
        raise RuntimeError("Can't call numpy() on a value carrying a Taylor series (inside jet): "
                           "NumPy would drop the series. Use dualrev's functions on it, or take "
                           "x.primal for the values.")

    def _apply(self, prim, args, params):
        level = self._level
        order = len(self.series)
        inputs = []  # per argument, its coefficients (x_0, ..., x_K); a constant's are None above 0
        for a in args:
            if isinstance(a, TaylorBox) and a._level == level:
                inputs.append((a.primal,) + a.series)
            else:
                if type(a) is not float and isinstance(a, ReverseBox) and a._level == AMBIENT \
                        and a._node is None and a._acc is None:
                    a = a._value  # a tensor no tape records: its array (the rules' arithmetic
                inputs.append((check_operand(a),) + (None,) * order)  # on it is NumPy's)
        ans = prim(*[c[0] for c in inputs], **params)
        if type(ans) is not float:
            check_real(ans, prim.name)
            if not is_float(ans):
                return ans  # an integer or bool result has no series
        lead = self.lead
        if not lead and not COLLAPSED[0]:
            series = output_series(prim, ans, inputs, params, order, self.forward_box)
        else:
            outer, COLLAPSED[0] = COLLAPSED[0], lead  # (lower levels' rules run inside)
            try:
                series = output_series(prim, ans, inputs, params, order, self.forward_box)
            finally:
                COLLAPSED[0] = outer
        series = tuple([fitted(c, ans) for c in series])
        if all(c is None for c in series):
            return ans
        return type(self)._make(ans, series, level, lead)


COLLAPSED = [0]  # the lead of the collapsed jet whose rule is running (0: none)


def output_series(prim, ans, inputs, params, order, forward_box=ForwardBox):
    """The coefficients (y_1, ..., y_K) of ``prim``'s output, None for a
    zero one, from its inputs' coefficients."""
    rule = prim.taylor
    primals = [c[0] for c in inputs]
    if rule is MULTILINEAR and sum(any(c is not None for c in cs[1:]) for cs in inputs) == 1:
        rule = LOCALLY_LINEAR  # (the others constants: linear in the one that moves)
    if prim.linear or rule is LOCALLY_LINEAR:
        series = []
        for k in range(1, order + 1):
            terms = [c[k] for c in inputs]
            series.append(None if all(t is None for t in terms)
                          else unfitted_tangent(prim, ans, primals, terms, params))
        return series
    if rule is MULTILINEAR:
        return [_multilinear(prim, ans, inputs, params, k) for k in range(1, order + 1)]
    if rule is None:
        if prim.jvp is None and prim.joint_jvp is None:
            return [None] * order  # not differentiable: a constant
        return _nested_series(prim, inputs, params, forward_box)
    if COLLAPSED[0] and type(rule) is univariate:
        return _collapsed_univariate(prim, rule, ans, inputs[0], params)
    if COLLAPSED[0] and prim.broadcasts:  # directions' axes in front of the output's
        inputs = [(c[0], None if c[1] is None else _align(c[1], c[0], ans), c[2])
                  for c in inputs]
    return list(rule(ans, *inputs, **params))


def _collapsed_univariate(prim, rule, ans, x, params):
    """y_1 = f'(x_0) x_1 for every direction, and y_2 = f'(x_0) x_2 +
    f''(x_0)/2 * the sum of x_1^2 over the directions, with f'(x_0) and
    f''(x_0)/2 the rule's own coefficients along the unit path x_0 + t."""
    outer, COLLAPSED[0] = COLLAPSED[0], 0
    try:
        slope, curvature = rule(ans, (x[0], 1.0, None))
    finally:
        COLLAPSED[0] = outer
    first = None if x[1] is None else x[1] * slope
    second = None if x[1] is None else _summed(x[1] * x[1], COLLAPSED[0]) * curvature
    if x[2] is not None:
        second = x[2] * slope if second is None else second + x[2] * slope
    return [first, second]


def fitted(coefficient, ans):
    """A coefficient in its primal's dtype and shape; None for a zero one
    (rules skip the products of a known zero: along x(t) = x_0 + t, the
    series ``derivative`` sends, a product with x costs O(K), not O(K^2))."""
    if type(coefficient) is float:
        if coefficient == 0.0:
            return None
        if type(ans) is float:
            return coefficient
    elif coefficient is None:
        return None
    elif type(coefficient) is np.ndarray and type(ans) is np.ndarray \
            and coefficient.dtype == ans.dtype and coefficient.shape[-ans.ndim or len(
                coefficient.shape):] == ans.shape:
        return coefficient  # (most: as they should be already)
    return fit_tangent(_same_dtype(coefficient, ans), ans)


def dense(x):
    """A series with its zero coefficients (None) written out, for the rules
    whose formulas need every one (the matrix functions)."""
    if all(c is not None for c in x):
        return x
    raw = raw_value(x[0])
    zero = 0.0 if type(raw) is float else np.zeros(shape_of(raw), dtype_of(raw))
    return [zero if c is None else c for c in x]


def _multilinear(prim, ans, inputs, params, k):
    """Coefficient k of a multilinear primitive: the sum over the ways of
    giving the inputs orders k_1 + ... + k_n = k whose coefficients are not
    zero (a Cauchy product for two inputs)."""
    if len(inputs) == 2 and not COLLAPSED[0]:
        return cauchy(*inputs, k, times=lambda a, b: prim(a, b, **params))
    total = None
    for orders in compositions(k, [len(cs) - 1 for cs in inputs]):
        terms = [cs[o] for cs, o in zip(inputs, orders)]
        if any(t is None for t in terms):
            continue
        firsts = [i for i, o in enumerate(orders) if o == 1]
        if not COLLAPSED[0] or not firsts:
            term = prim(*terms, **params)
        elif len(firsts) == 1:  # a first-order factor carries the directions' axes: the JVP
            tangents = [None] * len(terms)
            tangents[firsts[0]], terms[firsts[0]] = terms[firsts[0]], inputs[firsts[0]][0]
            term = _tangent_of(prim, ans, terms, tangents, params)
        else:
            term = _summed_pair(prim, ans, inputs, terms, firsts, params)
        total = term if total is None else total + term
    return total


def _summed_pair(prim, ans, inputs, terms, firsts, params):
    """The term of two first-order factors in collapsed mode, summed over
    the directions: at once for an elementwise primitive, else direction by
    direction."""
    lead = COLLAPSED[0]
    i, j = firsts
    if prim.broadcasts:
        terms[i], terms[j] = (_align(terms[i], inputs[i][0], ans),
                              _align(terms[j], inputs[j][0], ans))
        return _summed(prim(*terms, **params), lead)
    total = None
    for index in np.ndindex(*shape_of(terms[i])[:lead]):
        each = list(terms)
        each[i], each[j] = terms[i][index], terms[j][index]
        term = prim(*each, **params)
        total = term if total is None else total + term
    return total


def _summed(value, lead):
    """A product of two first-order coefficients, summed over the leading
    direction axes (collapsed mode)."""
    return TABLE.sum(value, axis=tuple(range(-len(shape_of(value)), lead - len(shape_of(value)))),
                     keepdims=False)


def compositions(k, most):
    """Tuples of orders, each at most its ``most``, summing to ``k``."""
    if len(most) == 1:
        if k <= most[0]:
            yield (k,)
        return
    for first in range(min(k, most[0]) + 1):
        for rest in compositions(k - first, most[1:]):
            yield (first,) + rest


def _nested_series(prim, inputs, params, forward_box):
    """The coefficients (y_1, ..., y_K) of the output of a primitive without
    a Taylor rule, by nested forward mode in t, one level per order.
    Correct, but the cost doubles with each order, so it warns."""
    order = len(inputs[0]) - 1
    if COLLAPSED[0]:
        raise NotImplementedError(
            f"primitive {prim.name!r} has no Taylor rule for this input, and nested forward "
            "mode cannot sum second derivatives over directions: the Laplacian of a function "
            "that uses it is not available; use trace(dr.func.hessian(f)(x)) instead")
    warnings.warn(f"primitive {prim.name!r} has no Taylor rule: its {order} coefficients come "
                  f"from nested forward mode, whose cost doubles with each order",
                  RuntimeWarning, stacklevel=4)

    def at(t):
        values = []
        for cs in inputs:
            value = cs[0]
            for k in range(1, len(cs)):
                if cs[k] is not None:
                    value = value + cs[k] * t ** k
            values.append(value)
        return prim(*values, **params)

    series, derivative, factorial = [], at, 1.0
    for k in range(1, order + 1):
        derivative = _in_t(derivative, forward_box)
        factorial *= k
        value = derivative(0.0)
        series.append(None if value is None else value * (1.0 / factorial))
    return series


def _in_t(g, forward_box):
    """The derivative in t of ``g``, by forward mode at a fresh level."""
    def dg(t):
        level = new_level()
        out = g(forward_box._make(t, 1.0, level))
        return out.tangent if isinstance(out, ForwardBox) and out._level == level else None
    return dg


# -- series arithmetic, for the rules ------------------------------------------------
#
# A series here is a list of coefficients [x_0, x_1, ..., x_K] (None for a
# zero one above order 0: a constant's). The rules build their outputs'
# coefficients one order at a time from these sums, each O(k) at order k, so
# a whole series costs O(K^2). Division by data goes through ``div`` (on
# Python floats ``/`` raises where NumPy gives inf).

def product(a, b, j, l, times=None):
    """The product of a coefficient of order j and one of order l (``times``
    in place of ``*``, e.g. ``matmul``); in collapsed mode, two first-order
    ones are summed over the directions as they are multiplied."""
    out = a * b if times is None else times(a, b)
    if COLLAPSED[0] and j == 1 and l == 1:
        out = _summed(out, COLLAPSED[0])
    return out


def cauchy(a, b, k, first=0, last=None, times=None):
    """The sum of a_j b_(k-j) for j from ``first`` to ``last`` (default
    ``k - first``): coefficient k of the product a b, or (``first=1``) the
    part of it a recurrence moves to the other side. ``times`` multiplies
    two coefficients (``matmul`` for a product of matrices)."""
    total = None
    collapsed = COLLAPSED[0]
    for j in range(first, (k - first if last is None else last) + 1):
        if a[j] is not None and b[k - j] is not None:
            if collapsed or times is not None:
                term = product(a[j], b[k - j], j, k - j, times)
            else:
                term = a[j] * b[k - j]
            total = term if total is None else total + term
    return 0.0 if total is None else total


def ode_step(x, q, k, times=None):
    """Coefficient k of y where y' = q x' (dashes: derivatives in t): the
    sum of j x_j q_(k-j) for j = 1..k, over k. Needs q up to order k - 1."""
    total = None
    collapsed = COLLAPSED[0]
    for j in range(1, k + 1):
        if x[j] is not None and q[k - j] is not None:
            if collapsed or times is not None:
                term = product(x[j], q[k - j], j, k - j, times)
            else:
                term = x[j] * q[k - j]
            if j > 1:
                term = term * float(j)
            total = term if total is None else total + term
    if total is None:
        return 0.0
    return total if k == 1 else total * (1.0 / k)


def series_exp(x, y0):
    """exp of the series x, whose exponential at t = 0 is ``y0``: y' = y x'."""
    y = [y0]
    for k in range(1, len(x)):
        y.append(ode_step(x, y, k))
    return y


def series_log(x, y0):
    """log of the series x (``y0`` = log x_0): x y' = x'."""
    y = [y0]
    for k in range(1, len(x)):
        y.append(TABLE.div(_or_zero(x[k]) - ode_step(y[:k] + [None], x, k), x[0]))
    return y


def series_div(a, b, c0):
    """a / b (``c0`` = a_0 / b_0): b c = a, solved order by order."""
    c = [c0]
    for k in range(1, len(a)):
        c.append(TABLE.div(_or_zero(a[k]) - cauchy(b, c, k, 1, k), b[0]))
    return c


def series_sqrt(x, y0):
    """sqrt of the series x (``y0`` = sqrt x_0): y y = x."""
    y = [y0]
    for k in range(1, len(x)):
        y.append(TABLE.div(_or_zero(x[k]) - cauchy(y, y, k, 1), 2.0 * y0))
    return y


def series_pow(x, r, y0):
    """x ** r for a constant exponent r (``y0`` = x_0 ** r): x y' = r y x'."""
    y = [y0]
    for k in range(1, len(x)):
        total = 0.0
        for j in range(1, k + 1):
            if x[j] is not None:
                total = total + product(x[j], y[k - j], j, k - j) * (r * j - (k - j))
        y.append(TABLE.div(total, x[0] * float(k)))
    return y


def series_mul(a, b):
    """The product of two series (elementwise)."""
    return [cauchy(a, b, k) for k in range(len(a))]


def series_riccati(x, y0, a, b, c):
    """y where y' = (a + b y + c y^2) x' and y(0) = ``y0``: tan (1, 0, 1),
    tanh (1, 0, -1), sigmoid (0, 1, -1). The factor's series is built one
    order behind y's."""
    y, q = [y0], []
    for k in range(1, len(x)):
        m = k - 1
        term = c * cauchy(y, y, m)
        if b:
            term = term + b * y[m]
        if a and m == 0:
            term = term + a
        q.append(term)
        y.append(ode_step(x, q, k))
    return y


def series_sin_cos(x, s0, c0):
    """sin and cos of the series x together: s' = c x', c' = -s x'."""
    s, c = [s0], [c0]
    for k in range(1, len(x)):
        s.append(ode_step(x, c, k))
        c.append(-ode_step(x, s, k))
    return s, c


def series_sinh_cosh(x, s0, c0):
    """sinh and cosh of the series x together: s' = c x', c' = s x'."""
    s, c = [s0], [c0]
    for k in range(1, len(x)):
        s.append(ode_step(x, c, k))
        c.append(ode_step(x, s, k))
    return s, c


def _or_zero(x):
    return 0.0 if x is None else x
