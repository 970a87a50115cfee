"""Shape primitives: reshape, broadcast, axes, indexing, joining. All are
linear, so their JVP is the primitive itself applied to the tangent; their
VJPs are the adjoint shape operation."""

import numpy as np

from ..core.batching import INDEXED, JOINTLY_LINEAR
from ..core.sparsity import MOVES
from ..core.cotangents import Pieces, sum_to
from ..core.primitive import defprim
from ..core.taylor import LOCALLY_LINEAR
from ..core.values import canonical, shape_of, ndim_of


def _reshape_impl(x, *, shape):
    """A view (an array in, an array out, even 0-d: it shares memory); a
    float stays a float."""
    if type(x) is float:
        return x if shape == () else np.reshape(x, shape)
    return np.reshape(x, shape)


def _index_kind(index):
    parts = index if isinstance(index, tuple) else (index,)
    if any(isinstance(p, (np.ndarray, list)) for p in parts):
        return "IndexBackward0"
    if all(isinstance(p, (int, np.integer)) for p in parts):
        return "SelectBackward0"
    return "SliceBackward0"


def _is_basic(index):
    parts = index if isinstance(index, tuple) else (index,)
    return not any(isinstance(p, (np.ndarray, list)) for p in parts)


def _placed_at(shape, index, piece_shape):
    """For each element of a piece added at ``index`` into an array of
    ``shape``, the (flat) element it is added to: the index applied to the
    output's element numbers (a repeated position is read by each element
    added there)."""
    numbers = np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)
    return np.broadcast_to(numbers[index], piece_shape).ravel()


def _scatter_reads(shapes, out_shape, values, traced, *, shape, index):
    size = int(np.prod(shapes[0], dtype=np.int64))
    return [(_placed_at(shape, index, shapes[0]), np.arange(size))]


def _scatter_impl(g, *, shape, index):
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeats add up)."""
    out = np.zeros(shape, dtype=np.result_type(g))
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return canonical(out)


def _index_put_impl(x, v, *, index):
    out = np.array(x, copy=True)
    out[index] = v
    return canonical(out)


def _along_axis(indices, axis, shape):
    """The full fancy index that ``take_along_axis(x, indices, axis)`` uses."""
    n = len(shape)
    axis = axis % n
    grids = np.ogrid[tuple(slice(s) for s in indices.shape)]
    return tuple(indices if i == axis else grids[i] for i in range(n))


def _scatter_along_reads(shapes, out_shape, values, traced, *, indices, axis, shape):
    """Each element of g is added at its index along ``axis``."""
    numbers = np.arange(int(np.prod(shape, dtype=np.int64))).reshape(shape)
    indices = np.broadcast_to(indices, shapes[0])
    return [(numbers[_along_axis(indices, axis, shape)].ravel(),
             np.arange(int(np.prod(shapes[0], dtype=np.int64))))]


def _scatter_along_impl(g, *, indices, axis, shape):
    """Zeros of ``shape`` with ``g`` added at ``indices`` along ``axis``; the
    indices may broadcast against ``g`` (as take_along_axis lets them)."""
    indices = np.broadcast_to(indices, np.shape(g))
    out = np.zeros(shape, dtype=np.result_type(g))
    np.add.at(out, _along_axis(indices, axis, shape), g)
    return canonical(out)


def _piece(g, i, shapes, axis):
    """The slice of a concatenation's cotangent that belongs to input i."""
    start = int(np.sum([s[axis] for s in shapes[:i]], dtype=int))
    index = (Ellipsis, slice(start, start + shapes[i][axis])) + (slice(None),) * (-axis - 1)
    return getitem(g, index=index)


def _lead_shape(t, x_shape, lead, shape, **params):
    """Batch rule of shape-taking primitives: the target shape gets the
    batch axes in front (the tangent padded so they line up)."""
    missing = len(shape) - len(x_shape)
    if missing > 0:
        t = reshape(t, shape=lead + (1,) * missing + tuple(x_shape))
    return t, dict(params, shape=lead + tuple(shape))


def _lead_axes(t, x_shape, lead, axes):
    n = len(lead)
    return t, dict(axes=tuple(range(n)) + tuple(a + n for a in axes))


