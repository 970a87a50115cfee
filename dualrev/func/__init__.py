"""Function transforms with JAX's and torch.func's conventions: ``grad``,
``value_and_grad``, ``jvp``, ``vjp``, ``jacfwd``, ``jacrev``, ``hessian``,
``hvp``, and Taylor mode's ``jet``, ``derivative``, ``taylor`` and ``laplacian``, over pytrees of inputs and outputs;
sparse derivatives, ``vmap``, ``minimize``, and JAX's ``stop_gradient``."""

from .transforms import grad, hessian, hvp, jacfwd, jacrev, jvp, value_and_grad, vjp
from .taylor import derivative, jet, laplacian, taylor
from .sparse import hessian_sparsity, jacobian_sparsity, sparse_hessian, sparse_jacobian
from .vmap import vmap
from .optimize import OptimizeResult, minimize, scipy_objective
from .custom import stop_gradient

__all__ = ["grad", "value_and_grad", "jvp", "vjp", "jacfwd", "jacrev", "hessian", "hvp",
           "derivative", "jet", "taylor", "laplacian", "jacobian_sparsity", "hessian_sparsity",
           "sparse_jacobian", "sparse_hessian", "vmap", "minimize", "OptimizeResult",
           "scipy_objective", "stop_gradient"]


def __dir__():
    return __all__
