"""Reference docstrings of the reductions of ``dualrev/functions.py``
(``dr.sum``, ``dr.max``, ``dr.softmax``, ...), by public name."""

_INPUT = "input (Tensor | Dual | number | array_like): the values."
_DIM = """dim (int | tuple[int, ...] | None): the dimension or dimensions to
        reduce (negative counts from the end); None (the default) reduces
        all of them."""
_DIM_OR_EMPTY = _DIM.replace("None (the default)", "() or None (the default)")
_DIM_REQUIRED = """dim (int | tuple[int, ...]): the dimension or dimensions to reduce
        (negative counts from the end)."""
_KEEPDIM = """keepdim (bool): keep the reduced dimensions with size 1, so the
        result broadcasts against ``input``; False by default."""
_DTYPE = """dtype (dtype | None): cast ``input`` to this dtype first (to sum
        integers as floats, say); None keeps it."""
_SHAPE = "``input``'s shape without the reduced dimensions (with size 1 for them under ``keepdim``)"
_RAISES = """Raises:
    IndexError: if a dimension is out of range (PyTorch's "Dimension out of
        range (expected to be in range of [-1, 0], but got 1)").
    TypeError: if ``input`` is not a tensor, a number or an array, or
        ``keepdim`` is not a bool."""
_EMPTY = """
    RuntimeError: when reducing an empty dimension, which has no
        extremum (PyTorch's "Expected reduction dim to be specified for
        input.numel() == 0")."""

