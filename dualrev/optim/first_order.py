"""First-order optimizers: ``SGD`` and ``Adam``, as ``torch.optim``'s."""

from __future__ import annotations

import numpy as np

from ..creation import tensor, zeros_like
from ..dtypes import float32, float64, get_default_dtype
from ..core.grad_mode import no_grad
from .._tensor import Tensor
from .base import (Optimizer, Params, _add, _addcdiv, _addcmul, _lerp, _new_state,
                        _op_dtype, _read, _scalar, _store)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (heavy-ball or
    Nesterov), dampening and L2 weight decay, as ``torch.optim.SGD``.

    For each parameter ``p`` with gradient ``g`` (``-g`` if ``maximize``):

    * ``g += weight_decay * p``
    * with momentum: the buffer ``b`` starts as ``g`` and afterwards is
      ``b = momentum * b + (1 - dampening) * g``; then ``g = g + momentum * b``
      (Nesterov) or ``g = b``
    * ``p -= lr * g``

    Args:
        params: the tensors to optimize (leaves that require grad), or
            dicts each with a ``"params"`` entry and options of its own for
            that group (``{"params": [b], "lr": 0.5}``).
        lr: the learning rate (a number, or a one-element tensor).
        momentum: the momentum factor (0: none).
        dampening: the dampening of the momentum buffer's update.
        weight_decay: the L2 penalty's factor.
        nesterov: Nesterov momentum (needs a momentum and zero dampening).
        maximize: ascend the objective instead of descending.

    Raises:
        ValueError: a negative lr, momentum or weight_decay, a tensor lr of
            more than one element, or Nesterov without momentum or with
            dampening; and the ``Optimizer`` checks of ``params``.

    Example:
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

    Args:
        params: the tensors to optimize (leaves that require grad), or
            dicts each with a ``"params"`` entry and options of its own for
            that group (``{"params": [b], "lr": 0.5}``).
        lr: the learning rate (a number, or a one-element tensor).
        betas: ``(beta1, beta2)``, the decay rates of the running means of
            the gradient and of its square, each in [0, 1).
        eps: added to the denominator for numerical stability.
        weight_decay: the L2 penalty's factor.
        amsgrad: use the maximum of the squared-gradient means so far.
        maximize: ascend the objective instead of descending.

    Raises:
        ValueError: a negative lr, eps or weight_decay, a beta outside
            [0, 1), or a tensor lr of more than one element; and the
            ``Optimizer`` checks of ``params``.

    Example:
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
