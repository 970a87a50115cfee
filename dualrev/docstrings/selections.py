"""Reference docstrings of the functions of ``dualrev/array_functions.py``
that pick, split, repeat and fill entries, by public name. ``arrays.DOCS``
includes them."""

_T = "Tensor | Dual | array_like"
_NOT_A_TENSOR = """TypeError: if ``input`` is not a tensor, a Dual or an array of
        numbers."""
_INDEX = "Tensor | array_like of int"
_PICK = """The gradient scatters the incoming gradient back to the picked
entries (summed where an entry is picked twice); indices get none."""
_VIEWS = """The pieces are views of ``input``; each one's gradient goes to its
part of ``input``."""

DOCS: dict[str, str] = {
    "take": f"""The entries of the flattened ``input`` at ``index``.

PyTorch's ``torch.take``: ``input.flatten()[index]``. {_PICK}

Args:
    input ({_T}): the tensor, read in row-major order.
    index ({_INDEX}): flat positions; negative ones count from the end.

Returns:
    Tensor: the entries, of ``index``'s shape and ``input``'s dtype.

Raises:
    IndexError: if an index is out of range.
    RuntimeError: if ``index`` is not of an integer dtype.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> dr.take(x, dr.tensor([0, 3, -2]))
    tensor([1., 4., 3.])
    >>> dr.func.grad(lambda x: dr.take(x, dr.tensor([0, 0, 3])).sum())(x)
    tensor([[2., 0.],
            [0., 1.]])
""",
    "take_along_dim": f"""Entries picked along ``dim`` by ``indices`` (NumPy's ``take_along_axis``).

``out[i][j] = input[i][indices[i][j]]`` for ``dim=1``; outside ``dim`` the
shapes of ``input`` and ``indices`` broadcast. It pairs with ``argsort`` and
``argmax(keepdim=True)``. {_PICK}

Args:
    input ({_T}): the tensor.
    indices ({_INDEX}): positions along ``dim``, with as many dimensions as
        ``input``; negative ones count from the end.
    dim (int): the dimension to pick along.

Returns:
    Tensor: the picked entries, of the broadcast shape with ``indices``'s size along ``dim``.

Raises:
    RuntimeError: if the numbers of dimensions differ, the shapes do not
        broadcast outside ``dim`` or ``indices`` is not of an integer dtype.
    IndexError: if an index is out of range.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[10.0, 30.0, 20.0], [60.0, 40.0, 50.0]])
    >>> dr.take_along_dim(x, dr.argsort(x, dim=1), dim=1)
    tensor([[10., 20., 30.],
            [40., 50., 60.]])
""",
    "gather": f"""Entries picked along ``dim`` by ``index``: PyTorch's gather.

``out[i][j] = input[i][index[i][j]]`` for ``dim=1`` (and so on in other
dimensions). The output has ``index``'s shape, which may be smaller than
``input``'s outside ``dim`` (no broadcasting). {_PICK}

Args:
    input ({_T}): the tensor.
    dim (int): the dimension to pick along.
    index ({_INDEX}): positions along ``dim``, with as many dimensions as ``input``.
    sparse_grad (bool): accepted for PyTorch's signature; the gradient is dense.

Returns:
    Tensor: of ``index``'s shape and ``input``'s dtype.

Raises:
    RuntimeError: if ``index`` has another number of dimensions than
        ``input``, an index is out of range, or ``index`` is not of an integer dtype.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> dr.gather(x, 1, dr.tensor([[0, 0], [1, 0]]))
    tensor([[1., 1.],
            [4., 3.]])
    >>> dr.func.grad(lambda x: dr.gather(x, 1, dr.tensor([[1], [1]])).sum())(x)
    tensor([[0., 1.],
            [0., 1.]])
""",
    "narrow": f"""The entries ``start`` to ``start + length`` along ``dim``, as a view.

``narrow(x, 1, 2, 3)`` is ``x[:, 2:5]``; the gradient goes to that slice.

Args:
    input ({_T}): the tensor, at least 1-d.
    dim (int): the dimension to narrow.
    start (int): the first entry kept (negative counts from the end).
    length (int): how many entries are kept.

Returns:
    Tensor: a view of ``input`` of size ``length`` along ``dim``.

Raises:
    IndexError: if ``start`` or ``dim`` is out of range.
    RuntimeError: if ``start + length`` passes the end, or ``input`` is 0-d.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.narrow(dr.arange(10).reshape(2, 5), 1, 2, 3)
    tensor([[2, 3, 4],
            [7, 8, 9]])
""",
    "split": f"""Pieces of ``tensor`` along ``dim``, of a given size or of listed sizes.

An int gives pieces of that many entries (the last may be shorter); a list
gives one piece per size, and the sizes must add up to the dimension's. {_VIEWS}

Args:
    tensor ({_T}): the tensor, at least 1-d.
    split_size_or_sections (int | sequence of int): the size of each piece,
        or the list of sizes.
    dim (int): the dimension to split (default 0).

Returns:
    tuple of Tensor: the pieces, in order.

Raises:
    RuntimeError: if the size is negative (or 0 on a non-empty dimension),
        or the sizes do not add up to the dimension's.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.split(dr.arange(5), 2)
    (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    >>> dr.split(dr.arange(5), [1, 4])
    (tensor([0]), tensor([1, 2, 3, 4]))
""",
    "chunk": f"""At most ``chunks`` pieces of equal size along ``dim``, the last maybe smaller.

As PyTorch: the pieces have ``ceil(size / chunks)`` entries, so fewer than
``chunks`` pieces may come back. {_VIEWS}

Args:
    input ({_T}): the tensor, at least 1-d.
    chunks (int): the number of pieces wanted, at least 1.
    dim (int): the dimension to split (default 0).

Returns:
    tuple of Tensor: the pieces, in order.

Raises:
    RuntimeError: if ``chunks`` is not positive or ``input`` is 0-d.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.chunk(dr.arange(5), 2)
    (tensor([0, 1, 2]), tensor([3, 4]))
    >>> len(dr.chunk(dr.arange(6), 4))
    3
""",
    "unbind": f"""The slices of ``input`` along ``dim``, that dimension removed.

``unbind(x, 0)`` is ``tuple(x[i] for i in range(len(x)))``. {_VIEWS}

Args:
    input ({_T}): the tensor, at least 1-d.
    dim (int): the dimension to take apart (default 0).

Returns:
    tuple of Tensor: ``input.shape[dim]`` tensors of one dimension fewer.

Raises:
    RuntimeError: if ``input`` is 0-d.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.unbind(dr.tensor([[1, 2], [3, 4]]), dim=1)
    (tensor([1, 3]), tensor([2, 4]))
""",
    "index_select": f"""The entries at the positions ``index`` along ``dim`` (a copy).

``index_select(x, 0, i)`` is ``x[i]`` for a vector of integers ``i``. {_PICK}

Args:
    input ({_T}): the tensor.
    dim (int): the dimension to select along.
    index ({_INDEX}): a vector (or a number) of positions.

Returns:
    Tensor: ``input`` with ``len(index)`` entries along ``dim``.

Raises:
    IndexError: if ``index`` is not a vector or an index is out of range.
    RuntimeError: if ``index`` is not of an integer dtype.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    >>> dr.index_select(x, 1, dr.tensor([2, 0]))
    tensor([[3., 1.],
            [6., 4.]])
""",
    "repeat": f"""``input`` repeated ``sizes[i]`` times along each dimension (``Tensor.repeat``).

When ``sizes`` is longer than ``input``'s shape, leading dimensions of size
1 are added first. NumPy's ``tile`` rather than its ``repeat`` (which
repeats each entry, ``torch.repeat_interleave``). The gradient sums
the copies.

Args:
    input ({_T}): the tensor.
    *sizes (int | sequence of int): the repeats per dimension, at least as
        many as ``input`` has dimensions.

Returns:
    Tensor: of shape ``sizes[i] * shape[i]`` (shape padded with leading 1s).

Raises:
    RuntimeError: if ``sizes`` has fewer entries than ``input`` has dimensions.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.repeat(dr.tensor([1, 2]), 2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    >>> dr.func.grad(lambda x: dr.repeat(x, 3).sum())(dr.tensor([1.0, 2.0]))
    tensor([3., 3.])
""",
    "tile": f"""``input`` repeated ``dims[i]`` times along each dimension (NumPy's tile).

Unlike ``repeat``, ``dims`` may be shorter than the shape: it then counts
from the last dimension (missing leading repeats are 1).

Args:
    input ({_T}): the tensor.
    dims (int | sequence of int): the repeats per dimension.

Returns:
    Tensor: the tiled tensor.

Raises:
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.tile(dr.tensor([[1, 2], [3, 4]]), (2,))
    tensor([[1, 2, 1, 2],
            [3, 4, 3, 4]])
""",
    "masked_fill": f"""``value`` where ``mask`` holds, ``input`` elsewhere, in ``input``'s dtype.

Also the in-place ``Tensor.masked_fill_``. The gradient with respect to
``input`` is zero where the mask holds; a tensor ``value`` gets the sum of
the gradient over the masked entries.

Args:
    input ({_T}): the tensor.
    mask (Tensor | array_like of bool): broadcastable to ``input``'s shape.
    value (number | Tensor): a number or a 0-d tensor.

Returns:
    Tensor: of ``input``'s shape and dtype.

Raises:
    RuntimeError: if ``mask`` is not bool, does not broadcast to ``input``,
        or ``value`` is a tensor of one or more dimensions.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, -2.0, 3.0])
    >>> dr.masked_fill(x, x < 0, 0.0)
    tensor([1., 0., 3.])
    >>> dr.func.grad(lambda x: dr.masked_fill(x, x < 0, 0.0).sum())(x)
    tensor([1., 0., 1.])
""",
}
