"""NumPy's own protocols on Tensor and Dual, so plain NumPy code is
differentiated as it stands: ``np.sin(t)``, ``np.sum(t, axis=0)``,
``array + t`` and ``np.linalg.det(t)`` record exactly as ``dr.sin(t)`` does.

Two tables map NumPy's names to dualrev's operations, with NumPy's
signatures and defaults (``np.var`` has ``ddof=0``, where PyTorch's ``var``
subtracts 1). A NumPy function or ufunc with no entry raises ``TypeError``
naming it, never a silently detached result; ``np.asarray(t)`` gives the
values, as it should.
"""

import math

import numpy as np

from . import functions as F
from . import ops
from ._arrays import ndim_of, shape_of
from ._prims import raw_value
from .ops import normalize_axes

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _unsupported(name):
    return TypeError(
        f"dualrev has no derivative rule for {name}: it would return values detached "
        "from the graph. Use the dualrev function of the same name if there is one, define a "
        "rule with dualrev.custom_jvp/custom_vjp, or call it on np.asarray(x) to drop the "
        "derivative on purpose.")


# -- ufuncs ---------------------------------------------------------------------

def _logaddexp(x, y):
    top = ops.stop_gradient(ops.maximum(x, y))
    return top + ops.log(ops.exp(x - top) + ops.exp(y - top))


UFUNCS = {
    np.add: ops.add, np.subtract: ops.sub, np.multiply: ops.mul, np.true_divide: ops.div,
    np.power: ops.pow, np.float_power: ops.pow, np.negative: ops.neg,
    np.positive: lambda x: x, np.absolute: ops.abs, np.fabs: ops.abs, np.sign: ops.sign,
    np.exp: ops.exp, np.expm1: ops.expm1, np.exp2: lambda x: ops.exp(x * _LN2),
    np.log: ops.log, np.log1p: ops.log1p, np.log2: lambda x: ops.log(x) / _LN2,
    np.log10: lambda x: ops.log(x) / _LN10, np.sqrt: ops.sqrt,
    np.square: lambda x: x * x, np.reciprocal: lambda x: 1.0 / x,
    np.sin: ops.sin, np.cos: ops.cos, np.tan: ops.tan, np.tanh: ops.tanh,
    np.sinh: lambda x: (ops.exp(x) - ops.exp(-x)) / 2, np.cosh: lambda x: (ops.exp(x) + ops.exp(-x)) / 2,
    np.deg2rad: lambda x: x * (math.pi / 180), np.rad2deg: lambda x: x * (180 / math.pi),
    np.maximum: ops.maximum, np.minimum: ops.minimum, np.fmax: ops.maximum, np.fmin: ops.minimum,
    np.logaddexp: _logaddexp, np.matmul: lambda a, b: F.matmul(a, b),
    np.equal: ops.eq, np.not_equal: ops.ne, np.less: ops.lt, np.less_equal: ops.le,
    np.greater: ops.gt, np.greater_equal: ops.ge,
    np.logical_and: ops.logical_and, np.logical_or: ops.logical_or, np.logical_not: ops.logical_not,
}

# Piecewise constant or integer-valued: derivative 0 wherever one exists, so
# the result is computed on the values and carries no derivative.
CONSTANT_UFUNCS = {np.floor, np.ceil, np.rint, np.trunc, np.isnan, np.isinf, np.isfinite,
                   np.signbit, np.floor_divide, np.bitwise_and, np.bitwise_or, np.bitwise_xor,
                   np.invert, np.left_shift, np.right_shift, np.logical_xor}


def _remainder(x, y):
    """x - floor(x / y) * y, Python's and NumPy's sign convention; the floor
    is piecewise constant."""
    return x - np.floor(raw_value(x) / raw_value(y)) * y


UFUNCS[np.remainder] = _remainder
UFUNCS[np.fmod] = lambda x, y: x - np.trunc(raw_value(x) / raw_value(y)) * y

