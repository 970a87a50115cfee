"""The ``dr.X`` functions that reshape, transpose, expand and join tensors,
with PyTorch's names and signatures."""

from . import rules
from .dtypes import to_numpy_dtype
from ._args import _axes, _axis, _numel, _resolve_shape, _sizes, operand
from .core.values import dtype_of, ndim_of, shape_of
from .core.primitive import Box
from ._tensor import boxed, named


def reshape(input, *shape):
    """The same entries in a new shape, given as ``reshape(2, 3)`` or ``reshape((2, 3))``;
    one size may be -1."""
    input = operand(input, "reshape")
    shape = _resolve_shape(_sizes(shape, "reshape"), _numel(shape_of(input)))
    return boxed(rules.reshape(input, shape=shape))




def flatten(input, start_dim=0, end_dim=-1):
    """The axes from ``start_dim`` to ``end_dim`` merged into one."""
    input = operand(input, "flatten")
    shape = shape_of(input)
    start, end = _axis(input, start_dim), _axis(input, end_dim)
    if not shape:
        return reshape(input, 1)
    start, end = start % len(shape), end % len(shape)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    return reshape(input, shape[:start] + (_numel(shape[start:end + 1]),) + shape[end + 1:])


def transpose(input, dim0, dim1):
    """Axes ``dim0`` and ``dim1`` swapped."""
    input = operand(input, "transpose")
    if ndim_of(input) == 0:
        return boxed(input)
    return boxed(rules.transpose(input, dim0=_axis(input, dim0), dim1=_axis(input, dim1)))




def t(input):
    """The transpose of a matrix (a view of a 0-d or 1-d tensor unchanged)."""
    input = operand(input, "t")
    n = ndim_of(input)
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    out = transpose(input, 0, 1) if n == 2 else rules.reshape(input, shape=shape_of(input))
    return named(out, "TBackward0")


def permute(input, *dims):
    """The axes in the order ``dims``."""
    input = operand(input, "permute")
    dims = _sizes(dims, "permute")
    n = ndim_of(input)
    for d in dims:
        _axis(input, d)
    if len(dims) == n and len({d % n for d in dims}) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    if sorted(d % n for d in dims) != list(range(n)) if n else dims:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    return boxed(rules.permute(input, axes=tuple(d % n for d in dims)))


def squeeze(input, dim=None):
    """Size-1 axes removed (all of them, or those in ``dim``)."""
    input = operand(input, "squeeze")
    shape = shape_of(input)
    if dim is None:
        axes = tuple(i - len(shape) for i, s in enumerate(shape) if s == 1)
    else:
        axes = tuple(a for a in _axes(input, dim) if shape[a] == 1)
    return boxed(rules.squeeze(input, axis=axes))  # a view even when nothing goes, as in PyTorch


def unsqueeze(input, dim):
    """A size-1 axis inserted at ``dim``."""
    input = operand(input, "unsqueeze")
    return boxed(rules.unsqueeze(input, axis=_axis(input, dim, extra=1)))


def broadcast_to(input, *shape):
    """Expand size-1 axes (and add leading ones); -1 keeps a size."""
    input = operand(input, "broadcast_to")
    shape = _sizes(shape, "expand")
    current = shape_of(input)
    offset = len(shape) - len(current)
    if offset < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(shape)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({len(current)})")
    shape = tuple(current[i - offset] if s == -1 and i >= offset else s
                  for i, s in enumerate(shape))
    for i, s in enumerate(shape):
        if i >= offset and current[i - offset] not in (1, s) or s < 0:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({current[i - offset] if i >= offset else 1}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(shape)}.  "
                               f"Tensor sizes: {list(current)}")
    return boxed(rules.broadcast_to(input, shape=shape))




def cat(tensors, dim=0):
    """Tensors joined along an existing axis ``dim``."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    axis = _axis(tensors[0], dim)
    first = shape_of(tensors[0])
    for k, x in enumerate(tensors):
        shape = shape_of(x)
        if len(shape) != len(first) or not first:
            raise RuntimeError("zero-dimensional tensor (at position %d) cannot be concatenated"
                               % k if not shape else "Tensors must have same number of "
                               f"dimensions: got {len(first)} and {len(shape)}")
        for d, (a, b) in enumerate(zip(first, shape)):
            if a != b and d != axis % len(first):
                raise RuntimeError(f"Sizes of tensors must match except in dimension "
                                   f"{axis % len(first)}. Expected size {a} but got size {b} for "
                                   f"tensor number {k} in the list.")
    return boxed(rules.concatenate(*tensors, axis=_axis(tensors[0], dim)))




def stack(tensors, dim=0):
    """Tensors of one shape joined along a new axis ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    if len({shape_of(x) for x in tensors}) > 1:
        raise RuntimeError("stack expects each tensor to be equal size, but got "
                           + " and ".join(str(list(shape_of(x))) for x in tensors[:2]))
    return boxed(rules.stack(*tensors, axis=_axis(tensors[0], dim, extra=1)))


def _tensor_list(tensors, fn):
    """A sequence of tensors (array-likes accepted), or PyTorch's TypeError."""
    if isinstance(tensors, Box) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    return [operand(x, fn, "tensors") for x in tensors]


def to_dtype(input, dtype):
    """``input`` cast to ``dtype`` (differentiable between float dtypes)."""
    input = operand(input, "to_dtype")
    target = to_numpy_dtype(dtype)
    if dtype_of(input) == target:
        return boxed(input)
    return boxed(rules.astype(input, dtype=target))


def detach(input):
    """``input.detach()``: the values, out of the graph."""
    input = operand(input, "detach")
    if isinstance(input, Box) and not hasattr(input, "detach"):
        raise TypeError(f"detach(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__} (take a Dual's .primal)")
    return input.detach() if isinstance(input, Box) else boxed(input)


def numel(input):
    """The number of entries."""
    input = operand(input, "numel")
    return _numel(shape_of(input))
