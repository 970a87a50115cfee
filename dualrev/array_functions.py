"""Array functions with PyTorch's names and signatures: cumulative sums and
products, sorting, flips and rolls, diagonals and triangles, padding,
``einsum`` and tensor products. Tensor methods call them too. (Elementwise
math, reductions and shapes are in ``functions``; matrix algebra in
``linalg``.)"""

import numpy as np

from . import rules
from .core.values import ndim_of, shape_of
from .core.primitive import Box, raw_value
from . import shape_functions as S
from ._args import (
    _axis, _int, _numel, _sizes, check_alloc, operand, operands, values_indices)
from ._tensor import boxed, named


def _dims(input, dims):
    if isinstance(dims, (int, np.integer)):
        dims = (dims,)
    elif not isinstance(dims, (tuple, list)):
        raise TypeError(f"argument 'dims' must be tuple of ints, not {type(dims).__name__}")
    return tuple(_axis(input, d) for d in dims)


def _0d(input, fn):
    """The result of a function along an axis of a 0-d tensor, which PyTorch
    treats as one of size 1: a copy of the value."""
    return named(S.reshape(input, ()), fn)


def cumsum(input, dim):
    """Running sums along ``dim``."""
    input = operand(input, "cumsum")
    return boxed(rules.cumsum(input, axis=_axis(input, dim)))


def cumprod(input, dim):
    """Running products along ``dim`` (derivatives exact with zeros)."""
    input = operand(input, "cumprod")
    return boxed(rules.cumprod(input, axis=_axis(input, dim)))


def sort(input, dim=-1, descending=False, stable=True):
    """``(values, indices)`` sorted along ``dim``; gradients flow back through
    the sorting permutation."""
    input = operand(input, "sort")
    axis = _axis(input, dim)
    if ndim_of(input) == 0:
        return values_indices(_0d(input, "SortBackward0"), boxed(np.asarray(0)))
    order = rules.argsort(raw_value(input), axis=axis, descending=descending)
    return values_indices(named(rules.gather(input, indices=order, axis=axis), "SortBackward0"),
                          boxed(order))


def argsort(input, dim=-1, descending=False, stable=True):
    """The indices that sort ``input`` along ``dim`` (not differentiable)."""
    input = operand(input, "argsort")
    axis = _axis(input, dim)
    if ndim_of(input) == 0:
        return boxed(np.asarray(0))
    return boxed(rules.argsort(raw_value(input), axis=axis, descending=descending))


def flip(input, dims):
    """``input`` with the order of entries reversed along ``dims``."""
    input = operand(input, "flip")
    # a copy, as PyTorch's (reversed slices would be a view of input)
    return named(rules.clone(rules.flip(input, axis=_dims(input, dims))), "FlipBackward0")


def roll(input, shifts, dims=None):
    """Entries shifted cyclically by ``shifts`` along ``dims`` (the flattened
    tensor when ``dims`` is None)."""
    input = operand(input, "roll")
    shifts = _sizes((shifts,), "roll")
    if dims is not None:
        dims = _dims(input, dims)
        if len(dims) != len(shifts):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                               f"{len(dims)}")
    elif len(shifts) != 1:
        raise RuntimeError("roll: shifts must be a single int when dims is not given")
    return named(rules.roll(input, shift=shifts, axis=dims),
                  "RollBackward0")


