"""Optimizers with PyTorch's ``torch.optim`` interface: ``SGD`` and ``Adam``.

An optimizer holds *parameter groups* (``param_groups``: a list of dicts,
each with its ``"params"`` and its own options) and a per-parameter
``state`` dict (momentum buffers, moment estimates). ``step()`` updates every
parameter that has a ``.grad``, in place and outside the graph; parameters
whose ``.grad`` is ``None`` are left alone.

>>> import dualrev as dr
>>> x = dr.tensor([1.0, -2.0], requires_grad=True)
>>> opt = dr.optim.SGD([x], lr=0.1)
>>> opt.zero_grad()
>>> (x * x).sum().backward()
>>> opt.step()
>>> x
tensor([ 0.8000, -1.6000], requires_grad=True)

Numerics. The updates follow PyTorch's default (single-tensor, non-fused,
non-foreach) CPU algorithms operation for operation, in the parameter's own
dtype, and round as its kernels do: Python-number options are cast to the
parameter's dtype; ``add(alpha=)``, ``lerp`` and ``addcmul`` are fused
multiply-adds (a single rounding); ``addcdiv`` is ``x + (value * a) / b``.
So SGD reproduces PyTorch's float32 and float64 trajectories bit for bit.
Adam agrees to the last bit or so: PyTorch takes its ``sqrt`` from a vector
math library that is not correctly rounded (about one value in six is one ulp
off on an AVX-512 CPU), where NumPy's is exact. float16 parameters are
updated in float32 and stored as float16 (PyTorch's float16 rounding depends
on its vectorisation and is not reproduced).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable
import warnings

import numpy as np

from .creation import from_numpy, tensor, zeros_like
from .dtypes import float32, float64, get_default_dtype
from .core.grad_mode import enable_grad, no_grad
from ._tensor import Tensor

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


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (heavy-ball or
    Nesterov), dampening and L2 weight decay, as ``torch.optim.SGD``.

    For each parameter ``p`` with gradient ``g`` (``-g`` if ``maximize``):

    * ``g += weight_decay * p``
    * with momentum: the buffer ``b`` starts as ``g`` and afterwards is
      ``b = momentum * b + (1 - dampening) * g``; then ``g = g + momentum * b``
      (Nesterov) or ``g = b``
    * ``p -= lr * g``

    >>> import dualrev as dr
    >>> x = dr.tensor(0.0, requires_grad=True)
    >>> opt = dr.optim.SGD([x], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     ((x - 1) ** 2).backward()
    ...     opt.step()
    >>> x
    tensor(0.5400, requires_grad=True)
    """

    def __init__(self, params: Params, lr: float | Tensor = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr = _scalar(group["lr"])
        momentum = group["momentum"]
        dampening = group["dampening"]
        weight_decay = group["weight_decay"]
        for p in group["params"]:
            if p.grad is None:
                continue
            op = _op_dtype(p.dtype.numpy)
            param = _read(p, op)
            grad = _read(p.grad, op)
            if group["maximize"]:
                grad = -grad
            if weight_decay != 0:
                grad = _add(grad, param, weight_decay, op)
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    state["momentum_buffer"] = _new_state(grad, p.dtype)
                    direction = grad
                else:
                    direction = _add(_read(buf, op) * op.type(momentum), grad, 1 - dampening, op)
                    _store(buf, direction)
                if group["nesterov"]:
                    direction = _add(grad, direction, momentum, op)
                grad = direction
            _store(p, _add(param, grad, -lr, op))


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2014), with optional L2 weight decay and the
    AMSGrad variant, as ``torch.optim.Adam``.

    For each parameter ``p`` with gradient ``g`` (``-g`` if ``maximize``), at
    step ``t = 1, 2, ...``:

    * ``g += weight_decay * p``
    * ``m = beta1 * m + (1 - beta1) * g``  (a lerp towards ``g``)
    * ``v = beta2 * v + (1 - beta2) * g * g``
    * with ``amsgrad``: ``v_max = max(v_max, v)`` replaces ``v`` below
    * ``p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)``

    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = dr.optim.Adam([x], lr=0.1)
    >>> opt.zero_grad(); (x * x).sum().backward(); opt.step()
    >>> x
    tensor([ 0.9000, -0.9000], requires_grad=True)
    """

    def __init__(self, params: Params, lr: float | Tensor = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr = _scalar(group["lr"])
        beta1, beta2 = (_scalar(b) for b in group["betas"])
        eps = group["eps"]
        weight_decay = group["weight_decay"]
        amsgrad = group["amsgrad"]
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state[p]
            if len(state) == 0:
                # The step count is a tensor of the default float kind, as in PyTorch.
                state["step"] = tensor(0.0, dtype=float64 if get_default_dtype() == float64
                                       else float32)
                state["exp_avg"] = zeros_like(p)
                state["exp_avg_sq"] = zeros_like(p)
                if amsgrad:
                    state["max_exp_avg_sq"] = zeros_like(p)
            op = _op_dtype(p.dtype.numpy)
            param = _read(p, op)
            grad = _read(p.grad, op)
            if group["maximize"]:
                grad = -grad
            with no_grad():
                state["step"].add_(1)
            if weight_decay != 0:
                grad = _add(grad, param, weight_decay, op)

            exp_avg = _lerp(_read(state["exp_avg"], op), grad, 1 - beta1, op)
            _store(state["exp_avg"], exp_avg)
            exp_avg_sq = _read(state["exp_avg_sq"], op) * op.type(beta2)
            exp_avg_sq = _addcmul(exp_avg_sq, grad, grad, 1 - beta2, op)
            _store(state["exp_avg_sq"], exp_avg_sq)

            step = state["step"].item()
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            step_size = lr / bias_correction1
            bias_correction2_sqrt = bias_correction2 ** 0.5

            if amsgrad:
                second = np.maximum(_read(state["max_exp_avg_sq"], op), exp_avg_sq)
                _store(state["max_exp_avg_sq"], second)
            else:
                second = exp_avg_sq
            denom = np.sqrt(second) / op.type(bias_correction2_sqrt) + op.type(eps)
            _store(p, _addcdiv(param, exp_avg, denom, -step_size, op))

__all__ = ["Optimizer", "SGD", "Adam"]


def __dir__():
    return __all__
