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
    an array or a tensor).

    Python floats become the default dtype (float64 unless changed by
    ``dr.set_default_dtype``), ints int64 and bools bool; a NumPy array keeps
    its dtype. The copy never shares memory with ``data`` (``dr.from_numpy``
    does).

    Args:
        data (number | nested lists | numpy.ndarray | Tensor): the values.
        dtype (dtype | None): the dtype (default None: inferred from data).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a leaf tensor (``grad_fn`` None).

    Raises:
        TypeError: if ``data`` is not numbers (strings, ragged lists, objects)
            or ``requires_grad`` is not a bool.
        RuntimeError: if ``requires_grad=True`` for an integer dtype ("only
            Tensors of floating point and complex dtype can require gradients"),
            or if the device is not the CPU.

    Example:
        >>> import dualrev as dr
        >>> dr.tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]])
        >>> x = dr.tensor(2.0, requires_grad=True)
        >>> (x ** 3).backward(); x.grad
        tensor(12.)
    """
    check_device(device, "tensor")
    if isinstance(data, Tensor):
        data = raw_value(data)
    elif not isinstance(data, np.ndarray):
        data = raw_value(operand(data, "tensor", "data"))
    return _leaf(dtypes.as_value(data, dtype), requires_grad)


def as_tensor(data: TensorLike, dtype: DType | None = None,
              device: Device = None) -> Tensor:
    """``data`` as a tensor: a tensor is returned as it is, other data copied.

    Unlike ``dr.tensor``, a tensor given without ``dtype`` is the very object
    (still in its graph).

    Args:
        data (number | nested lists | numpy.ndarray | Tensor): the values.
        dtype (dtype | None): the dtype (default None: ``data``'s, or inferred).
        device (str | device | None): ``"cpu"`` or None.

    Returns:
        Tensor: ``data`` itself, or a new tensor.

    Raises:
        TypeError: if ``data`` is not numbers.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor([1.0, 2.0])
        >>> dr.as_tensor(x) is x, dr.as_tensor([1, 2], dtype=dr.float32)
        (True, tensor([1., 2.], dtype=dualrev.float32))
    """
    check_device(device, "as_tensor")
    return data if isinstance(data, Tensor) and dtype is None else tensor(data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with the NumPy array ``array``.

    A change to the array shows in the tensor and the other way round; the
    array's dtype is kept.

    Args:
        array (numpy.ndarray): an array of floats, integers or bools.

    Returns:
        Tensor: a leaf tensor over ``array``'s memory.

    Raises:
        TypeError: if ``array`` is not a NumPy array, or of an unsupported dtype.

    Example:
        >>> import dualrev as dr
        >>> import numpy as np
        >>> a = np.array([1.0, 2.0])
        >>> t = dr.from_numpy(a)
        >>> a[0] = 5.0; t
        tensor([5., 2.])
    """
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

    Args:
        *size (int | sequence of int): the shape, as ``f(2, 3)`` or ``f((2, 3))``.
        dtype (dtype | None): the dtype (default None: ``dr.get_default_dtype()``).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a leaf tensor of zeros.

    Raises:
        TypeError: if a size is not an int or ``requires_grad`` is not a bool.
        RuntimeError: if a size is negative or the device is not the CPU.

    Example:
        >>> import dualrev as dr
        >>> dr.zeros(2)
        tensor([0., 0.])
        >>> dr.zeros((2, 3), dtype=dr.int64).shape
        dualrev.Size([2, 3])
    """
    check_device(device, "zeros")
    return _filled(size, 0, dtype, requires_grad, "zeros")


def ones(*size: Sizes, dtype: DType | None = None, device: Device = None,
         requires_grad: bool = False) -> Tensor:
    """A new tensor of ones, shape given as ``ones(2, 3)`` or ``ones((2, 3))``.

    Args:
        *size (int | sequence of int): the shape, as ``f(2, 3)`` or ``f((2, 3))``.
        dtype (dtype | None): the dtype (default None: ``dr.get_default_dtype()``).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a leaf tensor of ones.

    Raises:
        TypeError: if a size is not an int or ``requires_grad`` is not a bool.
        RuntimeError: if a size is negative or the device is not the CPU.

    Example:
        >>> import dualrev as dr
        >>> dr.ones(2, 2, dtype=dr.int32)
        tensor([[1, 1],
                [1, 1]], dtype=dualrev.int32)
    """
    check_device(device, "ones")
    return _filled(size, 1, dtype, requires_grad, "ones")


def empty(*size: Sizes, dtype: DType | None = None, device: Device = None,
          requires_grad: bool = False) -> Tensor:
    """A new tensor of the given shape (filled with zeros: NumPy-backed, never garbage).

    PyTorch leaves ``empty``'s memory uninitialised; dualrev fills it with
    zeros, so code that reads it anyway stays deterministic.

    Args:
        *size (int | sequence of int): the shape, as ``f(2, 3)`` or ``f((2, 3))``.
        dtype (dtype | None): the dtype (default None: ``dr.get_default_dtype()``).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a leaf tensor (of zeros).

    Raises:
        TypeError: if a size is not an int or ``requires_grad`` is not a bool.
        RuntimeError: if a size is negative or the device is not the CPU.

    Example:
        >>> import dualrev as dr
        >>> dr.empty(2, 3).shape
        dualrev.Size([2, 3])
    """
    check_device(device, "empty")
    return _filled(size, 0, dtype, requires_grad, "empty")


def full(size: Sizes, fill_value: float | Tensor, dtype: DType | None = None,
         device: Device = None, requires_grad: bool = False) -> Tensor:
    """A new tensor of ``size`` filled with ``fill_value``.

    Without ``dtype``, a bool fill gives bool, an int int64 and a float the
    default dtype, as in PyTorch.

    Args:
        size (int | sequence of int): the shape.
        fill_value (number | Tensor): a number or a 0-d tensor.
        dtype (dtype | None): the dtype (default None: from fill_value).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a leaf tensor.

    Raises:
        TypeError: if ``fill_value`` is not a number or a 0-d tensor.
        RuntimeError: if a size is negative.

    Example:
        >>> import dualrev as dr
        >>> dr.full((2, 2), 7)
        tensor([[7, 7],
                [7, 7]])
        >>> dr.full(3, 0.5)
        tensor([0.5000, 0.5000, 0.5000])
    """
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
    """Zeros with the shape and dtype of ``input``.

    Args:
        input (Tensor | Dual | array_like): the tensor whose shape (and dtype) the result takes.
        dtype (dtype | None): the dtype (default None: ``input``'s).
        device (str | device | None): ``"cpu"`` or None.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a new leaf tensor of zeros.

    Raises:
        TypeError: if ``input`` is not a tensor or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> dr.zeros_like(dr.tensor([[1, 2]]))
        tensor([[0, 0]])
    """
    check_device(device, "zeros_like")
    return _like(input, 0, dtype, requires_grad)


def ones_like(input: TensorLike, dtype: DType | None = None, device: Device = None,
              requires_grad: bool = False) -> Tensor:
    """Ones with the shape and dtype of ``input``.

    Args:
        input (Tensor | Dual | array_like): the tensor whose shape (and dtype) the result takes.
        dtype (dtype | None): the dtype (default None: ``input``'s).
        device (str | device | None): ``"cpu"`` or None.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a new leaf tensor of ones.

    Raises:
        TypeError: if ``input`` is not a tensor or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> dr.ones_like(dr.tensor([1.0, 2.0]))
        tensor([1., 1.])
    """
    check_device(device, "ones_like")
    return _like(input, 1, dtype, requires_grad)


def empty_like(input: TensorLike, dtype: DType | None = None, device: Device = None,
               requires_grad: bool = False) -> Tensor:
    """A tensor with the shape and dtype of ``input`` (zeros, never garbage).

    Args:
        input (Tensor | Dual | array_like): the tensor whose shape (and dtype) the result takes.
        dtype (dtype | None): the dtype (default None: ``input``'s).
        device (str | device | None): ``"cpu"`` or None.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a new leaf tensor of zeros.

    Raises:
        TypeError: if ``input`` is not a tensor or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> dr.empty_like(dr.tensor([1.0, 2.0])).shape
        dualrev.Size([2])
    """
    check_device(device, "empty_like")
    return _like(input, 0, dtype, requires_grad)


def full_like(input: TensorLike, fill_value: float | Tensor, dtype: DType | None = None,
              device: Device = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` with the shape and dtype of ``input``.

    Args:
        input (Tensor | Dual | array_like): the tensor whose shape (and dtype) the result takes.
        fill_value (number | Tensor): a number or a 0-d tensor, cast to the dtype.
        dtype (dtype | None): the dtype (default None: ``input``'s).
        device (str | device | None): ``"cpu"`` or None.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a new leaf tensor.

    Raises:
        TypeError: if ``fill_value`` is not a number or a 0-d tensor.

    Example:
        >>> import dualrev as dr
        >>> dr.full_like(dr.tensor([1, 2]), 9)
        tensor([9, 9])
    """
    check_device(device, "full_like")
    return _like(input, fill_value, dtype, requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: DType | None = None,
           device: Device = None, requires_grad: bool = False) -> Tensor:
    """Numbers from ``start`` up to (not including) ``end`` by ``step``.

    ``arange(end)`` starts at 0. The dtype is int64 when all of ``start``,
    ``end``, ``step`` are integers, else the default float dtype.

    Args:
        start (number): the first value, or the end when ``end`` is None.
        end (number | None): the bound, not included.
        step (number): the difference between values (default 1, nonzero).
        dtype (dtype | None): the dtype (default None: int64 or the default float dtype).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a 1-d leaf tensor of ``ceil((end - start) / step)`` values.

    Raises:
        TypeError: if an argument is not a number.
        RuntimeError: if ``step`` is 0, its sign disagrees with ``end - start``,
            or a bound is not finite.

    Example:
        >>> import dualrev as dr
        >>> dr.arange(4), dr.arange(1, 2, 0.25)
        (tensor([0, 1, 2, 3]), tensor([1.0000, 1.2500, 1.5000, 1.7500]))
    """
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
    """``steps`` evenly spaced numbers from ``start`` to ``end``, both included.

    Args:
        start (number): the first value.
        end (number): the last value.
        steps (int): how many values (0 or more).
        dtype (dtype | None): the dtype (default None: ``dr.get_default_dtype()``).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a 1-d leaf tensor of ``steps`` values.

    Raises:
        RuntimeError: if ``steps`` is negative.
        TypeError: if ``start`` or ``end`` is not a number.

    Example:
        >>> import dualrev as dr
        >>> dr.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    check_device(device, "linspace")
    steps = _int(steps, "linspace", "steps")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    check_alloc((steps,), 8, "linspace")
    start, end = _fill(start, "linspace"), _fill(end, "linspace")
    return _leaf(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: DType | None = None, device: Device = None,
        requires_grad: bool = False) -> Tensor:
    """The ``n`` x ``m`` identity matrix: ones on the main diagonal, zeros elsewhere.

    Args:
        n (int): the number of rows.
        m (int | None): the number of columns (default None: ``n``).
        dtype (dtype | None): the dtype (default None: ``dr.get_default_dtype()``).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a 2-d leaf tensor.

    Raises:
        RuntimeError: if ``n`` or ``m`` is negative.

    Example:
        >>> import dualrev as dr
        >>> dr.eye(2, 3)
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    check_device(device, "eye")
    n = _int(n, "eye", "n")
    m = n if m is None else _int(m, "eye", "m")
    if n < 0 or m < 0:
        raise RuntimeError(f"{'n' if n < 0 else 'm'} must be greater or equal to 0, got "
                           f"{n if n < 0 else m}")
    check_alloc((n, m), 8, "eye")
    return _leaf(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the generator behind ``rand``, ``randn`` and ``randint``.

    The generator is NumPy's PCG64, so the numbers differ from PyTorch's for
    the same seed; the same seed gives the same numbers in dualrev.

    Args:
        seed (int): the seed.

    Returns:
        numpy.random.Generator: the new generator.

    Example:
        >>> import dualrev as dr
        >>> _ = dr.manual_seed(0); a = dr.rand(3)
        >>> _ = dr.manual_seed(0); dr.equal(a, dr.rand(3))
        True
    """
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
    """Samples drawn uniformly from [0, 1), of the given shape.

    Inside ``dr.func.vmap``, as its ``randomness`` argument says.

    Args:
        *size (int | sequence of int): the shape, as ``f(2, 3)`` or ``f((2, 3))``.
        dtype (dtype | None): the dtype (default None: ``dr.get_default_dtype()``).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a leaf tensor of samples.

    Raises:
        TypeError: if a size is not an int or ``requires_grad`` is not a bool.
        RuntimeError: if a size is negative or the device is not the CPU.

    Example:
        >>> import dualrev as dr
        >>> _ = dr.manual_seed(0)
        >>> dr.rand(3)
        tensor([0.6370, 0.2698, 0.0410])
    """
    check_device(device, "rand")
    chosen = _float_dtype(dtype)
    return _random(lambda shape: np.asarray(_rng[0].random(shape)).astype(chosen),
                   check_alloc(_sizes(size, "rand")), requires_grad)


def randn(*size: Sizes, dtype: DType | None = None, device: Device = None,
          requires_grad: bool = False) -> Tensor:
    """Samples of the standard normal distribution, of the given shape.

    Inside ``dr.func.vmap``, as its ``randomness`` argument says.

    Args:
        *size (int | sequence of int): the shape, as ``f(2, 3)`` or ``f((2, 3))``.
        dtype (dtype | None): the dtype (default None: ``dr.get_default_dtype()``).
        device (str | device | None): ``"cpu"`` or None; dualrev has no other device.
        requires_grad (bool): whether the new leaf records operations (default False).

    Returns:
        Tensor: a leaf tensor of samples.

    Raises:
        TypeError: if a size is not an int or ``requires_grad`` is not a bool.
        RuntimeError: if a size is negative or the device is not the CPU.

    Example:
        >>> import dualrev as dr
        >>> _ = dr.manual_seed(0)
        >>> dr.randn(3)
        tensor([ 0.1257, -0.1321,  0.6404])
    """
    check_device(device, "randn")
    chosen = _float_dtype(dtype)
    return _random(lambda shape: np.asarray(_rng[0].standard_normal(shape)).astype(chosen),
                   check_alloc(_sizes(size, "randn")), requires_grad)


def randint(low: int = 0, high: Sizes | None = None, size: Sizes | None = None, *,
            dtype: DType | None = None, device: Device = None,
            requires_grad: bool = False) -> Tensor:
    """Random integers in [``low``, ``high``) of shape ``size``.

    PyTorch's two forms: ``randint(high, size)`` and ``randint(low, high, size)``.

    Args:
        low (int): the smallest value (default 0), or ``high`` in the two-argument form.
        high (int | sequence of int): the bound, not included (the size in the
            two-argument form).
        size (int | sequence of int | None): the shape.
        dtype (dtype | None): the dtype (default None: int64).
        device (str | device | None): ``"cpu"`` or None.
        requires_grad (bool): must stay False: integer tensors cannot require grad.

    Returns:
        Tensor: a leaf tensor of integers.

    Raises:
        TypeError: if no size is given.
        RuntimeError: if ``low >= high`` or ``requires_grad`` is True.

    Example:
        >>> import dualrev as dr
        >>> _ = dr.manual_seed(0)
        >>> x = dr.randint(3, 10, (100,))
        >>> bool(x.min() >= 3), bool(x.max() < 10), x.dtype
        (True, True, dualrev.int64)
    """
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
