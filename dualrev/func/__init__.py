"""Function transforms with JAX's and torch.func's conventions: ``grad``,
``value_and_grad``, ``jvp``, ``vjp``, ``jacfwd``, ``jacrev``, ``hessian``,
``hvp``, ``derivative``, over pytrees of inputs and outputs."""

from .transforms import (
    derivative, grad, hessian, hvp, jacfwd, jacrev, jvp, value_and_grad, vjp)

__all__ = ["grad", "value_and_grad", "jvp", "vjp", "jacfwd", "jacrev", "hessian", "hvp",
           "derivative"]


def __dir__():
    return __all__
