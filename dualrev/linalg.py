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
    """The determinant of square matrices, batched over leading dimensions.

    Also ``dr.det`` (PyTorch's ``torch.det``). The gradient is ``det(A) *
    A⁻ᵀ`` (the cofactor matrix), which is defined for singular matrices too.

    Args:
        A (Tensor | Dual | array_like): a ``(..., n, n)`` tensor of square matrices.

    Returns:
        Tensor: the determinants, of shape ``A.shape[:-2]``.

    Raises:
        RuntimeError: if ``A`` has fewer than 2 dimensions or its matrices are
            not square ("linalg.det: A must be batches of square matrices").
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> A = dr.tensor([[4.0, 2.0], [2.0, 3.0]])
        >>> dr.linalg.det(A)
        tensor(8.0000)
        >>> dr.func.grad(dr.linalg.det)(A)
        tensor([[ 3.0000, -2.0000],
                [-2.0000,  4.0000]])
    """
    A = operand(A, "linalg.det", "A")
    _square(A, "det")
    with _failing("det"):
        return boxed(rules.det(A))


def slogdet(A: TensorLike) -> slogdet_result:
    """The sign and the log of the absolute value of the determinant.

    ``det(A) = sign * exp(logabsdet)``, without overflow for large matrices.
    The sign has no derivative; the gradient of ``logabsdet`` is ``A⁻ᵀ``
    (infinite where ``A`` is singular, where ``logabsdet`` is ``-inf``).

    Args:
        A (Tensor | Dual | array_like): a ``(..., n, n)`` tensor of square matrices.

    Returns:
        slogdet: the named tuple ``(sign, logabsdet)``, each of shape ``A.shape[:-2]``.

    Raises:
        RuntimeError: if ``A`` has fewer than 2 dimensions or its matrices are
            not square ("linalg.slogdet: A must be batches of square matrices").
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> dr.linalg.slogdet(dr.tensor([[-2.0, 0.0], [0.0, 3.0]]))
        slogdet(sign=tensor(-1.), logabsdet=tensor(1.7918))
        >>> A = dr.tensor([[4.0, 2.0], [2.0, 3.0]])
        >>> dr.func.grad(lambda A: dr.linalg.slogdet(A).logabsdet)(A)
        tensor([[ 0.3750, -0.2500],
                [-0.2500,  0.5000]])
    """
    A = operand(A, "linalg.slogdet", "A")
    _square(A, "slogdet")
    with _failing("slogdet"):
        sign, logabsdet = rules.slogdet(A)
        return slogdet_result(boxed(sign), boxed(logabsdet))


def inv(A: TensorLike) -> Tensor:
    """The inverse of square matrices, batched over leading dimensions.

    Also ``dr.inverse``. The derivative in the direction ``dA`` is ``-A⁻¹ dA
    A⁻¹``.

    Args:
        A (Tensor | Dual | array_like): a ``(..., n, n)`` tensor of square matrices.

    Returns:
        Tensor: the inverses, of ``A``'s shape.

    Raises:
        LinAlgError: if a matrix is singular ("linalg.inv: The inversion could
            not be completed because the input matrix is singular.").
        RuntimeError: if ``A`` has fewer than 2 dimensions or its matrices are
            not square ("linalg.inv: A must be batches of square matrices").
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> dr.linalg.inv(dr.tensor([[4.0, 2.0], [2.0, 3.0]]))
        tensor([[ 0.3750, -0.2500],
                [-0.2500,  0.5000]])
    """
    A = operand(A, "linalg.inv", "A")
    _square(A, "inv")
    with _failing("inv"):
        return boxed(rules.inv(A))


