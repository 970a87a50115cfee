"""Factories: ``tensor``, ``zeros``, ``ones``, ``arange``, ``randn``... with
PyTorch's signatures. Floats default to the default dtype (float64 unless
set), integers to int64."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from . import dtypes
from .core.values import canonical, dtype_of, shape_of
from .core.primitive import raw_value
from .core.batching import RUNNING
from .batched import Batched
from ._args import _int, _sizes, check_alloc, operand
from ._tensor import Tensor
from .device import check_device

if TYPE_CHECKING:  # types that only the stub _tensor.pyi declares
    from ._tensor import DType, TensorLike
    from .device import device

    Sizes = int | Sequence[int]
    Device = str | device | None

_rng = [np.random.default_rng()]


def _leaf(value, requires_grad):
    if not isinstance(requires_grad, (bool, np.bool_)):
        raise TypeError(f"argument 'requires_grad' must be bool, not "
                        f"{type(requires_grad).__name__}")
    t = Tensor._make(canonical(value))
    return t.requires_grad_(True) if requires_grad else t


def _float_dtype(dtype):
    return dtypes.get_default_dtype().numpy if dtype is None else dtypes.to_numpy_dtype(dtype)


def tensor(data: TensorLike, dtype: DType | None = None, device: Device = None,
           requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists,
    an array or a tensor)."""
    check_device(device, "tensor")
    if isinstance(data, Tensor):
        data = raw_value(data)
    elif not isinstance(data, np.ndarray):
        data = raw_value(operand(data, "tensor", "data"))
    return _leaf(dtypes.as_value(data, dtype), requires_grad)


