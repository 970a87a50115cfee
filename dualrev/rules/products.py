"""Products: matmul (with NumPy's 1-d and batch broadcasting rules) and dot."""

import numpy as np

from ..core.primitive import defprim
from ..core.taylor import MULTILINEAR
from ..core.sparsity import contraction_reads
from ..core.values import canonical, dtype_of, ndim_of, shape_of
from . import elementwise as ew
from . import shape as sh
from ..core.cotangents import sum_to


def _like(value, g):
    """``value`` in the dtype of the cotangent ``g`` (the output's dtype). A 0-d
    float64 cotangent travels as a Python float, which NumPy treats as weak:
    ``g * x`` would come out float32 for a float32 ``x`` although it is the
    cotangent of a float64 argument, and the tape casts only arguments whose
    dtype differs from the output's."""
    dtype = dtype_of(g)
    return value if dtype_of(value) == dtype else ew.astype(value, dtype=dtype)


def _swap_last(x):
    return sh.transpose(x, dim0=-1, dim1=-2)


def _matmul_dx(g, x_shape, y):
    """Cotangent of x in x @ y."""
    if len(x_shape) == 1 and ndim_of(y) == 1:
        return g * y
    if ndim_of(y) == 1:
        return sh.unsqueeze(g, axis=-1) * y
    if len(x_shape) == 1 and ndim_of(y) == 2:
        return matmul(y, g)
    if len(x_shape) == 1:
        column = matmul(y, sh.unsqueeze(g, axis=-1))
        return sum_to(sh.squeeze(column, axis=-1), x_shape)
    return sum_to(matmul(g, _swap_last(y)), x_shape)


def _matmul_dy(g, x, y_shape):
    """Cotangent of y in x @ y."""
    if ndim_of(x) == 1 and len(y_shape) == 1:
        return g * x
    if ndim_of(x) == 1:
        return sh.unsqueeze(x, axis=-1) * sh.unsqueeze(g, axis=-2)
    if len(y_shape) == 1 and ndim_of(x) == 2:
        return matmul(g, x)
    if len(y_shape) == 1:
        row = matmul(sh.unsqueeze(g, axis=-2), x)
        return sum_to(sh.squeeze(row, axis=-2), y_shape)
    return sum_to(matmul(_swap_last(x), g), y_shape)


def pad_batch(t, lead, missing):
    """``t`` with ``missing`` size-1 axes inserted behind its ``lead`` leading
    (tangent batch) axes: an operand's own batch axes padded to as many as
    the result has, so that broadcasting keeps the leading axes in front."""
    if missing <= 0:
        return t
    t_shape = shape_of(t)
    return sh.reshape(t, shape=t_shape[:lead] + (1,) * missing + t_shape[lead:])


def product_tangent(t, core_ndim, other, left):
    """``t @ other`` (left) or ``other @ t``, for a tangent ``t`` of an operand
    with ``core_ndim`` axes, maybe with leading batch axes in front (k
    directions at once). Without them this is plain matmul. With them, a 1-d
    operand is made a matrix first and t's matrix batch axes are padded to
    the other's, so that the leading axes stay in front of the result."""
    lead = ndim_of(t) - core_ndim
    if lead == 0:
        return matmul(t, other) if left else matmul(other, t)
    t_vector, other_vector = core_ndim == 1, ndim_of(other) == 1
    if t_vector and ndim_of(other) == 2:
        # A batch of vectors against one matrix: one matrix product, with
        # the batch as rows (other @ t[k] for every k is t @ other^T).
        return matmul(t, other if left else _swap_last(other))
    if t_vector:
        t = sh.unsqueeze(t, axis=-2 if left else -1)
    if other_vector:
        other = sh.unsqueeze(other, axis=-1 if left else -2)
    t = pad_batch(t, lead, (ndim_of(other) - 2) - (ndim_of(t) - lead - 2))
    out = matmul(t, other) if left else matmul(other, t)
    row, column = (t_vector, other_vector) if left else (other_vector, t_vector)
    drop = ((-2,) if row else ()) + ((-1,) if column else ())
    return sh.squeeze(out, axis=drop) if drop else out


def _matmul_impl(x, y):
    out = np.matmul(x, y)
    return canonical(out) if type(out) is np.float64 else out


def _matmul_reads(shapes, out_shape, values, traced):
    """Which elements of x and y each element of x @ y reads: matmul as
    einsum subscripts (batch axes broadcast; a 1-d operand a vector)."""
    (x_shape, y_shape) = shapes
    nx, ny = len(x_shape), len(y_shape)
    batch = "abcdefgh"[:max(nx, ny, 2) - 2]
    x_term = "j" if nx == 1 else batch[len(batch) - (nx - 2):] + "ij"
    y_term = "j" if ny == 1 else batch[len(batch) - (ny - 2):] + "jk"
    output = (batch if max(nx, ny) > 2 else "") + ("i" if nx > 1 else "") + ("k" if ny > 1 else "")
    return contraction_reads((x_term, y_term), output, shapes, out_shape, values, traced)


def _matmul_vmap(values, batched, size):
    """x @ y per example: one batched operand as a JVP's tangent (its batch
    axis stays in front); both batched: vectors made matrices, the examples'
    own batch axes padded to the same count, one matmul."""
    (x, y), (bx, by) = values, batched
    if not by:
        return product_tangent(x, ndim_of(x) - 1, y, left=True)
    if not bx:
        return product_tangent(y, ndim_of(y) - 1, x, left=False)
    x_vector, y_vector = ndim_of(x) == 2, ndim_of(y) == 2
    if x_vector:
        x = sh.unsqueeze(x, axis=-2)
    if y_vector:
        y = sh.unsqueeze(y, axis=-1)
    target = max(ndim_of(x), ndim_of(y))
    out = matmul(pad_batch(x, 1, target - ndim_of(x)), pad_batch(y, 1, target - ndim_of(y)))
    drop = ((-2,) if x_vector else ()) + ((-1,) if y_vector else ())
    return sh.squeeze(out, axis=drop) if drop else out


matmul = defprim("matmul", _matmul_impl, "x y", backward_name="MmBackward0", taylor=MULTILINEAR,
                 sparsity=_matmul_reads, vmap=_matmul_vmap,
                 jvp=(lambda t, x_shape, y: product_tangent(t, len(x_shape), y, left=True),
                      lambda t, x, y_shape: product_tangent(t, len(y_shape), x, left=False)),
                 vjp=(lambda g, x_shape, y: _like(_matmul_dx(g, x_shape, y), g),
                      lambda g, x, y_shape: _like(_matmul_dy(g, x, y_shape), g)))
dot = defprim("dot", lambda x, y: canonical(np.dot(x, y)), "x y", taylor=MULTILINEAR,
              sparsity=_matmul_reads, vmap=_matmul_vmap,
              jvp=(lambda t, y: _dot_tangent(t, y), lambda t, x: _dot_tangent(t, x)),
              vjp=(lambda g, y: _like(g * y, g), lambda g, x: _like(g * x, g)))


def _dot_tangent(t, other):
    """dot(t, other); a tangent with leading batch axes gives one dot each."""
    return dot(t, other) if ndim_of(t) == 1 else matmul(t, other)
