"""NumPy's own protocols on Tensor and Dual, so plain NumPy code is
differentiated as it stands: ``np.sin(t)``, ``np.sum(t, axis=0)``,
``array + t`` and ``np.linalg.det(t)`` record exactly as ``dr.sin(t)`` does.

Two tables map NumPy's names to dualrev's operations, with NumPy's
signatures and defaults (``np.var`` has ``ddof=0``, where PyTorch's ``var``
subtracts 1). A NumPy function or ufunc with no entry raises ``TypeError``
naming it, never a silently detached result. Functions whose results carry
no derivative (``np.allclose``, ``np.argmax``, ``np.count_nonzero``) read
the values, of tensors that require grad too. ``np.asarray(t)`` gives the
values of a tensor that is not being differentiated and raises for one that
is, as PyTorch does (third-party code that converts would detach it).
"""

import math

import numpy as np

from . import array_functions as A
from . import functions as F
from . import linalg
from . import shape_functions as S
from . import rules
from .core.values import ndim_of, shape_of
from .core.batching import BatchBox
from .core.primitive import Box, raw_value
from .rules import normalize_axes
from ._args import operand
from ._tensor import boxed, named

_LN2 = math.log(2.0)


def _unsupported(name):
    return TypeError(
        f"dualrev has no derivative rule for {name}: it would return values detached "
        "from the graph. Use the dualrev function of the same name if there is one, define a "
        "rule with dualrev.custom_jvp/custom_vjp, or call it on x.detach() to drop the "
        "derivative on purpose.")


# -- ufuncs ---------------------------------------------------------------------

UFUNCS = {  # besides those the name table adds (np.sin, np.add...: see names.py)
    np.float_power: rules.pow, np.positive: lambda x: x, np.fabs: rules.abs,
    np.square: lambda x: x * x, np.fmax: rules.maximum, np.fmin: rules.minimum,
    np.matmul: lambda a, b: F.matmul(a, b),
    np.logaddexp2: lambda x, y: rules.logaddexp(x * _LN2, y * _LN2) / _LN2,
    np.cbrt: rules.cbrt, np.rint: rules.round,
    np.copysign: lambda x, y: rules.abs(x) * rules.where(np.signbit(raw_value(y)), -1.0, 1.0),
    np.equal: rules.eq, np.not_equal: rules.ne, np.less: rules.lt, np.less_equal: rules.le,
    np.greater: rules.gt, np.greater_equal: rules.ge,
}

# Integer-valued or bool-valued: computed on the values, carrying no
# derivative (the rounding ufuncs above have zero derivatives, as in PyTorch).
CONSTANT_UFUNCS = {np.isnan, np.isinf, np.isfinite, np.signbit, np.floor_divide, np.heaviside,
                   np.nextafter, np.spacing}


def _remainder(x, y):
    """x - floor(x / y) * y, Python's and NumPy's sign convention; the floor
    is piecewise constant."""
    return x - np.floor(raw_value(x) / raw_value(y)) * y


UFUNCS[np.remainder] = _remainder
UFUNCS[np.fmod] = lambda x, y: x - np.trunc(raw_value(x) / raw_value(y)) * y

# ufunc.reduce: the reduction and the value that masked-out entries take
REDUCTIONS = {np.add: (rules.sum, 0.0), np.multiply: (rules.prod, 1.0),
              np.maximum: (rules.amax, -np.inf), np.minimum: (rules.amin, np.inf),
              np.logical_and: (rules.all, True), np.logical_or: (rules.any, False)}


def _differentiated(x):
    """Whether ``x`` is a value being differentiated: a Dual, or a tensor
    that requires grad or holds a box of a transform."""
    return isinstance(x, Box) and (getattr(x, "requires_grad", True) or isinstance(x._inner(), Box))


