"""Sparse derivatives: the sparsity patterns of Jacobians and Hessians
(``jacobian_sparsity``, ``hessian_sparsity``), as scipy.sparse matrices.

The patterns are found by tracing the function once with tracers
(``core.sparsity``): every element carries the input indices it may depend
on. A Hessian's pattern is the Jacobian pattern of the gradient, traced
through the reverse sweep. scipy is an optional extra (``dualrev[sparse]``):
the patterns are returned as its sparse arrays.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from ..core.levels import new_level
from ..core.primitive import raw_value
from ..core.sparsity import Pattern
from ..core.values import shape_of
from ..tracer import Tracer
from .transforms import _argnums, _check_float, _check_outputs, _operand, grad
from .tree import flatten


def _scipy_sparse():
    """scipy.sparse, imported on first use: the core and the rest of dualrev
    need NumPy only."""
    try:
        import scipy.sparse  # (here, not at the top: scipy is an optional extra)
    except ImportError:
        raise ImportError("sparse derivatives need scipy, an optional extra of dualrev: "
                          "pip install 'dualrev[sparse]'") from None
    return scipy.sparse


def jacobian_sparsity(f: Callable[..., Any], argnums: int = 0, *,
                      local: bool = False) -> Callable[..., Any]:
    """The sparsity pattern of f's Jacobian with respect to argument
    ``argnums``: a boolean ``scipy.sparse.csr_array`` of shape (outputs,
    inputs), outputs and inputs flattened in C order.

    The pattern holds at every input (global mode): f may not branch on the
    values of its inputs. With ``local=True`` it holds at this input only,
    and f may read the values.

    >>> import dualrev as dr
    >>> f = lambda x: x[1:] * x[:-1]
    >>> dr.func.jacobian_sparsity(f)(dr.zeros(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [0, 1, 1, 0],
           [0, 0, 1, 1]])
    """
    sparse = _scipy_sparse()

    @functools.wraps(f)
    def sparsity_f(*args):
        (num,) = _argnums(argnums, len(args))
        x = _operand(args[num])
        _check_float(x, "jacobian_sparsity")
        n = int(np.size(raw_value(x)))
        level = new_level()
        traced = list(args)
        traced[num] = Tracer._make(x, Pattern.identity(n), level, local)
        leaves, _ = flatten(f(*traced))
        _check_outputs(leaves, "jacobian_sparsity")
        patterns = [o.pattern if isinstance(o, Tracer) and o._level == level
                    else Pattern.empty(int(np.size(raw_value(o))), n) for o in leaves]
        rows = [sparse.csr_array((np.ones(p.nnz, bool), p.indices, p.indptr),
                                 shape=(p.rows, n)) for p in patterns]
        return rows[0] if len(rows) == 1 else sparse.vstack(rows, format="csr")
    return sparsity_f


def hessian_sparsity(f: Callable[..., Any], argnums: int = 0, *,
                     local: bool = False) -> Callable[..., Any]:
    """The sparsity pattern of the Hessian of a scalar f with respect to
    argument ``argnums``, a symmetric boolean ``scipy.sparse.csr_array``:
    the Jacobian pattern of f's gradient, traced through the reverse sweep.

    >>> import dualrev as dr
    >>> f = lambda x: (x[1:] * x[:-1]).sum() + (x ** 3).sum()
    >>> dr.func.hessian_sparsity(f)(dr.zeros(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [1, 1, 1, 0],
           [0, 1, 1, 1],
           [0, 0, 1, 1]])
    """
    pattern = jacobian_sparsity(grad(f, argnums), argnums, local=local)

    @functools.wraps(f)
    def sparsity_f(*args):
        out = pattern(*args)
        return ((out + out.T) > 0).tocsr()  # (the sweep may reach one of a pair only)
    return sparsity_f