def diff(input, n=1, dim=-1):
    """The n-th forward difference along ``dim``."""
    input = operand(input, "diff")
    n = _int(n, "diff", "n")
    if ndim_of(input) == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    axis = _axis(input, dim)
    size = shape_of(input)[axis]
    if n >= size:  # all differences taken: an empty axis (NumPy would loop n times)
        return boxed(input)[(slice(None),) * (axis % ndim_of(input)) + (slice(0, 0),)]
    return boxed(rules.diff(input, n=n, axis=axis))


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the matrices on axes ``dim1``, ``dim2`` (PyTorch's
    defaults: the first two axes), as the last axis."""
    input = operand(input, "diagonal")
    offset = _int(offset, "diagonal", "offset")
    if ndim_of(input) < 2:
        raise RuntimeError(f"diagonal dimensions requires ndim larger than 1, but got "
                           f"ndim={ndim_of(input)}")
    if _axis(input, dim1) == _axis(input, dim2):
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return boxed(rules.diagonal(input, offset=offset, axis1=_axis(input, dim1),
                               axis2=_axis(input, dim2)))


def trace(input):
    """The sum of the diagonal of a matrix."""
    input = operand(input, "trace")
    if ndim_of(input) != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {ndim_of(input)}")
    return named(rules.trace(input), "TraceBackward0")


def diag(input, diagonal=0):
    """A vector on the ``diagonal``-th diagonal of a square matrix, or the
    ``diagonal``-th diagonal of a matrix as a vector."""
    input = operand(input, "diag")
    if ndim_of(input) not in (1, 2):
        raise RuntimeError("diag(): Supports 1D or 2D tensors")
    diagonal = _int(diagonal, "diag", "diagonal")
    check_alloc((shape_of(input)[0] + abs(diagonal),) * 2 if ndim_of(input) == 1 else (), 8, "diag")
    return named(rules.diag(input, k=diagonal),
                  "DiagEmbedBackward0" if ndim_of(input) == 1 else "DiagonalBackward0_copy")


def tril(input, diagonal=0):
    """The lower triangle of the last two axes; the rest set to 0."""
    input = operand(input, "tril")
    _triangle(input, diagonal, "tril")
    return named(rules.tril(input, k=diagonal), "TrilBackward0")


def triu(input, diagonal=0):
    """The upper triangle of the last two axes; the rest set to 0."""
    input = operand(input, "triu")
    _triangle(input, diagonal, "triu")
    return named(rules.triu(input, k=diagonal), "TriuBackward0")


def _triangle(input, diagonal, fn):
    _int(diagonal, fn, "diagonal")
    if ndim_of(input) < 2:
        raise RuntimeError(f"{fn}: input tensor must have at least 2 dimensions")


def take(input, index):
    """Entries of the flattened ``input`` at ``index`` (integers)."""
    input = operand(input, "take")
    index = _index(index, "take")
    n = _numel(shape_of(input))
    if index.size and (index.min() < -n or index.max() >= n):
        bad = int(index.min() if index.min() < -n else index.max())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    return named(rules.take(input, indices=index, axis=None),
                  "TakeBackward0")


def take_along_dim(input, indices, dim):
    """Entries picked along ``dim`` by ``indices`` (NumPy's take_along_axis)."""
    input = operand(input, "take_along_dim")
    indices = _index(indices, "take_along_dim", "indices")
    axis = _axis(input, dim)
    if indices.ndim != ndim_of(input):
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {ndim_of(input)} dimensions for input, "
                           f"and {indices.ndim} dimensions for indices")
    size = shape_of(input)[axis] if ndim_of(input) else 1
    _check_indices(np.where(indices < 0, indices + size, indices), size)
    along = axis % max(indices.ndim, 1)
    try:
        np.broadcast_shapes(tuple(n for a, n in enumerate(indices.shape) if a != along),
                            tuple(n for a, n in enumerate(shape_of(input)) if a != along))
    except ValueError:
        raise RuntimeError("take_along_dim(): input and indices do not broadcast outside dim "
                           f"{dim}: {list(shape_of(input))} and {list(indices.shape)}") from None
    if ndim_of(input) == 0:
        return _0d(input, "GatherBackward0")
    return boxed(rules.gather(input, indices=np.where(indices < 0, indices + size, indices),
                             axis=axis))