def _into(ufunc, method, inputs, out, kwargs):
    """``out=``: NumPy writes into an array. Fine for values nobody
    differentiates (a gradient handed back by a transform, say); a graph
    would be lost otherwise, so that raises."""
    outs = out if isinstance(out, tuple) else (out,)
    if any(_differentiated(x) for x in inputs + outs):
        raise TypeError(f"numpy.{ufunc.__name__} with out= cannot write a differentiable result "
                        "into an array; use the returned value instead")
    targets = tuple(o._shared() if isinstance(o, Box) else o for o in outs)
    getattr(ufunc, method)(*[raw_value(x) for x in inputs], out=targets, **kwargs)
    for o in outs:
        if isinstance(o, Box):
            o._bump_version()
    return outs[0] if len(outs) == 1 else outs


def array_ufunc(self, ufunc, method, *inputs, out=None, **kwargs):
    """``__array_ufunc__`` of Tensor and Dual."""
    if out is not None:
        return _into(ufunc, method, inputs, out, kwargs)
    if method == "__call__" and ufunc in CONSTANT_UFUNCS:
        return boxed(ufunc(*[raw_value(x) for x in inputs], **kwargs))
    if method == "__call__":
        fn = UFUNCS.get(ufunc)
        if fn is None:
            raise _unsupported(f"numpy.{ufunc.__name__}")
        where, dtype = kwargs.pop("where", True), kwargs.pop("dtype", None)
        _no_more(ufunc.__name__, kwargs)
        result = fn(*inputs)
        if where is not True:
            result = rules.where(raw_value(where), result, 0)
        return boxed(result) if dtype is None else S.to_dtype(result, dtype)
    if method == "reduce" and ufunc in REDUCTIONS:
        return _reduce(ufunc, *inputs, **kwargs)
    raise _unsupported(f"numpy.{ufunc.__name__}.{method}")


def _reduce(ufunc, array, axis=0, dtype=None, keepdims=False, initial=None, where=True):
    reduction, identity = REDUCTIONS[ufunc]
    if where is not True:
        array = rules.where(raw_value(where), array, identity)
    out = reduction(array, axis=normalize_axes(axis, ndim_of(array)), keepdims=keepdims)
    if initial is not None:
        out = UFUNCS[ufunc](out, initial)
    return boxed(out) if dtype is None else S.to_dtype(out, dtype)


def _no_more(name, kwargs):
    if kwargs:
        raise TypeError(f"numpy.{name}: dualrev does not support the arguments "
                        f"{', '.join(sorted(kwargs))}")


# -- array functions -----------------------------------------------------------

def _axes(a, axis):
    return normalize_axes(axis, ndim_of(a))


def _reduction(ufunc):
    """np.sum and the like: ``ufunc.reduce`` with all axes by default."""
    def numpy_reduction(a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
                        where=True):
        if out is not None:
            raise TypeError("out= is not supported for differentiable arrays")
        return _reduce(ufunc, a, axis, dtype, keepdims, initial, where)
    return numpy_reduction


def _mean(a, axis=None, dtype=None, out=None, keepdims=False, where=True):
    if where is not True:
        mask = raw_value(where)
        total = rules.sum(rules.where(mask, a, 0.0), axis=_axes(a, axis), keepdims=keepdims)
        count = np.sum(np.broadcast_to(mask, shape_of(a)), axis=axis, keepdims=keepdims)
        return boxed(total / count)
    return boxed(rules.mean(a, axis=_axes(a, axis), keepdims=keepdims))


def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return named(rules.var(a, axis=_axes(a, axis), correction=ddof, keepdims=keepdims),
                    "VarBackward0")


def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return named(rules.std(a, axis=_axes(a, axis), correction=ddof, keepdims=keepdims),
                    "StdBackward0")


def _dot(a, b, out=None):
    """NumPy's dot: a product for 0-d operands, matmul for 1-d and 2-d, and
    for N-d a sum over the last axis of a and the second-to-last of b."""
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        return boxed(rules.mul(a, b))
    if ndim_of(a) <= 2 and ndim_of(b) <= 2:
        return F.matmul(a, b)
    raise _unsupported("numpy.dot of operands of more than 2 dimensions (use matmul or tensordot)")


