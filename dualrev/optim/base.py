"""The base class of dualrev's optimizers, and the helpers they share: reading
and writing parameters' storage outside the graph, and rounding like
PyTorch's CPU kernels (see the package's docstring, "Numerics").
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable
import warnings

import numpy as np

from ..creation import from_numpy
from ..core.grad_mode import enable_grad, no_grad
from .._tensor import Tensor

#: What an optimizer takes: tensors, or groups of them as dicts with options.
Params = Iterable[Tensor] | Iterable[dict[str, Any]]


# ---------------------------------------------------------------------------
# Rounding like PyTorch's CPU kernels.
#
# Each helper takes raw NumPy values already converted to the "op dtype"
# (float32 for float16/float32 parameters, float64 for float64 ones) and
# Python-float options, and returns a value of the op dtype.

_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_VELTKAMP = 134217729.0  # 2**27 + 1: splits a float64 into two 26-bit halves


def _op_dtype(dtype):
    """The precision PyTorch computes in for parameters of ``dtype``."""
    return _F32 if dtype.itemsize <= 4 else dtype


def _fma(a, b, c):
    """``a * b + c`` with a single rounding (a fused multiply-add)."""
    dtype = np.result_type(a, b, c)
    if dtype.itemsize <= 4:
        # A float32 product is exact in float64, so one float64 sum and the
        # final rounding give the fused result (the double rounding differs
        # only in cases of probability about 2**-29).
        exact = np.multiply(a, b, dtype=_F64) + np.asarray(c, dtype=_F64)
        return exact.astype(dtype)
    # float64: error-free product (Dekker) and sum (Knuth), then one final
    # addition of the two error terms.
    a, b, c = np.asarray(a, dtype), np.asarray(b, dtype), np.asarray(c, dtype)
    prod = a * b
    a_big = _VELTKAMP * a
    a_hi = a_big - (a_big - a)
    a_lo = a - a_hi
    b_big = _VELTKAMP * b
    b_hi = b_big - (b_big - b)
    b_lo = b - b_hi
    prod_err = ((a_hi * b_hi - prod) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    total = prod + c
    c_part = total - prod
    sum_err = (prod - (total - c_part)) + (c - c_part)
    err = sum_err + prod_err
    # No error: the plain sum is exact (and keeps the sign of a zero).
    # Infinities, and overflow in the splitting, make NaNs: there too the
    # plain sum is the right result.
    fused = np.where(err == 0, total, total + err)
    return np.where(np.isfinite(fused), fused, total)


def _add(x, y, alpha, op):
    """``x + alpha * y`` as ``torch.add(x, y, alpha=alpha)``."""
    if alpha == 1:
        return x + y
    return _fma(op.type(alpha), y, x)


def _lerp(start, end, weight, op):
    """``start + weight * (end - start)`` as ``torch.lerp``: small weights
    step from ``start``, large ones step back from ``end``."""
    w = op.type(weight)
    diff = end - start
    if abs(w) < 0.5:
        return _fma(w, diff, start)
    return _fma(-(op.type(1) - w), diff, end)


def _addcmul(x, a, b, value, op):
    """``x + value * a * b`` as ``torch.addcmul``."""
    return _fma(op.type(value) * a, b, x)


def _addcdiv(x, a, b, value, op):
    """``x + value * a / b`` as ``torch.addcdiv``."""
    return x + (op.type(value) * a) / b


# ---------------------------------------------------------------------------
# Reading and writing tensors' storage.

def _read(t, op):
    """The values of tensor ``t`` as a NumPy array of dtype ``op``."""
    value = t._value
    if not isinstance(value, (np.ndarray, np.generic, float)):
        raise RuntimeError("dualrev.optim works on plain tensors, not inside function "
                           "transforms (the parameter holds a traced value)")
    return np.asarray(value).astype(op, copy=False)


def _store(t, new):
    """Write ``new`` into ``t`` in place as an in-place op does: ``t`` keeps its
    identity and memory, and its version counter goes up."""
    # ``t[...] = v`` rather than ``copy_``, which loses the sign of -0.0 (it
    # computes ``0 + v``).
    with no_grad():
        t[...] = from_numpy(np.asarray(new).astype(t.dtype.numpy, copy=False))


def _new_state(values, dtype):
    """A new state tensor holding a copy of ``values``."""
    return from_numpy(np.array(values, dtype=dtype.numpy))


def _scalar(x):
    """A hyperparameter as a Python number (a one-element Tensor allowed)."""
    return x.item() if isinstance(x, Tensor) else x


# ---------------------------------------------------------------------------

class Optimizer:
    """Base class of the optimizers, as ``torch.optim.Optimizer``.

    ``params`` is an iterable of Tensors, or of dicts each with a ``"params"``
    entry and options overriding ``defaults`` for that group. A subclass
    implements ``step`` (or ``_update_group(group)``, called by the default
    ``step`` under ``no_grad`` for each group).

    Args:
        params: an iterable of tensors to optimize (leaves), or of dicts
            each with a ``"params"`` entry (the group's tensors) and options
            for that group.
        defaults: the options of every group that does not set its own
            (``lr``, ``momentum``, ...).

    Raises:
        TypeError: ``params`` is a single tensor, a group's ``"params"``
            is a set (not an ordered collection), a group is not a dict, or
            a parameter is not a tensor.
        ValueError: ``params`` is empty, a parameter is not a leaf, or a
            parameter appears in more than one group.

    Example:
        >>> import dualrev as dr
        >>> w, b = dr.zeros(2, requires_grad=True), dr.zeros(1, requires_grad=True)
        >>> opt = dr.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.5]
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Any, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got dualrev.Tensor")
        groups: list[Any] = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (a dict with ``"params"`` and optional
        options; missing options take the optimizer's defaults).

        >>> import dualrev as dr
        >>> opt = dr.optim.SGD([dr.zeros(2, requires_grad=True)], lr=0.1)
        >>> opt.add_param_group({"params": dr.zeros(3, requires_grad=True), "lr": 0.01})
        >>> len(opt.param_groups)
        2
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                kind = type(p)
                name = (kind.__qualname__ if kind.__module__ == "builtins"
                        else f"{kind.__module__}.{kind.__qualname__}")
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {name}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group)
        group["params"] = params
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (the default),
        or with ``set_to_none=False`` to zeros, in place.

        >>> import dualrev as dr
        >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = dr.optim.SGD([x])
        >>> (x * x).sum().backward()
        >>> opt.zero_grad(set_to_none=False); x.grad
        tensor([0., 0.])
        >>> opt.zero_grad(); print(x.grad)
        None
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once. ``closure``, if given, re-evaluates
        the loss (with gradient recording on) before the update; its result
        is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        # PyTorch's kernels neither warn on overflow nor on 0/0.
        with no_grad(), np.errstate(all="ignore"):
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group):
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as ``{"state": ..., "param_groups": ...}``,
        parameters replaced by their position (counted over all groups)."""
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {index[id(p)] if isinstance(p, Tensor) else p: v for p, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by ``state_dict()`` of an optimizer over
        parameters of the same shapes, in the same group layout. State
        tensors are copied (to the parameter's dtype, except ``"step"``)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"])
               for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        by_index = {i: p for g, s in zip(self.param_groups, saved_groups)
                    for i, p in zip(s["params"], g["params"])}

        def copied(param, value, key=None):
            if isinstance(value, Tensor):
                value = value.detach()
                if key != "step" and param.dtype.is_floating_point:
                    return from_numpy(np.array(value.numpy(), dtype=param.dtype.numpy))
                return value.clone()
            if isinstance(value, dict):
                return {k: copied(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):  # LBFGS keeps lists of tensors
                return type(value)(copied(param, v, key) for v in value)
            return value

        state: defaultdict[Any, Any] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in by_index:
                param = by_index[key]
                state[param] = copied(param, value)
            else:
                state[key] = value
        groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new = {k: v for k, v in saved.items() if k != "params"}
            new["params"] = group["params"]
            groups.append(new)
        self.state = state
        self.param_groups = groups