def _lead_index(t, x_shape, lead, index):
    """Batch rule of getitem: full slices for the batch axes. Where advanced
    indices stand apart, NumPy puts their axes first, ahead of the batch
    axes; they are moved back behind them after."""
    params = dict(index=(slice(None),) * len(lead) + _as_tuple(index))
    if not _advanced_apart(index):
        return t, params
    n, first = len(lead), _advanced_ndim(index)
    return t, params, lambda out: moveaxis(out, source=tuple(range(first, first + n)),
                                          destination=tuple(range(n)))


def _lead_scatter(t, x_shape, lead, shape, index):
    """Batch rule of scatter, getitem's transpose: the batch axes go where
    getitem with the prefixed index would have put them."""
    params = dict(shape=lead + tuple(shape), index=(slice(None),) * len(lead) + _as_tuple(index))
    if _advanced_apart(index):
        n, first = len(lead), _advanced_ndim(index)
        t = moveaxis(t, source=tuple(range(n)), destination=tuple(range(first, first + n)))
    return t, params


def _advanced_ndim(index):
    """How many axes the advanced (array) indices of ``index`` make."""
    shapes = [(int(np.count_nonzero(p)),) if np.asarray(p).dtype == bool else np.shape(p)
              for p in _as_tuple(index) if isinstance(p, (np.ndarray, list))]
    return len(np.broadcast_shapes(*shapes))


def _lead_indices(t, x_shape, lead, indices, axis, **params):
    indices = np.asarray(indices).reshape((1,) * len(lead) + np.shape(indices))
    if "shape" in params:
        params["shape"] = lead + tuple(params["shape"])
    return t, dict(params, indices=indices, axis=axis)


def _as_tuple(index):
    return index if isinstance(index, tuple) else (index,)


def _advanced_apart(index):
    """Whether NumPy moves the axes of the advanced indices to the front (and
    so ahead of leading batch axes): it does when anything other than an
    advanced index (a slice, None, even an Ellipsis that stands for no axis)
    lies between two of them. With an array in the index, integers count as
    advanced indices too."""
    parts = _as_tuple(index)
    if not any(isinstance(p, (np.ndarray, list)) for p in parts):
        return False
    places = [k for k, p in enumerate(parts) if isinstance(p, (np.ndarray, list, int, np.integer))]
    return places[-1] - places[0] + 1 != len(places)


reshape = defprim("reshape", _reshape_impl, linear=True, view=True, batch=_lead_shape,
                  backward_name="ViewBackward0",
                  vjp=lambda g, x_shape, *, shape: reshape(g, shape=x_shape), sparsity=MOVES)
broadcast_to = defprim("broadcast_to", lambda x, *, shape: np.broadcast_to(x, shape),
                       linear=True, view=True, batch=_lead_shape, backward_name="ExpandBackward0",
                       vjp=lambda g, x_shape, *, shape: sum_to(g, x_shape), sparsity=MOVES)
permute = defprim("permute", lambda x, *, axes: np.transpose(x, axes), linear=True, view=True,
                  batch=_lead_axes,
                  vjp=lambda g, *, axes: permute(g, axes=tuple(np.argsort(axes))), sparsity=MOVES)
transpose = defprim("transpose", lambda x, *, dim0, dim1: np.swapaxes(x, dim0, dim1),
                    linear=True, view=True,
                    vjp=lambda g, *, dim0, dim1: transpose(g, dim0=dim0, dim1=dim1), sparsity=MOVES)
squeeze = defprim("squeeze", lambda x, *, axis: x if type(x) is float else np.squeeze(x, axis),
                  linear=True,
                  view=True, vjp=lambda g, x_shape, *, axis: reshape(g, shape=x_shape),
                  sparsity=MOVES)
unsqueeze = defprim("unsqueeze", lambda x, *, axis: np.expand_dims(x, axis), linear=True,
                    view=True, vjp=lambda g, x_shape, *, axis: reshape(g, shape=x_shape),
                    sparsity=MOVES)
