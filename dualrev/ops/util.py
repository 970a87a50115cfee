"""Helpers shared by the rules: summing a broadcast cotangent back to an
argument's shape and dtype, and axis normalisation."""

import numpy as np

from .._arrays import dtype_of, shape_of
from .reductions import sum
from .elementwise import astype
from .shape import reshape


def normalize_axes(axis, ndim):
    """``axis`` (None, an int or a sequence) as a sorted tuple of negative
    ints, or None for all axes. Negative axes stay right when a batch axis is
    put in front. A 0-d value accepts 0 and -1, as in PyTorch, and has no
    axis to reduce: ``()``."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    bound = max(ndim, 1)
    out = []
    for a in axes:
        a = int(a)
        if not -bound <= a < bound:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-bound}, {bound - 1}], but got {a})")
        if ndim:
            out.append(a % ndim - ndim)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    return tuple(sorted(out))


def sum_to(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched, so that it
    has ``shape``."""
    g_shape = g.shape if type(g) is np.ndarray else shape_of(g)
    if g_shape == shape or g_shape == tuple(shape):
        return g
    lead = len(g_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1)
    if axes:
        g = sum(g, axis=tuple(a - len(g_shape) for a in axes), keepdims=True)
    return reshape(g, shape=tuple(shape))


def unbroadcast(g, shape, dtype):
    """The cotangent ``g`` of an argument of ``shape`` and ``dtype``: broadcasting
    summed away and the dtype restored, in dualrev ops so it stays
    differentiable."""
    g = sum_to(g, shape)
    if dtype_of(g) != dtype:
        g = astype(g, dtype=dtype)
    return g
