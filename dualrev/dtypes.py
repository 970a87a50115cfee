"""dtype names as PyTorch spells them, the default float dtype, and
conversion of user data to raw values."""

import builtins

import numpy as np

from .core.values import DEFAULT_FLOAT, FLOAT64, canonical


class dtype:
    """A dtype as PyTorch names it: ``dualrev.float32`` and so on. Compares
    equal to the matching NumPy dtype.

    The package's dtypes (``dr.float16``, ``float32``, ``float64``, ``int8``,
    ``uint8``, ``int16``, ``int32``, ``int64``, ``bool`` and PyTorch's other
    names ``half``, ``float``, ``double``, ``short``, ``int``, ``long``) are
    the instances to use: they pickle and copy as themselves, so
    ``x.dtype is dr.float32`` holds.

    Args:
        name (str): the name, as PyTorch spells it (``"float32"``).
        numpy_dtype (numpy.dtype | type): the NumPy dtype behind it.

    Raises:
        TypeError: if ``name`` is not a string or ``numpy_dtype`` not a NumPy dtype.

    Example:
        >>> import dualrev as dr
        >>> import numpy as np
        >>> dr.float32, dr.float32 == np.float32, dr.tensor([1, 2]).dtype is dr.int64
        (dualrev.float32, True, True)
    """

    __slots__ = ("_name", "_numpy")

    def __init__(self, name, numpy_dtype):
        if not isinstance(name, str):
            raise TypeError(f"dtype(): argument 'name' must be str, not {type(name).__name__}")
        try:
            self._numpy = np.dtype(numpy_dtype)
        except TypeError:
            raise TypeError(f"dtype(): argument 'numpy_dtype' must be a NumPy dtype, not "
                            f"{type(numpy_dtype).__name__}") from None
        self._name = name

    @property
    def name(self):
        """The name, as PyTorch spells it (``"float32"``), without ``dualrev.``.

        Example:
            >>> import dualrev as dr
            >>> dr.float.name
            'float32'
        """
        return self._name

    @property
    def numpy(self):
        """The NumPy dtype behind this dtype (the dtype of a tensor's array).

        Example:
            >>> import dualrev as dr
            >>> dr.int32.numpy
            dtype('int32')
        """
        return self._numpy

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
        """Whether this is a float dtype (float16, float32, float64): those
        whose tensors may require grad.

        Example:
            >>> import dualrev as dr
            >>> dr.float32.is_floating_point, dr.int64.is_floating_point
            (True, False)
        """
        return self.numpy.kind == "f"

    @property
    def itemsize(self):
        """The size of one entry in bytes.

        Example:
            >>> import dualrev as dr
            >>> dr.float64.itemsize, dr.int32.itemsize, dr.bool.itemsize
            (8, 4, 1)
        """
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
    """The dtype of tensors made from Python floats (float64 unless set).

    dualrev's default is float64 (PyTorch's is float32): derivatives checked
    against finite differences need the precision. ``dr.set_default_dtype``
    changes it.

    Returns:
        dtype: ``dr.float64`` or ``dr.float32``.

    Example:
        >>> import dualrev as dr
        >>> dr.get_default_dtype()
        dualrev.float64
        >>> dr.tensor(1.0).dtype == dr.get_default_dtype()
        True
    """
    return _BY_NUMPY[DEFAULT_FLOAT[0]]


def set_default_dtype(d):
    """Make ``d`` the dtype of new float tensors (``dr.tensor(1.0)``, ``dr.zeros``...).

    float64 is dualrev's default; float32 gives PyTorch's. It is a global
    setting (not per thread), as in PyTorch.

    Args:
        d (dtype | numpy.dtype | type): ``dr.float32`` or ``dr.float64`` (or
            float16), or the NumPy dtype of one.

    Returns:
        None

    Raises:
        TypeError: if ``d`` is not a floating-point dtype ("only floating-point
            types are supported as the default type").

    Example:
        >>> import dualrev as dr
        >>> dr.set_default_dtype(dr.float32)
        >>> dr.tensor(1.5).dtype
        dualrev.float32
        >>> dr.set_default_dtype(dr.float64)
    """
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