# ufunc.reduce: the reduction and the value that masked-out entries take
REDUCTIONS = {np.add: (ops.sum, 0.0), np.multiply: (ops.prod, 1.0),
              np.maximum: (ops.amax, -np.inf), np.minimum: (ops.amin, np.inf),
              np.logical_and: (ops.all, True), np.logical_or: (ops.any, False)}


def array_ufunc(self, ufunc, method, *inputs, out=None, **kwargs):
    """``__array_ufunc__`` of Tensor and Dual."""
    if out is not None:
        raise TypeError(f"numpy.{ufunc.__name__} with out= cannot write a differentiable result "
                        "into an array; use the returned value instead")
    if method == "__call__" and ufunc in CONSTANT_UFUNCS:
        return F._boxed(ufunc(*[raw_value(x) for x in inputs], **kwargs))
    if method == "__call__":
        fn = UFUNCS.get(ufunc)
        if fn is None:
            raise _unsupported(f"numpy.{ufunc.__name__}")
        where, dtype = kwargs.pop("where", True), kwargs.pop("dtype", None)
        _no_more(ufunc.__name__, kwargs)
        result = fn(*inputs)
        if where is not True:
            result = ops.where(raw_value(where), result, 0)
        return F._boxed(result) if dtype is None else F.to_dtype(result, dtype)
    if method == "reduce" and ufunc in REDUCTIONS:
        return _reduce(ufunc, *inputs, **kwargs)
    raise _unsupported(f"numpy.{ufunc.__name__}.{method}")


def _reduce(ufunc, array, axis=0, dtype=None, keepdims=False, initial=None, where=True):
    reduction, identity = REDUCTIONS[ufunc]
    if where is not True:
        array = ops.where(raw_value(where), array, identity)
    out = reduction(array, axis=normalize_axes(axis, ndim_of(array)), keepdims=keepdims)
    if initial is not None:
        out = UFUNCS[ufunc](out, initial)
    return F._boxed(out) if dtype is None else F.to_dtype(out, dtype)


def _no_more(name, kwargs):
    if kwargs:
        raise TypeError(f"numpy.{name}: dualrev does not support the arguments "
                        f"{', '.join(sorted(kwargs))}")


# -- array functions -----------------------------------------------------------

def _axes(a, axis):
    return normalize_axes(axis, ndim_of(a))


def _reduction(op):
    def numpy_reduction(a, axis=None, dtype=None, out=None, keepdims=False, where=True, **kw):
        if out is not None:
            raise TypeError("out= is not supported for differentiable arrays")
        if where is not True:
            a = ops.where(raw_value(where), a, REDUCTIONS[op][1] if op in REDUCTIONS else 0.0)
        reduction = REDUCTIONS[op][0] if op in REDUCTIONS else op
        result = reduction(a, axis=_axes(a, axis), keepdims=keepdims)
        return F._boxed(result) if dtype is None else F.to_dtype(result, dtype)
    return numpy_reduction


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, where=True):
    if where is not True:
        mask = raw_value(where)
        total = ops.sum(ops.where(mask, a, 0.0), axis=_axes(a, axis), keepdims=keepdims)
        count = np.sum(np.broadcast_to(mask, shape_of(a)), axis=axis, keepdims=keepdims)
        return F._boxed(total / count)
    return F._boxed(ops.mean(a, axis=_axes(a, axis), keepdims=keepdims))


def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return F._boxed(ops.var(a, axis=_axes(a, axis), correction=ddof, keepdims=keepdims))


def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return F._boxed(ops.std(a, axis=_axes(a, axis), correction=ddof, keepdims=keepdims))


def _dot(a, b, out=None):
    """NumPy's dot: a product for 0-d operands, matmul for 1-d and 2-d, and
    for N-d a sum over the last axis of a and the second-to-last of b."""
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        return F._boxed(ops.mul(a, b))
    if ndim_of(a) <= 2 and ndim_of(b) <= 2:
        return F.matmul(a, b)
    raise _unsupported("numpy.dot of operands of more than 2 dimensions (use matmul or tensordot)")


