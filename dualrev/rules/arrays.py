"""Array operations: cumulative sums and products, sorting, diagonals and
triangles, flips, rolls, padding, differences, takes and ravel.

``cumsum`` and ``cumprod`` are primitives with rules of their own (and
``argsort``, which is not differentiable). Everything else is an exact
composition of primitives that exist already (``getitem``, ``scatter``,
``gather``, ``concatenate``, ``where``, ``sum``), so derivatives of every
order and batched tangents come from their rules. Axes arrive normalised:
negative ints (``util.normalize_axes``), so that a tangent's leading batch
axes are never among them.
"""

import numpy as np

from ..core.batching import TRAILING, index_values
from ..core.sparsity import PREFIX
from ..core.primitive import defprim
from ..core.values import shape_of, ndim_of
from . import elementwise as ew
from . import reductions as red
from . import shape as sh
from ..core.taylor import dense, series_mul


def _along(axis, part):
    """An index applying ``part`` to one (negative) axis and nothing to the
    others; the leading Ellipsis leaves any batch axes in front alone."""
    return (Ellipsis, part) + (slice(None),) * (-axis - 1)


def ravel(x):
    """x flattened to one axis (``np.ravel``)."""
    return sh.reshape(x, shape=(int(np.prod(shape_of(x), dtype=int)),))


def flip(x, *, axis):
    """x reversed along ``axis`` (a tuple of negative ints; None: all axes)."""
    axes = tuple(range(-ndim_of(x), 0)) if axis is None else axis
    if not axes:
        return x
    index = tuple(slice(None, None, -1) if a in axes else slice(None) for a in range(min(axes), 0))
    return sh.getitem(x, index=(Ellipsis,) + index)


def _reverse_cumsum(g, axis):
    """Sums from each position to the end: the adjoint of ``cumsum``."""
    return flip(cumsum(flip(g, axis=(axis,)), axis=axis), axis=(axis,))


cumsum = defprim("cumsum", lambda x, *, axis: np.cumsum(x, axis=axis), linear=True,
                 vjp=lambda g, *, axis: _reverse_cumsum(g, axis), sparsity=PREFIX)


def _cumprod_partials(x, axis):
    """M[..., j, i] = d cumprod(x)_i / d x_j along ``axis`` (moved last):
    the product of x_k for k <= i, k != j, and 0 for j > i. Each row j is the
    cumulative product of x with x_j replaced by 1, so the result is exact
    when x has zeros, at O(n^2) cost."""
    moved = sh.moveaxis(x, source=axis, destination=-1)
    n = shape_of(moved)[-1]
    masked = ew.where(np.eye(n, dtype=bool), 1.0, sh.unsqueeze(moved, axis=-2))
    return ew.where(np.tri(n, dtype=bool).T, cumprod(masked, axis=-1), 0.0)


def _contract_partials(partials, v, axis, forward):
    """sum_j M[j, i] v_j (``forward``: a JVP) or sum_i M[j, i] v_i (a VJP)
    along ``axis``; leading batch axes of ``v`` are kept."""
    spread, over = (-1, -2) if forward else (-2, -1)
    moved = sh.unsqueeze(sh.moveaxis(v, source=axis, destination=-1), axis=spread)
    out = red.sum(partials * moved, axis=(over,), keepdims=False)
    return sh.moveaxis(out, source=-1, destination=axis)


def _cumprod_jvp(t, ans, x, *, axis):
    """d cumprod(x)_i = cumprod(x)_i sum_{j <= i} dx_j / x_j when x has no
    zero; with zeros, the partial derivatives themselves."""
    if not red.has_zero(x):
        return ans * cumsum(ew.div(t, x), axis=axis)
    return _contract_partials(_cumprod_partials(x, axis), t, axis, forward=True)


def _cumprod_vjp(g, ans, x, *, axis):
    if not red.has_zero(x):
        return ew.div(_reverse_cumsum(g * ans, axis), x)
    return _contract_partials(_cumprod_partials(x, axis), g, axis, forward=False)


def _cumprod_taylor(ans, x, *, axis):
    """Running products of the series by a parallel prefix scan: in round r,
    every entry takes the product of itself and the entry 2^r before it
    (log2 n rounds of Cauchy products). Exact near zero factors too, where
    running sums of the factors' log series would cancel."""
    axis = axis - ndim_of(x[0]) if axis >= 0 else axis  # (x_1 may lead with directions' axes)
    n = shape_of(x[0])[axis]
    running = dense(x)
    step = 1
    while step < n:
        def part(v, start, stop):
            return sh.getitem(v, index=(Ellipsis, slice(start, stop))
                              + (slice(None),) * (-axis - 1))
        products = series_mul([part(v, step, n) for v in running],
                              [part(v, 0, n - step) for v in running])
        running = [sh.concatenate(part(v, 0, step), p, axis=axis)
                   for v, p in zip(running, products)]
        step *= 2
    return running[1:]


