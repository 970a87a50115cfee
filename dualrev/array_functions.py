"""Array functions with PyTorch's names and signatures: cumulative sums and
products, sorting, flips and rolls, diagonals and triangles, padding,
``einsum`` and tensor products. Tensor methods call them too. (Elementwise
math, reductions and shapes are in ``functions``; matrix algebra in
``linalg``.)"""

import numpy as np

from . import ops
from ._arrays import ndim_of, shape_of
from ._prims import Box, raw_value
from . import functions as F
from ._args import _axis, _boxed, _named, values_indices

def _dims(input, dims):
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    return tuple(_axis(input, d) for d in dims)


def cumsum(input, dim):
    """Running sums along ``dim``."""
    return _boxed(ops.cumsum(input, axis=_axis(input, dim)))


def cumprod(input, dim):
    """Running products along ``dim`` (derivatives exact with zeros)."""
    return _boxed(ops.cumprod(input, axis=_axis(input, dim)))


def sort(input, dim=-1, descending=False, stable=True):
    """``(values, indices)`` sorted along ``dim``; gradients flow back through
    the sorting permutation."""
    axis = _axis(input, dim)
    order = ops.argsort(raw_value(input), axis=axis, descending=descending)
    return values_indices(_named(ops.gather(input, indices=order, axis=axis), "SortBackward0"),
                          _boxed(order))


def argsort(input, dim=-1, descending=False, stable=True):
    """The indices that sort ``input`` along ``dim`` (not differentiable)."""
    return _boxed(ops.argsort(raw_value(input), axis=_axis(input, dim), descending=descending))


def flip(input, dims):
    """``input`` with the order of entries reversed along ``dims``."""
    return _named(ops.flip(input, axis=_dims(input, dims)), "FlipBackward0")


def roll(input, shifts, dims=None):
    """Entries shifted cyclically by ``shifts`` along ``dims`` (the flattened
    tensor when ``dims`` is None)."""
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    return _named(ops.roll(input, shift=shifts, axis=None if dims is None else _dims(input, dims)),
                  "RollBackward0")