def _transpose(a, axes=None):
    n = ndim_of(a)
    return S.permute(a, tuple(range(n))[::-1] if axes is None else tuple(a_ % n for a_ in axes))


def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.nonzero(raw_value(condition))
    return boxed(rules.where(raw_value(condition), x, y))


def _clip(a, a_min=None, a_max=None, out=None, **kw):
    return F.clamp(a, a_min, a_max)


def _concatenate(arrays, axis=0, out=None, **kw):
    arrays = list(arrays)
    if axis is None:
        return S.cat([S.reshape(x, -1) for x in arrays], 0)
    return S.cat(arrays, axis)


def _stack(arrays, axis=0, out=None, **kw):
    return S.stack(list(arrays), axis)


def _squeeze(a, axis=None):
    np.squeeze(_like_shape(a), axis)  # NumPy's error for an axis that is not of size 1
    return S.squeeze(a, axis)


def _flat(a, axis):
    """NumPy's convention for cumulative functions: no axis means the
    flattened array."""
    return (S.reshape(a, -1), -1) if axis is None else (a, axis)


def _cumulative(op):
    def numpy_cumulative(a, axis=None, dtype=None, out=None):
        a, axis = _flat(a, axis)
        return boxed(op(a, axis=normalize_axes(axis, ndim_of(a))[0]))
    return numpy_cumulative


def _expand_dims(a, axis):
    np.expand_dims(_like_shape(a), axis)  # NumPy's errors for repeated axes, or out of range
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    n = ndim_of(a) + len(axes)
    return boxed(rules.unsqueeze(a, axis=tuple(sorted(x % n - n for x in axes))))


def _linalg_norm(x, ord=None, axis=None, keepdims=False):
    """np.linalg.norm: a matrix norm for 2-d input or a pair of axes, a
    vector norm otherwise (the flattened 2-norm for ord=None)."""
    if axis is None and ord is None:
        return F.norm(x, 2, None, keepdims)
    if (axis is None and ndim_of(x) == 2) or (axis is not None and np.ndim(axis) == 1
                                             and len(axis) == 2):
        return linalg.matrix_norm(x, "fro" if ord is None else ord,
                                  (-2, -1) if axis is None else tuple(axis), keepdims)
    return F.norm(x, 2 if ord is None else ord, axis, keepdims)


def _svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    if not compute_uv:
        return linalg.svdvals(a)
    return linalg.svd(a, full_matrices=full_matrices)


def _pad(array, pad_width, mode="constant", constant_values=0, **kw):
    if mode != "constant" or kw:
        raise _unsupported(f"numpy.pad with mode={mode!r} (only 'constant' is differentiable here)")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (ndim_of(array), 2))
    return boxed(rules.pad(array, pad_width=tuple(map(tuple, widths.tolist())),
                            value=constant_values))


def _numpy_axis(a, axis):
    return normalize_axes(axis, ndim_of(a))[0]


def _like_shape(x):
    """A stand-in of ``x``'s shape for NumPy's shape functions to read (a
    zero-strided view of one byte): one example's shape inside ``vmap``."""
    return np.broadcast_to(np.empty((), bool), shape_of(x) if isinstance(x, Box) else np.shape(x))


def _shape_only(fn):
    """np.shape, np.ndim, np.size: NumPy's answer for the shape."""
    return lambda a, *args, **kwargs: fn(_like_shape(a), *args, **kwargs)


def _values(x, name):
    """The plain values under ``x`` for a NumPy function that reads them and
    returns no derivative. Inside ``vmap`` there is one per example, which
    such a function cannot tell apart: that raises."""
    while isinstance(x, Box):
        if isinstance(x, BatchBox):
            raise RuntimeError(f"vmap: numpy.{name} reads the values of a batched tensor, which "
                               "holds one per example; call it outside vmap (or use dualrev's "
                               "functions, which batch)")
        x = x._inner()
    return x


