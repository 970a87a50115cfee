"""``dr.grad`` and ``dr.backward``: one name for both worlds. Given a
function, ``dr.grad`` is the transform ``dr.func.grad``; given tensors, it is
``dr.autograd.grad``."""

from __future__ import annotations

from typing import Any, Callable, Sequence, overload

from . import autograd, func
from ._tensor import Tensor
from .gradients import TensorT


@overload
def grad(outputs: Callable[..., Any], inputs: int | None = None, *,
         argnums: int = 0) -> Callable[..., Tensor]: ...
@overload
def grad(outputs: Callable[..., Any], inputs: Any = None, grad_outputs: Any = None, *,
         argnums: Any = 0, has_aux: bool = False) -> Callable[..., Any]: ...
@overload
def grad(outputs: Tensor | Sequence[Tensor], inputs: TensorT | Sequence[TensorT],
         grad_outputs: Any = None, retain_graph: bool | None = None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple[TensorT, ...]: ...


def grad(outputs: Any, inputs: Any = None, grad_outputs: Any = None,
         retain_graph: bool | None = None, create_graph: bool = False, only_inputs: bool = True,
         allow_unused: bool | None = None, is_grads_batched: bool = False,
         materialize_grads: bool = False, *, argnums: Any = 0, has_aux: bool = False) -> Any:
    """One name for both worlds: the gradient function of ``f``, or the gradients of tensors.

    ``dr.grad(f, argnums=0, has_aux=False)``, given a function: the function
    that returns the gradient of scalar ``f`` (``dr.func.grad``; JAX's
    positional order, so ``dr.grad(f, 1)`` differentiates by the second
    argument). ``dr.grad(outputs, inputs, ...)``, given tensors: their
    gradients (``dr.autograd.grad``, whose arguments these are).

    Args:
        outputs (callable | Tensor | sequence of Tensor): the function, or the
            outputs to differentiate.
        inputs (int | tuple of int | Tensor | sequence of Tensor | None): for a
            function, ``argnums``; for tensors, the tensors to differentiate by.
        grad_outputs (bool | Tensor | sequence | None): for a function,
            ``has_aux``; for tensors, the weight of each output.
        retain_graph (bool | None): tensors only: as ``dr.autograd.grad``.
        create_graph (bool): tensors only: as ``dr.autograd.grad``.
        only_inputs (bool): tensors only: as ``dr.autograd.grad``.
        allow_unused (bool | None): tensors only: as ``dr.autograd.grad``.
        is_grads_batched (bool): tensors only: as ``dr.autograd.grad``.
        materialize_grads (bool): tensors only: as ``dr.autograd.grad``.
        argnums (int | tuple of int): a function only: which arguments to
            differentiate by (default 0).
        has_aux (bool): a function only: ``f`` returns ``(value, aux)`` and the
            gradient function ``(gradient, aux)`` (default False).

    Returns:
        callable | tuple of Tensor: the gradient function, or one gradient per input.

    Raises:
        TypeError: if a function is given tensors' options, tensors are given
            ``argnums`` or ``has_aux``, or tensors come without ``inputs``.

    Example:
        >>> import dualrev as dr
        >>> dr.grad(lambda x: x ** 3)(2.0)
        tensor(12.)
        >>> dr.grad(lambda x, y: x * y, 1)(2.0, 5.0)
        tensor(2.)
        >>> x = dr.tensor(2.0, requires_grad=True)
        >>> dr.grad(x ** 3, x)
        (tensor(12.),)
    """
    if callable(outputs):
        if inputs is not None:
            argnums = inputs
        if grad_outputs is not None:
            has_aux = grad_outputs
        tensor_options = (retain_graph, create_graph, only_inputs, allow_unused,
                          is_grads_batched, materialize_grads)
        if tensor_options != (None, False, True, None, False, False):
            raise TypeError("dr.grad(f, ...) takes argnums and has_aux; the other options are "
                            "dr.grad(outputs, inputs, ...)'s, for tensors")
        return func.grad(outputs, argnums=argnums, has_aux=has_aux)
    if argnums != 0 or has_aux:
        raise TypeError("argnums and has_aux are for dr.grad(f, ...), given a function")
    if inputs is None:
        raise TypeError("grad() missing required argument 'inputs' (the tensors to "
                        "differentiate with respect to)")
    return autograd.grad(outputs, inputs, grad_outputs,
                         retain_graph, create_graph, only_inputs, allow_unused,
                         is_grads_batched, materialize_grads)


backward = autograd.backward
