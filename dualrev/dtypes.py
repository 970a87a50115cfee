"""dtype names as PyTorch spells them, the default float dtype, and
conversion of user data to raw values."""

import builtins

import numpy as np

from .core.values import DEFAULT_FLOAT, FLOAT64, canonical


class dtype:
    """A dtype as PyTorch names it: ``dualrev.float32`` and so on. Compares
    equal to the matching NumPy dtype."""

    __slots__ = ("name", "numpy")

    def __init__(self, name, numpy_dtype):
        if not isinstance(name, str):
            raise TypeError(f"dtype(): argument 'name' must be str, not {type(name).__name__}")
        try:
            self.numpy = np.dtype(numpy_dtype)
        except TypeError:
            raise TypeError(f"dtype(): argument 'numpy_dtype' must be a NumPy dtype, not "
                            f"{type(numpy_dtype).__name__}") from None
        self.name = name

    def __repr__(self):
        return f"dualrev.{self.name}"

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self.numpy == other.numpy
        if isinstance(other, np.dtype) or isinstance(other, type) and issubclass(other, np.generic):
            return self.numpy == np.dtype(other)
        return NotImplemented  # None, strings, numbers: not a dtype (False, as in PyTorch)

    def __hash__(self):
        return hash(self.numpy)

    def __reduce__(self):
        # Pickled by name, as a global of this module: it unpickles (and
        # copies) as the same object, so ``x.dtype is dualrev.float32`` holds.
        return self.name

    @property
    def is_floating_point(self):
        return self.numpy.kind == "f"

    @property
    def itemsize(self):
        return self.numpy.itemsize


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)

_BY_NUMPY = {d.numpy: d for d in (float16, float32, float64, int8, uint8, int16, int32, int64, bool)}


def from_numpy_dtype(numpy_dtype):
    try:
        return _BY_NUMPY[np.dtype(numpy_dtype)]
    except KeyError:
        raise TypeError(f"dualrev has no dtype for NumPy's {np.dtype(numpy_dtype)}") from None


def to_numpy_dtype(d):
    """A dualrev dtype, a NumPy dtype or a Python type as a NumPy dtype."""
    if isinstance(d, dtype):
        return d.numpy
    if d is builtins.float:
        return get_default_dtype().numpy
    if d is builtins.int:
        return np.dtype(np.int64)
    if d is builtins.bool:
        return np.dtype(np.bool_)
    if isinstance(d, np.dtype) or isinstance(d, type) and issubclass(d, np.generic):
        d = np.dtype(d)
        if d in _BY_NUMPY:
            return d
        raise TypeError(f"dualrev has no dtype for NumPy's {d}: it supports float, int and bool "
                        "dtypes")
    raise TypeError(f"argument 'dtype' must be dualrev.dtype, not {type(d).__name__}")


def get_default_dtype():
    """The dtype of tensors made from Python floats (float64 unless set)."""
    return _BY_NUMPY[DEFAULT_FLOAT[0]]


def set_default_dtype(d):
    """Make ``d`` (``dualrev.float32`` or ``dualrev.float64``) the dtype of new
    float tensors. float64 is dualrev's default; float32 gives PyTorch's."""
    d = from_numpy_dtype(to_numpy_dtype(d))
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    DEFAULT_FLOAT[0] = d.numpy


def as_value(data, dtype=None):
    """User data (numbers, nested lists, arrays) as a raw value of ``dtype``:
    Python floats default to the default dtype, ints to int64."""
    target = None if dtype is None else to_numpy_dtype(dtype)
    if target is None and type(data) is builtins.float and get_default_dtype().numpy == FLOAT64:
        return data
    try:
        array = np.array(data, dtype=target)
    except ValueError:
        if not isinstance(data, (list, tuple)):
            raise
        raise ValueError("a tensor is made of nested lists of equal lengths holding numbers; "
                         "these lists are ragged or mixed") from None
    if target is None:
        if array.dtype.kind == "f" and not isinstance(data, (np.ndarray, np.generic)):
            array = array.astype(get_default_dtype().numpy)
        elif array.dtype.kind in "iu" and not isinstance(data, (np.ndarray, np.generic)):
            array = array.astype(np.int64)
        elif array.dtype.kind not in "fiub":
            raise TypeError(f"can't make a tensor of {array.dtype} data; dualrev supports "
                            "float, int and bool tensors")
    return canonical(array)