def _transpose(a, axes=None):
    n = ndim_of(a)
    return F.permute(a, tuple(range(n))[::-1] if axes is None else tuple(a_ % n for a_ in axes))


def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.nonzero(raw_value(condition))
    return F._boxed(ops.where(raw_value(condition), x, y))


def _clip(a, a_min=None, a_max=None, out=None, **kw):
    return F.clamp(a, a_min, a_max)


def _concatenate(arrays, axis=0, out=None, **kw):
    arrays = list(arrays)
    if axis is None:
        return F.cat([F.reshape(x, -1) for x in arrays], 0)
    return F.cat(arrays, axis)


def _stack(arrays, axis=0, out=None, **kw):
    return F.stack(list(arrays), axis)


def _vstack(tup, **kw):
    tup = [F.reshape(x, 1, -1) if ndim_of(x) < 2 else x for x in tup]
    return F.cat(tup, 0)


def _hstack(tup, **kw):
    tup = list(tup)
    return F.cat(tup, 0 if all(ndim_of(x) == 1 for x in tup) else 1)


def _squeeze(a, axis=None):
    return F.squeeze(a, axis)


def _moveaxis(a, source, destination):
    return F._boxed(ops.moveaxis(a, source=source, destination=destination))


def _shape_only(fn):
    return lambda a, *args, **kwargs: fn(raw_value(a), *args, **kwargs)


FUNCTIONS = {
    np.sum: _reduction(np.add), np.prod: _reduction(np.multiply),
    np.max: _reduction(np.maximum), np.amax: _reduction(np.maximum),
    np.min: _reduction(np.minimum), np.amin: _reduction(np.minimum),
    np.all: _reduction(np.logical_and), np.any: _reduction(np.logical_or),
    np.mean: _mean, np.var: _var, np.std: _std,
    np.dot: _dot, np.matmul: lambda a, b, **kw: F.matmul(a, b),
    np.reshape: lambda a, shape=None, order="C", **kw: F.reshape(a, kw.get("newshape", shape)),
    np.transpose: _transpose, np.moveaxis: _moveaxis,
    np.swapaxes: lambda a, axis1, axis2: F.transpose(a, axis1, axis2),
    np.squeeze: _squeeze, np.expand_dims: lambda a, axis: F.unsqueeze(a, axis),
    np.broadcast_to: lambda array, shape, subok=False: F.broadcast_to(array, shape),
    np.concatenate: _concatenate, np.stack: _stack, np.vstack: _vstack, np.hstack: _hstack,
    np.where: _where, np.clip: _clip,
    np.shape: _shape_only(np.shape), np.ndim: _shape_only(np.ndim), np.size: _shape_only(np.size),
    np.zeros_like: lambda a, dtype=None, **kw: F._boxed(np.zeros_like(raw_value(a), dtype)),
    np.ones_like: lambda a, dtype=None, **kw: F._boxed(np.ones_like(raw_value(a), dtype)),
    np.full_like: lambda a, fill_value, dtype=None, **kw:
        F._boxed(np.full_like(raw_value(a), fill_value, dtype)),
    np.linalg.norm: lambda x, ord=None, axis=None, keepdims=False:
        F.norm(x, 2 if ord is None else ord, axis, keepdims),
}


def array_function(self, func, types, args, kwargs):
    """``__array_function__`` of Tensor and Dual."""
    impl = FUNCTIONS.get(func)
    if impl is None:
        module = getattr(func, "__module__", None) or "numpy"
        raise _unsupported(f"{module}.{getattr(func, '__name__', func)}")
    return impl(*args, **kwargs)


def register(numpy_function, implementation):
    """Make ``numpy_function`` on dualrev values call ``implementation``
    (NumPy's signature; it should be built from dualrev operations)."""
    FUNCTIONS[numpy_function] = implementation