def diff(input, n=1, dim=-1):
    """The n-th forward difference along ``dim``."""
    return _boxed(ops.diff(input, n=n, axis=_axis(input, dim)))


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the matrices on axes ``dim1``, ``dim2`` (PyTorch's
    defaults: the first two axes), as the last axis."""
    return _boxed(ops.diagonal(input, offset=offset, axis1=_axis(input, dim1),
                               axis2=_axis(input, dim2)))


def trace(input):
    """The sum of the diagonal of a matrix."""
    if ndim_of(input) != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {ndim_of(input)}")
    return _named(ops.trace(input), "TraceBackward0")


def diag(input, diagonal=0):
    """A vector on the ``diagonal``-th diagonal of a square matrix, or the
    ``diagonal``-th diagonal of a matrix as a vector."""
    if ndim_of(input) not in (1, 2):
        raise RuntimeError("diag(): Supports 1D or 2D tensors")
    return _named(ops.diag(input, k=diagonal),
                  "DiagEmbedBackward0" if ndim_of(input) == 1 else "DiagonalBackward0_copy")


def tril(input, diagonal=0):
    """The lower triangle of the last two axes; the rest set to 0."""
    return _named(ops.tril(input, k=diagonal), "TrilBackward0")


def triu(input, diagonal=0):
    """The upper triangle of the last two axes; the rest set to 0."""
    return _named(ops.triu(input, k=diagonal), "TriuBackward0")


def take(input, index):
    """Entries of the flattened ``input`` at ``index`` (integers)."""
    return _named(ops.take(input, indices=np.asarray(raw_value(index)), axis=None),
                  "TakeBackward0")


def take_along_dim(input, indices, dim):
    """Entries picked along ``dim`` by ``indices`` (NumPy's take_along_axis)."""
    return _boxed(ops.gather(input, indices=np.asarray(raw_value(indices)),
                             axis=_axis(input, dim)))


def gather(input, dim, index, *, sparse_grad=False):
    """``out[i][j] = input[i][index[i][j]]`` for ``dim`` = 1 (and so on): the
    output has ``index``'s shape, which may be smaller than the input's in
    the other axes (PyTorch's gather)."""
    index = np.asarray(raw_value(index))
    if ndim_of(input) == 0:
        if index.ndim or int(index) != 0:
            raise RuntimeError("gather(): index out of range for a 0-d tensor")
        return _named(F.reshape(input, ()), "GatherBackward0")
    axis = _axis(input, dim)
    if index.ndim != ndim_of(input):
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    _check_indices(index, shape_of(input)[axis], RuntimeError, f"{axis % ndim_of(input)} ")
    corner = tuple(slice(None) if a == axis % index.ndim else slice(0, n)
                   for a, n in enumerate(index.shape))
    return _named(ops.gather(_boxed(input)[corner], indices=index, axis=axis), "GatherBackward0")


def moveaxis(input, source, destination):
    """``input`` with the axes ``source`` moved to ``destination``."""
    source, destination = _dims(input, source), _dims(input, destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(source)}"
                           f" dims) should contain the same number of dims as destination "
                           f"({list(destination)} dims)")
    for name, dims in (("source", source), ("destination", destination)):
        if len(set(d % max(ndim_of(input), 1) for d in dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    return _boxed(ops.moveaxis(input, source=source, destination=destination))


movedim = moveaxis


def vstack(tensors):
    """Tensors stacked as rows: 0-d and 1-d ones become rows, then joined
    along axis 0."""
    return F.cat([F.reshape(x, 1, -1) if ndim_of(x) < 2 else x for x in tensors], 0)


def hstack(tensors):
    """Tensors joined along axis 1 (axis 0 for 0-d and 1-d ones, 0-d ones
    taken as 1-d)."""
    tensors = [F.reshape(x, 1) if ndim_of(x) == 0 else x for x in tensors]
    return F.cat(tensors, 0 if all(ndim_of(x) == 1 for x in tensors) else 1)


def pad(input, pad, mode="constant", value=0.0):
    """Constant padding, pairs given from the last axis backwards as in
    ``torch.nn.functional.pad``: ``pad=(left, right, top, bottom, ...)``."""
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r}; dualrev pads with a constant only")
    pad = tuple(pad)
    if len(pad) % 2 or len(pad) // 2 > ndim_of(input):
        raise RuntimeError("Padding length must be divisible by 2 and at most twice the number "
                           "of dimensions of the input")
    if any(p < 0 for p in pad):
        raise NotImplementedError("pad: negative padding (cropping); index the tensor instead")
    pairs = [(0, 0)] * (ndim_of(input) - len(pad) // 2) + [
        (pad[k], pad[k + 1]) for k in range(len(pad) - 2, -1, -2)]
    return _boxed(ops.pad(input, pad_width=tuple(pairs), value=value))


def einsum(equation, *operands):
    """Einstein summation over ``operands`` (NumPy's and PyTorch's
    subscripts, with ``...`` and repeated letters), differentiable in every
    operand."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return _boxed(ops.einsum(*operands, subscripts=equation))


def tensordot(a, b, dims=2):
    """Sum over the last ``dims`` axes of a and the first of b, or over the
    axes listed in ``dims = (axes_a, axes_b)``."""
    if isinstance(dims, (int, np.integer)):
        axes = (tuple(range(-dims, 0)), tuple(range(dims)))
    else:
        axes = (tuple(np.atleast_1d(dims[0])), tuple(np.atleast_1d(dims[1])))
    axes = (tuple(_axis(a, d) for d in axes[0]), tuple(_axis(b, d) for d in axes[1]))
    for i, j in zip(*axes):
        if shape_of(a)[i] != shape_of(b)[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{shape_of(a)[i]} in dim {i} and second has size {shape_of(b)[j]}")
    return _boxed(ops.tensordot(a, b, axes=axes))


def outer(input, vec2):
    """Every entry of ``input`` times every entry of ``vec2``."""
    return _named(ops.outer(input, vec2), "MulBackward0")


ger = outer


def inner(input, other):
    """Sum over the last axes of both."""
    return _boxed(ops.inner(input, other))


def vdot(input, other):
    """The dot product of two vectors."""
    if ndim_of(input) != 1 or ndim_of(other) != 1:
        raise RuntimeError(f"1D tensors expected, but got {ndim_of(input)}D and "
                           f"{ndim_of(other)}D tensors")
    return _named(ops.vdot(input, other), "VdotBackward0")


# pieces, repeats and selections ---------------------------------------------

def _slice_along(input, axis, item):
    """``input`` indexed by ``item`` along ``axis`` (a view)."""
    return _boxed(input)[(slice(None),) * (axis % ndim_of(input)) + (item,)]


def _axis_size(input, dim, what):
    """The axis ``dim`` and its size, for a function that needs an axis."""
    if ndim_of(input) == 0:
        raise RuntimeError(f"{what}: dimension specified as {dim} but tensor has no dimensions")
    axis = _axis(input, dim)
    return axis, shape_of(input)[axis]


def narrow(input, dim, start, length):
    """The entries ``start`` to ``start + length`` along ``dim`` (a view)."""
    axis, size = _axis_size(input, dim, "narrow()")
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    start = start + size if start < 0 else start
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice_along(input, axis, slice(start, start + length))


def split(tensor, split_size_or_sections, dim=0):
    """Pieces along ``dim``: of ``split_size_or_sections`` entries each (the
    last may be shorter), or of the listed sizes (views)."""
    axis, size = _axis_size(tensor, dim, "split()")
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step <= 0 and not (step == 0 and size == 0):
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={step}" if step < 0 else
                               "split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = [min(step, size - s) for s in range(0, size, step)] if step else [0]
        sizes, name = sizes or [0], "SplitBackward0"
    else:
        sizes, name = [int(s) for s in split_size_or_sections], "SplitWithSizesBackward0"
        if any(n < 0 for n in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sizes}")
    starts = np.cumsum([0] + sizes[:-1])
    return tuple(_named(_slice_along(tensor, axis, slice(int(a), int(a) + n)), name)
                 for a, n in zip(starts, sizes))


def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size along ``dim`` (the last may be
    smaller)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    _, size = _axis_size(input, dim, "chunk()")
    if size == 0:  # chunks empty pieces
        return tuple(_named(_slice_along(input, _axis(input, dim), slice(0, 0)), "SplitBackward0")
                     for _ in range(chunks))
    return split(input, -(-size // chunks), dim)


def unbind(input, dim=0):
    """The slices along ``dim``, that axis removed (views)."""
    axis, size = _axis_size(input, dim, "unbind()")
    return tuple(_named(_slice_along(input, axis, i), "UnbindBackward0") for i in range(size))


def index_select(input, dim, index):
    """The entries at ``index`` (integers, a vector) along ``dim``."""
    index = np.atleast_1d(np.asarray(raw_value(index)))
    if index.ndim != 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    axis, size = (0, 1) if ndim_of(input) == 0 else _axis_size(input, dim, "index_select()")
    _check_indices(index, size)
    if ndim_of(input) == 0:
        return _named(F.reshape(input, (1,)), "IndexSelectBackward0")
    return _named(ops.take(input, indices=index, axis=axis), "IndexSelectBackward0")


def _check_indices(index, size, error=IndexError, axis=""):
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = int(index.min() if index.min() < 0 else index.max())
        raise error(f"index {bad} is out of bounds for dimension {axis}with size {size}")


def repeat(input, *sizes):
    """``input`` repeated ``sizes[i]`` times along each axis (leading axes
    added where ``sizes`` has more), as PyTorch's Tensor.repeat."""
    sizes = tuple(int(s) for s in (sizes[0] if len(sizes) == 1 and
                                   isinstance(sizes[0], (tuple, list)) else sizes))
    shape = shape_of(input)
    if len(sizes) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    shape = (1,) * (len(sizes) - len(shape)) + tuple(shape)
    spread = tuple(x for n in shape for x in (1, n))      # a size-1 axis before each axis
    tiled = tuple(x for r, n in zip(sizes, shape) for x in (r, n))
    out = F.reshape(F.broadcast_to(F.reshape(input, spread), tiled),
                    tuple(r * n for r, n in zip(sizes, shape)))
    return _named(out, "RepeatBackward0")


def tile(input, dims):
    """``input`` repeated ``dims[i]`` times along each axis; fewer ``dims``
    than axes count from the last axis (NumPy's tile)."""
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    return repeat(input, (1,) * (ndim_of(input) - len(dims)) + dims)


def masked_fill(input, mask, value):
    """``value`` where ``mask`` (bool) holds, ``input`` elsewhere, in
    ``input``'s dtype."""
    mask = np.asarray(raw_value(mask))
    if mask.dtype != bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype}")
    if not isinstance(value, Box):
        value = np.asarray(value).astype(np.result_type(raw_value(input)))
    name = "MaskedFillBackward1" if isinstance(value, Box) else "MaskedFillBackward0"
    return _named(ops.where(mask, value, input), name)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) entries along ``dim`` and their
    indices, largest first."""
    if ndim_of(input) == 0:
        if k > 1:
            raise RuntimeError("selected index k out of range")
        return values_indices(_named(F.reshape(input, ()), "TopkBackward0"),
                              _boxed(np.asarray(0)))
    axis = _axis(input, dim)
    order = ops.argsort(raw_value(input), axis=axis, descending=largest)
    picked = np.take(order, np.arange(k), axis=axis)
    values = _named(ops.gather(input, indices=picked, axis=axis), "TopkBackward0")
    return values_indices(values, _boxed(picked))
