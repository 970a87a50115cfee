"""Reductions. ``axis`` arrives normalised (a sorted tuple of negative ints,
or None for all axes), so the rules hold when a batch axis is put in front."""

import numpy as np

from ..core.batching import TRAILING
from ..core.sparsity import REDUCES
from ..core.primitive import defprim, raw_value
from ..core.values import canonical, dtype_of, ndim_of, shape_of
from . import elementwise as ew
from . import shape as sh
from ..core.taylor import LOCALLY_LINEAR, dense, series_mul


def _reduced_name(stem):
    return lambda axis, keepdims, **_: f"{stem}Backward{0 if axis is None else 1}"


def _as_float(value):
    """NumPy reductions to 0-d return NumPy scalars; a float64 one becomes a
    Python float (the fast scalar path)."""
    return canonical(value) if type(value) is np.float64 else value


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


def _extremum_share(ans, x, axis, keepdims):
    """d amax / d x (likewise amin): 1 at the extreme entry, shared evenly
    among tied extreme entries (as PyTorch does), in x's dtype. A nan is the
    extreme where there is one: the derivative goes to it (as PyTorch's
    max() gives it), not nan to every entry."""
    extreme = _restore(ans, shape_of(x), axis, keepdims)
    hit = ew.eq(x, extreme) | (ew.ne(x, x) & ew.ne(extreme, extreme))
    share = hit / sum(hit, axis=axis, keepdims=True)
    dtype = dtype_of(x)
    return share if dtype_of(share) == dtype else ew.astype(share, dtype=dtype)


def has_zero(x):
    """Whether x's values hold a 0 (products then take their exact rule)."""
    return bool(np.any(np.asarray(raw_value(x)) == 0))


def _prod_partials(ans, x, axis, keepdims):
    """d prod / d x_i, the product of the other entries. Dividing ans by x_i
    is exact when x has no zero; with zeros, multiply the others directly."""
    if not has_zero(x):
        return _restore(ans, shape_of(x), axis, keepdims) / x
    return _prod_of_others(x, axis)


def _prod_taylor(ans, x, axis, keepdims):
    """The series of a product: the factors multiplied pairwise, as a tree
    (log2 n rounds of Cauchy products). Exact near zero factors too, where
    exp of the sum of the factors' log series would cancel."""
    axes = tuple(range(-ndim_of(x[0]), 0)) if axis is None else axis  # (x_1 may lead with
    if _count(shape_of(x[0]), axes) == 0:                                # directions' axes)
        return [None] * (len(x) - 1)  # an empty product: 1
    moved = [sh.moveaxis(v, source=axes, destination=tuple(range(-len(axes), 0)))
             for v in dense(x)]
    flat = [sh.reshape(v, shape=shape_of(v)[:ndim_of(v) - len(axes)] + (-1,)) for v in moved]
    while shape_of(flat[0])[-1] > 1:
        n = shape_of(flat[0])[-1]
        pairs = series_mul([sh.getitem(v, index=(Ellipsis, slice(0, n - 1, 2))) for v in flat],
                           [sh.getitem(v, index=(Ellipsis, slice(1, n, 2))) for v in flat])
        if n % 2:
            pairs = [sh.concatenate(p, sh.getitem(v, index=(Ellipsis, slice(n - 1, n))), axis=-1)
                     for p, v in zip(pairs, flat)]
        flat = pairs
    flat = [sh.squeeze(v, axis=-1) for v in flat[1:]]
    return [sh.unsqueeze(v, axis=axes) for v in flat] if keepdims else flat


def _reduce_jvp(partials):
    """The JVP of a reduction from its partial derivatives (x's shape):
    sum(t * partials) over the reduced axes; leading batch axes of t stay."""
    def jvp(t, ans, x, *, axis, keepdims):
        if axis is None:  # all of x's axes, not a tangent's leading batch axes
            axis = tuple(range(-ndim_of(x), 0))
        return sum(t * partials(ans, x, axis, keepdims), axis=axis, keepdims=keepdims)
    return jvp


def _reduce_vjp(partials):
    """The VJP of a reduction from its partial derivatives: the cotangent
    put back to x's shape, times the partials."""
    def vjp(g, ans, x, *, axis, keepdims):
        return _restore(g, shape_of(x), axis, keepdims) * partials(ans, x, axis, keepdims)
    return vjp


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


def _explicit_axes(t, x_shape, lead, axis, keepdims):
    """Batch rule of reductions: "all axes" means the argument's own axes,
    not the batch axes in front of them."""
    return t, dict(axis=tuple(range(-len(x_shape), 0)) if axis is None else axis,
                   keepdims=keepdims)


sum = defprim("sum", _sum_impl, linear=True, batch=_explicit_axes,
              backward_name=_reduced_name("Sum"),
              vjp=lambda g, x_shape, *, axis, keepdims: _restore(g, x_shape, axis, keepdims),
              sparsity=REDUCES)
mean = defprim("mean", _mean_impl, linear=True, batch=_explicit_axes,
               backward_name=_reduced_name("Mean"),
               vjp=lambda g, x_shape, *, axis, keepdims:
               _restore(g / _count(x_shape, axis), x_shape, axis, keepdims), sparsity=REDUCES)
prod = defprim("prod", _reduce_impl(np.prod), backward_name=_reduced_name("Prod"),
               jvp=_reduce_jvp(_prod_partials), vjp=_reduce_vjp(_prod_partials),
               taylor=lambda ans, x, *, axis, keepdims: _prod_taylor(ans, x, axis, keepdims),
               sparsity=REDUCES)
amax = defprim("amax", _reduce_impl(np.amax), taylor=LOCALLY_LINEAR,
               jvp=_reduce_jvp(_extremum_share), vjp=_reduce_vjp(_extremum_share), sparsity=REDUCES)
amin = defprim("amin", _reduce_impl(np.amin), taylor=LOCALLY_LINEAR,
               jvp=_reduce_jvp(_extremum_share), vjp=_reduce_vjp(_extremum_share), sparsity=REDUCES)
def _arg_extremum_vmap(name):
    """The batch rule of argmax or argmin: over all of an example's axes,
    those axes flattened first (the batch axis kept)."""
    def rule(values, batched, size, *, axis, keepdims):
        (x,) = values
        prim = globals()[name]
        if axis is not None:
            return prim(x, axis=axis, keepdims=keepdims)
        shape = shape_of(x)
        out = prim(sh.reshape(x, shape=(shape[0], -1)), axis=-1, keepdims=False)
        return sh.reshape(out, shape=(shape[0],) + (1,) * (len(shape) - 1)) if keepdims else out
    return rule


argmax = defprim("argmax", lambda x, *, axis, keepdims: np.argmax(x, axis=axis, keepdims=keepdims),
                  vmap=_arg_extremum_vmap("argmax"))
argmin = defprim("argmin", lambda x, *, axis, keepdims: np.argmin(x, axis=axis, keepdims=keepdims),
                  vmap=_arg_extremum_vmap("argmin"))
all = defprim("all", lambda x, *, axis, keepdims: np.all(x, axis=axis, keepdims=keepdims),
               vmap=TRAILING)
any = defprim("any", lambda x, *, axis, keepdims: np.any(x, axis=axis, keepdims=keepdims),
               vmap=TRAILING)
