"""Reference docstrings of the binary elementwise functions of the rule
table: comparisons, logical and bitwise operations, and ``maximum``,
``hypot``, ``logaddexp``, ``xlogy``, by public name. Their two operands
broadcast alike, so ``_binary`` writes the Args and Raises sections around
each function's summary, notes, result and example."""

_NUMBERS = "Tensor | Dual | number | array_like"


def _args(kind):
    return f"""Args:
    input ({kind}): the first operand.
    other ({kind}): the second operand; broadcasts with ``input``
        (NumPy's rules)."""


_SAME_SHAPE_ARGS = """Args:
    input (Tensor | number | array_like): the first operand.
    other (Tensor | number | array_like): the second operand."""

_RAISES = """Raises:
    TypeError: if an operand is not a tensor, a Dual, a number or an array
        of numbers.
    RuntimeError: if the shapes do not broadcast (PyTorch's "The size of
        tensor a (2) must match the size of tensor b (3) at non-singleton
        dimension 0")."""


def _binary(summary, notes, returns, example, *, kind=_NUMBERS, raises=""):
    """A docstring: ``summary``, ``notes``, the common Args, ``returns`` (the
    section's text), the common Raises with ``raises`` added, and
    ``example`` (doctest lines, unindented)."""
    example = "\n".join("    " + line for line in example.strip().splitlines())
    return (f"{summary}\n\n{notes}\n\n{_args(kind)}\n\nReturns:\n    {returns}\n\n"
            f"{_RAISES}{raises}\n\nExample:\n{example}\n")


_FLOAT = ("Tensor: the result, of the broadcast shape, in the promoted float dtype (integers\n"
          "    give the default float dtype).")
_SAME = "Tensor: the result, of the broadcast shape and the promoted dtype."
_BOOL = "Tensor: a bool tensor of the broadcast shape."
_NOT_DIFFERENTIABLE = ("Not differentiable: the result carries no graph (``requires_grad`` "
                       "False) and no tangent.")


def _comparison(symbol, meaning, example):
    return _binary(
        f"``input {symbol} other``, elementwise: whether ``input`` is {meaning} ``other``.",
        f"Also the operator ``{symbol}`` on tensors. Values of different dtypes are compared "
        f"after type promotion; nan compares unequal to everything. {_NOT_DIFFERENTIABLE}",
        _BOOL, example)


_BITWISE_RAISES = """
    NotImplementedError: for float operands (PyTorch implements bitwise
        operations for integer and bool tensors only)."""


def _bitwise(summary, notes, example):
    return _binary(summary, f"{notes} {_NOT_DIFFERENTIABLE}", _SAME, example,
                   kind="Tensor | int | bool | array_like", raises=_BITWISE_RAISES)


def _logical(summary, example):
    return _binary(summary, "Any dtype: zero is False, everything else (nan too) True. "
                   + _NOT_DIFFERENTIABLE, _BOOL, example, kind="Tensor | number | array_like")


