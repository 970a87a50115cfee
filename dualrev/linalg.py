"""``dualrev.linalg``: matrix algebra with ``torch.linalg``'s names, batched
over leading axes, differentiable to any order (eigh and svd need distinct
eigen- and singular values)."""

import collections

from . import functions as F
from . import ops
from ._arrays import ndim_of, shape_of
from .functions import _axes, _boxed

slogdet_result = collections.namedtuple("slogdet", ["sign", "logabsdet"])
eigh_result = collections.namedtuple("eigh", ["eigenvalues", "eigenvectors"])
qr_result = collections.namedtuple("qr", ["Q", "R"])
svd_result = collections.namedtuple("svd", ["U", "S", "Vh"])


def _square(A, name):
    shape = shape_of(A)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{shape[-2] if len(shape) > 1 else 1} by {shape[-1] if shape else 1} "
                           "matrices")


def det(A):
    """The determinant of square matrices."""
    _square(A, "det")
    return _boxed(ops.det(A))


def slogdet(A):
    """``(sign, logabsdet)`` of the determinant; the sign has no derivative."""
    _square(A, "slogdet")
    sign, logabsdet = ops.slogdet(A)
    return slogdet_result(_boxed(sign), _boxed(logabsdet))


def inv(A):
    """The inverse of square matrices."""
    _square(A, "inv")
    return _boxed(ops.inv(A))


def solve(A, B, *, left=True):
    """X with A X = B. B is a batch of vectors when it has one axis fewer
    than A (PyTorch's rule), else of matrices."""
    _square(A, "solve")
    if not left:
        raise NotImplementedError("linalg.solve with left=False: solve with A transposed instead")
    if ndim_of(B) == ndim_of(A) - 1:
        return F.squeeze(_boxed(ops.solve(A, ops.unsqueeze(B, axis=-1))), -1)
    return _boxed(ops.solve(A, B))


def cholesky(A, *, upper=False):
    """The lower Cholesky factor L of symmetric positive definite A = L Lᵀ
    (its transpose with ``upper=True``)."""
    _square(A, "cholesky")
    L = _boxed(ops.cholesky(A))
    return L.mT if upper else L


def eigh(A, UPLO="L"):
    """``(eigenvalues ascending, eigenvectors as columns)`` of symmetric A."""
    _square(A, "eigh")
    w, V = ops.eigh(A)
    return eigh_result(_boxed(w), _boxed(V))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of symmetric A, ascending."""
    return eigh(A).eigenvalues


def qr(A, mode="reduced"):
    """``(Q, R)`` with A = Q R, Q with orthonormal columns (square or tall A)."""
    if mode != "reduced":
        raise NotImplementedError(f"linalg.qr mode={mode!r}: only 'reduced' is differentiable here")
    Q, R = ops.qr(A)
    return qr_result(_boxed(Q), _boxed(R))


def svd(A, full_matrices=True):
    """``(U, S, Vh)`` with A = U diag(S) Vh, S descending. Only the reduced
    factors are differentiable: ``full_matrices=True`` is accepted for
    square matrices, where both are the same."""
    shape = shape_of(A)
    if full_matrices and shape[-1] != shape[-2]:
        raise NotImplementedError("linalg.svd: full_matrices=True for a non-square matrix; pass "
                                  "full_matrices=False (the reduced factors)")
    U, S, Vh = ops.svd(A)
    return svd_result(_boxed(U), _boxed(S), _boxed(Vh))


def svdvals(A):
    """The singular values of A, descending."""
    return svd(A, full_matrices=False).S


def vector_norm(x, ord=2, dim=None, keepdim=False):
    """The ``ord``-norm of the entries over ``dim`` (all by default)."""
    return F.norm(x, ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False):
    """Matrix norms: 'fro', 'nuc', 2, -2, 1, -1, inf, -inf."""
    axis = _axes(A, dim)
    if len(axis) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a pair of axes")
    return _boxed(ops.matrix_norm(A, ord=ord, axis=axis, keepdims=keepdim))


def norm(A, ord=None, dim=None, keepdim=False):
    """``vector_norm`` of 1-D input or over one axis, ``matrix_norm`` of 2-D
    input or over two axes; ``ord=None`` is the 2-norm or Frobenius norm."""
    axes = _axes(A, dim) if dim is not None else None
    if (axes is None and ndim_of(A) == 2) or (axes is not None and len(axes) == 2):
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if axes is None else axes,
                           keepdim)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim)


def matmul(input, other):
    """The matrix product (as ``dualrev.matmul``)."""
    return F.matmul(input, other)

__all__ = ["det", "slogdet", "inv", "solve", "cholesky", "eigh", "eigvalsh", "qr", "svd",
           "svdvals", "vector_norm", "matrix_norm", "norm", "matmul"]
