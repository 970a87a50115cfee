"""PyTorch indexing (basic and advanced) turned into a static NumPy index."""

import numpy as np

from .core.primitive import Box, raw_value
from . import functions as F
from . import rules


def normalize_index(index):
    """The index with tensors and lists as NumPy arrays (indices are never
    differentiated), checked to be integers or booleans."""
    parts = index if isinstance(index, tuple) else (index,)
    out = []
    for part in parts:
        if isinstance(part, Box) or isinstance(part, (list, np.ndarray)):
            try:
                array = np.asarray(raw_value(part))
            except ValueError:  # a ragged list
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors (got a ragged list)") from None
            if array.dtype.kind not in "iub":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(array)
        elif part is None or part is Ellipsis or isinstance(part, (int, np.integer, slice)):
            if isinstance(part, int) and not -2 ** 63 <= part < 2 ** 63:
                raise IndexError(f"index {part} is out of range: an index must fit in int64")
            out.append(part)
        else:
            raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or "
                             f"byte Variables are valid indices (got {type(part).__name__})")
    return tuple(out)


def getitem(x, index):
    index = normalize_index(index)
    shape = x.shape
    explicit = sum(1 for p in index if p is not None and p is not Ellipsis
                   and not (isinstance(p, np.ndarray) and p.dtype == bool))
    explicit += sum(p.ndim for p in index if isinstance(p, np.ndarray) and p.dtype == bool)
    if explicit > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    try:
        return F._boxed(rules.getitem(x, index=index))
    except IndexError as e:  # NumPy's "axis" in PyTorch's words
        raise IndexError(str(e).replace("for axis", "for dimension")) from None
