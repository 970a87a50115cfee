"""PyTorch's ``torch.autograd.forward_ad``: dual tensors made by hand inside
a ``dual_level``.

A dual level is a fresh dualrev level (``core.levels.new_level``), the one
``dr.func.jvp`` would take; ``make_dual`` puts a Dual of that level around a
tensor, and every operation on it carries the tangent, as under ``jvp``.
``unpack_dual`` takes it apart again. As in PyTorch, one dual level may be
active at a time. Once a level is exited, ``unpack_dual`` sees no tangent on
its Duals (PyTorch clears them; dualrev's Duals keep theirs, but nothing
reads them as forward gradients any more).
"""

import functools
from typing import Any, NamedTuple

import numpy as np

from ..core.forward import ForwardBox, fit_tangent
from ..core.levels import AMBIENT, new_level
from ..core.primitive import Box, raw_value
from ..core.values import canonical, dtype_of, shape_of
from ..dtypes import from_numpy_dtype
from ..dual import Dual
from .._tensor import Tensor

_active = []  # the dualrev level of the dual level in use (at most one, as in PyTorch)
_exited = set()  # levels of dual levels already exited: their Duals carry no forward gradient


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the primal and the tangent (None when
    the tensor has none at the level asked for).

    Example:
        >>> import dualrev as dr
        >>> fwAD = dr.autograd.forward_ad
        >>> fwAD.unpack_dual(dr.tensor(1.0))
        UnpackedDualTensor(primal=tensor(1.), tangent=None)
    """

    primal: Any
    tangent: Any


def enter_dual_level():
    """Start a dual level (``dual_level`` does this and ``exit_dual_level``
    for you).

    Returns:
        int: the level's index, 0 (only one level may be active).

    Raises:
        RuntimeError: a dual level is active already.

    Example:
        >>> import dualrev as dr
        >>> fwAD = dr.autograd.forward_ad
        >>> fwAD.enter_dual_level()
        0
        >>> fwAD.exit_dual_level()
    """
    if _active:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _active.append(new_level())
    return 0


def exit_dual_level(*, level=None):
    """End the dual level started by ``enter_dual_level``.

    Args:
        level: the index ``enter_dual_level`` returned (0), or None for the
            current one.

    Raises:
        RuntimeError: no dual level is active, or ``level`` is not it.

    Example:
        >>> import dualrev as dr
        >>> fwAD = dr.autograd.forward_ad
        >>> _ = fwAD.enter_dual_level()
        >>> fwAD.exit_dual_level(level=0)
    """
    if not _active:
        raise RuntimeError("Dual level must be a positive number.")
    if level not in (None, 0):
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was "
                           "created. This is not supported.")
    _exited.add(_active.pop())


class dual_level:
    """Context manager (and decorator) in which ``make_dual`` makes dual
    tensors; their tangents are forgotten on exit.

    Example:
        >>> import dualrev as dr
        >>> fwAD = dr.autograd.forward_ad
        >>> x = dr.tensor([1.0, 2.0])
        >>> with fwAD.dual_level():
        ...     y = fwAD.make_dual(x, dr.ones(2)) ** 2
        ...     fwAD.unpack_dual(y).tangent
        tensor([2., 4.])
    """

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with dual_level():
                return fn(*args, **kwargs)
        return wrapper


def _level_asked(level, where):
    """The dualrev level behind PyTorch's level index (0 or None: the active one)."""
    if level is not None and (isinstance(level, bool) or level != 0 or not _active):
        raise RuntimeError(f"Invalid level given to {where}")
    return _active[-1] if _active else None


def _checked_float(value, what):
    dtype = dtype_of(raw_value(value))
    if dtype.kind != "f":
        raise ValueError(f"Expected {what} to be floating point or complex, but got: "
                         f"{from_numpy_dtype(dtype)}")


def _opened(t):
    """A tensor as a Dual holds it: an ambient tensor without history opened
    to its value; a tensor that requires grad (or a box of another level) as
    it is, so that reverse mode sees through the tangent's pass."""
    if isinstance(t, Tensor) and t._level == AMBIENT and t._node is None and not t.requires_grad:
        return t._value
    return t


