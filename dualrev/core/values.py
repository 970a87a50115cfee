"""Shape and dtype of raw values and boxes alike.

Raw values are Python floats (a 0-d float64 value on the fast scalar path),
NumPy arrays and scalars; boxes expose ``shape`` and ``dtype`` themselves.
"""

import numpy as np

FLOAT64 = np.dtype(np.float64)
INT64 = np.dtype(np.int64)
BOOL = np.dtype(np.bool_)

DEFAULT_FLOAT = [FLOAT64]  # the dtype of Python floats and of int -> float results (dtypes sets it)


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


def is_float(value):
    """Whether a value can carry a derivative: a float dtype. A result of
    integer or bool dtype never requires grad and never has a tangent."""
    t = type(value)
    if t is float:
        return True
    while hasattr(value, "_inner"):  # a box: the value under it
        value = value._inner()
        t = type(value)
    if t is float or t is np.ndarray:
        return t is float or value.dtype.kind == "f"
    return t is not int and t is not bool and dtype_of(value).kind == "f"


def canonical(value):
    """A 0-d float64 result as a Python float (the fast scalar path); any
    other value unchanged. Only while float64 is the default dtype: then a
    Python float and a 0-d float64 tensor promote alike (see result_type);
    in float32 mode a 0-d float64 tensor stays an array."""
    if DEFAULT_FLOAT[0] is not FLOAT64:
        return value
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
            raise complex_error(what)
        return
    if type(value) is complex or getattr(getattr(value, "dtype", None), "kind", "") == "c":
        raise complex_error(what)


def complex_error(what):
    return TypeError(f"dualrev does not support complex numbers: {what} gave a complex "
                     "result. Work with the real and imaginary parts as separate real tensors.")


# -- type promotion, PyTorch's ------------------------------------------------------

def promote_types(a, b):
    """PyTorch's promotion of two dtypes: NumPy's, except that an integer
    with a float gives the float (int64 with float16 is float16, not
    float64)."""
    if a == b:
        return a
    if a.kind == "f" and b.kind != "f":
        return a
    if b.kind == "f" and a.kind != "f":
        return b
    return np.promote_types(a, b)


def _combine(higher, lower):
    """PyTorch's ``combine_categories``: a group of higher priority keeps
    its dtype unless the lower group is of a higher category."""
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def result_type(*values):
    """The dtype PyTorch gives an operation on ``values``: tensors with
    dimensions come first, then 0-d tensors, then Python numbers (a Python
    float counts as the default float dtype); within a group dtypes promote,
    and a lower group counts only when its category (bool < integer <
    float) is higher. So float32 times a 0-d float64 tensor stays float32,
    and an int64 tensor times 1.5 is the default float.

    A 0-d float64 tensor travels as a Python float (the scalar path), so it
    promotes as a Python number does; see docs/design.md."""
    dims = zeros = numbers = None
    for v in values:
        t = type(v)
        if t is float:
            d = DEFAULT_FLOAT[0]
        elif t is int:
            d = INT64
        elif t is bool:
            d = BOOL
        elif t is complex:
            d = np.dtype(np.complex128)  # refused by check_real once computed
        else:
            d = v.dtype
            if t is np.ndarray and v.ndim:
                dims = d if dims is None else promote_types(dims, d)
                continue
            zeros = d if zeros is None else promote_types(zeros, d)
            continue
        numbers = d if numbers is None else promote_types(numbers, d)
    return _combine(dims, _combine(zeros, numbers))


def broadcast_error(*shapes):
    """PyTorch's error for shapes that do not broadcast, or None when they do."""
    n = max(len(s) for s in shapes)
    for i in range(1, n + 1):
        size = 1
        for s in shapes:
            if i <= len(s) and s[-i] != 1:
                if size != 1 and s[-i] != size:
                    return RuntimeError(f"The size of tensor a ({size}) must match the size of "
                                        f"tensor b ({s[-i]}) at non-singleton dimension {n - i}")
                size = s[-i]
    return None


def as_array(data):
    """A (nested) list or tuple of numbers met as an operand, as an array:
    floats in the default float dtype, integers int64, as a tensor made of it."""
    try:
        array = np.asarray(data)
    except ValueError:
        raise ValueError("a ragged list is not an operand: a tensor is made of nested lists of "
                         "equal lengths") from None
    if array.dtype.kind == "f":
        return array.astype(DEFAULT_FLOAT[0])
    if array.dtype.kind in "iu":
        return array.astype(INT64)
    if array.dtype.kind != "b":
        raise TypeError(f"a list of {array.dtype} values is not an operand: give numbers")
    return array


def promoted(values, dtype):
    """The arrays among ``values`` cast to ``dtype``; Python numbers stay
    (NumPy treats them as weak, as PyTorch does)."""
    return [v if type(v) in _NUMBERS or v.dtype == dtype else v.astype(dtype) for v in values]


_NUMBERS = (float, int, bool, complex)