def _on_values(fn):
    """A NumPy function with no derivative to take (a truth value, a count):
    computed on the values of its arguments, tensors that require grad
    included (their graphs are left as they are). Arrays come back as
    tensors; Python's bools (np.allclose) as they are."""
    name = fn.__name__

    def numpy_on_values(*args, **kwargs):
        result = fn(*[_values(a, name) for a in args],
                    **{k: _values(v, name) for k, v in kwargs.items()})
        return boxed(np.asarray(result)) if isinstance(result, (np.ndarray, np.generic)) \
            else result
    return numpy_on_values


def _arg_extremum(reduction):
    """np.argmax and np.argmin: indices, computed by the primitive on the
    boxes (so vmap batches them), as ``dr.argmax`` does."""
    def numpy_arg_extremum(a, axis=None, out=None, *, keepdims=False):
        if out is not None:
            raise TypeError("out= is not supported with tensors; use the returned value")
        np.empty((1,) * ndim_of(a)).argmax(axis)  # NumPy's error for an axis out of range
        return reduction(a, axis, bool(keepdims))
    return numpy_arg_extremum


def _reshaped(a, shape):
    a = boxed(a)
    return a if tuple(shape) == tuple(shape_of(a)) else boxed(rules.reshape(a, shape=tuple(shape)))


def _at_least(fn):
    """np.atleast_1d, _2d, _3d: each array reshaped (recorded) to NumPy's
    result's shape; several arrays give NumPy's sequence of them."""
    def numpy_at_least(*arys):
        out = [_reshaped(operand(a, fn.__name__), fn(_like_shape(a)).shape) for a in arys]
        return out[0] if len(out) == 1 else _SEVERAL(out)
    return numpy_at_least


_SEVERAL = type(np.atleast_1d(0, 0))  # NumPy 2 returns a tuple, NumPy 1 a list


def _sort(a, axis=-1, kind=None, order=None, **kw):
    a, axis = _flat(a, axis)
    return boxed(rules.sort(a, axis=_numpy_axis(a, axis)))




