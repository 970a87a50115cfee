"""Operators and methods of Tensor and Dual that are no ``dr.X`` function:
Python's operators (which call the primitives directly: the short path
that scalar code takes), conversions and shape queries. ``names`` installs
them on both classes with the rest of the table."""

import numpy as np

from . import dtypes
from . import functions as F
from . import rules
from . import shape_functions as S
from ._args import _axis, normalize_index, operand
from ._numpy_api import array_function, array_ufunc
from ._tensor import Size, boxed, named
from .device import check_device, device as Device
from .docstrings.tensor import METHODS, document
from .core.primitive import Box, bind1
from .core.values import dtype_of, shape_of


def _operator(prim, of_tensors=None, reflected_name=None):
    """The method and the reflected method of a binary operator, dispatching
    straight to the box of the higher level (``self`` is a box). Where
    PyTorch names the node of the operator between two tensors
    (``of_tensors``) or of the reflected one otherwise than the primitive,
    the node shows PyTorch's name (``x ** y`` is PowBackward1, ``1 - x``
    RsubBackward1)."""
    def forward(self, other):
        if type(other) is float:  # (a number: the scalar path, told first)
            return self._apply2(prim, self, other)
        if isinstance(other, Box):
            out = (other if other._level > self._level else self)._apply2(prim, self, other)
            return out if of_tensors is None else named(out, of_tensors)
        if not _takes(other):
            return NotImplemented  # Python's TypeError, as PyTorch's
        return self._apply2(prim, self, other)

    def reflected(self, other):
        if type(other) is not float:
            if not _takes(other):
                return NotImplemented
            if isinstance(other, Box) and other._level > self._level:
                out = other._apply2(prim, other, self)
                return out if reflected_name is None else named(out, reflected_name)
        out = self._apply2(prim, other, self)
        return out if reflected_name is None else named(out, reflected_name)
    return forward, reflected


def _takes(other):
    """Whether an operator takes ``other``: a box or array-like data, not
    None, a string or another object (then the operator returns
    NotImplemented and Python raises its TypeError, or == gives False)."""
    t = type(other)
    if t is float or t is int or isinstance(other, Box):
        return True
    if t is bool or t is list or t is tuple or isinstance(other, (np.ndarray, np.generic)):
        return getattr(other, "dtype", np.dtype(float)).kind in "biuf"
    return False


def _plain_operator(fn):
    """An operator that is no primitive call of its own (comparisons, bitwise
    operators): ``fn(self, other)``, and ``fn(other, self)`` reflected."""
    def forward(self, other):
        return fn(self, other) if _takes(other) else NotImplemented

    def reflected(self, other):
        return fn(other, self) if _takes(other) else NotImplemented
    return forward, reflected


def _neg(self):
    return bind1(rules.neg, self)


def _pos(self):
    return self


def _matmul(self, other):
    return F.matmul(self, other)


def _rmatmul(self, other):
    return F.matmul(other, self)


def _len(self):
    if not self.shape:
        raise TypeError("len() of a 0-d tensor")
    return self.shape[0]


def _iter(self):
    if not self.shape:
        raise TypeError("iteration over a 0-d tensor")
    return (self[i] for i in range(self.shape[0]))


def _getitem(x, index):
    index = normalize_index(index)
    shape = x.shape
    explicit = sum(1 for p in index if p is not None and p is not Ellipsis
                   and not (isinstance(p, np.ndarray) and p.dtype == bool))
    explicit += sum(p.ndim for p in index if isinstance(p, np.ndarray) and p.dtype == bool)
    if explicit > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    try:
        return boxed(rules.getitem(x, index=index))
    except IndexError as e:  # NumPy's "axis" in PyTorch's words
        raise IndexError(str(e).replace("for axis", "for dimension")) from None


def operators(functions):
    """Python's operators and protocols of Tensor and Dual; ``functions``
    are the ``dr.X`` functions of the name table (comparisons and bitwise
    operators are theirs)."""
    ops = {"__array_ufunc__": array_ufunc,        # np.sin(t), array + t: recorded
           "__array_function__": array_function,  # np.sum(t), np.dot(a, t): recorded
           "__neg__": _neg, "__pos__": _pos, "__abs__": lambda self: rules.abs(self),
           "__matmul__": _matmul, "__rmatmul__": _rmatmul,
           "__invert__": lambda self: functions["bitwise_not"](self), "__hash__": object.__hash__,
           "__getitem__": _getitem, "__len__": _len, "__iter__": _iter}
    for name, prim, of_tensors, reflected_name in (
            ("add", rules.add, None, None), ("sub", rules.sub, None, "RsubBackward1"),
            ("mul", rules.mul, None, None), ("truediv", rules.div, None, "MulBackward0"),
            ("pow", rules.pow, "PowBackward1", "PowBackward2")):
        ops[f"__{name}__"], ops[f"__r{name}__"] = _operator(prim, of_tensors, reflected_name)
    for name, fn in (("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor"),
                     ("lshift", "bitwise_left_shift"), ("rshift", "bitwise_right_shift")):
        ops[f"__{name}__"], ops[f"__r{name}__"] = _plain_operator(functions[fn])
    for name in ("eq", "ne", "lt", "gt", "le", "ge"):
        ops[f"__{name}__"] = _plain_operator(functions[name])[0]
    return ops


# -- methods with no dr.X function of the same meaning -----------------------------

def where(self, condition, other):
    """``self`` where ``condition`` holds, else ``other``."""
    return F.where(condition, self, other)


def expand_as(self, other):
    """This tensor broadcast to ``other``'s shape."""
    return S.broadcast_to(self, shape_of(operand(other, "expand_as", "other")))


