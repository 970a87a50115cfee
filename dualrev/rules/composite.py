"""Operations composed from primitives. Their derivatives of every order come
from the primitives' rules; none needs a rule of its own. Axes arrive
normalised, as for the primitives."""

import math

from ..core.values import dtype_of, shape_of
from ..core.primitive import raw_value
from . import elementwise as ew
from . import reductions as red
from . import shape as sh

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _count(x, axis):
    shape = shape_of(x)
    if axis is None:
        n = 1
        for s in shape:
            n *= s
        return n
    n = 1
    for a in axis:
        n *= shape[a]
    return n


def var(x, *, axis, correction, keepdims):
    """Variance with ``correction`` subtracted from the count (1: Bessel)."""
    if dtype_of(raw_value(x)).kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    centred = x - red.mean(x, axis=axis, keepdims=True)
    n = _count(x, axis)
    # ew.div: a count of 0 gives inf or nan, as NumPy (a Python float would raise)
    return ew.div(red.sum(centred * centred, axis=axis, keepdims=keepdims),
                  float(max(n - correction, 0)))


def std(x, *, axis, correction, keepdims):
    """sqrt(var), with gradient 0 (not 0 / 0) where the variance is 0, as
    PyTorch gives for a constant."""
    v = var(x, axis=axis, correction=correction, keepdims=keepdims)
    zero = ew.eq(v, 0)
    return ew.where(zero, 0.0, ew.sqrt(ew.where(zero, 1.0, v)))


def norm(x, *, p, axis, keepdims):
    """The p-norm over ``axis`` (all axes when None)."""
    if p == 2:
        return _root(red.sum(x * x, axis=axis, keepdims=keepdims), 2)
    if p == float("inf"):
        return red.amax(ew.abs(x), axis=axis, keepdims=keepdims)
    if p == -float("inf"):
        return red.amin(ew.abs(x), axis=axis, keepdims=keepdims)
    if p == 1:
        return red.sum(ew.abs(x), axis=axis, keepdims=keepdims)
    if p == 0:
        return red.sum(ew.ne(x, 0) * 1.0, axis=axis, keepdims=keepdims)
    zero = ew.eq(x, 0)  # |x| ** p with p < 1 has an infinite slope there
    powers = ew.where(zero, 0.0, ew.abs(ew.where(zero, 1.0, x)) ** p)
    return _root(red.sum(powers, axis=axis, keepdims=keepdims), p)


def _root(total, p):
    """total ** (1 / p), with gradient 0 (not 0 / 0) where total is 0, as
    PyTorch gives for the norm of a zero vector."""
    zero = ew.eq(total, 0)
    return ew.where(zero, 0.0, ew.where(zero, 1.0, total) ** (1.0 / p))


def logsumexp(x, *, axis, keepdims):
    """log(sum(exp(x))), shifted by the (constant) maximum so exp cannot
    overflow; the shift cancels, so it is held out of the derivative."""
    shift = ew.stop_gradient(red.amax(x, axis=axis, keepdims=True))
    shift = ew.where(ew.eq(shift, shift) & (ew.abs(shift) < float("inf")), shift, 0.0)
    total = ew.log(red.sum(ew.exp(x - shift), axis=axis, keepdims=True)) + shift
    return total if keepdims else _drop(total, axis)


def _drop(x, axis):
    shape = shape_of(x)
    reduced = set(range(len(shape))) if axis is None else {a % len(shape) for a in axis}
    return sh.reshape(x, shape=tuple(s for i, s in enumerate(shape) if i not in reduced))


def softmax(x, *, axis):
    shifted = ew.exp(x - ew.stop_gradient(red.amax(x, axis=axis, keepdims=True)))
    return shifted / red.sum(shifted, axis=axis, keepdims=True)


def log_softmax(x, *, axis):
    return x - logsumexp(x, axis=axis, keepdims=True)


def softplus(x, *, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, linear above ``threshold`` as in PyTorch.
    For z = beta x > 0 it is z + log1p(exp(-z)), else log1p(exp(z)): neither
    overflows, and each branch sees only its own half of the inputs (the
    other half replaced by 0), so the branch not taken contributes no inf or
    nan to derivatives; at 0 the derivative is sigmoid(0) = 1/2."""
    z = x * beta
    up = z > 0
    z_up, z_down = ew.where(up, z, 0.0), ew.where(up, 0.0, z)
    smooth = ew.where(up, z_up + ew.log1p(ew.exp(-z_up)), ew.log1p(ew.exp(z_down)))
    smooth = ew.div(smooth, beta)
    return ew.where(z > threshold, x, smooth)


def log2(x):
    return ew.log(x) / _LN2


def log10(x):
    return ew.log(x) / _LN10


def reciprocal(x):
    return ew.div(1.0, x)  # 1 / 0 is inf, as NumPy (Python's / would raise on a number)


def deg2rad(x):
    return x * (math.pi / 180)


def rad2deg(x):
    return x * (180 / math.pi)