cumprod = defprim("cumprod", lambda x, *, axis: np.cumprod(x, axis=axis),
                  jvp=_cumprod_jvp, vjp=_cumprod_vjp, taylor=_cumprod_taylor, sparsity=PREFIX)


def _argsort_impl(x, *, axis, descending):
    """Stable: equal entries keep their order, in both directions; nan
    counts as the largest (last going up, first going down), as in PyTorch."""
    x = np.asarray(x)
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    if x.dtype.kind != "f":  # a key that reverses the order (unsigned ints do not negate)
        key = ~x if x.dtype.kind == "b" else (x.max(initial=0) - x if x.dtype.kind == "u"
                                              else np.negative(x))
        return np.argsort(key, axis=axis, kind="stable")
    return np.lexsort((np.negative(x), ~np.isnan(x)), axis=axis)


argsort = defprim("argsort", _argsort_impl,
                   vmap=TRAILING)


def sort(x, *, axis, descending=False):
    """x sorted along ``axis``: x gathered through its sorting permutation,
    so the gradient flows back through that permutation. ``argsort`` gives
    the indices."""
    order = index_values(argsort(x, axis=axis, descending=descending))
    return sh.gather(x, indices=order, axis=axis)


def diff(x, *, n=1, axis=-1):
    """The n-th forward difference along ``axis``, as ``np.diff``."""
    for _ in range(n):
        x = sh.getitem(x, index=_along(axis, slice(1, None))) - \
            sh.getitem(x, index=_along(axis, slice(None, -1)))
    return x


def _diagonal_positions(rows, cols, offset):
    """Row and column indices of the ``offset`` diagonal of a rows x cols matrix."""
    length = max(0, min(rows + min(offset, 0), cols - max(offset, 0)))
    steps = np.arange(length)
    return steps - min(offset, 0), steps + max(offset, 0)


def diagonal(x, *, offset=0, axis1=-2, axis2=-1):
    """The ``offset`` diagonal of the matrices on axes ``axis1``, ``axis2``, as
    a last axis (``np.diagonal``). Linear: a getitem after a permute."""
    moved = sh.moveaxis(x, source=(axis1, axis2), destination=(-2, -1))
    rows, cols = _diagonal_positions(*shape_of(moved)[-2:], offset)
    return sh.getitem(moved, index=(Ellipsis, rows, cols))


def trace(x, *, offset=0, axis1=-2, axis2=-1):
    """Sum of the ``offset`` diagonal (``np.trace``)."""
    return red.sum(diagonal(x, offset=offset, axis1=axis1, axis2=axis2), axis=(-1,),
                   keepdims=False)


def diag(x, *, k=0):
    """``np.diag``: a vector's entries on the k-th diagonal of a square matrix
    (zeros elsewhere), or a matrix's k-th diagonal as a vector."""
    if ndim_of(x) == 2:
        return diagonal(x, offset=k)
    n = shape_of(x)[0] + abs(k)
    return sh.scatter(x, shape=(n, n), index=_diagonal_positions(n, n, k))


def tril(x, *, k=0):
    """The last two axes' entries on and below the k-th diagonal; zeros above."""
    return ew.where(np.tri(*shape_of(x)[-2:], k, dtype=bool), x, 0)


def triu(x, *, k=0):
    """The last two axes' entries on and above the k-th diagonal; zeros below."""
    return ew.where(np.tri(*shape_of(x)[-2:], k - 1, dtype=bool), 0, x)


def roll(x, *, shift, axis):
    """Entries shifted cyclically by ``shift[k]`` along ``axis[k]`` (tuples of
    equal length; axis None: over the flattened array, by ``shift[0]``),
    as ``np.roll``: a concatenation of the two slices that trade places."""
    if axis is None:
        return sh.reshape(roll(ravel(x), shift=shift, axis=(-1,)), shape=shape_of(x))
    for s, a in zip(shift, axis):
        n = shape_of(x)[a]
        cut = n - s % n if n else 0
        if 0 < cut < n:
            x = sh.concatenate(sh.getitem(x, index=_along(a, slice(cut, None))),
                               sh.getitem(x, index=_along(a, slice(None, cut))), axis=a)
    return x


def take(x, *, indices, axis=None):
    """``np.take``: entries at ``indices`` along ``axis``, or of the flattened
    array when axis is None (``torch.take``); negative indices count from
    the end."""
    if axis is None:
        x, axis = ravel(x), -1
    return sh.getitem(x, index=_along(axis, np.asarray(indices)))


def pad(x, *, pad_width, value=0.0):
    """Constant padding, ``pad_width`` a (before, after) pair per axis (as
    ``np.pad`` normalises it): x scattered into a larger array, linear in x;
    a nonzero ``value`` fills the border exactly (a where, not an add)."""
    shape = tuple(before + n + after for n, (before, after) in zip(shape_of(x), pad_width))
    inside = tuple(slice(before, before + n) for n, (before, _) in zip(shape_of(x), pad_width))
    out = sh.scatter(x, shape=shape, index=inside)
    if value == 0:
        return out
    border = np.ones(shape, dtype=bool)
    border[inside] = False
    return ew.where(border, value, out)