DOCS: dict[str, str] = {
    "sum": f"""The sum of the entries of ``input`` over ``dim``.

Bools and integers are summed as int64, as in PyTorch. The gradient is 1
for every entry summed.

Args:
    {_INPUT}
    {_DIM}
    {_KEEPDIM}
    {_DTYPE}

Returns:
    Tensor: the sums, of {_SHAPE}.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> dr.sum(x), dr.sum(x, dim=0)
    (tensor(10.), tensor([4., 6.]))
    >>> dr.sum(x, dim=1, keepdim=True)
    tensor([[3.],
            [7.]])
    >>> dr.sum(dr.tensor([True, True, False]))
    tensor(2)
    >>> dr.func.grad(dr.sum)(dr.tensor([1.0, 2.0]))
    tensor([1., 1.])
""",
    "mean": f"""The mean of the entries of ``input`` over ``dim``.

The mean of no entries is nan, as in PyTorch. The gradient is ``1 / n`` for
each of the ``n`` entries averaged. (PyTorch refuses integer input without
``dtype``; dualrev averages it in the default float dtype.)

Args:
    {_INPUT}
    {_DIM}
    {_KEEPDIM}
    {_DTYPE}

Returns:
    Tensor: the means, of {_SHAPE}, in a float dtype.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> dr.mean(dr.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=1)
    tensor([1.5000, 3.5000])
    >>> dr.func.grad(dr.mean)(dr.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor([0.2500, 0.2500, 0.2500, 0.2500])
""",
    "prod": f"""The product of the entries of ``input`` over ``dim``.

The gradient of each entry is the product of the others, computed without
dividing by the entry, so it is exact where entries are 0 (one zero: only
that entry gets a nonzero gradient).

Args:
    {_INPUT}
    dim (int | None): the dimension to reduce; None (the default) reduces
        all of them.
    {_KEEPDIM}
    {_DTYPE}

Returns:
    Tensor: the products, of {_SHAPE}.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> dr.prod(dr.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=0)
    tensor([3., 8.])
    >>> dr.func.grad(dr.prod)(dr.tensor([2.0, 3.0, 4.0]))
    tensor([12.,  8.,  6.])
    >>> dr.func.grad(dr.prod)(dr.tensor([2.0, 0.0, 4.0]))
    tensor([0., 8., 0.])
""",
    "amax": f"""The largest entries of ``input`` over ``dim``.

nan wins, as in PyTorch. Where several entries tie for the maximum, they
share the gradient evenly, as in PyTorch (``dr.max`` with ``dim`` gives it
all to the entry it indexes).

Args:
    {_INPUT}
    {_DIM_OR_EMPTY}
    {_KEEPDIM}

Returns:
    Tensor: the maxima, of {_SHAPE}.

{_RAISES}{_EMPTY}

Example:
    >>> import dualrev as dr
    >>> dr.amax(dr.tensor([[1.0, 5.0], [3.0, 2.0]]), dim=0)
    tensor([3., 5.])
    >>> dr.func.grad(dr.amax)(dr.tensor([1.0, 3.0, 3.0]))
    tensor([0.0000, 0.5000, 0.5000])
""",
    "amin": f"""The smallest entries of ``input`` over ``dim``.

nan wins, as in PyTorch. Where several entries tie for the minimum, they
share the gradient evenly, as in PyTorch.

Args:
    {_INPUT}
    {_DIM_OR_EMPTY}
    {_KEEPDIM}

Returns:
    Tensor: the minima, of {_SHAPE}.

{_RAISES}{_EMPTY}

Example:
    >>> import dualrev as dr
    >>> dr.amin(dr.tensor([[1.0, 5.0], [3.0, 2.0]]), dim=1)
    tensor([1., 2.])
    >>> dr.func.grad(dr.amin)(dr.tensor([1.0, 1.0, 3.0]))
    tensor([0.5000, 0.5000, 0.0000])
""",
    "max": f"""The largest entry of ``input``; with ``dim``, the largest entries along
it and their indices; with a tensor second argument, the elementwise
maximum.

Three forms, as in PyTorch: ``max(input)`` is a 0-d tensor (ties share the
gradient evenly); ``max(input, dim)`` is a named pair ``(values, indices)``
(the first index among ties, which gets the whole gradient);
``max(input, other)`` is ``dr.maximum(input, other)``.

Args:
    {_INPUT}
    dim (int | Tensor | None): the dimension to reduce, or the other tensor
        of an elementwise maximum; None for the largest of all entries.
    {_KEEPDIM}
    other (Tensor | None): the other tensor of an elementwise maximum.

Returns:
    Tensor | tuple[Tensor, Tensor]: the maximum; with ``dim``, ``(values,
    indices)`` of {_SHAPE} (indices int64); with ``other``, the
    elementwise maximum.

{_RAISES}{_EMPTY}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1.0, 5.0], [3.0, 2.0]])
    >>> dr.max(x)
    tensor(5.)
    >>> values, indices = dr.max(x, dim=1)
    >>> values, indices
    (tensor([5., 3.]), tensor([1, 0]))
    >>> dr.max(dr.tensor([1.0, 5.0]), dr.tensor([3.0, 2.0]))
    tensor([3., 5.])
""",
    "min": f"""The smallest entry of ``input``; with ``dim``, the smallest entries along
it and their indices; with a tensor second argument, the elementwise
minimum.

Three forms, as in PyTorch: ``min(input)`` is a 0-d tensor (ties share the
gradient evenly); ``min(input, dim)`` is a named pair ``(values, indices)``
(the first index among ties, which gets the whole gradient);
``min(input, other)`` is ``dr.minimum(input, other)``.

Args:
    {_INPUT}
    dim (int | Tensor | None): the dimension to reduce, or the other tensor
        of an elementwise minimum; None for the smallest of all entries.
    {_KEEPDIM}
    other (Tensor | None): the other tensor of an elementwise minimum.

Returns:
    Tensor | tuple[Tensor, Tensor]: the minimum; with ``dim``, ``(values,
    indices)`` of {_SHAPE} (indices int64); with ``other``, the
    elementwise minimum.

{_RAISES}{_EMPTY}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1.0, 5.0], [3.0, 2.0]])
    >>> dr.min(x)
    tensor(1.)
    >>> dr.min(x, dim=0).indices
    tensor([0, 1])
    >>> dr.func.grad(lambda x: dr.min(x, 0).values.sum())(x)
    tensor([[1., 0.],
            [0., 1.]])
""",
    "argmax": f"""The index of the largest entry of ``input`` (of the flattened tensor, or
along ``dim``).

The first index among ties, as in PyTorch. Not differentiable (an integer
result).

Args:
    {_INPUT}
    dim (int | None): the dimension to search; None (the default) searches
        the flattened tensor.
    {_KEEPDIM}

Returns:
    Tensor: int64 indices, of {_SHAPE}.

{_RAISES}{_EMPTY}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[1.0, 5.0], [3.0, 2.0]])
    >>> dr.argmax(x), dr.argmax(x, dim=0)
    (tensor(1), tensor([1, 0]))
""",
    "argmin": f"""The index of the smallest entry of ``input`` (of the flattened tensor,
or along ``dim``).

The first index among ties, as in PyTorch. Not differentiable (an integer
result).

Args:
    {_INPUT}
    dim (int | None): the dimension to search; None (the default) searches
        the flattened tensor.
    {_KEEPDIM}

Returns:
    Tensor: int64 indices, of {_SHAPE}.

{_RAISES}{_EMPTY}

Example:
    >>> import dualrev as dr
    >>> dr.argmin(dr.tensor([[1.0, 5.0], [3.0, 2.0]]), dim=1, keepdim=True)
    tensor([[0],
            [1]])
""",
    "var": f"""The variance of the entries of ``input`` over ``dim``.

``sum((x - mean) ** 2) / (n - correction)``: with the default correction 1
(Bessel's) it is the unbiased estimate; ``correction=0`` gives the
population variance. With ``n <= correction`` the result is nan (or inf),
as in PyTorch. The gradient is ``2 (x - mean) / (n - correction)``.

Args:
    {_INPUT}
    {_DIM}
    correction (int | float | None): subtracted from the count ``n``; None
        (the default) means 1.
    {_KEEPDIM}
    unbiased (bool | None): PyTorch's older spelling: True for correction
        1, False for 0.

Returns:
    Tensor: the variances, of {_SHAPE}.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0, 3.0, 4.0])
    >>> dr.var(x), dr.var(x, correction=0)
    (tensor(1.6667), tensor(1.2500))
    >>> dr.func.grad(dr.var)(dr.tensor([1.0, 2.0, 3.0]))
    tensor([-1.,  0.,  1.])
""",
    "std": f"""The standard deviation of the entries of ``input`` over ``dim``: the
square root of ``dr.var``.

``correction`` as for ``dr.var``. Where the deviation is 0 (all entries
equal) the square root has no derivative; dualrev returns 0 there, as
PyTorch does.

Args:
    {_INPUT}
    {_DIM}
    correction (int | float | None): subtracted from the count; None (the
        default) means 1.
    {_KEEPDIM}
    unbiased (bool | None): PyTorch's older spelling: True for correction
        1, False for 0.

Returns:
    Tensor: the standard deviations, of {_SHAPE}.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([1.0, 2.0, 3.0, 4.0])
    >>> dr.std(x), dr.std(x, unbiased=False)
    (tensor(1.2910), tensor(1.1180))
    >>> dr.func.grad(dr.std)(dr.tensor([1.0, 2.0, 3.0]))
    tensor([-0.5000,  0.0000,  0.5000])
    >>> dr.func.grad(dr.std)(dr.tensor([2.0, 2.0]))
    tensor([0., 0.])
""",
    "norm": f"""The p-norm of ``input`` over ``dim`` (all entries by default).

``(sum |x| ** p) ** (1 / p)``; ``p = inf`` is the largest ``|x|``, ``p = 0``
the count of nonzero entries; ``'fro'`` (the default) is the 2-norm of the
entries. At 0, where the 2-norm has no derivative, dualrev returns 0, as
PyTorch does.

Args:
    {_INPUT}
    p (float | int | str): the order: a number, ``'fro'`` (2) or ``'nuc'``
        (not supported yet).
    {_DIM}
    {_KEEPDIM}
    dtype (None): accepted for PyTorch's signature.

Returns:
    Tensor: the norms, of {_SHAPE}.

{_RAISES}
    RuntimeError: for a string ``p`` other than ``'fro'`` and ``'nuc'``.
    NotImplementedError: for ``p='nuc'`` (the nuclear norm needs an SVD).

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([3.0, -4.0])
    >>> dr.norm(x), dr.norm(x, p=1), dr.norm(x, p=float("inf"))
    (tensor(5.), tensor(7.), tensor(4.))
    >>> dr.func.grad(dr.norm)(x)
    tensor([ 0.6000, -0.8000])
    >>> dr.func.grad(dr.norm)(dr.tensor([0.0, 0.0]))
    tensor([0., 0.])
""",
    "logsumexp": f"""``log(sum(exp(input)))`` over ``dim``, computed without overflow.

The largest entry is taken out before exponentiating, so ``logsumexp`` of
large values is finite. Of no entries it is ``-inf``. The gradient is
``softmax(input, dim)``.

Args:
    {_INPUT}
    {_DIM_REQUIRED}
    {_KEEPDIM}

Returns:
    Tensor: the results, of {_SHAPE}, in a float dtype.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> dr.logsumexp(dr.tensor([1000.0, 1000.0]), dim=0)  # 1000 + log(2)
    tensor(1000.6931)
    >>> dr.func.grad(lambda x: dr.logsumexp(x, 0))(dr.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
""",
    "softmax": f"""``exp(input)`` normalised to sum to 1 along ``dim``.

Computed with the largest entry taken out first, so large inputs do not
overflow. The Jacobian is ``diag(s) - s sᵀ`` along ``dim``, ``s`` the
softmax.

Args:
    {_INPUT}
    dim (int): the dimension to normalise along.
    dtype (None): accepted for PyTorch's signature.

Returns:
    Tensor: the probabilities, of ``input``'s shape, in a float dtype.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> dr.softmax(dr.tensor([0.0, 1.0, 2.0]), dim=0)
    tensor([0.0900, 0.2447, 0.6652])
    >>> dr.softmax(dr.tensor([1000.0, 1000.0]), dim=0)
    tensor([0.5000, 0.5000])
    >>> dr.func.grad(lambda x: dr.softmax(x, 0)[0])(dr.tensor([0.0, 0.0]))
    tensor([ 0.2500, -0.2500])
""",
    "log_softmax": f"""``log(softmax(input, dim))``, computed stably: ``input -
logsumexp(input, dim)``.

Finite where ``log(softmax(...))`` would give ``-inf`` (a tiny
probability). The gradient of entry ``i`` is ``onehot(i) - softmax``.

Args:
    {_INPUT}
    dim (int): the dimension to normalise along.
    dtype (None): accepted for PyTorch's signature.

Returns:
    Tensor: the log-probabilities, of ``input``'s shape, in a float dtype.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> dr.log_softmax(dr.tensor([0.0, 1000.0]), dim=0)
    tensor([-1000.,     0.])
    >>> dr.func.grad(lambda x: dr.log_softmax(x, 0)[0])(dr.tensor([0.0, 0.0]))
    tensor([ 0.5000, -0.5000])
""",
    "all": f"""Whether all entries of ``input`` are true (nonzero), over ``dim``.

``all`` of no entries is True. Not differentiable.

Args:
    {_INPUT}
    dim (int | None): the dimension to reduce; None (the default) reduces
        all of them.
    {_KEEPDIM}

Returns:
    Tensor: a bool tensor of {_SHAPE}.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[True, False], [True, True]])
    >>> dr.all(x), dr.all(x, dim=1)
    (tensor(False), tensor([False,  True]))
""",
    "any": f"""Whether any entry of ``input`` is true (nonzero), over ``dim``.

``any`` of no entries is False. Not differentiable.

Args:
    {_INPUT}
    dim (int | None): the dimension to reduce; None (the default) reduces
        all of them.
    {_KEEPDIM}

Returns:
    Tensor: a bool tensor of {_SHAPE}.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> x = dr.tensor([[0.0, 0.0], [0.0, 2.0]])
    >>> dr.any(x), dr.any(x, dim=0)
    (tensor(True), tensor([False,  True]))
""",
}