def _getitem_impl(x, *, index):
    """``x[index]``. Where NumPy would copy a single entry out as a scalar,
    take a 0-d view instead (``x[index + (...,)]``), so that an in-place
    change through ``t[i]`` reaches ``t``, as in PyTorch."""
    if type(x) is float:
        return x if index == () else np.asarray(x)[index]
    x = np.asarray(x)
    out = x[index]
    if isinstance(out, np.generic) and Ellipsis not in _as_tuple(index):
        return x[_as_tuple(index) + (Ellipsis,)]
    return out


getitem = defprim("getitem", _getitem_impl, linear=True,
                  view=True, batch=_lead_index, backward_name=lambda index: _index_kind(index),
                  vjp=lambda g, x_shape, *, index: Pieces(x_shape, g, index), sparsity=MOVES)
scatter = defprim("scatter", _scatter_impl, linear=True, batch=_lead_scatter,
                  vjp=lambda g, *, shape, index: getitem(g, index=index), sparsity=_scatter_reads)


def _scatter_sum_impl(*pieces, shape, indices):
    """Zeros of ``shape`` with each piece added at its index."""
    out = np.zeros(shape, dtype=np.result_type(*pieces))
    for piece, index in zip(pieces, indices):
        if _is_basic(index):
            out[index] += piece
        else:
            np.add.at(out, index, piece)
    return canonical(out)


def _scatter_sum_jvp(tangents, pieces, *, shape, indices):
    """scatter_sum is linear in all its pieces together: its tangent is the
    scatter_sum of theirs (one array for all, batch axes in front)."""
    kept = [(t, p, index) for t, p, index in zip(tangents, pieces, indices) if t is not None]
    if not kept:
        return None
    leads = {shape_of(t)[:ndim_of(t) - ndim_of(p)] for t, p, _ in kept}
    lead = max(leads, key=len)
    if len(leads) > 1 or lead and not all(_is_basic(index) for _, _, index in kept):
        total = None  # batch axes that differ or advanced indices: one scatter per piece
        for t, p, index in kept:
            t_lead = shape_of(t)[:ndim_of(t) - ndim_of(p)]
            t, params = _lead_scatter(t, shape_of(p), t_lead, shape, index)
            total = scatter(t, **params) if total is None else total + scatter(t, **params)
        return total
    prefix = (slice(None),) * len(lead)
    return scatter_sum(*[t for t, _, _ in kept], shape=lead + tuple(shape),
                       indices=tuple(prefix + _as_tuple(index) for _, _, index in kept))


def _scatter_sum_reads(shapes, out_shape, values, traced, *, shape, indices):
    return [(_placed_at(shape, index, piece), np.arange(int(np.prod(piece, dtype=np.int64))))
            if t else None for piece, index, t in zip(shapes, indices, traced)]


scatter_sum = defprim("scatter_sum", _scatter_sum_impl, "*pieces", joint_jvp=_scatter_sum_jvp,
                      taylor=LOCALLY_LINEAR,
                      vjp=lambda g, i, *, shape, indices: getitem(g, index=indices[i]),
                      sparsity=_scatter_sum_reads,
                       vmap=JOINTLY_LINEAR)


index_put = defprim("index_put", _index_put_impl, "x v", backward_name="IndexPutBackward0",
                    taylor=LOCALLY_LINEAR,
                    jvp=(lambda t, x_shape, *, index:
                         index_put(t, 0.0, index=_behind(t, x_shape, index)),
                         lambda t, ans, v_shape, *, index: _put_tangent(t, ans, v_shape, index)),
                    vjp=(lambda g, *, index: index_put(g, 0.0, index=index),
                         lambda g, v_shape, *, index: _put_cotangent(g, v_shape, index)),
                         sparsity=MOVES,
                     vmap=JOINTLY_LINEAR)


def _behind(t, shape, index):
    """``index``, into a value of ``shape``, made to skip the leading batch axes
    that a tangent ``t`` may have in front of that shape."""
    lead = ndim_of(t) - len(shape)
    return (slice(None),) * lead + index if lead else index


