"""Elementwise primitives. Arguments broadcast; the tape sums cotangents back,
so the rules here are written as if every argument had the output's shape.
Rules divide and raise to powers with ``div`` and ``pow``, not the Python
operators: on 0-d values (Python floats) those raise where NumPy gives inf.

A 0-d float64 value travels as a Python float, and the implementations below
take the ``math`` module's path for it (30 ns instead of NumPy's 700 ns),
falling back to NumPy where ``math`` raises (log 0, overflow, 1/0) so that
results stay NumPy's: inf and nan, never an exception.
"""

import math
import operator

import numpy as np

from ..core.batching import TRAILING
from ..core.sparsity import CONSTANT, ELEMENTWISE
from ..core.values import (DEFAULT_FLOAT, FLOAT64, as_array, broadcast_error, canonical, promoted,
                       result_type, shape_of)
from ..core.primitive import defprim, identity, raw_value
from ..core.taylor import (
    LOCALLY_LINEAR as _LL, cauchy, ode_step, univariate,
    series_div, series_exp, series_log, series_mul, series_pow, series_riccati, series_sin_cos,
    series_sinh_cosh, series_sqrt)

_LN2 = math.log(2.0)


def _numpy_scalar(np_fn, *args):
    with np.errstate(all="ignore"):
        return float(np_fn(*args))


def _as_float(x):
    """An integer or bool input of a function whose values are real numbers
    (exp, sin, sqrt...) as the default float dtype, as PyTorch casts it."""
    if type(x) is np.ndarray:
        return x if x.dtype.kind == "f" else x.astype(DEFAULT_FLOAT[0])
    if type(x) is int or type(x) is bool:
        return np.asarray(x, DEFAULT_FLOAT[0])
    return x


def _fast_unary(math_fn, np_fn):
    def impl(x):
        if type(x) is float:
            try:
                return math_fn(x)
            except (ValueError, OverflowError):
                return _numpy_scalar(np_fn, x)
        return np_fn(_as_float(x))
    impl.__name__ = np_fn.__name__
    impl.on_floats = math_fn  # (see core.primitive.defprim)
    return impl


def _promote2(x, y, floats=False):
    """``x`` and ``y`` cast to the dtype PyTorch gives their operation
    (``core.values.result_type``); with ``floats``, an integer result type
    becomes the default float (true division, hypot...). A list met as an
    operand is an array first."""
    if _as_they_are(x, y):
        return x, y
    if type(x) is list or type(x) is tuple:
        x = as_array(x)
    if type(y) is list or type(y) is tuple:
        y = as_array(y)
    dtype = result_type(x, y)
    if floats and dtype.kind != "f":
        dtype = DEFAULT_FLOAT[0]
    return promoted((x, y), dtype)


def _overflow(x, y):
    """PyTorch's error for a Python integer that the tensor's dtype cannot hold."""
    big = x if type(x) is int else y
    other = y if big is x else x
    return RuntimeError(f"value cannot be converted to type {np.result_type(other)} without "
                        f"overflow: {big}")


def _as_they_are(x, y):
    """The common cases, decided without working out the promotion: a float
    array with a Python number or an array of its own dtype."""
    tx, ty = type(x), type(y)
    if tx is np.ndarray:
        return x.dtype.kind == "f" and (ty is float or ty is int
                                        or ty is np.ndarray and y.dtype is x.dtype)
    return ty is np.ndarray and y.dtype.kind == "f" and (tx is float or tx is int)


def _kind(value):
    """The dtype kind of a raw value ("f" for a Python float)."""
    t = type(value)
    return "f" if t is float else "i" if t is int else "b" if t is bool else value.dtype.kind


def _promoted_call(np_op, x, y, floats=False):
    """``np_op(x, y)`` with PyTorch's type promotion, and PyTorch's errors for
    a Python integer the dtype cannot hold and for shapes that do not
    broadcast."""
    px, py = _promote2(x, y, floats)
    try:
        return np_op(px, py)
    except OverflowError:
        raise _overflow(x, y) from None
    except ValueError:
        _raise_broadcast_error(shape_of(px), shape_of(py))


