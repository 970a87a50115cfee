"""Shape and dtype of raw values and boxes alike.

Raw values are Python floats (a 0-d float64 value on the fast scalar path),
NumPy arrays and scalars; boxes expose ``shape`` and ``dtype`` themselves.
"""

import numpy as np

FLOAT64 = np.dtype(np.float64)
INT64 = np.dtype(np.int64)
BOOL = np.dtype(np.bool_)


def shape_of(value):
    t = type(value)
    if t is float or t is int or t is bool:
        return ()
    return value.shape


def dtype_of(value):
    t = type(value)
    if t is float:
        return FLOAT64
    if t is int:
        return INT64
    if t is bool:
        return BOOL
    d = value.dtype
    return getattr(d, "numpy", d)  # a box's dtype is dualrev's; its .numpy is NumPy's


def ndim_of(value):
    return len(shape_of(value))


def is_float_dtype(dtype):
    return np.issubdtype(dtype, np.floating)


def canonical(value):
    """A 0-d float64 result as a Python float (the fast scalar path); any
    other value unchanged."""
    if type(value) is np.float64:
        return float(value)
    if type(value) is np.ndarray and value.ndim == 0 and value.dtype == FLOAT64:
        return float(value)
    return value


def check_real(value, what):
    """Refuse a complex value: dualrev differentiates real functions only
    (see docs/design.md), and a complex result would be silently wrong."""
    if type(value) is np.ndarray:
        if value.dtype.kind == "c":
            raise _complex_error(what)
        return
    if type(value) is complex or getattr(getattr(value, "dtype", None), "kind", "") == "c":
        raise _complex_error(what)


def _complex_error(what):
    return TypeError(f"dualrev does not support complex numbers: {what} gave a complex "
                     "result. Work with the real and imaginary parts as separate real tensors.")