ARRAY_FUNCTIONS = {
    np.sum: _reduction(np.add), np.prod: _reduction(np.multiply),
    np.max: _reduction(np.maximum), np.amax: _reduction(np.maximum),
    np.min: _reduction(np.minimum), np.amin: _reduction(np.minimum),
    np.all: _reduction(np.logical_and), np.any: _reduction(np.logical_or),
    np.mean: _mean, np.var: _var, np.std: _std,
    np.dot: _dot, np.matmul: lambda a, b, **kw: F.matmul(a, b),
    np.reshape: lambda a, shape=None, order="C", **kw: S.reshape(a, kw.get("newshape", shape)),
    np.transpose: _transpose, np.moveaxis: A.moveaxis,
    np.swapaxes: lambda a, axis1, axis2: S.transpose(a, axis1, axis2),
    np.squeeze: _squeeze, np.expand_dims: _expand_dims,
    np.broadcast_to: lambda array, shape, subok=False: S.broadcast_to(
        array, np.broadcast_to(_like_shape(array), shape).shape),  # (NumPy's errors)
    np.atleast_1d: _at_least(np.atleast_1d), np.atleast_2d: _at_least(np.atleast_2d),
    np.atleast_3d: _at_least(np.atleast_3d),
    np.concatenate: _concatenate, np.stack: _stack,
    np.vstack: lambda tup, **kw: A.vstack(tup), np.hstack: lambda tup, **kw: A.hstack(tup),
    np.where: _where, np.clip: _clip,
    np.round: lambda a, decimals=0, out=None: F.round(a, decimals=decimals or None),
    np.around: lambda a, decimals=0, out=None: F.round(a, decimals=decimals or None),
    np.fix: lambda x, out=None: boxed(rules.trunc(x)),
    np.shape: _shape_only(np.shape), np.ndim: _shape_only(np.ndim), np.size: _shape_only(np.size),
    np.argmax: _arg_extremum(F.argmax), np.argmin: _arg_extremum(F.argmin),
    np.allclose: _on_values(np.allclose), np.isclose: _on_values(np.isclose),
    np.array_equal: _on_values(np.array_equal), np.count_nonzero: _on_values(np.count_nonzero),
    np.zeros_like: lambda a, dtype=None, **kw: boxed(np.zeros_like(raw_value(a), dtype)),
    np.ones_like: lambda a, dtype=None, **kw: boxed(np.ones_like(raw_value(a), dtype)),
    np.full_like: lambda a, fill_value, dtype=None, **kw:
        boxed(np.full_like(raw_value(a), fill_value, dtype)),
    np.cumsum: _cumulative(rules.cumsum), np.cumprod: _cumulative(rules.cumprod),
    np.diff: lambda a, n=1, axis=-1: boxed(rules.diff(a, n=n, axis=_numpy_axis(a, axis))),
    np.trace: lambda a, offset=0, axis1=0, axis2=1, dtype=None, out=None: boxed(rules.trace(
        a, offset=offset, axis1=_numpy_axis(a, axis1), axis2=_numpy_axis(a, axis2))),
    np.diagonal: lambda a, offset=0, axis1=0, axis2=1: boxed(rules.diagonal(
        a, offset=offset, axis1=_numpy_axis(a, axis1), axis2=_numpy_axis(a, axis2))),
    np.diag: lambda v, k=0: boxed(rules.diag(v, k=k)),
    np.triu: lambda m, k=0: boxed(rules.triu(m, k=k)),
    np.tril: lambda m, k=0: boxed(rules.tril(m, k=k)),
    np.sort: _sort,
    np.argsort: lambda a, axis=-1, kind=None, order=None, **kw: boxed(rules.argsort(
        raw_value(a), axis=_numpy_axis(a, axis), descending=False)),
    np.take: lambda a, indices, axis=None, out=None, mode="raise": boxed(rules.take(
        a, indices=np.asarray(raw_value(indices)),
        axis=None if axis is None else _numpy_axis(a, axis))),
    np.take_along_axis: lambda arr, indices, axis: boxed(rules.gather(
        arr, indices=np.asarray(raw_value(indices)), axis=_numpy_axis(arr, axis))),
    np.flip: lambda m, axis=None: boxed(rules.flip(m, axis=normalize_axes(axis, ndim_of(m)))),
    np.roll: lambda a, shift, axis=None: boxed(rules.roll(
        a, shift=tuple(np.atleast_1d(shift).tolist()),
        axis=None if axis is None else normalize_axes(axis, ndim_of(a)))),
    np.pad: _pad,
    np.einsum: lambda subscripts, *operands, **kw: boxed(rules.einsum(*operands,
                                                                       subscripts=subscripts)),
    np.tensordot: lambda a, b, axes=2: A.tensordot(a, b, axes),
    np.outer: lambda a, b, out=None: boxed(rules.outer(a, b)),
    np.inner: lambda a, b: boxed(rules.inner(a, b)),
    np.vdot: lambda a, b: boxed(rules.vdot(a, b)),
    np.linalg.norm: _linalg_norm,
    np.linalg.det: lambda a: linalg.det(a),
    np.linalg.slogdet: lambda a: linalg.slogdet(a),
    np.linalg.inv: lambda a: linalg.inv(a),
    np.linalg.solve: lambda a, b: boxed(rules.solve(a, b)),
    np.linalg.cholesky: lambda a, upper=False: linalg.cholesky(a, upper=upper),
    np.linalg.eigh: lambda a, UPLO="L": linalg.eigh(a),
    np.linalg.qr: lambda a, mode="reduced": linalg.qr(a, mode),
    np.linalg.svd: _svd,
}


def array_function(self, func, types, args, kwargs):
    """``__array_function__`` of Tensor and Dual."""
    impl = ARRAY_FUNCTIONS.get(func)
    if impl is None:
        module = getattr(func, "__module__", None) or "numpy"
        raise _unsupported(f"{module}.{getattr(func, '__name__', func)}")
    return impl(*args, **kwargs)