def view_as(self, other):
    """This tensor reshaped to ``other``'s shape."""
    return S.reshape(self, shape_of(operand(other, "view_as", "other")))


def type_as(self, other):
    """This tensor cast to ``other``'s dtype."""
    return S.to_dtype(self, dtype_of(operand(other, "type_as", "other")))


_TO_FORMS = (("device", "dtype", "non_blocking", "copy"), ("dtype", "non_blocking", "copy"),
             ("tensor", "non_blocking", "copy"))


def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False):
    """This tensor with another dtype (and on a device: the CPU), as PyTorch's
    ``to``: ``to(dtype)``, ``to(device, dtype)``, ``to(other)`` (``other``'s
    dtype and device), each with ``non_blocking`` (accepted, and of no
    effect) and ``copy`` (a new tensor even when nothing changes); arguments
    may be given by position, in one of these forms, or by keyword.

    Args:
        *args: ``(device, dtype, non_blocking, copy)``, ``(dtype,
            non_blocking, copy)`` or ``(other, non_blocking, copy)``, or the
            first of them.
        device: None, ``"cpu"`` or a ``dualrev.device`` of type cpu.
        dtype: the dtype wanted (None keeps this tensor's).
        non_blocking: accepted for PyTorch's code; no effect.
        copy: a new tensor even when the dtype does not change.

    Returns:
        ``self`` when nothing changes, else the cast (recorded: float dtypes
        carry gradients) or copy.

    Raises:
        RuntimeError: a device other than the CPU (dualrev runs on NumPy
            arrays, on the CPU only).
        TypeError: arguments that fit none of the three forms.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor([1.0, 2.0])
        >>> x.to("cpu", dr.float32)
        tensor([1., 2.], dtype=dualrev.float32)
        >>> x.to("cpu") is x, x.to("cpu", copy=True) is x
        (True, False)
    """
    keywords = {"device": device, "dtype": dtype, "non_blocking": non_blocking, "copy": copy}
    given = _to_arguments(args, {k: v for k, v in keywords.items()
                                 if v is not None and v is not False})
    check_device(given.get("device"), "to")
    dtype = given.get("dtype")
    if "tensor" in given:
        dtype = given["tensor"].dtype
    out = self if dtype is None else S.to_dtype(self, dtype)
    if given.get("copy") and out is self:
        return named(F.clone(out), "ToCopyBackward0")
    return out


def _to_arguments(args, kwargs):
    """The arguments of ``to`` by name, in the form the first argument
    chooses, or PyTorch's TypeError listing the forms."""
    first = args[0] if args else None
    if _is_dtype(first):
        names = _TO_FORMS[1]
    elif isinstance(first, Box):
        names = _TO_FORMS[2]
    else:
        names = _TO_FORMS[0]
    given = dict(zip(names, args))
    fits = len(args) <= len(names) and not set(kwargs) - set(names[len(args):])
    given.update(kwargs)
    checks = {"device": lambda v: v is None or isinstance(v, (str, int, Device)) and
              not isinstance(v, bool), "dtype": lambda v: v is None or _is_dtype(v),
              "non_blocking": _is_bool, "copy": _is_bool, "tensor": lambda v: isinstance(v, Box)}
    if not fits or not all(checks[k](v) for k, v in given.items()):
        got = [_type_name(a) for a in args] + [f"{k}={_type_name(v)}" for k, v in kwargs.items()]
        raise TypeError(f"to() received an invalid combination of arguments - got "
                        f"({', '.join(got)}), but expected one of:\n{_TO_SIGNATURES}")
    return given


_TO_SIGNATURES = """\
 * (dualrev.device device = None, dualrev.dtype dtype = None, bool non_blocking = False, \
bool copy = False)
 * (dualrev.dtype dtype, bool non_blocking = False, bool copy = False)
 * (Tensor tensor, bool non_blocking = False, bool copy = False)"""


def _is_dtype(value):
    return isinstance(value, (dtypes.dtype, np.dtype)) or value is float or value is int or (
        value is bool or isinstance(value, type) and issubclass(value, np.generic))


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _type_name(value):
    if isinstance(value, dtypes.dtype):
        return "dualrev.dtype"
    if isinstance(value, Device):
        return "dualrev.device"
    return "Tensor" if isinstance(value, Box) else type(value).__name__


def cpu(self):
    """This tensor: dualrev's tensors live on the CPU.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor([1.0])
        >>> x.cpu() is x
        True
    """
    return self


def contiguous(self):
    """This tensor (NumPy manages memory layout)."""
    return self


def to_float32(self):
    """Cast to float32."""
    return S.to_dtype(self, dtypes.float32)


def to_float64(self):
    """Cast to float64."""
    return S.to_dtype(self, dtypes.float64)


def to_int64(self):
    """Cast to int64 (not differentiable)."""
    return S.to_dtype(self, dtypes.int64)


def to_int32(self):
    """Cast to int32 (not differentiable)."""
    return S.to_dtype(self, dtypes.int32)


def to_bool(self):
    """Cast to bool (not differentiable)."""
    return S.to_dtype(self, dtypes.bool)


def is_floating_point(self):
    """Whether the dtype is a float dtype."""
    return self.dtype.is_floating_point


def size(self, dim=None):
    """The shape (a ``dualrev.Size``), or its ``dim``-th entry."""
    shape = Size(self.shape)
    return shape if dim is None else shape[_axis(self, dim)]


def dim(self):
    """The number of axes."""
    return len(self.shape)


def T(self):
    """The axes in reverse order."""
    return S.permute(self, tuple(range(len(self.shape)))[::-1])


def mT(self):
    """The last two axes swapped (a batch of matrices transposed)."""
    return S.transpose(self, -2, -1)


document(globals(), METHODS)  # the reference docstrings (dualrev/docstrings/tensor.py)
