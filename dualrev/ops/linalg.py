"""Products: matmul (with NumPy's 1-d and batch broadcasting rules) and dot."""

import numpy as np

from .._prims import defprim
from .._arrays import ndim_of, shape_of
from . import shape as sh


def _sum_to(g, shape):
    from .util import sum_to
    return sum_to(g, shape)


def _swap_last(x):
    return sh.transpose(x, dim0=-1, dim1=-2)


def _matmul_dx(g, x_shape, y):
    """Cotangent of x in x @ y."""
    if len(x_shape) == 1 and ndim_of(y) == 1:
        return g * y
    if ndim_of(y) == 1:
        return sh.unsqueeze(g, axis=-1) * y
    if len(x_shape) == 1:
        column = matmul(y, sh.unsqueeze(g, axis=-1))
        return _sum_to(sh.squeeze(column, axis=-1), x_shape)
    return _sum_to(matmul(g, _swap_last(y)), x_shape)


def _matmul_dy(g, x, y_shape):
    """Cotangent of y in x @ y."""
    if ndim_of(x) == 1 and len(y_shape) == 1:
        return g * x
    if ndim_of(x) == 1:
        return sh.unsqueeze(x, axis=-1) * sh.unsqueeze(g, axis=-2)
    if len(y_shape) == 1:
        row = matmul(sh.unsqueeze(g, axis=-2), x)
        return _sum_to(sh.squeeze(row, axis=-2), y_shape)
    return _sum_to(matmul(_swap_last(x), g), y_shape)


def _matmul_impl(x, y):
    out = np.matmul(x, y)
    return float(out) if type(out) is np.float64 else out


def _check_matmul(x_shape, y_shape):
    if not x_shape or not y_shape:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{len(x_shape)}D and {len(y_shape)}D")


matmul = defprim("matmul", _matmul_impl, "x y", backward_name="MmBackward0",
                 jvp=(lambda t, y: matmul(t, y), lambda t, x: matmul(x, t)),
                 vjp=(lambda g, x_shape, y: _matmul_dx(g, x_shape, y),
                      lambda g, x, y_shape: _matmul_dy(g, x, y_shape)))
dot = defprim("dot", lambda x, y: float(np.dot(x, y)) if np.result_type(x, y) == np.float64
              else np.dot(x, y), "x y",
              jvp=(lambda t, y: dot(t, y), lambda t, x: dot(x, t)),
              vjp=(lambda g, y: g * y, lambda g, x: g * x))