def _put_tangent(t, ans, v_shape, index):
    """The tangent of ``index_put`` from the values' tangent ``t``: t written
    into zeros. A batch of tangents (leading axes) is written one direction at
    a time, since where an index puts its advanced axes depends on the axes
    before it."""
    lead = shape_of(t)[:ndim_of(t) - len(v_shape)]
    if not lead:
        return index_put(ans * 0.0, t, index=index)
    count = int(np.prod(lead, dtype=int))
    zeros = ans * 0.0
    if count == 0:  # no directions at all
        return broadcast_to(zeros, shape=lead + shape_of(ans))
    flat = reshape(t, shape=(count,) + tuple(v_shape))
    pieces = [index_put(zeros, getitem(flat, index=(k,)), index=index) for k in range(count)]
    return reshape(stack(*pieces, axis=-ndim_of(ans) - 1), shape=lead + shape_of(ans))


def _put_cotangent(g, v_shape, index):
    """Cotangent of the values written by ``index_put``: ``g`` at the written
    places, summed back to v's shape. An index that names a place more than
    once writes it once (the last write wins), so only the winning write
    receives that place's cotangent; the overwritten ones get 0."""
    picked = getitem(g, index=index)
    if not _is_basic(index):
        winners = _winning_writes(shape_of(g), index)
        if winners is not None:
            picked = picked * winners
    return sum_to(picked, v_shape)


def _winning_writes(shape, index):
    """For a write ``out[index] = v`` into an array of ``shape``: a bool mask
    over ``out[index]``'s shape, True where the write stays (NumPy's own
    assignment decides, so it agrees with the implementation); None when no
    place is written twice. Computed from the static index alone."""
    board = np.full(shape, -1, dtype=np.intp)
    written = board[index].shape
    ids = np.arange(int(np.prod(written, dtype=np.intp)), dtype=np.intp).reshape(written)
    board[index] = ids
    winners = board[index] == ids
    return None if winners.all() else winners


gather = defprim("gather", lambda x, *, indices, axis: np.take_along_axis(np.asarray(x), indices, axis),
                 linear=True, batch=_lead_indices,
                 vjp=lambda g, x_shape, *, indices, axis:
                 scatter_along(g, indices=indices, axis=axis, shape=x_shape), sparsity=MOVES,
                 vmap=INDEXED)
scatter_along = defprim("scatter_along", _scatter_along_impl, linear=True, batch=_lead_indices,
                        vjp=lambda g, *, indices, axis, shape: gather(g, indices=indices, axis=axis),
                        sparsity=_scatter_along_reads)
concatenate = defprim("concatenate", lambda *xs, axis: np.concatenate(xs, axis), "*xs",
                      backward_name="CatBackward0", taylor=LOCALLY_LINEAR,
                      jvp=lambda t, i, xs_shape, ans, *, axis: _placed(t, i, xs_shape, ans, axis),
                      vjp=lambda g, i, xs_shape, *, axis: _piece(g, i, xs_shape, axis),
                      sparsity=MOVES,
                       vmap=JOINTLY_LINEAR)
stack = defprim("stack", lambda *xs, axis: np.stack(xs, axis), "*xs", taylor=LOCALLY_LINEAR,
                jvp=lambda t, i, ans, *, axis: _placed(
                    unsqueeze(t, axis=axis), i, None, ans, axis),
                vjp=lambda g, i, *, axis: getitem(g, index=(Ellipsis, i) + (slice(None),) * (-axis - 1)),
                sparsity=MOVES,
                 vmap=JOINTLY_LINEAR)


def _placed(t, i, shapes, ans, axis):
    """The tangent of a concatenation from input i alone: ``t`` padded with
    zeros where the other inputs go (``shapes`` None: each input is one
    slot wide, as in stack). Leading batch axes of ``t`` are kept."""
    before = i if shapes is None else int(np.sum([s[axis] for s in shapes[:i]], dtype=int))
    width = 1 if shapes is None else shapes[i][axis]
    t_shape = shape_of(t)
    lead = t_shape[:len(t_shape) - ndim_of(ans)]
    index = (Ellipsis, slice(before, before + width)) + (slice(None),) * (-axis - 1)
    return scatter(t, shape=lead + shape_of(ans), index=index)


def moveaxis(x, *, source, destination):
    """Move axes to new positions (a permute)."""
    n = ndim_of(x)
    source = [s % n for s in np.atleast_1d(source)]
    destination = [d % n for d in np.atleast_1d(destination)]
    order = [a for a in range(n) if a not in source]
    for d, s in sorted(zip(destination, source)):
        order.insert(d, s)
    return permute(x, axes=tuple(order))