def solve(A: TensorLike, B: TensorLike, *, left: bool = True) -> Tensor:
    """The solution ``X`` of ``A X = B``, batched over leading dimensions.

    ``B`` is a batch of vectors when it has one dimension fewer than ``A``
    (PyTorch's rule), else a batch of matrices (columns as right-hand sides).
    Solving is cheaper and more accurate than ``inv(A) @ B``. Differentiable
    in ``A`` and ``B``.

    Args:
        A (Tensor | Dual | array_like): a ``(..., n, n)`` tensor of square matrices.
        B (Tensor | Dual | array_like): ``(..., n)`` vectors or ``(..., n, k)`` matrices.
        left (bool): solve ``A X = B`` (default True); ``X A = B`` is not supported.

    Returns:
        Tensor: ``X``, of ``B``'s shape (broadcast with ``A``'s batch).

    Raises:
        LinAlgError: if ``A`` is singular.
        RuntimeError: if the shapes do not fit ("Incompatible shapes of A and
            B for the equation AX = B") or ``A`` is not square.
        NotImplementedError: with ``left=False``.
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> A = dr.tensor([[4.0, 2.0], [2.0, 3.0]])
        >>> dr.linalg.solve(A, dr.tensor([2.0, 1.0]))
        tensor([0.5000, 0.0000])
    """
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
    """The lower Cholesky factor ``L`` of symmetric positive-definite ``A = L Lᵀ``.

    Also the method ``x.cholesky()``. It reads ``(A + Aᵀ) / 2``, as JAX does
    (PyTorch reads the lower triangle only): the same for a symmetric ``A``.

    Args:
        A (Tensor | Dual | array_like): a ``(..., n, n)`` tensor of square matrices.
        upper (bool): return the upper factor ``Lᵀ`` instead (default False).

    Returns:
        Tensor: the triangular factors, of ``A``'s shape.

    Raises:
        LinAlgError: if a matrix is not positive-definite.
        RuntimeError: if ``A`` has fewer than 2 dimensions or its matrices are
            not square ("linalg.cholesky: A must be batches of square matrices").
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> dr.linalg.cholesky(dr.tensor([[4.0, 2.0], [2.0, 3.0]]))
        tensor([[2.0000, 0.0000],
                [1.0000, 1.4142]])
    """
    A = operand(A, "linalg.cholesky", "A")
    _square(A, "cholesky")
    with _failing("cholesky"):
        L = boxed(rules.cholesky(A))
        return L.mT if upper else L


def eigh(A: TensorLike, UPLO: str = "L") -> eigh_result:
    """The eigenvalues (ascending) and eigenvectors (as columns) of symmetric matrices.

    ``A = V diag(w) Vᵀ``. It reads ``(A + Aᵀ) / 2``, as JAX does
    (PyTorch reads the lower triangle only): the same for a symmetric ``A``. The gradient of the
    eigenvectors divides by differences of eigenvalues: it is infinite or NaN
    for repeated eigenvalues (as PyTorch's); the eigenvalues' gradient
    ``v vᵀ`` is always defined. Each eigenvector's sign is as LAPACK gives it.

    Args:
        A (Tensor | Dual | array_like): a ``(..., n, n)`` tensor of square matrices.
        UPLO (str): accepted for PyTorch's signature, not used.

    Returns:
        eigh: the named tuple ``(eigenvalues, eigenvectors)`` of shapes
        ``(..., n)`` and ``(..., n, n)``.

    Raises:
        LinAlgError: if the algorithm does not converge.
        RuntimeError: if ``A`` has fewer than 2 dimensions or its matrices are
            not square ("linalg.eigh: A must be batches of square matrices").
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> w, V = dr.linalg.eigh(dr.tensor([[2.0, 1.0], [1.0, 2.0]]))
        >>> w
        tensor([1., 3.])
        >>> V.abs()
        tensor([[0.7071, 0.7071],
                [0.7071, 0.7071]])
    """
    A = operand(A, "linalg.eigh", "A")
    _square(A, "eigh")
    with _failing("eigh"):
        w, V = rules.eigh(A)
        return eigh_result(boxed(w), boxed(V))