def gather(input, dim, index, *, sparse_grad=False):
    """``out[i][j] = input[i][index[i][j]]`` for ``dim`` = 1 (and so on): the
    output has ``index``'s shape, which may be smaller than the input's in
    the other axes (PyTorch's gather)."""
    input = operand(input, "gather")
    index = _index(index, "gather")
    if ndim_of(input) == 0:
        if index.ndim or int(index) != 0:
            raise RuntimeError("gather(): index out of range for a 0-d tensor")
        return named(S.reshape(input, ()), "GatherBackward0")
    axis = _axis(input, dim)
    if index.ndim != ndim_of(input):
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    _check_indices(index, shape_of(input)[axis], RuntimeError, f"{axis % ndim_of(input)} ")
    corner = tuple(slice(None) if a == axis % index.ndim else slice(0, n)
                   for a, n in enumerate(index.shape))
    return named(rules.gather(boxed(input)[corner], indices=index, axis=axis), "GatherBackward0")


def moveaxis(input, source, destination):
    """``input`` with the axes ``source`` moved to ``destination``."""
    input = operand(input, "moveaxis")
    source, destination = _dims(input, source), _dims(input, destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(source)}"
                           f" dims) should contain the same number of dims as destination "
                           f"({list(destination)} dims)")
    for name, dims in (("source", source), ("destination", destination)):
        if len(set(d % max(ndim_of(input), 1) for d in dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    return boxed(rules.moveaxis(input, source=source, destination=destination))




def vstack(tensors):
    """Tensors stacked as rows: 0-d and 1-d ones become rows, then joined
    along axis 0."""
    tensors = _tensors(tensors, "vstack")
    return S.cat([S.reshape(x, 1, -1) if ndim_of(x) < 2 else x for x in tensors], 0)


def hstack(tensors):
    """Tensors joined along axis 1 (axis 0 for 0-d and 1-d ones, 0-d ones
    taken as 1-d)."""
    tensors = _tensors(tensors, "hstack")
    tensors = [S.reshape(x, 1) if ndim_of(x) == 0 else x for x in tensors]
    return S.cat(tensors, 0 if all(ndim_of(x) == 1 for x in tensors) else 1)


def _tensors(tensors, fn):
    if isinstance(tensors, Box) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")
    return [operand(x, fn, "tensors") for x in tensors]


def pad(input, pad, mode="constant", value=0.0):
    """Constant padding, pairs given from the last axis backwards as in
    ``torch.nn.functional.pad``: ``pad=(left, right, top, bottom, ...)``."""
    input = operand(input, "pad")
    if not isinstance(mode, str) or mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r}; dualrev pads with a constant only")
    pad = _sizes((pad,), "pad")
    if len(pad) % 2 or len(pad) // 2 > ndim_of(input):
        raise RuntimeError("Padding length must be divisible by 2 and at most twice the number "
                           "of dimensions of the input")
    if any(p < 0 for p in pad):
        raise NotImplementedError("pad: negative padding (cropping); index the tensor instead")
    pairs = [(0, 0)] * (ndim_of(input) - len(pad) // 2) + [
        (pad[k], pad[k + 1]) for k in range(len(pad) - 2, -1, -2)]
    check_alloc(tuple(n + a + b for n, (a, b) in zip(shape_of(input), pairs)), 8, "pad")
    value = raw_value(operand(value, "pad", "value", 4))
    if np.ndim(value):
        raise TypeError(f"pad(): argument 'value' must be a number, not a tensor of shape "
                        f"{list(np.shape(value))}")
    return boxed(rules.pad(input, pad_width=tuple(pairs), value=value))


def einsum(equation, *operands):
    """Einstein summation over ``operands`` (NumPy's and PyTorch's
    subscripts, with ``...`` and repeated letters), differentiable in every
    operand."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str) or not operands:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    operands = tuple(operand(x, "einsum", "operands", i + 2) for i, x in enumerate(operands))
    return boxed(rules.einsum(*operands, subscripts=equation))


def tensordot(a, b, dims=2):
    """Sum over the last ``dims`` axes of a and the first of b, or over the
    axes listed in ``dims = (axes_a, axes_b)``."""
    a, b = operands("tensordot", (a, "a"), (b, "b"))
    if isinstance(dims, (int, np.integer)):
        axes = (tuple(range(-dims, 0)), tuple(range(dims)))
    else:
        axes = (tuple(np.atleast_1d(dims[0])), tuple(np.atleast_1d(dims[1])))
    axes = (tuple(_axis(a, d) for d in axes[0]), tuple(_axis(b, d) for d in axes[1]))
    for i, j in zip(*axes):
        if shape_of(a)[i] != shape_of(b)[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{shape_of(a)[i]} in dim {i} and second has size {shape_of(b)[j]}")
    return boxed(rules.tensordot(a, b, axes=axes))


def outer(input, vec2):
    """Every entry of ``input`` times every entry of ``vec2``."""
    input, vec2 = operands("outer", (input, "input"), (vec2, "vec2"))
    return named(rules.outer(input, vec2), "MulBackward0")




def inner(input, other):
    """Sum over the last axes of both."""
    input, other = operands("inner", (input, "input"), (other, "other"))
    if ndim_of(input) and ndim_of(other) and shape_of(input)[-1] != shape_of(other)[-1]:
        raise RuntimeError("inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(shape_of(input))} and {list(shape_of(other))}")
    return boxed(rules.inner(input, other))


def vdot(input, other):
    """The dot product of two vectors."""
    input, other = operands("vdot", (input, "input"), (other, "other"))
    if ndim_of(input) != 1 or ndim_of(other) != 1:
        raise RuntimeError(f"1D tensors expected, but got {ndim_of(input)}D and "
                           f"{ndim_of(other)}D tensors")
    return named(rules.vdot(input, other), "VdotBackward0")


# pieces, repeats and selections ---------------------------------------------

def _slice_along(input, axis, item):
    """``input`` indexed by ``item`` along ``axis`` (a view)."""
    return boxed(input)[(slice(None),) * (axis % ndim_of(input)) + (item,)]


def _axis_size(input, dim, what):
    """The axis ``dim`` and its size, for a function that needs an axis."""
    if ndim_of(input) == 0:
        raise RuntimeError(f"{what}: dimension specified as {dim} but tensor has no dimensions")
    axis = _axis(input, dim)
    return axis, shape_of(input)[axis]


def narrow(input, dim, start, length):
    """The entries ``start`` to ``start + length`` along ``dim`` (a view)."""
    input = operand(input, "narrow")
    axis, size = _axis_size(input, dim, "narrow()")
    start, length = _int(start, "narrow", "start"), _int(length, "narrow", "length")
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
    tensor = operand(tensor, "split", "tensor")
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
        sizes = list(_sizes((split_size_or_sections,), "split"))
        name = "SplitWithSizesBackward0"
        if any(n < 0 for n in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sizes}")
    starts = np.cumsum([0] + sizes[:-1])
    return tuple(named(_slice_along(tensor, axis, slice(int(a), int(a) + n)), name)
                 for a, n in zip(starts, sizes))


def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size along ``dim`` (the last may be
    smaller)."""
    input = operand(input, "chunk")
    chunks = _int(chunks, "chunk", "chunks")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    _, size = _axis_size(input, dim, "chunk()")
    if size == 0:  # chunks empty pieces
        check_alloc((chunks,), 512, "chunk")
        return tuple(named(_slice_along(input, _axis(input, dim), slice(0, 0)), "SplitBackward0")
                     for _ in range(chunks))
    return split(input, -(-size // chunks), dim)


def unbind(input, dim=0):
    """The slices along ``dim``, that axis removed (views)."""
    input = operand(input, "unbind")
    axis, size = _axis_size(input, dim, "unbind()")
    return tuple(named(_slice_along(input, axis, i), "UnbindBackward0") for i in range(size))


def index_select(input, dim, index):
    """The entries at ``index`` (integers, a vector) along ``dim``."""
    input = operand(input, "index_select")
    index = np.atleast_1d(_index(index, "index_select"))
    if index.ndim != 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    axis, size = (0, 1) if ndim_of(input) == 0 else _axis_size(input, dim, "index_select()")
    _check_indices(index, size)
    if ndim_of(input) == 0:
        return named(S.reshape(input, (1,)), "IndexSelectBackward0")
    return named(rules.take(input, indices=index, axis=axis), "IndexSelectBackward0")


def _index(index, fn, name="index"):
    """An index argument as an int64 array, or PyTorch's error."""
    index = raw_value(operand(index, fn, name, 2))
    index = np.asarray(index)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{fn}(): Expected dtype int64 for {name}")
    return index


def _check_indices(index, size, error=IndexError, axis=""):
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = int(index.min() if index.min() < 0 else index.max())
        raise error(f"index {bad} is out of bounds for dimension {axis}with size {size}")


def repeat(input, *sizes):
    """``input`` repeated ``sizes[i]`` times along each axis (leading axes
    added where ``sizes`` has more), as PyTorch's Tensor.repeat."""
    input = operand(input, "repeat")
    sizes = _sizes(sizes, "repeat")
    shape = shape_of(input)
    if len(sizes) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    shape = (1,) * (len(sizes) - len(shape)) + tuple(shape)
    check_alloc(tuple(r * n for r, n in zip(sizes, shape)), 8, "repeat")
    spread = tuple(x for n in shape for x in (1, n))      # a size-1 axis before each axis
    tiled = tuple(x for r, n in zip(sizes, shape) for x in (r, n))
    out = S.reshape(S.broadcast_to(S.reshape(input, spread), tiled),
                    tuple(r * n for r, n in zip(sizes, shape)))
    return named(out, "RepeatBackward0")


def tile(input, dims):
    """``input`` repeated ``dims[i]`` times along each axis; fewer ``dims``
    than axes count from the last axis (NumPy's tile)."""
    input = operand(input, "tile")
    dims = _sizes((dims,), "tile")
    return repeat(input, (1,) * (ndim_of(input) - len(dims)) + dims)


def masked_fill(input, mask, value):
    """``value`` where ``mask`` (bool) holds, ``input`` elsewhere, in
    ``input``'s dtype."""
    input = operand(input, "masked_fill")
    mask = np.asarray(raw_value(operand(mask, "masked_fill", "mask", 2)))
    if mask.dtype != bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype}")
    value = operand(value, "masked_fill", "value", 3)
    if len(shape_of(value)):
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {len(shape_of(value))} dimension(s).")
    try:
        np.broadcast_shapes(mask.shape, shape_of(input))
    except ValueError:
        raise RuntimeError(f"The size of the mask {list(mask.shape)} must be broadcastable to "
                           f"the input's shape {list(shape_of(input))}") from None
    if not isinstance(value, Box):
        value = np.asarray(value).astype(np.result_type(raw_value(input)))
    name = "MaskedFillBackward1" if isinstance(value, Box) else "MaskedFillBackward0"
    return named(rules.where(mask, value, input), name)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) entries along ``dim`` and their
    indices, largest first."""
    input = operand(input, "topk")
    k = _int(k, "topk", "k")
    size = shape_of(input)[_axis(input, dim)] if ndim_of(input) else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if ndim_of(input) == 0:
        if k == 0:
            return values_indices(boxed(input)[None][:0], boxed(np.zeros(0, np.int64)))
        return values_indices(named(S.reshape(input, ()), "TopkBackward0"),
                              boxed(np.asarray(0)))
    axis = _axis(input, dim)
    order = rules.argsort(raw_value(input), axis=axis, descending=largest)
    picked = np.take(order, np.arange(k), axis=axis)
    values = named(rules.gather(input, indices=picked, axis=axis), "TopkBackward0")
    return values_indices(values, boxed(picked))
