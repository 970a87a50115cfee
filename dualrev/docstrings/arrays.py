"""Reference docstrings of the functions of ``dualrev/array_functions.py``
and ``dualrev/shape_functions.py``, by public name (the latter kept in
``shapes.py`` and included here)."""

from .selections import DOCS as _SELECTIONS
from .reshaping import DOCS as _SHAPES

_T = "Tensor | Dual | array_like"
_NOT_A_TENSOR = """TypeError: if an operand is not a tensor, a Dual or an array of
        numbers."""
_DIM = """IndexError: if a dimension is out of range."""
_VALUES_INDICES = """A named tuple ``(values, indices)``: ``values`` is differentiable (the
    gradient flows back through the permutation), ``indices`` are int64."""

DOCS: dict[str, str] = {**_SHAPES, **_SELECTIONS,
    "cumsum": f"""Running sums of ``input`` along ``dim``: ``out[i] = input[0] + ... + input[i]``.

The gradient is the reversed running sum of the incoming gradient.

Args:
    input ({_T}): the tensor.
    dim (int): the dimension to sum along.

Returns:
    Tensor: of ``input``'s shape (integers and bools sum to int64, as in PyTorch).

Raises:
    {_DIM}
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.cumsum(dr.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([1., 3., 6.])
    >>> dr.func.grad(lambda x: dr.cumsum(x, 0).sum())(dr.tensor([1.0, 2.0, 3.0]))
    tensor([3., 2., 1.])
""",
    "cumprod": f"""Running products along ``dim``: ``out[i] = input[0] * ... * input[i]``.

The derivatives are exact where entries are 0 (computed without dividing by
the entries), as PyTorch's.

Args:
    input ({_T}): the tensor.
    dim (int): the dimension to multiply along.

Returns:
    Tensor: of ``input``'s shape.

Raises:
    {_DIM}
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([2.0, 0.0, 3.0])
    >>> dr.cumprod(x, dim=0)
    tensor([2., 0., 0.])
    >>> dr.func.grad(lambda x: dr.cumprod(x, 0)[-1])(x)
    tensor([0., 6., 0.])
""",
    "sort": f"""The entries of ``input`` sorted along ``dim``, with the indices that sort them.

The sort is stable (equal entries keep their order, with or without
``stable``). Ties share no gradient: each entry's gradient is the incoming
gradient at its sorted position.

Args:
    input ({_T}): the tensor.
    dim (int): the dimension to sort along (default -1, the last).
    descending (bool): largest first (default False).
    stable (bool): accepted for PyTorch's signature; the sort is always stable.

Returns:
    {_VALUES_INDICES}

Raises:
    {_DIM}
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> values, indices = dr.sort(dr.tensor([3.0, 1.0, 2.0]))
    >>> values, indices
    (tensor([1., 2., 3.]), tensor([1, 2, 0]))
    >>> dr.func.grad(lambda x: dr.sort(x).values[0])(dr.tensor([3.0, 1.0, 2.0]))
    tensor([0., 1., 0.])
""",
    "argsort": f"""The indices that sort ``input`` along ``dim`` (not differentiable).

``sort(input, dim).indices``; stable.

Args:
    input ({_T}): the tensor.
    dim (int): the dimension to sort along (default -1, the last).
    descending (bool): largest first (default False).
    stable (bool): accepted for PyTorch's signature; the sort is always stable.

Returns:
    Tensor: int64 indices of ``input``'s shape.

Raises:
    {_DIM}
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.argsort(dr.tensor([3.0, 1.0, 2.0]), descending=True)
    tensor([0, 2, 1])
""",
    "topk": f"""The ``k`` largest (or smallest) entries along ``dim`` and their indices.

Largest first (smallest first with ``largest=False``); the gradient goes to
the picked entries.

Args:
    input ({_T}): the tensor.
    k (int): how many entries, from 0 to the size of ``dim``.
    dim (int): the dimension (default -1, the last).
    largest (bool): the largest entries (default True) or the smallest.
    sorted (bool): accepted for PyTorch's signature; the result is always sorted.

Returns:
    {_VALUES_INDICES} Of size ``k`` along ``dim``.

Raises:
    RuntimeError: if ``k`` is out of range ("selected index k out of range").
    {_DIM}
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 5.0, 3.0, 4.0])
    >>> dr.topk(x, 2).values, dr.topk(x, 2).indices
    (tensor([5., 4.]), tensor([1, 3]))
    >>> dr.func.grad(lambda x: dr.topk(x, 2).values.sum())(x)
    tensor([0., 1., 0., 1.])
""",
    "flip": f"""``input`` with the order of its entries reversed along ``dims``.

Args:
    input ({_T}): the tensor.
    dims (int | sequence of int): the dimensions to reverse.

Returns:
    Tensor: of ``input``'s shape.

Raises:
    {_DIM}
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.flip(dr.tensor([[1, 2], [3, 4]]), [0, 1])
    tensor([[4, 3],
            [2, 1]])
""",
    "roll": f"""Entries shifted cyclically by ``shifts`` along ``dims``.

With ``dims=None`` the tensor is rolled flat and given back its shape.
Entries pushed past the end come in at the start.

Args:
    input ({_T}): the tensor.
    shifts (int | sequence of int): the shift per dimension (negative: towards the start).
    dims (int | sequence of int | None): the dimensions, one per shift
        (default None: the flattened tensor, one shift).

Returns:
    Tensor: of ``input``'s shape.

Raises:
    RuntimeError: if ``shifts`` and ``dims`` differ in length, or several
        shifts are given without ``dims``.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.roll(dr.tensor([1, 2, 3, 4]), 1)
    tensor([4, 1, 2, 3])
    >>> dr.roll(dr.tensor([[1, 2], [3, 4]]), (1, -1), (0, 1))
    tensor([[4, 3],
            [2, 1]])
""",
    "diff": f"""The ``n``-th forward difference along ``dim``.

``out[i] = input[i + 1] - input[i]``, taken ``n`` times.

Args:
    input ({_T}): the tensor, at least 1-d.
    n (int): how many times to difference (default 1).
    dim (int): the dimension (default -1, the last).

Returns:
    Tensor: of ``input``'s shape with ``max(size - n, 0)`` entries along ``dim``.

Raises:
    RuntimeError: if ``input`` is 0-d or ``n`` is negative.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 4.0, 9.0, 16.0])
    >>> dr.diff(x), dr.diff(x, n=2)
    (tensor([3., 5., 7.]), tensor([2., 2.]))
""",
    "diagonal": f"""The diagonal of the matrices on ``dim1`` and ``dim2``, as the last dimension.

``offset`` > 0 takes a diagonal above the main one, < 0 below. The
gradient fills the diagonal of a zero tensor.

Args:
    input ({_T}): the tensor, at least 2-d.
    offset (int): which diagonal (default 0, the main one).
    dim1 (int): the rows' dimension (default 0).
    dim2 (int): the columns' dimension (default 1).

Returns:
    Tensor: ``input`` without ``dim1`` and ``dim2``, the diagonal appended as the last dimension.

Raises:
    RuntimeError: if ``input`` has fewer than 2 dimensions or ``dim1`` and
        ``dim2`` are the same.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1, 2, 3], [4, 5, 6]])
    >>> dr.diagonal(x), dr.diagonal(x, offset=1)
    (tensor([1, 5]), tensor([2, 6]))
""",
    "trace": f"""The sum of the main diagonal of a matrix.

The gradient is the identity matrix times the incoming gradient.

Args:
    input ({_T}): a 2-d tensor.

Returns:
    Tensor: a 0-d tensor.

Raises:
    RuntimeError: if ``input`` is not 2-d.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> dr.trace(x)
    tensor(5.)
    >>> dr.func.grad(dr.trace)(x)
    tensor([[1., 0.],
            [0., 1.]])
""",
    "diag": f"""A vector as a diagonal matrix, or a matrix's diagonal as a vector.

For a 1-d ``input`` of n entries: the square matrix of size ``n +
|diagonal|`` with ``input`` on the ``diagonal``-th diagonal. For a 2-d
``input``: its ``diagonal``-th diagonal.

Args:
    input ({_T}): a 1-d or 2-d tensor.
    diagonal (int): which diagonal (default 0; > 0 above the main one, < 0 below).

Returns:
    Tensor: a 2-d tensor for a 1-d ``input``, a 1-d one for a 2-d ``input``.

Raises:
    RuntimeError: if ``input`` is not 1-d or 2-d.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.diag(dr.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    >>> dr.diag(dr.tensor([[1, 2], [3, 4]]), 1)
    tensor([2])
""",
    "tril": f"""The lower triangle of the matrices in the last two dimensions; the rest set to 0.

Entries on and below the ``diagonal``-th diagonal are kept. The gradient is
the incoming gradient's lower triangle.

Args:
    input ({_T}): a tensor of at least 2 dimensions.
    diagonal (int): the last diagonal kept (default 0; > 0 keeps more, < 0 fewer).

Returns:
    Tensor: of ``input``'s shape and dtype.

Raises:
    RuntimeError: if ``input`` has fewer than 2 dimensions.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    >>> dr.tril(x)
    tensor([[1, 0, 0],
            [4, 5, 0],
            [7, 8, 9]])
    >>> dr.tril(x, -1)
    tensor([[0, 0, 0],
            [4, 0, 0],
            [7, 8, 0]])
""",
    "triu": f"""The upper triangle of the matrices in the last two dimensions; the rest set to 0.

Entries on and above the ``diagonal``-th diagonal are kept. The gradient is
the incoming gradient's upper triangle.

Args:
    input ({_T}): a tensor of at least 2 dimensions.
    diagonal (int): the first diagonal kept (default 0; > 0 keeps fewer, < 0 more).

Returns:
    Tensor: of ``input``'s shape and dtype.

Raises:
    RuntimeError: if ``input`` has fewer than 2 dimensions.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.triu(dr.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), 1)
    tensor([[0, 2, 3],
            [0, 0, 6],
            [0, 0, 0]])
""",
    "moveaxis": f"""``input`` with the dimensions ``source`` moved to ``destination``.

Also ``dr.movedim`` (PyTorch's name). The other dimensions keep their
order. The result is a view.

Args:
    input ({_T}): the tensor.
    source (int | sequence of int): the dimensions to move.
    destination (int | sequence of int): where they go, one per source.

Returns:
    Tensor: the same entries with the dimensions reordered.

Raises:
    RuntimeError: if ``source`` and ``destination`` differ in length or repeat a dimension.
    {_DIM}
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.moveaxis(dr.zeros(2, 3, 4), 0, -1).shape
    dualrev.Size([3, 4, 2])
    >>> dr.movedim(dr.zeros(2, 3, 4), (0, 1), (2, 0)).shape
    dualrev.Size([3, 4, 2])
""",
    "vstack": f"""Tensors stacked as rows: 0-d and 1-d ones become rows, all joined along dim 0.

Args:
    tensors (sequence of Tensor | Dual | array_like): a non-empty list or tuple.

Returns:
    Tensor: the joined tensor, at least 2-d.

Raises:
    RuntimeError: if the list is empty or the shapes do not fit.
    TypeError: if ``tensors`` is a tensor rather than a list or tuple.

Example:
    >>> import dualrev as dr
    >>> dr.vstack([dr.tensor([1, 2]), dr.tensor([[3, 4], [5, 6]])])
    tensor([[1, 2],
            [3, 4],
            [5, 6]])
""",
    "hstack": f"""Tensors joined column-wise: along dimension 1, or 0 when all are 1-d.

0-d tensors are taken as 1-d tensors of one entry.

Args:
    tensors (sequence of Tensor | Dual | array_like): a non-empty list or tuple.

Returns:
    Tensor: the joined tensor.

Raises:
    RuntimeError: if the list is empty or the shapes do not fit.
    TypeError: if ``tensors`` is a tensor rather than a list or tuple.

Example:
    >>> import dualrev as dr
    >>> dr.hstack([dr.tensor([1, 2]), dr.tensor(3)])
    tensor([1, 2, 3])
    >>> dr.hstack([dr.tensor([[1], [2]]), dr.tensor([[3], [4]])])
    tensor([[1, 3],
            [2, 4]])
""",
    "pad": f"""``input`` padded with a constant, as ``torch.nn.functional.pad``.

``pad`` gives (before, after) pairs from the last dimension backwards:
``(left, right)`` pads the last dimension, ``(left, right, top, bottom)``
the last two. The gradient is the incoming gradient without the padding.

Args:
    input ({_T}): the tensor.
    pad (sequence of int): an even number of non-negative sizes, at most
        two per dimension.
    mode (str): ``"constant"`` only (PyTorch's other modes are not supported).
    value (number): the fill value (default 0.0).

Returns:
    Tensor: the padded tensor, of ``input``'s dtype.

Raises:
    RuntimeError: if ``pad`` has an odd length or more than two sizes per dimension.
    NotImplementedError: for a mode other than ``"constant"`` or a negative size.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.pad(dr.tensor([[1.0, 2.0]]), (1, 2))
    tensor([[0., 1., 2., 0., 0.]])
    >>> dr.pad(dr.tensor([[1]]), (0, 1, 1, 0), value=7)
    tensor([[7, 7],
            [1, 7]])
""",
    "einsum": f"""Einstein summation of ``operands`` by the subscripts of ``equation``.

NumPy's and PyTorch's notation: letters name dimensions, a letter repeated
across operands is multiplied along, a letter missing from the output (or
all repeated letters when there is no ``->``) is summed; ``...`` stands for
broadcast dimensions. Differentiable in every operand, to any order.

Args:
    equation (str): the subscripts, such as ``"ij,jk->ik"``.
    *operands (Tensor | Dual | array_like): the operands, one per term (or
        a single list of them).

Returns:
    Tensor: the result, with the output subscripts' dimensions.

Raises:
    ValueError: if no equation or no operand is given, or the subscripts do not fit the operands.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> a = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> dr.einsum("ij,j->i", a, dr.tensor([1.0, 1.0]))
    tensor([3., 7.])
    >>> dr.einsum("ii", a)
    tensor(5.)
""",
    "tensordot": f"""Sums of products of ``a`` and ``b`` over the axes ``dims``.

An int ``dims`` contracts the last ``dims`` axes of ``a`` with the first of
``b``; a pair of lists ``(axes_a, axes_b)`` names them.

Args:
    a ({_T}): the first operand.
    b ({_T}): the second operand.
    dims (int | tuple of two sequences of int): the axes to contract (default 2).

Returns:
    Tensor: ``a``'s remaining axes, then ``b``'s.

Raises:
    RuntimeError: if contracted sizes differ.
    {_DIM}
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> a = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> dr.tensordot(a, a, dims=2)
    tensor(30.)
    >>> dr.tensordot(a, dr.tensor([1.0, 1.0]), dims=([1], [0]))
    tensor([3., 7.])
""",
    "outer": f"""The outer product: every entry of ``input`` times every entry of ``vec2``.

Also ``dr.ger`` (PyTorch's older name). ``out[i, j] = input[i] * vec2[j]``.

Args:
    input ({_T}): a 1-d tensor.
    vec2 ({_T}): a 1-d tensor.

Returns:
    Tensor: of shape ``(len(input), len(vec2))``.

Raises:
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.outer(dr.tensor([1.0, 2.0]), dr.tensor([1.0, 10.0, 100.0]))
    tensor([[  1.,  10., 100.],
            [  2.,  20., 200.]])
""",
    "inner": f"""Sums of products over the last dimensions of ``input`` and ``other``.

For two vectors, their dot product; a 0-d operand multiplies. The result
has ``input``'s leading dimensions, then ``other``'s.

Args:
    input ({_T}): the first operand.
    other ({_T}): the second operand, of the same last size.

Returns:
    Tensor: of shape ``input.shape[:-1] + other.shape[:-1]``.

Raises:
    RuntimeError: if the last sizes differ.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.inner(dr.tensor([1.0, 2.0]), dr.tensor([3.0, 4.0]))
    tensor(11.)
    >>> dr.inner(dr.tensor([[1.0, 2.0], [3.0, 4.0]]), dr.tensor([1.0, 1.0]))
    tensor([3., 7.])
""",
    "vdot": f"""The dot product of two vectors: ``sum(input * other)``.

For real tensors, ``dr.dot``.

Args:
    input ({_T}): a 1-d tensor.
    other ({_T}): a 1-d tensor of the same length.

Returns:
    Tensor: a 0-d tensor.

Raises:
    RuntimeError: if an operand is not 1-d.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.vdot(dr.tensor([1.0, 2.0]), dr.tensor([3.0, 4.0]))
    tensor(11.)
    >>> dr.func.grad(lambda x: dr.vdot(x, dr.tensor([3.0, 4.0])))(dr.tensor([1.0, 2.0]))
    tensor([3., 4.])
""",
}
