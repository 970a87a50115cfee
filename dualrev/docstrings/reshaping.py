"""Reference docstrings of the functions of ``dualrev/shape_functions.py``
(reshape, transpose, expand, join), by public name. ``arrays.DOCS``
includes them."""

_T = "Tensor | Dual | array_like"
_NOT_A_TENSOR = """TypeError: if ``input`` is not a tensor, a Dual or an array of
        numbers."""
_SIZES = """*shape (int | sequence of int): the sizes, given as ``f(x, 2, 3)`` or
        ``f(x, (2, 3))``"""
_VIEW = """The result shares memory with ``input`` where NumPy can give a view (as
PyTorch's view): an in-place change of one shows in the other. The gradient
is the inverse rearrangement of the incoming gradient."""
_LIST = """tensors (sequence of Tensor | Dual | array_like): a list or tuple of
        operands (array-likes are taken as tensors)."""

DOCS: dict[str, str] = {
    "reshape": f"""The same entries, in row-major order, in a new shape.

Also ``dr.view`` (and the methods ``x.reshape``, ``x.view``). {_VIEW}

Args:
    input ({_T}): the tensor.
    {_SIZES}; one size may be -1, inferred from the number of entries.

Returns:
    Tensor: a tensor of the new shape and ``input``'s dtype.

Raises:
    RuntimeError: if the sizes do not hold ``input.numel()`` entries
        ("shape '[4, 2]' is invalid for input of size 6") or more than one is -1.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.reshape(dr.arange(6), 2, 3)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    >>> dr.arange(6.0).view(-1, 2).shape
    dualrev.Size([3, 2])
    >>> dr.func.grad(lambda x: (dr.reshape(x, (2, 2)) ** 2).sum())(dr.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor([2., 4., 6., 8.])
""",
    "flatten": f"""The dimensions from ``start_dim`` to ``end_dim`` merged into one.

A 0-d tensor becomes a 1-d tensor of one entry, as in PyTorch. {_VIEW}

Args:
    input ({_T}): the tensor.
    start_dim (int): the first dimension to merge (default 0).
    end_dim (int): the last dimension to merge, included (default -1, the last).

Returns:
    Tensor: ``input`` with those dimensions replaced by one of their product's size.

Raises:
    RuntimeError: if ``start_dim`` comes after ``end_dim``.
    IndexError: if a dimension is out of range.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.zeros(2, 3, 4)
    >>> dr.flatten(x).shape, dr.flatten(x, 1).shape, dr.flatten(x, 0, 1).shape
    (dualrev.Size([24]), dualrev.Size([2, 12]), dualrev.Size([6, 4]))
""",
    "transpose": f"""``input`` with dimensions ``dim0`` and ``dim1`` swapped.

Also ``dr.swapaxes`` and ``dr.swapdims`` (NumPy's and PyTorch's other
names). A 0-d tensor comes back as it is. {_VIEW}

Args:
    input ({_T}): the tensor.
    dim0 (int): a dimension (negative counts from the end).
    dim1 (int): the dimension to swap it with.

Returns:
    Tensor: a tensor of ``input``'s shape with sizes ``dim0`` and ``dim1`` swapped.

Raises:
    IndexError: if a dimension is out of range.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.transpose(dr.tensor([[1, 2, 3], [4, 5, 6]]), 0, 1)
    tensor([[1, 4],
            [2, 5],
            [3, 6]])
    >>> dr.swapaxes(dr.zeros(2, 3, 4), 0, -1).shape
    dualrev.Size([4, 3, 2])
""",
    "t": f"""The transpose of a matrix; a 0-d or 1-d tensor comes back unchanged.

PyTorch's ``torch.t``: ``transpose(input, 0, 1)`` for at most 2 dimensions. {_VIEW}

Args:
    input ({_T}): a tensor of at most 2 dimensions.

Returns:
    Tensor: the transposed matrix (``input``'s values for 0-d and 1-d).

Raises:
    RuntimeError: if ``input`` has more than 2 dimensions ("t() expects a
        tensor with <= 2 dimensions, but self is 3D").
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.t(dr.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([[1., 3.],
            [2., 4.]])
    >>> dr.t(dr.tensor([1.0, 2.0]))
    tensor([1., 2.])
""",
    "permute": f"""The dimensions of ``input`` in the order ``dims``.

Dimension ``i`` of the result is dimension ``dims[i]`` of ``input``. {_VIEW}

Args:
    input ({_T}): the tensor.
    *dims (int | sequence of int): a permutation of the dimensions, given
        as ``permute(x, 2, 0, 1)`` or ``permute(x, (2, 0, 1))``; negative
        ones count from the end.

Returns:
    Tensor: ``input`` with its dimensions reordered.

Raises:
    RuntimeError: if ``dims`` does not name each dimension once.
    IndexError: if a dimension is out of range.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.permute(dr.zeros(2, 3, 4), 2, 0, 1).shape
    dualrev.Size([4, 2, 3])
""",
    "squeeze": f"""``input`` without dimensions of size 1: all of them, or those in ``dim``.

A dimension named in ``dim`` whose size is not 1 is left as it is, as in
PyTorch. {_VIEW}

Args:
    input ({_T}): the tensor.
    dim (int | tuple of int | None): the dimensions to remove if their size
        is 1 (default None: every size-1 dimension).

Returns:
    Tensor: the same entries with fewer dimensions.

Raises:
    IndexError: if a dimension is out of range.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.zeros(2, 1, 3, 1)
    >>> dr.squeeze(x).shape, dr.squeeze(x, 1).shape, dr.squeeze(x, 0).shape
    (dualrev.Size([2, 3]), dualrev.Size([2, 3, 1]), dualrev.Size([2, 1, 3, 1]))
""",
    "unsqueeze": f"""``input`` with a dimension of size 1 inserted at ``dim``.

{_VIEW}

Args:
    input ({_T}): the tensor.
    dim (int): where the new dimension goes, in ``[-input.dim() - 1,
        input.dim()]`` (negative counts from the end of the result).

Returns:
    Tensor: the same entries with one more dimension.

Raises:
    IndexError: if ``dim`` is out of range.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0])
    >>> dr.unsqueeze(x, 0)
    tensor([[1., 2.]])
    >>> dr.unsqueeze(x, -1).shape
    dualrev.Size([2, 1])
""",
    "broadcast_to": f"""``input`` expanded to ``shape`` by NumPy's broadcasting, without copying.

Also ``dr.expand`` (PyTorch's ``Tensor.expand``). Dimensions of size 1 are
repeated and leading dimensions added; -1 keeps a size. The gradient sums
the incoming gradient over the expanded dimensions.

Args:
    input ({_T}): the tensor.
    {_SIZES}; -1 keeps ``input``'s size there.

Returns:
    Tensor: a read-only view of shape ``shape``.

Raises:
    RuntimeError: if ``shape`` has fewer dimensions than ``input`` or a size
        differs from one of ``input``'s that is not 1 ("The expanded size of
        the tensor (3) must match the existing size (2) ...").
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.broadcast_to(dr.tensor([1.0, 2.0]), (2, 2))
    tensor([[1., 2.],
            [1., 2.]])
    >>> dr.zeros(3, 1).expand(-1, 4).shape
    dualrev.Size([3, 4])
    >>> dr.func.grad(lambda x: dr.broadcast_to(x, (3, 2)).sum())(dr.tensor([1.0, 2.0]))
    tensor([3., 3.])
""",
    "cat": f"""The tensors joined along their existing dimension ``dim``.

Also ``dr.concat`` and ``dr.concatenate``. The sizes must agree except
along ``dim``; dtypes are promoted as in PyTorch. The gradient of each
input is its slice of the incoming gradient.

Args:
    {_LIST}
    dim (int): the dimension to join along (default 0).

Returns:
    Tensor: the joined tensor, whose size along ``dim`` is the sum of the inputs'.

Raises:
    RuntimeError: if the list is empty, a tensor is 0-d, the numbers of
        dimensions differ or sizes differ outside ``dim``.
    TypeError: if ``tensors`` is a tensor rather than a list or tuple.

Example:
    >>> import dualrev as dr
    >>> a, b = dr.tensor([[1, 2]]), dr.tensor([[3, 4], [5, 6]])
    >>> dr.cat([a, b])
    tensor([[1, 2],
            [3, 4],
            [5, 6]])
    >>> dr.concat((a, a), dim=1)
    tensor([[1, 2, 1, 2]])
""",
    "stack": f"""Tensors of one shape joined along a new dimension ``dim``.

``stack(ts, dim)`` is ``cat([t.unsqueeze(dim) for t in ts], dim)``.

Args:
    {_LIST}
    dim (int): where the new dimension goes in the result (default 0).

Returns:
    Tensor: of shape ``ts[0].shape`` with ``len(tensors)`` inserted at ``dim``.

Raises:
    RuntimeError: if the list is empty or the shapes differ ("stack expects
        each tensor to be equal size").
    TypeError: if ``tensors`` is a tensor rather than a list or tuple.

Example:
    >>> import dualrev as dr
    >>> dr.stack([dr.tensor([1, 2]), dr.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    >>> dr.stack([dr.tensor([1, 2]), dr.tensor([3, 4])], dim=1)
    tensor([[1, 3],
            [2, 4]])
""",
    "detach": f"""``input``'s values as a new tensor outside the graph (``input.detach()``).

The result shares memory with ``input`` and does not require grad; no
gradient flows through it. For a Dual, take its ``.primal``.

Args:
    input (Tensor | array_like): the tensor.

Returns:
    Tensor: a leaf tensor with ``input``'s values, ``requires_grad=False``.

Raises:
    TypeError: if ``input`` is a Dual (or another box without ``detach``),
        or not a tensor or an array of numbers.

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0], requires_grad=True)
    >>> y = dr.detach(x * 2)
    >>> y, y.requires_grad
    (tensor([2., 4.]), False)
""",
    "numel": f"""The number of entries of ``input``: the product of its sizes.

Args:
    input ({_T}): the tensor.

Returns:
    int: the number of entries (1 for a 0-d tensor).

Raises:
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.numel(dr.zeros(2, 3)), dr.numel(dr.tensor(5.0))
    (6, 1)
""",
}
