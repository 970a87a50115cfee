"""``dualrev.linalg``: matrix algebra with ``torch.linalg``'s names, batched
over leading axes, differentiable to any order (eigh and svd need distinct
eigen- and singular values)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np

from . import functions as F
from . import shape_functions as S
from . import rules
from .core.values import ndim_of, shape_of
from ._args import _axes, operand
from ._tensor import Tensor, boxed

if TYPE_CHECKING:
    from ._tensor import TensorLike  # (declared by the stub _tensor.pyi only)

# The results of several tensors, named as PyTorch names them.
slogdet_result = NamedTuple(  # type: ignore[name-match]
    "slogdet", [("sign", Tensor), ("logabsdet", Tensor)])
eigh_result = NamedTuple(  # type: ignore[name-match]
    "eigh", [("eigenvalues", Tensor), ("eigenvectors", Tensor)])
qr_result = NamedTuple(  # type: ignore[name-match]
    "qr", [("Q", Tensor), ("R", Tensor)])
svd_result = NamedTuple(  # type: ignore[name-match]
    "svd", [("U", Tensor), ("S", Tensor), ("Vh", Tensor)])


class LinAlgError(RuntimeError):
    """A matrix the algorithm cannot handle (singular, not positive-definite,
    no convergence): PyTorch's ``torch.linalg.LinAlgError``."""


_FAILURES = {
    "inv": "linalg.inv: The inversion could not be completed because the input matrix is "
           "singular.",
    "solve": "torch.linalg.solve: The solver failed because the input matrix is singular.",
    "cholesky": "linalg.cholesky: The factorization could not be completed because the input is "
                "not positive-definite.",
}


@contextlib.contextmanager
def _failing(name):
    """NumPy's LinAlgError as PyTorch's, in its words."""
    try:
        yield
    except np.linalg.LinAlgError:
        raise LinAlgError(_FAILURES.get(name, f"linalg.{name}: The algorithm failed to "
                                              "converge because the input matrix is "
                                              "ill-conditioned or has too many repeated "
                                              "eigen/singular values.")) from None


def _matrix(A, name):
    if ndim_of(A) < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")


def _square(A, name):
    shape = shape_of(A)
    if len(shape) < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if shape[-1] != shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{shape[-2] if len(shape) > 1 else 1} by {shape[-1] if shape else 1} "
                           "matrices")


def det(A: TensorLike) -> Tensor:
    """The determinant of square matrices."""
    A = operand(A, "linalg.det", "A")
    _square(A, "det")
    with _failing("det"):
        return boxed(rules.det(A))


def slogdet(A: TensorLike) -> slogdet_result:
    """``(sign, logabsdet)`` of the determinant; the sign has no derivative."""
    A = operand(A, "linalg.slogdet", "A")
    _square(A, "slogdet")
    with _failing("slogdet"):
        sign, logabsdet = rules.slogdet(A)
        return slogdet_result(boxed(sign), boxed(logabsdet))


def inv(A: TensorLike) -> Tensor:
    """The inverse of square matrices."""
    A = operand(A, "linalg.inv", "A")
    _square(A, "inv")
    with _failing("inv"):
        return boxed(rules.inv(A))


def solve(A: TensorLike, B: TensorLike, *, left: bool = True) -> Tensor:
    """X with A X = B. B is a batch of vectors when it has one axis fewer
    than A (PyTorch's rule), else of matrices."""
    A, B = operand(A, "linalg.solve", "A"), operand(B, "linalg.solve", "B", 2)
    _square(A, "solve")
    vector = ndim_of(B) == ndim_of(A) - 1
    if ndim_of(B) < 1 or shape_of(B)[-1 if vector else -2] != shape_of(A)[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B"
                           f" ({list(shape_of(A))} and {list(shape_of(B))})")
    with _failing("solve"):
        if not left:
            raise NotImplementedError("linalg.solve with left=False: solve with A transposed "
                                      "instead")
        if ndim_of(B) == ndim_of(A) - 1:
            return S.squeeze(boxed(rules.solve(A, rules.unsqueeze(B, axis=-1))), -1)
        return boxed(rules.solve(A, B))


