"""The argument checks the ``dr.X`` functions and Tensor methods share:
PyTorch's arguments (tensors, ``dim``, shapes given as ``*sizes``, indices)
checked and turned into the primitives' normalised parameters, with
PyTorch's exceptions and words for bad ones."""

import collections
import math
import os

import numpy as np

from .core.values import complex_error, broadcast_error, ndim_of, shape_of
from .core.primitive import Box, check_operand, raw_value
from .dtypes import as_value
from .rules import normalize_axes

values_indices = collections.namedtuple("values_indices", ["values", "indices"])


# arguments -----------------------------------------------------------------
#
# The checks every dr.X function makes of its arguments, so that bad input
# gets PyTorch's exception and words, never NumPy's: ``operand`` for an
# argument that is a tensor, ``_int``/``_sizes``/``_axis``/``_axes`` for
# dims and sizes, ``check_alloc`` before making an array of a size the user
# gave.

_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1


def _type_name(x):
    return type(x).__name__


def operand(x, fn, name="input", position=1):
    """The argument ``name`` of ``fn`` as an operand. dualrev accepts
    array-likes wherever a tensor goes (as ``dr.sin`` does): a box as it is,
    a number, nested lists or a NumPy array of bool, int or float values as
    a raw value. Anything else raises PyTorch's TypeError ("sum(): argument
    'input' (position 1) must be Tensor, not NoneType"); ragged lists a
    ValueError, complex data dualrev's TypeError."""
    t = type(x)
    if t is float or isinstance(x, Box):
        return x
    if t is int:
        if not _INT64_MIN <= x <= _INT64_MAX:
            raise RuntimeError(f"{fn}(): argument '{name}': value {x} cannot be converted to "
                               "type int64 without overflow")
        return x
    if t is bool:
        return x
    if t is np.ndarray or isinstance(x, np.generic):
        _check_kind(x.dtype, fn, name, position)
        return x
    if t is list or t is tuple:
        check_operand(x)
        try:
            array = np.array(x)
        except (ValueError, TypeError, OverflowError):
            raise ValueError(f"{fn}(): argument '{name}' (position {position}) is a ragged or "
                             "mixed nested sequence: a tensor needs lists of equal lengths "
                             "holding numbers") from None
        _check_kind(array.dtype, fn, name, position)
        return as_value(x)
    if t is complex:
        raise complex_error(f"{fn}() argument '{name}'")
    raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, "
                    f"not {_type_name(x)}")


def _check_kind(dtype, fn, name, position):
    kind = dtype.kind
    if kind in "biuf":
        return
    if kind == "c":
        raise complex_error(f"{fn}() argument '{name}'")
    what = {"O": "Python objects", "U": "strings", "S": "bytes"}.get(kind, f"{dtype} values")
    raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, not an "
                    f"array of {what}: dualrev supports float, int and bool data")


def operands(fn, *named, broadcast=False):
    """``operand`` of several arguments, given as (value, name) pairs in
    position order; with ``broadcast``, their shapes checked to broadcast."""
    out = tuple(operand(x, fn, name, i + 1) for i, (x, name) in enumerate(named))
    if broadcast:
        check_broadcast(*out)
    return out


def check_broadcast(*values):
    """Refuse shapes that do not broadcast, in PyTorch's words."""
    error = broadcast_error(*(shape_of(v) for v in values))
    if error is not None:
        raise error


def _bool(value, fn, name, none=False):
    """A flag argument (requires_grad, retain_graph...), or PyTorch's TypeError."""
    if isinstance(value, (bool, np.bool_)) or none and value is None:
        return None if value is None else bool(value)
    raise TypeError(f"{fn}(): argument '{name}' must be bool, not {_type_name(value)}")


def _float(value, fn, name):
    """A float argument (a tolerance, a scale) as a Python float, or
    PyTorch's TypeError."""
    if type(value) in (float, int, bool) or isinstance(value, (np.floating, np.integer)):
        return float(value)
    raise TypeError(f"{fn}(): argument '{name}' must be float, not {_type_name(value)}")


def _int(value, fn, name):
    """An int argument (a dim, a count, a size) as a Python int, or PyTorch's
    TypeError."""
    if type(value) is int or isinstance(value, np.integer) and not isinstance(value, bool):
        value = int(value)
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise RuntimeError(f"{fn}(): argument '{name}': Overflow when unpacking long "
                               f"({value} does not fit in int64)")
        return value
    if isinstance(value, Box) and not value.shape and value.dtype.numpy.kind in "iu":
        return int(value)
    raise TypeError(f"{fn}(): argument '{name}' must be int, not {_type_name(value)}")


def _sizes(sizes, fn="size"):
    """PyTorch takes a shape as ``f(2, 3)`` or ``f((2, 3))``: a tuple of
    ints, checked (no negative check: reshape and expand take -1)."""
    if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)):
        only = sizes[0]
        if isinstance(only, Box) and len(only.shape) == 1:
            only = only.tolist()
        if not isinstance(only, (tuple, list)) and type(only).__name__ != "Size":
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not "
                            f"{_type_name(only)}")
        sizes = only
    for s in sizes:
        if type(s) is bool or not (type(s) is int or isinstance(s, np.integer)):
            raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, but found element "
                            f"of type {_type_name(s)}")
    return tuple(_int(s, fn, "size") for s in sizes)


def _physical_memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2 ** 40


_MEMORY = _physical_memory()


def check_alloc(shape, itemsize=8, fn="size"):
    """Refuse, before NumPy tries, a new array of ``shape`` that cannot be:
    a negative size, or more bytes than the machine has (PyTorch's
    allocator's words)."""
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    nbytes = _numel(shape) * itemsize
    if nbytes > _MEMORY:
        raise RuntimeError(f"DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                           f"{nbytes} bytes ({fn}).")
    return shape


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
    """``dim`` (None, an int or a sequence of ints) as normalised axes."""
    if dim is not None:
        if isinstance(dim, (tuple, list)):
            dim = tuple(_dim(d) for d in dim)
        else:
            dim = _dim(dim)
    return normalize_axes(dim, ndim_of(input))


def _reduced(input, dim):
    """The axes a reduction runs over: all of them (None) for ``dim=None``
    and for an empty list of dims, as in PyTorch."""
    if isinstance(dim, (tuple, list)) and not dim:
        return None
    return _axes(input, dim)


def _dim(dim):
    if type(dim) is int:
        return dim
    if isinstance(dim, np.integer) and not isinstance(dim, np.bool_):
        return int(dim)
    raise TypeError(f"argument 'dim' must be int or tuple of ints, not {_type_name(dim)}")


def _axis(input, dim, extra=0):
    """One axis as a negative int, for an output with ``extra`` more axes."""
    dim = _dim(dim)
    n = ndim_of(input) + extra
    bound = max(n, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, "
                         f"{bound - 1}], but got {dim})")
    return dim % bound - bound


def check_nonempty(input, axes, fn):
    """A reduction without identity (max, argmin...) over an empty axis:
    PyTorch's error, not NumPy's. ``axes``: normalised, None for all."""
    shape = shape_of(input)
    if axes is None:
        if 0 in shape:
            raise RuntimeError(f"{fn}(): Expected reduction dim to be specified for input.numel() "
                               "== 0. Specify the reduction dim with the 'dim' argument.")
        return
    for a in (axes if isinstance(axes, tuple) else (axes,)):
        if shape and shape[a] == 0:
            raise RuntimeError(f"{fn}(): Expected reduction dim {a % len(shape)} to have "
                               "non-zero size.")


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
