"""Factories: ``tensor``, ``zeros``, ``ones``, ``arange``, ``randn``... with
PyTorch's signatures. Floats default to the default dtype (float64 unless
set), integers to int64."""

import numpy as np

from . import dtypes
from ._arrays import canonical, dtype_of, shape_of
from ._prims import raw_value
from .functions import _sizes
from .tensor import Tensor

_rng = [np.random.default_rng()]


def _leaf(value, requires_grad):
    t = Tensor._make(canonical(value))
    return t.requires_grad_(True) if requires_grad else t


def _float_dtype(dtype):
    return (dtypes.get_default_dtype() if dtype is None else dtype).numpy \
        if not isinstance(dtype, np.dtype) else dtype


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists,
    an array or a tensor)."""
    if isinstance(data, Tensor):
        data = raw_value(data)
    return _leaf(dtypes.as_value(data, dtype), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor: a tensor is returned as it is, other data copied."""
    return data if isinstance(data, Tensor) and dtype is None else tensor(data, dtype)


def from_numpy(array):
    """A tensor sharing memory with ``array``."""
    return Tensor._make(canonical(array) if array.ndim == 0 else array)


def _filled(sizes, fill, dtype, requires_grad):
    dtype = dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.get_default_dtype().numpy
    return _leaf(np.full(_sizes(sizes), fill, dtype=dtype), requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    """A new tensor of zeros, shape given as ``zeros(2, 3)`` or ``zeros((2, 3))``.

    >>> import dualrev as dr
    >>> dr.zeros(2)
    tensor([0., 0.])"""
    return _filled(size, 0, dtype, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    """A new tensor of ones, shape given as ``ones(2, 3)`` or ``ones((2, 3))``."""
    return _filled(size, 1, dtype, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """A new tensor of the given shape (filled with zeros: NumPy-backed, never garbage)."""
    return _filled(size, 0, dtype, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """A new tensor of ``size`` filled with ``fill_value``."""
    if dtype is None and isinstance(fill_value, (bool, int)) and not isinstance(fill_value, float):
        dtype = dtypes.bool if isinstance(fill_value, bool) else dtypes.int64
    return _filled((size,), fill_value, dtype, requires_grad)


def _like(input, fill, dtype, requires_grad):
    value = raw_value(input)
    dtype = dtype_of(value) if dtype is None else dtypes.to_numpy_dtype(dtype)
    return _leaf(np.full(shape_of(value), fill, dtype=dtype), requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    """Zeros with the shape and dtype of ``input``."""
    return _like(input, 0, dtype, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    """Ones with the shape and dtype of ``input``."""
    return _like(input, 1, dtype, requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    """A tensor with the shape and dtype of ``input`` (zeros)."""
    return _like(input, 0, dtype, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    """``fill_value`` with the shape and dtype of ``input``."""
    return _like(input, fill_value, dtype, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Numbers from ``start`` up to (not including) ``end``; int64 when all
    arguments are integers, else the default float dtype."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    return _leaf(np.arange(start, end, step, dtype=dtypes.to_numpy_dtype(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced numbers from ``start`` to ``end``, both included."""
    return _leaf(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The n x m identity matrix."""
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def manual_seed(seed):
    """Seed the generator behind ``rand`` and ``randn`` (NumPy's PCG64, so the
    numbers differ from PyTorch's for the same seed)."""
    _rng[0] = np.random.default_rng(seed)
    return _rng[0]


def rand(*size, dtype=None, device=None, requires_grad=False):
    """Uniform samples on [0, 1)."""
    values = _rng[0].random(_sizes(size)).astype(_float_dtype(dtype))
    return _leaf(values, requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False):
    """Standard normal samples."""
    values = _rng[0].standard_normal(_sizes(size)).astype(_float_dtype(dtype))
    return _leaf(values, requires_grad)


def randint(low, high=None, size=(), dtype=None, device=None, requires_grad=False):
    """Random integers in [low, high) of shape ``size``."""
    if high is None:
        low, high = 0, low
    return _leaf(_rng[0].integers(low, high, size=tuple(size)).astype(np.int64), requires_grad)