def as_tensor(data: TensorLike, dtype: DType | None = None,
              device: Device = None) -> Tensor:
    """``data`` as a tensor: a tensor is returned as it is, other data copied."""
    check_device(device, "as_tensor")
    return data if isinstance(data, Tensor) and dtype is None else tensor(data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    operand(array, "from_numpy", "array")  # its dtype: float, int or bool
    return Tensor._make(canonical(array) if array.ndim == 0 else array)


def _filled(sizes, fill, dtype, requires_grad, fn):
    dtype = dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.get_default_dtype().numpy
    shape = check_alloc(_sizes(sizes, fn), dtype.itemsize, fn)
    return _leaf(np.full(shape, fill, dtype=dtype), requires_grad)


def zeros(*size: Sizes, dtype: DType | None = None, device: Device = None,
          requires_grad: bool = False) -> Tensor:
    """A new tensor of zeros, shape given as ``zeros(2, 3)`` or ``zeros((2, 3))``.

    >>> import dualrev as dr
    >>> dr.zeros(2)
    tensor([0., 0.])"""
    check_device(device, "zeros")
    return _filled(size, 0, dtype, requires_grad, "zeros")


def ones(*size: Sizes, dtype: DType | None = None, device: Device = None,
         requires_grad: bool = False) -> Tensor:
    """A new tensor of ones, shape given as ``ones(2, 3)`` or ``ones((2, 3))``."""
    check_device(device, "ones")
    return _filled(size, 1, dtype, requires_grad, "ones")


def empty(*size: Sizes, dtype: DType | None = None, device: Device = None,
          requires_grad: bool = False) -> Tensor:
    """A new tensor of the given shape (filled with zeros: NumPy-backed, never garbage)."""
    check_device(device, "empty")
    return _filled(size, 0, dtype, requires_grad, "empty")


def full(size: Sizes, fill_value: float | Tensor, dtype: DType | None = None,
         device: Device = None, requires_grad: bool = False) -> Tensor:
    """A new tensor of ``size`` filled with ``fill_value``."""
    check_device(device, "full")
    fill_value = _fill(fill_value, "full")
    if dtype is None and isinstance(fill_value, (bool, int)) and not isinstance(fill_value, float):
        dtype = dtypes.bool if isinstance(fill_value, bool) else dtypes.int64
    return _filled((size,), fill_value, dtype, requires_grad, "full")


def _fill(value, fn):
    """A fill value: a number (or a 0-d tensor), as PyTorch's Number."""
    if type(value) in (float, int, bool) or isinstance(value, (np.floating, np.integer, np.bool_)):
        operand(value, fn, "fill_value", 2)  # an int beyond int64
        return value
    if isinstance(value, Tensor) and not value.shape:
        return value.item()
    raise TypeError(f"{fn}(): argument 'fill_value' (position 2) must be Number, not "
                    f"{type(value).__name__}")


def _like(input, fill, dtype, requires_grad):
    value = raw_value(operand(input, "zeros_like"))
    fill = _fill(fill, "full_like")
    dtype = dtype_of(value) if dtype is None else dtypes.to_numpy_dtype(dtype)
    return _leaf(np.full(shape_of(value), fill, dtype=dtype), requires_grad)


def zeros_like(input: TensorLike, dtype: DType | None = None, device: Device = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros with the shape and dtype of ``input``."""
    check_device(device, "zeros_like")
    return _like(input, 0, dtype, requires_grad)


def ones_like(input: TensorLike, dtype: DType | None = None, device: Device = None,
              requires_grad: bool = False) -> Tensor:
    """Ones with the shape and dtype of ``input``."""
    check_device(device, "ones_like")
    return _like(input, 1, dtype, requires_grad)


def empty_like(input: TensorLike, dtype: DType | None = None, device: Device = None,
               requires_grad: bool = False) -> Tensor:
    """A tensor with the shape and dtype of ``input`` (zeros)."""
    check_device(device, "empty_like")
    return _like(input, 0, dtype, requires_grad)


def full_like(input: TensorLike, fill_value: float | Tensor, dtype: DType | None = None,
              device: Device = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` with the shape and dtype of ``input``."""
    check_device(device, "full_like")
    return _like(input, fill_value, dtype, requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: DType | None = None,
           device: Device = None, requires_grad: bool = False) -> Tensor:
    """Numbers from ``start`` up to (not including) ``end``; int64 when all
    arguments are integers, else the default float dtype."""
    check_device(device, "arange")
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        v = raw_value(v)
        if not (type(v) in (float, int) or isinstance(v, (np.floating, np.integer))) \
                or isinstance(v, (bool, np.bool_)):
            raise TypeError(f"arange(): argument '{name}' must be Number, not {type(v).__name__}")
        if not np.isfinite(v):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    start, end, step = raw_value(start), raw_value(end), raw_value(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    check_alloc((int(np.ceil((end - start) / step)),), 8, "arange")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    return _leaf(np.arange(start, end, step, dtype=dtypes.to_numpy_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: DType | None = None,
             device: Device = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced numbers from ``start`` to ``end``, both included."""
    check_device(device, "linspace")
    steps = _int(steps, "linspace", "steps")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    check_alloc((steps,), 8, "linspace")
    start, end = _fill(start, "linspace"), _fill(end, "linspace")
    return _leaf(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: DType | None = None, device: Device = None,
        requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix."""
    check_device(device, "eye")
    n = _int(n, "eye", "n")
    m = n if m is None else _int(m, "eye", "m")
    if n < 0 or m < 0:
        raise RuntimeError(f"{'n' if n < 0 else 'm'} must be greater or equal to 0, got "
                           f"{n if n < 0 else m}")
    check_alloc((n, m), 8, "eye")
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the generator behind ``rand`` and ``randn`` (NumPy's PCG64, so the
    numbers differ from PyTorch's for the same seed)."""
    _rng[0] = np.random.default_rng(seed)
    return _rng[0]


def _random(draw, shape, requires_grad):
    """Samples of ``shape`` by ``draw(shape)``; inside ``vmap``, as its
    ``randomness`` says: an error, the same samples for every example, or
    different ones (a batch of them)."""
    if not RUNNING:
        return _leaf(draw(shape), requires_grad)
    level, size, randomness = RUNNING[-1]
    if randomness == "error":
        raise RuntimeError("vmap: called random operation while in randomness error mode. Please "
                           "either use the 'same' or 'different' randomness flags on vmap or "
                           "perform the randomness operation out of vmap")
    if randomness == "same":
        return _leaf(draw(shape), requires_grad)
    if requires_grad:
        raise RuntimeError("vmap: random tensors that require grad cannot be made inside vmap "
                           "with randomness='different'; make them outside and pass them in")
    return Batched._make(draw((size,) + tuple(shape)), level)


def rand(*size: Sizes, dtype: DType | None = None, device: Device = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    check_device(device, "rand")
    chosen = _float_dtype(dtype)
    return _random(lambda shape: np.asarray(_rng[0].random(shape)).astype(chosen),
                   check_alloc(_sizes(size, "rand")), requires_grad)


def randn(*size: Sizes, dtype: DType | None = None, device: Device = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    check_device(device, "randn")
    chosen = _float_dtype(dtype)
    return _random(lambda shape: np.asarray(_rng[0].standard_normal(shape)).astype(chosen),
                   check_alloc(_sizes(size, "randn")), requires_grad)


def randint(low: int = 0, high: Sizes | None = None, size: Sizes | None = None, *,
            dtype: DType | None = None, device: Device = None,
            requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high) of shape ``size``: PyTorch's
    ``randint(high, size)`` and ``randint(low, high, size)``."""
    check_device(device, "randint")
    if size is None:  # randint(high, size): the second argument is the size
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    start, stop = _int(low, "randint", "low"), _int(high, "randint", "high")
    size = _sizes((size,), "randint")
    if start >= stop:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={start} >= "
                           f"to={stop}")
    dtype = np.dtype(np.int64) if dtype is None else dtypes.to_numpy_dtype(dtype)
    return _random(lambda shape: _rng[0].integers(start, stop, size=shape).astype(dtype),
                   check_alloc(size), requires_grad)