def make_dual(tensor, tangent, *, level=None):
    """A dual tensor: ``tensor`` carrying ``tangent`` as its forward gradient.
    Every operation on it carries the tangent (a Jacobian-vector product).

    Args:
        tensor: the primal, a floating-point tensor (it may require grad:
            reverse mode then sees through the forward pass).
        tangent: its tangent, a tensor of the same shape (cast to the
            primal's dtype).
        level: the dual level's index (0) or None for the active one.

    Returns:
        Dual: the dual tensor.

    Raises:
        RuntimeError: no dual level is active, the shapes differ, or the
            tensor has a tangent at this level already.
        ValueError: the primal or the tangent is not floating point.
        TypeError: ``tensor`` or ``tangent`` is not a tensor.

    Example:
        >>> import dualrev as dr
        >>> fwAD = dr.autograd.forward_ad
        >>> with fwAD.dual_level():
        ...     d = fwAD.make_dual(dr.tensor(2.0), dr.tensor(1.0))
        ...     fwAD.unpack_dual(d.exp() * 3).tangent
        tensor(22.1672)
    """
    for name, value in (("tensor", tensor), ("tangent", tangent)):
        if not isinstance(value, Box):
            raise TypeError(f"make_dual(): argument '{name}' must be Tensor, not "
                            f"{type(value).__name__}")
    if _level_asked(level, "_make_dual") is None:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    current = _active[-1]
    if isinstance(tensor, ForwardBox) and tensor._level == current:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward "
                           "gradient at the same level 0 is not supported.")
    _checked_float(tensor, "primal")
    _checked_float(tangent, "tangent")
    p_shape, t_shape = tuple(shape_of(tensor)), tuple(shape_of(tangent))
    if p_shape != t_shape:
        raise RuntimeError("Trying to set a forward gradient that has a different size than that "
                           "of the original Tensor, this is not supported. Tensor is of size "
                           f"{list(p_shape)} while the given forward gradient is of size "
                           f"{list(t_shape)}.")
    primal, tangent = _opened(tensor), _opened(tangent)
    want = dtype_of(raw_value(primal))
    if dtype_of(raw_value(tangent)) != want:
        tangent = tangent.to(from_numpy_dtype(want)) if isinstance(tangent, Box) \
            else np.asarray(tangent).astype(want)
        tangent = _opened(tangent)
    return Dual._make(primal, canonical(fit_tangent(tangent, primal)), current)


def _as_tensor(value):
    return value if isinstance(value, Box) else Tensor._make(canonical(value))


def unpack_dual(tensor, *, level=None):
    """The primal and the tangent of a dual tensor.

    Args:
        tensor: a tensor, dual or not.
        level: the dual level's index (0) or None for the active one.

    Returns:
        UnpackedDualTensor: ``(primal, tangent)``, both tensors; the tangent
        is None when ``tensor`` has none at the active level (and the
        primal is then ``tensor`` itself).

    Raises:
        TypeError: ``tensor`` is not a tensor.

    Example:
        >>> import dualrev as dr
        >>> fwAD = dr.autograd.forward_ad
        >>> with fwAD.dual_level():
        ...     d = fwAD.make_dual(dr.tensor([1.0, 2.0]), dr.tensor([1.0, 0.0]))
        ...     fwAD.unpack_dual(d * d)
        UnpackedDualTensor(primal=tensor([1., 4.]), tangent=tensor([2., 0.]))
    """
    if not isinstance(tensor, Box):
        raise TypeError(f"_unpack_dual(): argument 'dual' (position 1) must be Tensor, not "
                        f"{type(tensor).__name__}")
    if level is not None and (isinstance(level, bool) or level != 0 or not _active):
        return UnpackedDualTensor(tensor, None)
    if isinstance(tensor, ForwardBox):
        if _active and tensor._level == _active[-1]:
            return UnpackedDualTensor(_as_tensor(tensor.primal), _as_tensor(tensor.tangent))
        if tensor._level in _exited:
            return UnpackedDualTensor(_as_tensor(tensor.primal), None)
    return UnpackedDualTensor(tensor, None)


__all__ = ["dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual",
           "UnpackedDualTensor"]


def __dir__():
    return __all__