def _raise_broadcast_error(*shapes):
    """Inside ``except ValueError``: PyTorch's error when the shapes do not
    broadcast, else NumPy's error as it was."""
    error = broadcast_error(*shapes)
    if error is None:
        raise
    raise error from None


def _binary(np_op, floats=False):
    """A binary implementation with PyTorch's type promotion; two Python
    floats (the scalar path) go straight through."""
    def impl(x, y):
        if type(x) is float and type(y) is float:
            return np_op(x, y)
        return _promoted_call(np_op, x, y, floats)
    impl.__name__ = getattr(np_op, "__name__", "impl")
    return impl


def _add_impl(x, y):
    if type(x) is float and type(y) is float:  # the scalar path, without a call
        return x + y
    return _promoted_call(operator.add, x, y)


def _mul_impl(x, y):
    if type(x) is float and type(y) is float:
        return x * y
    return _promoted_call(operator.mul, x, y)


def _sub_impl(x, y):
    if type(x) is float and type(y) is float:
        return x - y
    x, y = _promote2(x, y)
    if _kind(x) == "b" and _kind(y) == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    return _promoted_call(operator.sub, x, y)


def _div_impl(x, y):
    if type(x) is float and type(y) is float:
        try:
            return x / y
        except ZeroDivisionError:
            return _numpy_scalar(np.true_divide, x, y)
    return _promoted_call(np.true_divide, x, y, floats=True)  # int / int: the default float


# On two Python floats, the operator itself (see core.primitive.defprim)
_add_impl.on_floats, _sub_impl.on_floats = operator.add, operator.sub
_mul_impl.on_floats, _div_impl.on_floats = operator.mul, operator.truediv


