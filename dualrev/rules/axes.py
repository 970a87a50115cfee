"""Axis normalisation, shared by the rules and the functions that take
PyTorch's ``dim``."""

import numpy as np



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
