"""Reference docstrings of the products of ``dualrev/functions.py``
(``dr.matmul``, ``dr.mm``, ``dr.dot``, ...), of PyTorch's top-level
``dr.det`` and ``dr.inverse`` (``dualrev.linalg``'s functions under
PyTorch's older names) and of the method ``Tensor.to_dtype``, by public
name."""

_MATRIX = "Tensor | Dual | array_like"
_NOT_A_TENSOR = """TypeError: if an operand is not a tensor, a Dual or an array of
        numbers."""

DOCS: dict[str, str] = {
    "matmul": f"""The matrix product of ``input`` and ``other``, with NumPy's rules.

Also the operator ``@``. A 1-d operand is a vector (a row on the left, a
column on the right; its dimension is dropped from the result: vector @
vector is the dot product, a 0-d tensor); dimensions before the last two
are batch dimensions and broadcast. The gradients are ``grad @ otherᵀ`` and
``inputᵀ @ grad``, summed over broadcast batch dimensions.

Args:
    input ({_MATRIX}): the left operand, at least 1-d.
    other ({_MATRIX}): the right operand, at least 1-d.

Returns:
    Tensor: the product: shape ``batch + (n, p)`` for ``(..., n, m) @ (...,
    m, p)``, without the dimensions of 1-d operands.

Raises:
    RuntimeError: if an operand is 0-d, the inner sizes differ (PyTorch's
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"), or the
        batch dimensions do not broadcast.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> a = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> dr.matmul(a, dr.tensor([1.0, 1.0]))
    tensor([3., 7.])
    >>> dr.matmul(dr.tensor([1.0, 2.0]), dr.tensor([3.0, 4.0]))
    tensor(11.)
    >>> dr.matmul(dr.ones(5, 2, 3), dr.ones(3, 4)).shape
    dualrev.Size([5, 2, 4])
    >>> dr.func.grad(lambda a: dr.matmul(a, dr.tensor([1.0, 2.0])).sum())(a)
    tensor([[1., 2.],
            [1., 2.]])
""",
    "mm": f"""The product of two matrices: ``input @ mat2``, both 2-d.

``dr.matmul`` without broadcasting or vectors. The gradients are ``grad @
mat2ᵀ`` and ``inputᵀ @ grad``.

Args:
    input ({_MATRIX}): an ``(n, m)`` matrix.
    mat2 ({_MATRIX}): an ``(m, p)`` matrix.

Returns:
    Tensor: the ``(n, p)`` product.

Raises:
    RuntimeError: if an operand is not 2-d ("self must be a matrix") or the
        inner sizes differ.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.mm(dr.tensor([[1.0, 2.0], [3.0, 4.0]]), dr.tensor([[0.0, 1.0], [1.0, 0.0]]))
    tensor([[2., 1.],
            [4., 3.]])
""",
    "mv": f"""The product of a matrix and a vector: ``input @ vec``.

The gradients are ``outer(grad, vec)`` and ``inputᵀ @ grad``.

Args:
    input ({_MATRIX}): an ``(n, m)`` matrix.
    vec ({_MATRIX}): a vector of length ``m``.

Returns:
    Tensor: the vector of length ``n``.

Raises:
    RuntimeError: if ``input`` is not 2-d, ``vec`` not 1-d, or the sizes
        differ.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> a = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> dr.mv(a, dr.tensor([1.0, -1.0]))
    tensor([-1., -1.])
    >>> dr.func.grad(lambda v: dr.mv(a, v).sum())(dr.tensor([1.0, -1.0]))
    tensor([4., 6.])
""",
    "bmm": f"""Batched matrix products: ``input[i] @ mat2[i]`` for each ``i``.

Both operands are 3-d with the same batch size; no broadcasting (see
``dr.matmul`` for that).

Args:
    input ({_MATRIX}): a ``(b, n, m)`` batch of matrices.
    mat2 ({_MATRIX}): a ``(b, m, p)`` batch of matrices.

Returns:
    Tensor: the ``(b, n, p)`` batch of products.

Raises:
    RuntimeError: if an operand is not 3-d ("batch1 must be a 3D tensor") or
        the sizes do not match.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.bmm(dr.ones(3, 2, 4), dr.ones(3, 4, 5)).shape
    dualrev.Size([3, 2, 5])
    >>> dr.bmm(dr.eye(2).expand(2, 2, 2), dr.tensor([[[1.0], [2.0]], [[3.0], [4.0]]]))
    tensor([[[1.],
             [2.]],
    <BLANKLINE>
            [[3.],
             [4.]]])
""",
    "addmm": f"""``beta * input + alpha * (mat1 @ mat2)``.

``input`` broadcasts to the ``(n, p)`` product. With ``beta=0`` the values
of ``input`` are ignored (nan and inf included), as in PyTorch. The
gradients are ``beta * grad`` (summed to ``input``'s shape), ``alpha *
grad @ mat2ᵀ`` and ``alpha * mat1ᵀ @ grad``.

Args:
    input ({_MATRIX}): the term added, broadcast to ``(n, p)``.
    mat1 ({_MATRIX}): an ``(n, m)`` matrix.
    mat2 ({_MATRIX}): an ``(m, p)`` matrix.
    beta (number): the factor of ``input``; 1 by default.
    alpha (number): the factor of the product; 1 by default.

Returns:
    Tensor: the ``(n, p)`` result.

Raises:
    RuntimeError: if ``mat1`` or ``mat2`` is not 2-d, their inner sizes
        differ, or ``input`` does not broadcast.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> m = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> dr.addmm(dr.tensor([1.0, -1.0]), m, dr.eye(2), beta=2, alpha=0.5)
    tensor([[ 2.5000, -1.0000],
            [ 3.5000,  0.0000]])
    >>> dr.func.grad(lambda m: dr.addmm(dr.zeros(2, 2), m, dr.eye(2)).sum())(m)
    tensor([[1., 1.],
            [1., 1.]])
""",
    "dot": f"""The dot product ``sum(input * other)`` of two vectors.

Both are 1-d of the same length (no broadcasting, as in PyTorch). The
gradient in ``input`` is ``other`` and in ``other`` is ``input``.

Args:
    input ({_MATRIX}): a vector.
    other ({_MATRIX}): a vector of the same length.

Returns:
    Tensor: a 0-d tensor.

Raises:
    RuntimeError: if an operand is not 1-d ("1D tensors expected") or the
        lengths differ.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.dot(dr.tensor([1.0, 2.0, 3.0]), dr.tensor([4.0, 5.0, 6.0]))
    tensor(32.)
    >>> dr.func.grad(dr.dot, argnums=(0, 1))(dr.tensor([1.0, 2.0]), dr.tensor([3.0, 4.0]))
    (tensor([3., 4.]), tensor([1., 2.]))
""",
    "det": f"""The determinant of a square matrix, or of each matrix of a batch.

PyTorch's ``torch.det``: ``dualrev.linalg.det`` with its argument named
``input``. The gradient is ``det(A) * A⁻ᵀ`` (the cofactor matrix); it is
also defined for singular matrices.

Args:
    input ({_MATRIX}): a ``(..., n, n)`` tensor of square matrices.

Returns:
    Tensor: the determinants, of shape ``input.shape[:-2]``.

Raises:
    RuntimeError: if the last two dimensions are not square ("linalg.det: A
        must be batches of square matrices").
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.det(dr.tensor([[[2.0, 0.0], [0.0, 3.0]], [[1.0, 2.0], [2.0, 4.0]]]))
    tensor([6., 0.])
    >>> dr.func.grad(dr.det)(dr.tensor([[2.0, 1.0], [1.0, 3.0]]))
    tensor([[ 3.0000, -1.0000],
            [-1.0000,  2.0000]])
""",
    "inverse": f"""The inverse of a square matrix, or of each matrix of a batch.

PyTorch's ``torch.inverse``: ``dualrev.linalg.inv`` with its argument named
``input``. The gradient of ``A⁻¹`` is ``-A⁻ᵀ grad A⁻ᵀ``. To solve
``A x = b``, ``dualrev.linalg.solve`` is faster and more accurate than
forming the inverse.

Args:
    input ({_MATRIX}): a ``(..., n, n)`` tensor of invertible matrices.

Returns:
    Tensor: the inverses, of ``input``'s shape.

Raises:
    RuntimeError: if the last two dimensions are not square.
    dualrev.linalg.LinAlgError: a RuntimeError, as PyTorch's, if a matrix
        is singular ("linalg.inv: The inversion could not be completed
        because the input matrix is singular.").
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.inverse(dr.tensor([[2.0, 1.0], [1.0, 1.0]]))
    tensor([[ 1., -1.],
            [-1.,  2.]])
    >>> dr.func.grad(lambda a: dr.inverse(a).sum())(dr.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[-0.2500, -0.1250],
            [-0.1250, -0.0625]])
""",
    "to_dtype": """This tensor cast to ``dtype`` (``x.to(dtype)`` without the device).

Differentiable between float dtypes: the gradient is cast back to this
tensor's dtype. A cast to an integer dtype truncates toward zero and
gives a tensor without a graph. The same tensor comes back when the dtype
is already ``dtype``.

Args:
    dtype (dualrev.dtype): the target dtype (``dr.float32``, ``dr.int64``...).

Returns:
    Tensor: a tensor of this shape with dtype ``dtype`` (a Dual for a Dual).

Raises:
    TypeError: if ``dtype`` is not a dualrev dtype.

Example:
    >>> import dualrev as dr
    >>> dr.tensor([1, 2]).to_dtype(dr.float64)
    tensor([1., 2.])
    >>> dr.tensor([1.7, -1.7]).to_dtype(dr.int64)
    tensor([ 1, -1])
    >>> dr.tensor([1.5]).to_dtype(dr.float32)
    tensor([1.5000], dtype=dualrev.float32)
""",
}