def eigvalsh(A: TensorLike, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric matrices, ascending.

    ``eigh(A).eigenvalues``. The gradient of eigenvalue ``i`` is ``vᵢ vᵢᵀ``
    (its eigenvector's outer product), defined for distinct eigenvalues. It
    reads ``(A + Aᵀ) / 2``, as JAX does
    (PyTorch reads the lower triangle only): the same for a symmetric ``A``.

    Args:
        A (Tensor | Dual | array_like): a ``(..., n, n)`` tensor of square matrices.
        UPLO (str): accepted for PyTorch's signature, not used.

    Returns:
        Tensor: the eigenvalues, of shape ``A.shape[:-1]``.

    Raises:
        LinAlgError: if the algorithm does not converge.
        RuntimeError: if ``A`` has fewer than 2 dimensions or its matrices are
            not square ("linalg.eigh: A must be batches of square matrices").
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> A = dr.tensor([[2.0, 1.0], [1.0, 2.0]])
        >>> dr.linalg.eigvalsh(A)
        tensor([1., 3.])
        >>> dr.func.grad(lambda A: dr.linalg.eigvalsh(A)[1])(A)
        tensor([[0.5000, 0.5000],
                [0.5000, 0.5000]])
    """
    A = operand(A, "linalg.eigvalsh", "A")
    return eigh(A).eigenvalues


def qr(A: TensorLike, mode: str = "reduced") -> qr_result:
    """The QR decomposition ``A = Q R``: ``Q`` with orthonormal columns, ``R`` upper triangular.

    The reduced decomposition, differentiable for square and tall ``A`` (m >= n)
    of full rank. Signs are as LAPACK gives them (``R``'s diagonal may be
    negative).

    Args:
        A (Tensor | Dual | array_like): a ``(..., m, n)`` tensor of matrices.
        mode (str): ``"reduced"`` only (default).

    Returns:
        qr: the named tuple ``(Q, R)``, of shapes ``(..., m, k)`` and ``(..., k, n)``,
        ``k = min(m, n)``.

    Raises:
        RuntimeError: if ``A`` has fewer than 2 dimensions.
        NotImplementedError: for a mode other than ``"reduced"``.
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> Q, R = dr.linalg.qr(dr.tensor([[3.0, 0.0], [4.0, 5.0]]))
        >>> Q
        tensor([[-0.6000, -0.8000],
                [-0.8000,  0.6000]])
        >>> R
        tensor([[-5., -4.],
                [ 0.,  3.]])
    """
    A = operand(A, "linalg.qr", "A")
    _matrix(A, "qr")
    with _failing("qr"):
        if mode != "reduced":
            raise NotImplementedError(f"linalg.qr mode={mode!r}: only 'reduced' is "
                                      "differentiable here")
        Q, R = rules.qr(A)
        return qr_result(boxed(Q), boxed(R))


def svd(A: TensorLike, full_matrices: bool = True) -> svd_result:
    """The singular value decomposition ``A = U diag(S) Vh``, ``S`` descending.

    Only the reduced factors are differentiable: ``full_matrices=True`` (the
    default, as in PyTorch) is accepted for square matrices, where both are
    the same; pass ``full_matrices=False`` otherwise. The gradients of ``U``
    and ``Vh`` divide by differences of singular values (infinite for repeated
    ones); that of ``S`` is ``u vᵀ``.

    Args:
        A (Tensor | Dual | array_like): a ``(..., m, n)`` tensor of matrices.
        full_matrices (bool): full or reduced factors (default True; square ``A`` only).

    Returns:
        svd: the named tuple ``(U, S, Vh)``, of shapes ``(..., m, k)``, ``(..., k)``
        and ``(..., k, n)``, ``k = min(m, n)``.

    Raises:
        RuntimeError: if ``A`` has fewer than 2 dimensions.
        NotImplementedError: with ``full_matrices=True`` for a non-square matrix.
        LinAlgError: if the algorithm does not converge.
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> A = dr.tensor([[1.0, 2.0, 0.0], [0.0, 0.0, 3.0]])
        >>> U, S, Vh = dr.linalg.svd(A, full_matrices=False)
        >>> S
        tensor([3.0000, 2.2361])
        >>> dr.allclose(U @ dr.diag(S) @ Vh, A)
        True
    """
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
    """The singular values of matrices, descending.

    ``svd(A, full_matrices=False).S``. The gradient of singular value ``i`` is
    ``uᵢ vᵢᵀ``, defined for distinct nonzero singular values.

    Args:
        A (Tensor | Dual | array_like): a ``(..., m, n)`` tensor of matrices.

    Returns:
        Tensor: of shape ``(..., min(m, n))``.

    Raises:
        RuntimeError: if ``A`` has fewer than 2 dimensions.
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> dr.linalg.svdvals(dr.tensor([[3.0, 0.0], [0.0, -4.0]]))
        tensor([4., 3.])
    """
    A = operand(A, "linalg.svdvals", "A")
    return svd(A, full_matrices=False).S


def vector_norm(x: TensorLike, ord: float | str = 2, dim: int | Sequence[int] | None = None,
                keepdim: bool = False) -> Tensor:
    """The ``ord``-norm of the entries of ``x`` over ``dim`` (all of them by default).

    ``(sum |x|^ord)^(1/ord)``; ``inf`` is the largest ``|x|``, ``-inf`` the
    smallest, 0 the number of nonzeros. At ``x = 0`` the 2-norm has no
    derivative; dualrev returns 0 there, as PyTorch does.

    Args:
        x (Tensor | Dual | array_like): the tensor.
        ord (float | str): the order (default 2).
        dim (int | sequence of int | None): the dimensions (default None: all).
        keepdim (bool): keep the reduced dimensions with size 1 (default False).

    Returns:
        Tensor: the norms, of ``x``'s shape without ``dim``.

    Raises:
        IndexError: if a dimension is out of range.
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> x = dr.tensor([3.0, -4.0])
        >>> dr.linalg.vector_norm(x), dr.linalg.vector_norm(x, ord=1)
        (tensor(5.), tensor(7.))
        >>> dr.func.grad(dr.linalg.vector_norm)(x)
        tensor([ 0.6000, -0.8000])
    """
    x = operand(x, "linalg.vector_norm", "x")
    return F.norm(x, ord, dim, keepdim)


def matrix_norm(A: TensorLike, ord: float | str = "fro", dim: Sequence[int] = (-2, -1),
                keepdim: bool = False) -> Tensor:
    """A norm of the matrices on the dimensions ``dim``.

    ``ord``: ``"fro"`` (Frobenius, default), ``"nuc"`` (sum of singular
    values), 2 and -2 (largest and smallest singular value), 1 and -1 (largest
    and smallest column sum of ``|A|``), ``inf`` and ``-inf`` (row sums).

    Args:
        A (Tensor | Dual | array_like): a tensor of at least 2 dimensions.
        ord (float | str): the norm (default ``"fro"``).
        dim (sequence of int): the two dimensions of the matrices (default ``(-2, -1)``).
        keepdim (bool): keep the reduced dimensions with size 1 (default False).

    Returns:
        Tensor: the norms, of ``A``'s shape without ``dim``.

    Raises:
        RuntimeError: if ``dim`` is not a pair of dimensions.
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> A = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> dr.linalg.matrix_norm(A), dr.linalg.matrix_norm(A, ord=1)
        (tensor(5.4772), tensor(6.))
    """
    A = operand(A, "linalg.matrix_norm", "A")
    axis = _axes(A, dim)
    if len(axis) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a pair of axes")
    return boxed(rules.matrix_norm(A, ord=ord, axis=axis, keepdims=keepdim))


def norm(A: TensorLike, ord: float | str | None = None, dim: int | Sequence[int] | None = None,
         keepdim: bool = False) -> Tensor:
    """A vector or matrix norm, as ``torch.linalg.norm``.

    ``vector_norm`` of a 1-d ``A`` or over one dimension, ``matrix_norm`` of a
    2-d ``A`` or over two dimensions; ``ord=None`` is the 2-norm or the
    Frobenius norm. Without ``dim``, ``A`` of more than 2 dimensions takes the
    vector norm of all entries.

    Args:
        A (Tensor | Dual | array_like): the tensor.
        ord (float | str | None): the order (default None: 2 or ``"fro"``).
        dim (int | sequence of int | None): one or two dimensions (default None).
        keepdim (bool): keep the reduced dimensions with size 1 (default False).

    Returns:
        Tensor: the norms.

    Raises:
        IndexError: if a dimension is out of range.
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> A = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> dr.linalg.norm(A), dr.linalg.norm(A, dim=1)
        (tensor(5.4772), tensor([2.2361, 5.0000]))
    """
    A = operand(A, "linalg.norm", "A")
    axes = _axes(A, dim) if dim is not None else None
    if (axes is None and ndim_of(A) == 2) or (axes is not None and len(axes) == 2):
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if axes is None else axes,
                           keepdim)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim)


def matmul(input: TensorLike, other: TensorLike) -> Tensor:
    """The matrix product of ``input`` and ``other``: ``dualrev.matmul``.

    NumPy's rules: 1-d operands are vectors, leading dimensions broadcast.

    Args:
        input (Tensor | Dual | array_like): the left operand, at least 1-d.
        other (Tensor | Dual | array_like): the right operand, at least 1-d.

    Returns:
        Tensor: the product.

    Raises:
        RuntimeError: if an operand is 0-d or the inner sizes differ.
        TypeError: if an operand is not a tensor, a Dual or an array of numbers.

    Example:
        >>> import dualrev as dr
        >>> dr.linalg.matmul(dr.tensor([[1.0, 2.0], [3.0, 4.0]]), dr.tensor([1.0, 1.0]))
        tensor([3., 7.])
    """
    return F.matmul(input, other)

__all__ = ["LinAlgError", "det", "slogdet", "inv", "solve", "cholesky", "eigh", "eigvalsh", "qr",
           "svd", "svdvals", "vector_norm", "matrix_norm", "norm", "matmul"]


def __dir__():
    return __all__