def cholesky(A: TensorLike, *, upper: bool = False) -> Tensor:
    """The lower Cholesky factor L of symmetric positive definite A = L Lᵀ
    (its transpose with ``upper=True``)."""
    A = operand(A, "linalg.cholesky", "A")
    _square(A, "cholesky")
    with _failing("cholesky"):
        L = boxed(rules.cholesky(A))
        return L.mT if upper else L


def eigh(A: TensorLike, UPLO: str = "L") -> eigh_result:
    """``(eigenvalues ascending, eigenvectors as columns)`` of symmetric A."""
    A = operand(A, "linalg.eigh", "A")
    _square(A, "eigh")
    with _failing("eigh"):
        w, V = rules.eigh(A)
        return eigh_result(boxed(w), boxed(V))


def eigvalsh(A: TensorLike, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric A, ascending."""
    A = operand(A, "linalg.eigvalsh", "A")
    return eigh(A).eigenvalues


def qr(A: TensorLike, mode: str = "reduced") -> qr_result:
    """``(Q, R)`` with A = Q R, Q with orthonormal columns (square or tall A)."""
    A = operand(A, "linalg.qr", "A")
    _matrix(A, "qr")
    with _failing("qr"):
        if mode != "reduced":
            raise NotImplementedError(f"linalg.qr mode={mode!r}: only 'reduced' is "
                                      "differentiable here")
        Q, R = rules.qr(A)
        return qr_result(boxed(Q), boxed(R))


def svd(A: TensorLike, full_matrices: bool = True) -> svd_result:
    """``(U, S, Vh)`` with A = U diag(S) Vh, S descending. Only the reduced
    factors are differentiable: ``full_matrices=True`` is accepted for
    square matrices, where both are the same."""
    A = operand(A, "linalg.svd", "A")
    _matrix(A, "svd")
    with _failing("svd"):
        shape = shape_of(A)
        if full_matrices and shape[-1] != shape[-2]:
            raise NotImplementedError("linalg.svd: full_matrices=True for a non-square matrix; "
                                      "pass full_matrices=False (the reduced factors)")
        U, S, Vh = rules.svd(A)
        return svd_result(boxed(U), boxed(S), boxed(Vh))


def svdvals(A: TensorLike) -> Tensor:
    """The singular values of A, descending."""
    A = operand(A, "linalg.svdvals", "A")
    return svd(A, full_matrices=False).S


def vector_norm(x: TensorLike, ord: float | str = 2, dim: int | Sequence[int] | None = None,
                keepdim: bool = False) -> Tensor:
    """The ``ord``-norm of the entries over ``dim`` (all by default)."""
    x = operand(x, "linalg.vector_norm", "x")
    return F.norm(x, ord, dim, keepdim)


def matrix_norm(A: TensorLike, ord: float | str = "fro", dim: Sequence[int] = (-2, -1),
                keepdim: bool = False) -> Tensor:
    """Matrix norms: 'fro', 'nuc', 2, -2, 1, -1, inf, -inf."""
    A = operand(A, "linalg.matrix_norm", "A")
    axis = _axes(A, dim)
    if len(axis) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a pair of axes")
    return boxed(rules.matrix_norm(A, ord=ord, axis=axis, keepdims=keepdim))


def norm(A: TensorLike, ord: float | str | None = None, dim: int | Sequence[int] | None = None,
         keepdim: bool = False) -> Tensor:
    """``vector_norm`` of 1-D input or over one axis, ``matrix_norm`` of 2-D
    input or over two axes; ``ord=None`` is the 2-norm or Frobenius norm."""
    A = operand(A, "linalg.norm", "A")
    axes = _axes(A, dim) if dim is not None else None
    if (axes is None and ndim_of(A) == 2) or (axes is not None and len(axes) == 2):
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if axes is None else axes,
                           keepdim)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim)


def matmul(input: TensorLike, other: TensorLike) -> Tensor:
    """The matrix product (as ``dualrev.matmul``)."""
    return F.matmul(input, other)

__all__ = ["LinAlgError", "det", "slogdet", "inv", "solve", "cholesky", "eigh", "eigvalsh", "qr",
           "svd", "svdvals", "vector_norm", "matrix_norm", "norm", "matmul"]


def __dir__():
    return __all__