def _pow_impl(x, y):
    if type(x) is float and (type(y) is float or type(y) is int):
        try:
            return math.pow(x, y)
        except (ValueError, OverflowError):
            return _numpy_scalar(np.power, x, y)
    x, y = _promote2(x, y)
    if _kind(x) in "biu" and _kind(y) in "iu" and np.any(np.asarray(y) < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if _kind(x) == "b" and _kind(y) == "b":  # NumPy would give int8
        return np.logical_or(x, np.logical_not(y))
    return _promoted_call(np.power, x, y)


def _sigmoid_array(x):
    return np.exp(-np.logaddexp(0, -x))


def _sigmoid_float(x):
    return 1.0 / (1.0 + math.exp(-x)) if x > -700.0 else math.exp(x)


def _relu_impl(x):
    if type(x) is float:
        return x if not x < 0.0 else 0.0
    return np.maximum(x, 0)


def _where_impl(condition, x, y):
    x, y = _promote2(x, y)
    dtype = result_type(x, y)
    try:
        out = np.where(condition, x, y)
    except ValueError:
        _raise_broadcast_error(np.shape(condition), shape_of(x), shape_of(y))
    return out if out.dtype == dtype else out.astype(dtype)  # (two Python numbers)


def _astype_impl(x, *, dtype):
    if dtype == FLOAT64 and type(x) is float:
        return x
    out = np.asarray(x).astype(dtype)
    return canonical(out)


def _times(g, c):
    """``g * c`` in a rule. A cotangent that is one number broadcast (what
    sum and mean send back) times a number stays one number broadcast: no
    pass over the array. (Such a cotangent is read-only, as PyTorch's
    expanded gradients are; a leaf's ``.grad`` gets its own copy.)"""
    if (type(g) is np.ndarray and g.size and not any(g.strides)
            and (type(c) is float or type(c) is int)):
        return np.broadcast_to(g[(0,) * g.ndim] * c, g.shape)
    return g * c


def _times_dbase(t, x, y):
    """``t`` times d(x ** y)/dx, zero where y == 0 (as PyTorch, which avoids
    0 * inf). A constant exponent is folded into ``t`` first: ``(2 * t) * x``
    for a square costs one pass fewer than ``t * (2 * x)`` when ``x`` is a
    Dual and ``t`` is not. For an array exponent, where y == 0 the base is
    replaced by 1 before the unused branch is computed: ``0 ** -1`` there
    would be inf, and its derivative, multiplied by the zero cotangent
    ``where`` sends it, nan (the double-where trick)."""
    if type(y) is float or type(y) is int:
        if y == 0:
            return t * 0.0
        if y == 1:
            return t
        return _times(t, 2) * x if y == 2 else _times(t, y) * pow(x, y - 1)
    zero = y == 0
    return t * where(zero, 0.0, y * pow(where(zero, 1.0, x), y - 1))


def _pow_dexp(ans, x, y):
    """d(x ** y)/dy, zero where x == 0 and y >= 0 (the limit PyTorch takes).
    There ``log`` is taken of 1 instead of 0, so that the unused branch is
    finite and its derivatives are too (no 0 * inf = nan at second order)."""
    limit = (x == 0) & (y >= 0)
    return where(limit, 0.0, ans * log(where(limit, 1.0, x)))


def _tie_mix(g, x, y):
    """``g`` where x wins, half of it on ties, 0 where x loses: how maximum
    splits a derivative. Multiplying ``g`` by the bool masks keeps its dtype
    (a float64 share would turn a float32 tangent or cotangent into float64)."""
    return g * (x > y) + g * (x == y) * 0.5


def _add_jvp(tangents, primals):
    """add is linear in both arguments together: t_x + t_y, one pass."""
    t_x, t_y = tangents
    return t_x if t_y is None else t_y if t_x is None else add(t_x, t_y)


def _sub_jvp(tangents, primals):
    """sub is linear in both arguments together: t_x - t_y, one pass (not
    t_x + neg(t_y), two)."""
    t_x, t_y = tangents
    return t_x if t_y is None else neg(t_y) if t_x is None else sub(t_x, t_y)


# -- Taylor rules (see core.taylor): each gets every argument's coefficients
# (x_0, ..., x_K), None above order 0 for a constant, and returns (y_1, ..., y_K).

def _shifted(x, c):
    """The series of x + c for a constant c."""
    return [x[0] + c] + list(x[1:])


def _scaled(x, c):
    """The series of c x for a constant c."""
    return [v if v is None else v * c for v in x]


def _by_derivative(a, b, r, sign=1.0):
    """The rule of a function whose derivative is sign (a + b x^2) ** r (the
    inverse trig and hyperbolic functions): y' = q x' with q that series."""
    def rule(ans, x):
        q = _power_of_square_plus(x, a, b, r)
        q = q if sign == 1.0 else _scaled(q, sign)
        return [ode_step(x, q, k) for k in range(1, len(x))]
    return univariate(rule)


def _riccati(a, b, c):
    """The rule of y with y' = (a + b y + c y^2) x'."""
    return univariate(lambda ans, x: series_riccati(x, ans, a, b, c)[1:])


def _square_plus(x, a, b):
    """The series of a + b x^2."""
    return [a + b * x[0] * x[0]] + [b * cauchy(x, x, k) for k in range(1, len(x))]


def _power_of_square_plus(x, a, b, r):
    """The series of (a + b x^2) ** r: the derivative of the inverse trig
    and hyperbolic functions."""
    w = _square_plus(x, a, b)
    return series_pow(w, r, pow(w[0], r))


def _pow_taylor(ans, x, y):
    """x ** y. A constant exponent: the recurrence of x ** r (x y' = r y x'),
    which divides by x_0; repeated products for a whole exponent, one for
    each value, where it is small or where x_0 is 0. A varying exponent:
    exp(y log x), with log taken of 1 where x_0 is 0 (x ** y is 0 there, and
    so is its series: every term has the factor y_0 = 0)."""
    if all(v is None for v in y[1:]):
        r = np.asarray(raw_value(y[0]))
        wholes = np.unique(r) if r.size and np.all((r == np.round(r)) & (r >= 0)) else ()
        if len(wholes) == 1 and wholes[0] <= 64 or 0 < len(wholes) <= 8 and _has_zero(x[0]):
            series = None
            for n in wholes:
                power = _filled(_whole_power(x, int(n)))[1:]
                series = power if series is None else [where(r == n, p, s)
                                                       for p, s in zip(power, series)]
            return series
        return series_pow(x, y[0], ans)[1:]
    base = where(x[0] == 0, 1.0, x[0])
    if all(v is None for v in x[1:]):
        return series_exp(_scaled(y, log(base)), ans)[1:]
    log_x = series_log([base] + list(x[1:]), log(base))
    return series_exp(series_mul(_filled(y), log_x), ans)[1:]


def _has_zero(value):
    return bool(np.any(np.asarray(raw_value(value)) == 0))


def _whole_power(x, n):
    """x ** n for a whole n >= 0, by squaring (Cauchy products)."""
    result, square = None, list(x)
    while n:
        if n & 1:
            result = square if result is None else series_mul(result, square)
        n >>= 1
        if n:
            square = series_mul(square, square)
    return result if result is not None else [pow(x[0], 0.0)] + [None] * (len(x) - 1)


def _filled(x):
    return [0.0 if v is None else v for v in x]


def _div_taylor(ans, x, y):
    return series_div(x, y, ans)[1:]


def _arctan2_taylor(ans, y, x):
    """z' = q_y y' + q_x x' with q_y = x / (x^2 + y^2), q_x = -y / (x^2 + y^2)."""
    radius2 = [a + b for a, b in zip(_square_plus(x, 0, 1), _square_plus(y, 0, 1))]
    q_y = series_div(x, radius2, div(x[0], radius2[0]))
    q_x = _scaled(series_div(y, radius2, div(y[0], radius2[0])), -1.0)
    return [ode_step(y, q_y, k) + ode_step(x, q_x, k) for k in range(1, len(x))]


def _logaddexp_taylor(ans, x, y):
    """log(exp(x - ans) + exp(y - ans)) + ans, with no overflow."""
    ex = series_exp(_shifted(x, -ans), exp(x[0] - ans))
    ey = series_exp(_shifted(y, -ans), exp(y[0] - ans))
    return series_log([a + b for a, b in zip(ex, ey)], ans)[1:]


add = defprim("add", _add_impl, "x y", broadcasts=True,
              joint_jvp=_add_jvp, vjp=(identity, identity), taylor=_LL)
sub = defprim("sub", _sub_impl, "x y", broadcasts=True,
              joint_jvp=_sub_jvp, vjp=(identity, lambda g: neg(g)), taylor=_LL)
mul = defprim("mul", _mul_impl, "x y", broadcasts=True,
              jvp=(lambda t, y: t * y, lambda t, x: x * t),
              taylor=lambda ans, x, y: [cauchy(x, y, k) for k in range(1, len(x))],
              vjp=(lambda g, y: g * y if type(g) is float else _times(g, y),
                   lambda g, x: g * x if type(g) is float else _times(g, x)))
div = defprim("div", _div_impl, "x y", broadcasts=True,
              jvp=(lambda t, y: div(t, y), lambda t, ans, y: neg(div(t * ans, y))),
              taylor=_div_taylor,
              # the VJP reads x, not the output (as PyTorch's DivBackward0 saves
              # self and other): an in-place change of the quotient is no error
              vjp=(lambda g, y: div(g, y), lambda g, x, y: neg(div(div(g * x, y), y))))
neg = defprim("neg", lambda x: -x, linear=True, vjp=lambda g: neg(g), public="neg negative")
pow = defprim("pow", _pow_impl, "x y", broadcasts=True,
              jvp=(_times_dbase, lambda t, ans, x, y: t * _pow_dexp(ans, x, y)),
              taylor=_pow_taylor,
              vjp=(_times_dbase, lambda g, ans, x, y: g * _pow_dexp(ans, x, y)))
exp = defprim("exp", _fast_unary(math.exp, np.exp), derivative=lambda ans: ans, public="exp",
              taylor=univariate(lambda ans, x: series_exp(x, ans)[1:]))
expm1 = defprim("expm1", _fast_unary(math.expm1, np.expm1), derivative=lambda ans: ans + 1,
                public="expm1", taylor=univariate(lambda ans, x: series_exp(x, ans + 1)[1:]))
log = defprim("log", _fast_unary(math.log, np.log), public="log",
              taylor=univariate(lambda ans, x: series_log(x, ans)[1:]),
              jvp=lambda t, x: div(t, x), vjp=lambda g, x: div(g, x))
log1p = defprim("log1p", _fast_unary(math.log1p, np.log1p), backward_name="Log1PBackward0",
                public="log1p",
                taylor=univariate(lambda ans, x: series_log(_shifted(x, 1.0), ans)[1:]),
                jvp=lambda t, x: div(t, x + 1), vjp=lambda g, x: div(g, x + 1))
sqrt = defprim("sqrt", _fast_unary(math.sqrt, np.sqrt), public="sqrt",
               taylor=univariate(lambda ans, x: series_sqrt(x, ans)[1:]),
               jvp=lambda t, ans: div(t, 2 * ans), vjp=lambda g, ans: div(g, 2 * ans))
cos = defprim("cos", _fast_unary(math.cos, np.cos), derivative=lambda x: -sin(x), public="cos",
              taylor=univariate(lambda ans, x: series_sin_cos(x, sin(x[0]), ans)[1][1:]))
sin = defprim("sin", _fast_unary(math.sin, np.sin), derivative=cos, public="sin",
              taylor=univariate(lambda ans, x: series_sin_cos(x, ans, cos(x[0]))[0][1:]))
tan = defprim("tan", _fast_unary(math.tan, np.tan), derivative=lambda ans: 1 + ans * ans,
              public="tan", taylor=_riccati(1.0, 0.0, 1.0))
tanh = defprim("tanh", _fast_unary(math.tanh, np.tanh), derivative=lambda ans: 1 - ans * ans,
               public="tanh", taylor=_riccati(1.0, 0.0, -1.0))
sigmoid = defprim("sigmoid", _fast_unary(_sigmoid_float, _sigmoid_array),
                  derivative=lambda ans: ans * (1 - ans), public="sigmoid",
                  taylor=_riccati(0.0, 1.0, -1.0))
relu = defprim("relu", _relu_impl, derivative=lambda ans: ans > 0, public="relu",
                taylor=_LL)
abs = defprim("abs", lambda x: x.__abs__(), derivative=lambda x: sign(x), public="abs absolute",
               taylor=_LL)
arcsin = defprim("arcsin", _fast_unary(math.asin, np.arcsin),
                 backward_name="AsinBackward0", public="asin arcsin",
                 taylor=_by_derivative(1, -1, -0.5),
                 jvp=lambda t, x: div(t, sqrt(1 - x * x)), vjp=lambda g, x: div(g, sqrt(1 - x * x)))
arccos = defprim("arccos", _fast_unary(math.acos, np.arccos),
                 backward_name="AcosBackward0", public="acos arccos",
                 taylor=_by_derivative(1, -1, -0.5, -1.0),
                 jvp=lambda t, x: neg(div(t, sqrt(1 - x * x))),
                 vjp=lambda g, x: neg(div(g, sqrt(1 - x * x))))
arctan = defprim("arctan", _fast_unary(math.atan, np.arctan),
                 backward_name="AtanBackward0", public="atan arctan",
                 taylor=_by_derivative(1, 1, -1.0),
                 jvp=lambda t, x: div(t, 1 + x * x), vjp=lambda g, x: div(g, 1 + x * x))
arcsinh = defprim("arcsinh", _fast_unary(math.asinh, np.arcsinh),
                  backward_name="AsinhBackward0", public="asinh arcsinh",
                  taylor=_by_derivative(1, 1, -0.5),
                  jvp=lambda t, x: div(t, sqrt(x * x + 1)), vjp=lambda g, x: div(g, sqrt(x * x + 1)))
arccosh = defprim("arccosh", _fast_unary(math.acosh, np.arccosh),
                  backward_name="AcoshBackward0", public="acosh arccosh",
                  taylor=_by_derivative(-1, 1, -0.5),
                  jvp=lambda t, x: div(t, sqrt(x * x - 1)), vjp=lambda g, x: div(g, sqrt(x * x - 1)))
arctanh = defprim("arctanh", _fast_unary(math.atanh, np.arctanh),
                  backward_name="AtanhBackward0", public="atanh arctanh",
                  taylor=_by_derivative(1, -1, -1.0),
                  jvp=lambda t, x: div(t, 1 - x * x), vjp=lambda g, x: div(g, 1 - x * x))
sinh = defprim("sinh", _fast_unary(math.sinh, np.sinh), derivative=lambda x: cosh(x), public="sinh",
               taylor=univariate(lambda ans, x: series_sinh_cosh(x, ans, cosh(x[0]))[0][1:]))
cosh = defprim("cosh", _fast_unary(math.cosh, np.cosh), derivative=lambda x: sinh(x), public="cosh",
               taylor=univariate(lambda ans, x: series_sinh_cosh(x, sinh(x[0]), ans)[1][1:]))
exp2 = defprim("exp2", _fast_unary(lambda x: 2.0 ** x, np.exp2), derivative=lambda ans: ans * _LN2,
               public="exp2",
               taylor=univariate(lambda ans, x: series_exp(_scaled(x, _LN2), ans)[1:]))
def _xlogy_values(x, y):
    """x * log(y), 0 where x is 0 and y is not nan (log(y) infinite or not)."""
    dtype = np.result_type(x, y)
    with np.errstate(all="ignore"):
        out = np.where((x == 0) & (y == y), 0.0, x * np.log(y))
    return canonical(out.astype(dtype, copy=False))


def _xlogy_dx(x, y):
    """d xlogy / dx = log(y), 0 where x is 0 and y <= 0 (PyTorch's mask); log
    is taken of 1 there, so no nan reaches higher derivatives."""
    masked = (x == 0) & (y <= 0)
    return where(masked, 0.0, log(where(masked, 1.0, y)))


def _xlogy_taylor(x, y):
    """x log y, a product of series, log y's first term masked as xlogy's
    derivative in x is (0 where x and y are 0)."""
    log_y = [_xlogy_dx(x[0], y[0])]
    log_y += [None] * (len(y) - 1) if all(v is None for v in y[1:]) else \
        series_log(y, log(y[0]))[1:]
    return [cauchy(x, log_y, k) for k in range(1, len(x))]


xlogy = defprim("xlogy", _binary(_xlogy_values, floats=True), "x y", broadcasts=True,
                derivative=(_xlogy_dx, lambda x, y: div(x, y)), public="xlogy",
                taylor=lambda ans, x, y: _xlogy_taylor(x, y),
                 doc=('input * log(other), 0 where input is 0 and other is not nan (even where '
                      'other <= 0 or is inf); its gradient in input is log(other), 0 where input '
                      'is 0 and other <= 0, as in PyTorch.'))
hypot = defprim("hypot", _binary(np.hypot, floats=True), "x y", broadcasts=True, public="hypot",
                derivative=(lambda ans, x: div(x, ans), lambda ans, y: div(y, ans)),
                taylor=lambda ans, x, y: series_sqrt(
                    [a + b for a, b in zip(_square_plus(x, 0, 1), _square_plus(y, 0, 1))], ans)[1:],
                 doc=('sqrt(input ** 2 + other ** 2), elementwise with broadcasting, without '
                      'overflow.'))
logaddexp = defprim("logaddexp", _binary(np.logaddexp, floats=True), "x y", broadcasts=True,
                    public="logaddexp",  # never overflows
                    derivative=(lambda x, y: sigmoid(x - y), lambda x, y: sigmoid(y - x)),
                    taylor=_logaddexp_taylor,
                     doc=('log(exp(input) + exp(other)), elementwise with broadcasting, without '
                          'overflow.'))
def _over_radius2(v, y, x):
    """v / (x² + y²), 0 at the origin (PyTorch's atan2 gradient there) by
    dividing by 1 instead of 0 (no 0/0 at any order)."""
    r2 = x * x + y * y
    zero = r2 == 0
    return where(zero, 0.0, div(v, where(zero, 1.0, r2)))


arctan2 = defprim("arctan2", _binary(np.arctan2, floats=True), "y x", broadcasts=True,
                  backward_name="Atan2Backward0", taylor=_arctan2_taylor,
                  jvp=(lambda t, y, x: _over_radius2(t * x, y, x),
                       lambda t, y, x: neg(_over_radius2(t * y, y, x))),
                  vjp=(lambda g, y, x: _over_radius2(g * x, y, x),
                       lambda g, y, x: neg(_over_radius2(g * y, y, x))))
cbrt = defprim("cbrt", lambda x: np.cbrt(_as_float(x)),
               taylor=univariate(lambda ans, x: series_pow(x, 1.0 / 3.0, ans)[1:]),
               jvp=lambda t, ans: div(t, 3 * ans * ans), vjp=lambda g, ans: div(g, 3 * ans * ans),
               sparsity=ELEMENTWISE)
_maximum, _minimum = _binary(np.maximum), _binary(np.minimum)
maximum = defprim("maximum", _maximum, "x y", broadcasts=True, taylor=_LL,
                  jvp=(lambda t, x, y: _tie_mix(t, x, y), lambda t, x, y: _tie_mix(t, y, x)),
                  vjp=(lambda g, x, y: _tie_mix(g, x, y), lambda g, x, y: _tie_mix(g, y, x)),
                  public="maximum",
                   doc=('The elementwise maximum of input and other (broadcasting); a tie splits '
                        'the gradient in halves.'))
minimum = defprim("minimum", _minimum, "x y", broadcasts=True, taylor=_LL,
                  jvp=(lambda t, x, y: _tie_mix(t, y, x), lambda t, x, y: _tie_mix(t, x, y)),
                  vjp=(lambda g, x, y: _tie_mix(g, y, x), lambda g, x, y: _tie_mix(g, x, y)),
                  public="minimum",
                   doc=('The elementwise minimum of input and other (broadcasting); a tie splits '
                        'the gradient in halves.'))
clamp = defprim("clamp", lambda x, *, min, max: np.clip(x, min, max),
                backward_name="ClampBackward1", taylor=_LL,
                jvp=lambda t, x, *, min, max: t * _inside(x, min, max),
                vjp=lambda g, x, *, min, max: g * _inside(x, min, max), sparsity=ELEMENTWISE)
clamp_tensors = defprim(
    "clamp_tensors", lambda x, lo, hi: _where_impl(x != x, x, _minimum(_maximum(x, lo), hi)),
    "x lo hi", broadcasts=True, backward_name="ClampBackward0", taylor=_LL,
    jvp=(lambda t, x, lo, hi: t * _clamp_masks(x, lo, hi)[0],
         lambda t, x, lo, hi: t * _clamp_masks(x, lo, hi)[1],
         lambda t, x, lo, hi: t * _clamp_masks(x, lo, hi)[2]),
    vjp=(lambda g, x, lo, hi: g * _clamp_masks(x, lo, hi)[0],
         lambda g, x, lo, hi: g * _clamp_masks(x, lo, hi)[1],
         lambda g, x, lo, hi: g * _clamp_masks(x, lo, hi)[2]))
where = defprim("where", _where_impl, "condition x y", broadcasts=True, taylor=_LL,
                jvp=(None, lambda t, condition: where(condition, t, 0.0),
                     lambda t, condition: where(condition, 0.0, t)),
                vjp=(None, lambda g, condition: where(condition, g, 0.0),
                     lambda g, condition: where(condition, 0.0, g)))
clone = defprim("clone", lambda x: x.copy() if type(x) is np.ndarray else x, linear=True,
                vjp=identity, sparsity=ELEMENTWISE)
astype = defprim("astype", _astype_impl, linear=True, vjp=lambda g, *, dtype: g,
                 backward_name="ToCopyBackward0", sparsity=ELEMENTWISE)


def _clamp_masks(x, lo, hi):
    """Where each of x, lo and hi gets clamp's derivative, as PyTorch splits
    it with tensor bounds: x between the bounds (bounds included); lo where x
    is below it and it is below hi; hi where x is above it or lo is above
    it (clamp gives hi then). Where lo == hi and x is outside, no one gets it;
    a nan x gives none."""
    return ((x >= lo) & (x <= hi), (x < lo) & (lo < hi), (x > hi) | (lo > hi))


def _inside(x, lo, hi):
    """1 where lo <= x <= hi (bounds count as inside, as in PyTorch)."""
    inside = True
    if lo is not None:
        inside = inside & (x >= lo)
    if hi is not None:
        inside = inside & (x <= hi)
    return inside


def _steps(np_fn):
    """A step function's implementation (a float stays a float)."""
    def impl(x):
        return float(np_fn(x)) if type(x) is float else np_fn(x)
    impl.__name__ = np_fn.__name__
    return impl


def _zero(g):
    """The derivative of a step function where it has one: zero, as PyTorch
    gives it (the output still requires grad and has a node)."""
    return where(True, 0.0, g)


floor = defprim("floor", _steps(np.floor), jvp=_zero, vjp=_zero, taylor=_LL,
                sparsity=CONSTANT, public="floor")
ceil = defprim("ceil", _steps(np.ceil), jvp=_zero, vjp=_zero, taylor=_LL,
               sparsity=CONSTANT, public="ceil")
round = defprim("round", _steps(np.round), jvp=_zero, vjp=_zero, taylor=_LL, sparsity=CONSTANT)
trunc = defprim("trunc", _steps(np.trunc), jvp=_zero, vjp=_zero, taylor=_LL,
                sparsity=CONSTANT, public="trunc fix")
sign = defprim("sign", _steps(np.sign), jvp=_zero, vjp=_zero, taylor=_LL, sparsity=CONSTANT)


# Not differentiable: no rules, so outputs carry no graph and no tangent.
eq = defprim("eq", _binary(np.equal), "x y", public="eq")
ne = defprim("ne", _binary(np.not_equal), "x y", public="ne")
lt = defprim("lt", _binary(np.less), "x y", public="lt")
le = defprim("le", _binary(np.less_equal), "x y", public="le")
gt = defprim("gt", _binary(np.greater), "x y", public="gt")
ge = defprim("ge", _binary(np.greater_equal), "x y", public="ge")
logical_and = defprim("logical_and", np.logical_and, "x y", public="logical_and")
logical_or = defprim("logical_or", np.logical_or, "x y", public="logical_or")
logical_not = defprim("logical_not", np.logical_not, public="logical_not",
                       doc='Elementwise not: a bool tensor, not differentiable.')
logical_xor = defprim("logical_xor", np.logical_xor, "x y", public="logical_xor")


def _bitwise(np_op, name):
    """An operation on the bits of integer and bool values (PyTorch refuses
    floats), with PyTorch's type promotion."""
    def impl(x, y):
        dtype = result_type(*_promote2(x, y))
        if dtype.kind not in "biu":
            raise NotImplementedError(f"\"{name}\" is only implemented for integer and bool "
                                      f"tensors, not {dtype}")
        return _promoted_call(np_op, x, y)
    impl.__name__ = name
    return impl


def _invert_impl(x):
    if np.result_type(x).kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return np.invert(x)


bitwise_and = defprim("bitwise_and", _bitwise(np.bitwise_and, "bitwise_and"), "x y",
                       public="bitwise_and",
                       doc=('Elementwise bitwise and (logical and of bools); integer and bool '
                            'tensors only, not differentiable.'))
bitwise_or = defprim("bitwise_or", _bitwise(np.bitwise_or, "bitwise_or"), "x y",
                      public="bitwise_or",
                      doc=('Elementwise bitwise or (logical or of bools); integer and bool tensors'
                           ' only, not differentiable.'))
bitwise_xor = defprim("bitwise_xor", _bitwise(np.bitwise_xor, "bitwise_xor"), "x y",
                       public="bitwise_xor",
                       doc=('Elementwise bitwise exclusive or; integer and bool tensors only, not '
                            'differentiable.'))
left_shift = defprim("left_shift", _bitwise(np.left_shift, "lshift"), "x y",
                      public="bitwise_left_shift",
                      doc=('input shifted left by other bits; integer and bool tensors only, not '
                           'differentiable.'))
right_shift = defprim("right_shift", _bitwise(np.right_shift, "rshift"), "x y",
                       public="bitwise_right_shift",
                       doc=('input shifted right by other bits; integer and bool tensors only, not'
                            ' differentiable.'))
bitwise_not = defprim("bitwise_not", _invert_impl, public="bitwise_not",
                       doc=('Elementwise bitwise not (logical not of bools); integer and bool '
                            'tensors only.'))
stop_gradient = defprim("stop_gradient", lambda x: x,
                         vmap=TRAILING)
