"""The helpers the ``dr.X`` function modules share: PyTorch's arguments
(``dim``, shapes given as ``*sizes``) turned into the primitives' normalised
parameters, and results boxed (a Tensor when no argument was a box)."""

import collections
import math

import numpy as np

from ._arrays import ndim_of
from ._prims import Box
from .ops import normalize_axes

values_indices = collections.namedtuple("values_indices", ["values", "indices"])


def _boxed(value):
    """A result as a box: a Tensor when no argument was one."""
    if isinstance(value, Box):
        return value
    from .tensor import Tensor
    return Tensor._make(value)


def _named(value, name):
    """A result whose ``grad_fn`` shows PyTorch's name for it: PyTorch makes
    it by one operation (or another overload) where dualrev composes
    primitives or picks a different one. Only the name differs."""
    out = _boxed(value)
    node = getattr(out, "_node", None)
    if node is not None:
        node.alias = name
    return out


def _sizes(sizes):
    """PyTorch takes a shape as ``f(2, 3)`` or ``f((2, 3))``."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, np.ndarray)) or \
            len(sizes) == 1 and type(sizes[0]).__name__ == "Size":
        return tuple(int(s) for s in sizes[0])
    return tuple(int(s) for s in sizes)


def _numel(shape):
    return math.prod(shape)


def _resolve_shape(shape, numel):
    """A target shape with its -1 worked out, checked against ``numel``."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = _numel(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    if _numel(shape) != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _axes(input, dim):
    return normalize_axes(dim, ndim_of(input))


def _reduced(input, dim):
    """The axes a reduction runs over: all of them (None) for ``dim=None``
    and for an empty list of dims, as in PyTorch."""
    if dim is not None and not isinstance(dim, (int, np.integer)) and len(dim) == 0:
        return None
    return normalize_axes(dim, ndim_of(input))


def _axis(input, dim, extra=0):
    """One axis as a negative int, for an output with ``extra`` more axes."""
    n = ndim_of(input) + extra
    bound = max(n, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, "
                         f"{bound - 1}], but got {dim})")
    return dim % bound - bound