DOCS: dict[str, str] = {
    "eq": _comparison("==", "equal to", """
>>> import dualrev as dr
>>> dr.eq(dr.tensor([1.0, 2.0, float("nan")]), dr.tensor([1.0, 3.0, float("nan")]))
tensor([ True, False, False])"""),
    "ne": _comparison("!=", "not equal to", """
>>> import dualrev as dr
>>> dr.ne(dr.tensor([1.0, 2.0]), 2.0)
tensor([ True, False])"""),
    "lt": _comparison("<", "less than", """
>>> import dualrev as dr
>>> dr.lt(dr.tensor([[1], [2]]), dr.tensor([1, 2, 3]))  # broadcast to (2, 3)
tensor([[False,  True,  True],
        [False, False,  True]])"""),
    "le": _comparison("<=", "less than or equal to", """
>>> import dualrev as dr
>>> dr.le(dr.tensor([1.0, 2.0, 3.0]), 2.0)
tensor([ True,  True, False])"""),
    "gt": _comparison(">", "greater than", """
>>> import dualrev as dr
>>> x = dr.tensor([1.0, 2.0], requires_grad=True)
>>> dr.gt(x, 1.0)
tensor([False,  True])"""),
    "ge": _comparison(">=", "greater than or equal to", """
>>> import dualrev as dr
>>> dr.ge(dr.tensor([1.0, 2.0, 3.0]), 2.0)
tensor([False,  True,  True])"""),
    "logical_and": _logical("Elementwise logical and: True where both operands are nonzero.", """
>>> import dualrev as dr
>>> dr.logical_and(dr.tensor([1.0, 0.0, 2.0]), dr.tensor([True, True, False]))
tensor([ True, False, False])"""),
    "logical_or": _logical("Elementwise logical or: True where either operand is nonzero.", """
>>> import dualrev as dr
>>> dr.logical_or(dr.tensor([1.0, 0.0, 0.0]), dr.tensor([0, 0, 3]))
tensor([ True, False,  True])"""),
    "logical_xor": _logical("Elementwise exclusive or: True where exactly one operand is "
                            "nonzero.", """
>>> import dualrev as dr
>>> dr.logical_xor(dr.tensor([1.0, 0.0, 2.0]), dr.tensor([0.0, 0.0, 5.0]))
tensor([ True, False, False])"""),
    "bitwise_and": _bitwise(
        "Elementwise bitwise and (``input & other``); logical and of bools.",
        "Also the operator ``&`` on tensors.", """
>>> import dualrev as dr
>>> dr.bitwise_and(dr.tensor([12, 10]), 6)  # 1100 & 0110, 1010 & 0110
tensor([4, 2])"""),
    "bitwise_or": _bitwise(
        "Elementwise bitwise or (``input | other``); logical or of bools.",
        "Also the operator ``|`` on tensors.", """
>>> import dualrev as dr
>>> dr.bitwise_or(dr.tensor([12, 10]), 6)  # 1100 | 0110, 1010 | 0110
tensor([14, 14])"""),
    "bitwise_xor": _bitwise(
        "Elementwise bitwise exclusive or (``input ^ other``).",
        "Also the operator ``^`` on tensors.", """
>>> import dualrev as dr
>>> dr.bitwise_xor(dr.tensor([12, 10]), 6)  # 1100 ^ 0110, 1010 ^ 0110
tensor([10, 12])
>>> dr.bitwise_xor(dr.tensor([True, False]), True)
tensor([False,  True])"""),
    "bitwise_left_shift": _bitwise(
        "``input`` shifted left by ``other`` bits, elementwise (``input << other``).",
        "For integers, ``x << n == x * 2 ** n`` while it fits the dtype.", """
>>> import dualrev as dr
>>> dr.bitwise_left_shift(dr.tensor([1, 3, -2]), 2)
tensor([ 4, 12, -8])"""),
    "bitwise_right_shift": _bitwise(
        "``input`` shifted right by ``other`` bits, elementwise (``input >> other``).",
        "An arithmetic shift: for integers, ``x >> n == floor(x / 2 ** n)`` (negative "
        "numbers stay negative).", """
>>> import dualrev as dr
>>> dr.bitwise_right_shift(dr.tensor([16, -16, 5]), 2)
tensor([ 4, -4,  1])"""),
    "maximum": _binary(
        "The elementwise maximum of ``input`` and ``other``.",
        "nan wins (a nan in either operand gives nan), as in PyTorch. The gradient "
        "goes to the larger operand; at a tie, where the maximum has no derivative, "
        "each operand gets half, as in PyTorch. For the largest entry of one tensor, "
        "see ``dr.amax`` and ``dr.max``.",
        _SAME, """
>>> import dualrev as dr
>>> dr.maximum(dr.tensor([1.0, 2.0, float("nan")]), dr.tensor([3.0, 2.0, 0.0]))
tensor([3., 2., nan])
>>> dr.func.grad(dr.maximum)(3.0, 2.0), dr.func.grad(dr.maximum)(2.0, 2.0)
(tensor(1.), tensor(0.5000))"""),
    "minimum": _binary(
        "The elementwise minimum of ``input`` and ``other``.",
        "nan wins (a nan in either operand gives nan), as in PyTorch. The gradient "
        "goes to the smaller operand; at a tie, where the minimum has no derivative, "
        "each operand gets half, as in PyTorch. For the smallest entry of one tensor, "
        "see ``dr.amin`` and ``dr.min``.",
        _SAME, """
>>> import dualrev as dr
>>> dr.minimum(dr.tensor([1.0, 2.0, float("nan")]), dr.tensor([3.0, 2.0, 0.0]))
tensor([1., 2., nan])
>>> dr.func.grad(dr.minimum)(3.0, 2.0), dr.func.grad(dr.minimum)(2.0, 2.0)
(tensor(0.), tensor(0.5000))"""),
    "hypot": _binary(
        "``sqrt(input ** 2 + other ** 2)``, elementwise, without overflow.",
        "The squares are never formed, so ``hypot(1e200, 1e200)`` is finite. The "
        "gradient is ``(input, other) / hypot(input, other)``; at the origin, where "
        "there is none, it is nan (0 / 0), as in PyTorch.",
        _FLOAT, """
>>> import dualrev as dr
>>> dr.hypot(dr.tensor([3.0, 1e200]), dr.tensor([4.0, 1e200]))
tensor([ 5.0000e+00, 1.4142e+200])
>>> dr.func.grad(dr.hypot, argnums=(0, 1))(3.0, 4.0)
(tensor(0.6000), tensor(0.8000))"""),
    "logaddexp": _binary(
        "``log(exp(input) + exp(other))``, elementwise, without overflow.",
        "Computed as NumPy's ``logaddexp``, which never forms ``exp`` of a large "
        "argument. The gradient in ``input`` is ``sigmoid(input - other)`` (and "
        "in ``other`` ``sigmoid(other - input)``): the operands' softmax weights.",
        _FLOAT, """
>>> import dualrev as dr
>>> dr.logaddexp(dr.tensor([0.0, 1000.0]), dr.tensor([0.0, 1000.0]))
tensor([6.9315e-01, 1.0007e+03])
>>> dr.func.grad(dr.logaddexp)(0.0, 0.0)
tensor(0.5000)"""),
    "xlogy": _binary(
        "``input * log(other)``, elementwise, 0 where ``input`` is 0.",
        "Where ``input`` is 0 the result is 0 whatever ``other`` is (0, negative or "
        "inf), unless ``other`` is nan, as in PyTorch: the convention of entropies, "
        "``0 log 0 = 0``. The gradient in ``input`` is ``log(other)``, 0 where "
        "``input`` is 0 and ``other <= 0``; in ``other`` it is ``input / other``.",
        _FLOAT, """
>>> import dualrev as dr
>>> dr.xlogy(dr.tensor([0.0, 2.0, 0.0]), dr.tensor([0.0, 3.0, -1.0]))
tensor([0.0000, 2.1972, 0.0000])
>>> dr.func.grad(dr.xlogy, argnums=1)(2.0, 4.0)
tensor(0.5000)"""),
    "equal": f"""Whether ``input`` and ``other`` have the same shape and the same values.

A Python bool, not a tensor (PyTorch's ``torch.equal``). No broadcasting:
different shapes give False. Values are compared after type promotion
(``[1, 2]`` equals ``[1.0, 2.0]``); nan is equal to nothing, so a tensor
with a nan is not equal to itself. For a tolerance, see ``dr.allclose``.

{_SAME_SHAPE_ARGS}

Returns:
    bool: True if the shapes and all the values agree.

Raises:
    TypeError: if an operand is not a tensor, a number or an array.

Example:
    >>> import dualrev as dr
    >>> dr.equal(dr.tensor([1.0, 2.0]), dr.tensor([1, 2]))
    True
    >>> dr.equal(dr.tensor([1.0, 2.0]), dr.tensor([[1.0, 2.0]]))
    False
""",
    "isclose": f"""Whether ``input`` and ``other`` agree within a tolerance, elementwise:
``|input - other| <= atol + rtol * |other|``.

The test is not symmetric: the relative tolerance scales with ``|other|``,
as in PyTorch and NumPy. Infinities are close only to themselves; nan is
close to nothing unless ``equal_nan``. {_NOT_DIFFERENTIABLE}

{_args(_NUMBERS)}
    rtol (float): the relative tolerance; 1e-05 by default.
    atol (float): the absolute tolerance; 1e-08 by default.
    equal_nan (bool): count two nans as close; False by default.

Returns:
    {_BOOL}

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> a = dr.tensor([1.0, 2.0, float("nan")])
    >>> b = dr.tensor([1.0 + 1e-9, 2.1, float("nan")])
    >>> dr.isclose(a, b)
    tensor([ True, False, False])
    >>> dr.isclose(a, b, equal_nan=True)
    tensor([ True, False,  True])
""",
    "allclose": f"""Whether all entries of ``input`` and ``other`` agree within a tolerance:
``dr.isclose(...).all()`` as a Python bool.

Each pair must satisfy ``|input - other| <= atol + rtol * |other|`` (the
shapes broadcast). The usual test of a computed result against a
reference.

{_args(_NUMBERS)}
    rtol (float): the relative tolerance; 1e-05 by default.
    atol (float): the absolute tolerance; 1e-08 by default.
    equal_nan (bool): count two nans as close; False by default.

Returns:
    bool: True if every pair is close.

{_RAISES}

Example:
    >>> import dualrev as dr
    >>> dr.allclose(dr.tensor([1.0, 2.0]), dr.tensor([1.0, 2.0 + 1e-9]))
    True
    >>> dr.allclose(dr.tensor([1.0, 2.0]), dr.tensor([1.0, 2.1]))
    False
    >>> dr.allclose(dr.tensor([1.0, 2.0]), dr.tensor([1.0, 2.1]), atol=0.2)
    True
""",
}
