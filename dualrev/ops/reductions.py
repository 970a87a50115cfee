"""Reductions. ``axis`` arrives normalised (a sorted tuple of negative ints,
or None for all axes), so the rules hold when a batch axis is put in front."""

import numpy as np

from .._prims import defprim, raw_value
from .._arrays import shape_of
from . import elementwise as ew
from . import shape as sh


def _reduced_name(stem):
    return lambda axis, keepdims, **_: f"{stem}Backward{0 if axis is None else 1}"


def _as_float(value):
    """NumPy reductions to 0-d return NumPy scalars; a float64 one becomes a
    Python float (the fast scalar path)."""
    return float(value) if type(value) is np.float64 else value


def _restore(g, x_shape, axis, keepdims):
    """Undo a reduction's shape: put the reduced axes back (size 1) and
    broadcast ``g`` to the input's shape."""
    if not keepdims and axis is not None:
        g = sh.reshape(g, shape=_kept_shape(x_shape, axis))
    return sh.broadcast_to(g, shape=x_shape)


def _kept_shape(shape, axis):
    n = len(shape)
    reduced = {a % n for a in axis} if axis is not None else set(range(n))
    return tuple(1 if i in reduced else s for i, s in enumerate(shape))


def _count(shape, axis):
    n = len(shape)
    return int(np.prod([shape[a % n] for a in axis] if axis is not None else shape))


def _sum_impl(x, *, axis, keepdims):
    if type(x) is float:
        return x
    return _as_float(np.sum(x, axis=axis, keepdims=keepdims))


def _mean_impl(x, *, axis, keepdims):
    if type(x) is float:
        return x
    return _as_float(np.mean(x, axis=axis, keepdims=keepdims))


def _reduce_impl(np_fn):
    def impl(x, *, axis, keepdims):
        return x if type(x) is float else _as_float(np_fn(x, axis=axis, keepdims=keepdims))
    impl.__name__ = np_fn.__name__
    return impl


def _extremum_vjp(g, ans, x, *, axis, keepdims):
    """Gradient of amax/amin: shared evenly among the tied extreme entries."""
    hit = ew.eq(x, _restore(ans, shape_of(x), axis, keepdims))
    share = hit / sum(hit, axis=axis, keepdims=True)
    return _restore(g, shape_of(x), axis, keepdims) * share


def _prod_vjp(g, ans, x, *, axis, keepdims):
    """d prod / d x_i is the product of the others. Dividing ans by x_i is
    exact when x has no zero; with zeros, multiply the others directly."""
    shape = shape_of(x)
    if not np.any(np.asarray(raw_value(x)) == 0):
        return _restore(g, shape, axis, keepdims) * (_restore(ans, shape, axis, keepdims) / x)
    return _restore(g, shape, axis, keepdims) * _prod_of_others(x, axis)


def _prod_of_others(x, axis):
    """For each entry, the product of the other entries along ``axis``, by
    masking each entry to 1 in its own copy: O(n^2) along the axis, exact with
    zeros, built from differentiable ops."""
    shape = shape_of(x)
    axes = tuple(range(-len(shape), 0)) if axis is None else axis
    moved = sh.moveaxis(x, source=axes, destination=tuple(range(-len(axes), 0)))
    lead = shape_of(moved)[:len(shape) - len(axes)]
    n = _count(shape, axes)
    flat = sh.reshape(moved, shape=lead + (n,))
    masked = ew.where(np.eye(n, dtype=bool), 1.0, sh.reshape(flat, shape=lead + (1, n)))
    others = prod(masked, axis=(-1,), keepdims=False)
    back = sh.reshape(others, shape=shape_of(moved))
    return sh.moveaxis(back, source=tuple(range(-len(axes), 0)), destination=axes)


sum = defprim("sum", _sum_impl, linear=True, backward_name=_reduced_name("Sum"),
              vjp=lambda g, x_shape, *, axis, keepdims: _restore(g, x_shape, axis, keepdims))
mean = defprim("mean", _mean_impl, linear=True, backward_name=_reduced_name("Mean"),
               vjp=lambda g, x_shape, *, axis, keepdims:
               _restore(g, x_shape, axis, keepdims) / _count(x_shape, axis))
prod = defprim("prod", _reduce_impl(np.prod), backward_name=_reduced_name("Prod"),
               jvp=lambda t, ans, x, *, axis, keepdims:
               sum(t * _prod_vjp(1.0, ans, x, axis=axis, keepdims=keepdims), axis=axis,
                   keepdims=keepdims),
               vjp=_prod_vjp)
amax = defprim("amax", _reduce_impl(np.amax),
               jvp=lambda t, ans, x, *, axis, keepdims:
               sum(t * _extremum_vjp(1.0, ans, x, axis=axis, keepdims=keepdims), axis=axis,
                   keepdims=keepdims),
               vjp=_extremum_vjp)
amin = defprim("amin", _reduce_impl(np.amin),
               jvp=lambda t, ans, x, *, axis, keepdims:
               sum(t * _extremum_vjp(1.0, ans, x, axis=axis, keepdims=keepdims), axis=axis,
                   keepdims=keepdims),
               vjp=_extremum_vjp)
argmax = defprim("argmax", lambda x, *, axis, keepdims: np.argmax(x, axis=axis, keepdims=keepdims))
argmin = defprim("argmin", lambda x, *, axis, keepdims: np.argmin(x, axis=axis, keepdims=keepdims))
all = defprim("all", lambda x, *, axis, keepdims: np.all(x, axis=axis, keepdims=keepdims))
any = defprim("any", lambda x, *, axis, keepdims: np.any(x, axis=axis, keepdims=keepdims))
