"""Reference docstrings of the elementwise functions of
``dualrev/functions.py`` (arithmetic with PyTorch's extra arguments,
clamping, rounding, ``where`` and the closeness tests), by public name.
The reductions and products of that module are in ``reductions.py``."""

_OPERAND = "Tensor | Dual | number | array_like"
_BROADCAST = """RuntimeError: if the shapes do not broadcast (PyTorch's "The size of
        tensor a (2) must match the size of tensor b (3) at non-singleton
        dimension 0")."""
_NOT_A_TENSOR = """TypeError: if an operand is not a tensor, a Dual, a number or an array
        of numbers."""


def _unary(summary, notes, example, returns="the result, of ``input``'s shape; integers "
           "and bools give the default float dtype"):
    """The docstring of a function of one tensor: ``summary``, ``notes``, the
    common Args, Returns and Raises, ``example`` (doctest lines, unindented)."""
    example = "\n".join("    " + line for line in example.strip().splitlines())
    return f"""{summary}

{notes}

Args:
    input ({_OPERAND}): the values.

Returns:
    Tensor: {returns} (a Dual for a Dual).

Raises:
    {_NOT_A_TENSOR}

Example:
{example}
"""


DOCS: dict[str, str] = {
    "add": f"""``input + alpha * other``, elementwise with broadcasting.

Also the operator ``+``. The result's dtype follows PyTorch's type
promotion (an integer tensor plus a float gives the default float dtype).
The gradient is 1 for ``input`` and ``alpha`` for ``other``, summed over
broadcast dimensions.

Args:
    input ({_OPERAND}): the first operand.
    other ({_OPERAND}): the second operand, broadcast with ``input``.
    alpha (number): the factor of ``other``; 1 by default.

Returns:
    Tensor: the sum, of the broadcast shape and the promoted dtype.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> dr.add(dr.tensor([1.0, 2.0]), dr.tensor([10.0, 20.0]), alpha=2)
    tensor([21., 42.])
    >>> dr.add(dr.tensor([1, 2]), 0.5)
    tensor([1.5000, 2.5000])
    >>> dr.func.grad(lambda x: dr.add(x, x, alpha=3))(1.0)
    tensor(4.)
""",
    "sub": f"""``input - alpha * other``, elementwise with broadcasting.

Also ``dr.subtract`` (NumPy's name) and the operator ``-``. The gradient is
1 for ``input`` and ``-alpha`` for ``other``.

Args:
    input ({_OPERAND}): the first operand.
    other ({_OPERAND}): the operand subtracted, broadcast with ``input``.
    alpha (number): the factor of ``other``; 1 by default.

Returns:
    Tensor: the difference, of the broadcast shape and the promoted dtype.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}
    RuntimeError: for two bool tensors (PyTorch's words: use ``^`` or
        ``logical_xor``).

Example:
    >>> import dualrev as dr
    >>> dr.sub(dr.tensor([5.0, 7.0]), 2.0, alpha=2)
    tensor([1., 3.])
    >>> dr.func.grad(dr.sub, argnums=(0, 1))(5.0, 2.0)
    (tensor(1.), tensor(-1.))
""",
    "mul": f"""``input * other``, elementwise with broadcasting.

Also ``dr.multiply`` (NumPy's name) and the operator ``*``. The gradient in
``input`` is ``other`` and in ``other`` is ``input`` (summed over broadcast
dimensions).

Args:
    input ({_OPERAND}): the first factor.
    other ({_OPERAND}): the second factor, broadcast with ``input``.

Returns:
    Tensor: the product, of the broadcast shape and the promoted dtype.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> dr.mul(dr.tensor([[1.0], [2.0]]), dr.tensor([3.0, 4.0]))
    tensor([[3., 4.],
            [6., 8.]])
    >>> dr.func.grad(dr.mul, argnums=(0, 1))(3.0, 4.0)
    (tensor(4.), tensor(3.))
""",
    "div": f"""``input / other`` (true division), elementwise with broadcasting.

Also ``dr.divide``, ``dr.true_divide`` and the operator ``/``. Integers are
divided as floats. Division by zero gives ``inf``, ``-inf`` or nan (0 / 0),
as in PyTorch, without an error. The gradient in ``input`` is ``1 / other``
and in ``other`` is ``-input / other ** 2``.

Args:
    input ({_OPERAND}): the dividend.
    other ({_OPERAND}): the divisor, broadcast with ``input``.
    rounding_mode (None): only None (true division) is supported.

Returns:
    Tensor: the quotient, of the broadcast shape, in a float dtype.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}
    NotImplementedError: for a ``rounding_mode`` (``"floor"``,
        ``"trunc"``): apply ``dr.floor`` or ``dr.trunc`` to the quotient.

Example:
    >>> import dualrev as dr
    >>> dr.div(dr.tensor([1.0, 1.0, -1.0, 0.0]), dr.tensor([4.0, 0.0, 0.0, 0.0]))
    tensor([0.2500,    inf,   -inf,    nan])
    >>> dr.div(dr.tensor([1, 2]), 2)
    tensor([0.5000, 1.0000])
    >>> dr.func.grad(dr.div, argnums=(0, 1))(1.0, 2.0)
    (tensor(0.5000), tensor(-0.2500))
""",
    "pow": f"""``input ** exponent``, elementwise with broadcasting.

Also the operator ``**``. Either operand may be a tensor or a number. The
gradient in ``input`` is ``exponent * input ** (exponent - 1)`` and in
``exponent`` is ``input ** exponent * log(input)``; at ``0 ** 0`` both are
0, as in PyTorch. A negative base with a non-integer exponent gives nan.

Args:
    input ({_OPERAND}): the base.
    exponent ({_OPERAND}): the exponent, broadcast with ``input``.

Returns:
    Tensor: the power, of the broadcast shape and the promoted dtype (an
    integer tensor to an integer power stays integer).

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}
    RuntimeError: for integers to negative integer powers.

Example:
    >>> import dualrev as dr
    >>> dr.pow(dr.tensor([1.0, 2.0, 3.0]), 2)
    tensor([1., 4., 9.])
    >>> dr.pow(2.0, dr.tensor([0.0, 1.0, 3.0]))
    tensor([1., 2., 8.])
    >>> dr.func.grad(dr.pow, argnums=(0, 1))(2.0, 3.0)  # 3 * 2 ** 2, 8 * log(2)
    (tensor(12.), tensor(5.5452))
""",
    "atan2": f"""The angle of the point ``(other, input)``: ``arctan(input / other)``
in the right quadrant, in (-pi, pi].

Also ``dr.arctan2`` (NumPy's name). ``atan2(0, 0)`` is 0. The gradient is
``(other, -input) / (input ** 2 + other ** 2)``; at the origin, where there
is none, dualrev returns 0 for both, as PyTorch does.

Args:
    input ({_OPERAND}): the y coordinates.
    other ({_OPERAND}): the x coordinates, broadcast with ``input``.

Returns:
    Tensor: the angles in radians, of the broadcast shape, in a float dtype.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> dr.atan2(dr.tensor([1.0, 1.0, -1.0, 0.0]), dr.tensor([1.0, -1.0, -1.0, 0.0]))
    tensor([ 0.7854,  2.3562, -2.3562,  0.0000])
    >>> dr.func.grad(dr.atan2, argnums=(0, 1))(1.0, 1.0)
    (tensor(0.5000), tensor(-0.5000))
""",
    "sign": _unary(
        "The sign of ``input``, elementwise: -1, 0 or 1.",
        "A bool tensor's sign is itself. A step function: its derivative is 0 "
        "everywhere (at 0 too), as PyTorch gives it. nan stays nan (NumPy's "
        "convention; PyTorch gives 0).",
        """
>>> import dualrev as dr
>>> dr.sign(dr.tensor([-2.5, 0.0, 3.0]))
tensor([-1.,  0.,  1.])
>>> dr.func.grad(dr.sign)(2.0)
tensor(0.)""", returns="the signs, of ``input``'s shape and dtype"),
    "sgn": _unary(
        "The sign of ``input``, elementwise: -1, 0 or 1 (PyTorch's ``sgn``).",
        "For real tensors the same as ``dr.sign`` (PyTorch's ``sgn`` also takes "
        "complex numbers, which dualrev does not). Its derivative is 0.",
        """
>>> import dualrev as dr
>>> dr.sgn(dr.tensor([-2.5, 0.0, 3.0]))
tensor([-1.,  0.,  1.])
>>> dr.func.grad(dr.sgn)(-2.0)
tensor(0.)""", returns="the signs, of ``input``'s shape and dtype"),
    "log2": _unary(
        "The base-2 logarithm, elementwise.",
        "``log2(0)`` is ``-inf``, a negative input gives nan. Its derivative is "
        "``1 / (input log 2)``.",
        """
>>> import dualrev as dr
>>> dr.log2(dr.tensor([1.0, 8.0, 0.5]))
tensor([ 0.,  3., -1.])
>>> dr.func.grad(dr.log2)(1.0)  # 1 / log(2)
tensor(1.4427)"""),
    "log10": _unary(
        "The base-10 logarithm, elementwise.",
        "``log10(0)`` is ``-inf``, a negative input gives nan. Its derivative is "
        "``1 / (input log 10)``.",
        """
>>> import dualrev as dr
>>> dr.log10(dr.tensor([1.0, 2.0, 50.0]))
tensor([0.0000, 0.3010, 1.6990])
>>> dr.func.grad(dr.log10)(1.0)  # 1 / log(10)
tensor(0.4343)"""),
    "reciprocal": _unary(
        "``1 / input``, elementwise.",
        "``1 / 0`` is ``inf``, as in PyTorch. Its derivative is ``-1 / input ** 2``.",
        """
>>> import dualrev as dr
>>> dr.reciprocal(dr.tensor([2.0, -4.0, 0.0]))
tensor([ 0.5000, -0.2500,     inf])
>>> dr.func.grad(dr.reciprocal)(2.0)
tensor(-0.2500)"""),
    "deg2rad": _unary(
        "Degrees to radians: ``input * pi / 180``, elementwise.",
        "NumPy's ``radians`` on tensors is this function. Linear: its derivative "
        "is ``pi / 180``.",
        """
>>> import dualrev as dr
>>> dr.deg2rad(dr.tensor([180.0, 90.0]))
tensor([3.1416, 1.5708])
>>> dr.func.grad(dr.deg2rad)(1.0)
tensor(0.0175)"""),
    "rad2deg": _unary(
        "Radians to degrees: ``input * 180 / pi``, elementwise.",
        "NumPy's ``degrees`` on tensors is this function. Linear: its derivative "
        "is ``180 / pi``.",
        """
>>> import dualrev as dr
>>> dr.rad2deg(dr.tensor([3.141592653589793, 1.0]))
tensor([180.0000,  57.2958])
>>> dr.func.grad(dr.rad2deg)(1.0)
tensor(57.2958)"""),
    "square": _unary(
        "``input * input``, elementwise.",
        "Its derivative is ``2 input``. Integer tensors stay integer.",
        """
>>> import dualrev as dr
>>> dr.square(dr.tensor([-3.0, 0.5]))
tensor([9.0000, 0.2500])
>>> dr.func.grad(dr.square)(3.0)
tensor(6.)""", returns="the squares, of ``input``'s shape and dtype"),
    "rsqrt": _unary(
        "``1 / sqrt(input)``, elementwise.",
        "``inf`` at 0, nan for negative inputs, as in PyTorch. Its derivative is "
        "``-input ** -1.5 / 2``.",
        """
>>> import dualrev as dr
>>> dr.rsqrt(dr.tensor([4.0, 0.0, -1.0]))
tensor([0.5000,    inf,    nan])
>>> dr.func.grad(dr.rsqrt)(4.0)
tensor(-0.0625)"""),
    "frac": _unary(
        "The fractional part ``input - trunc(input)``, elementwise.",
        "It has the sign of ``input``. Its derivative is 1 (the jumps at the "
        "integers are not seen), as in PyTorch.",
        """
>>> import dualrev as dr
>>> dr.frac(dr.tensor([1.75, -1.75, 2.0]))
tensor([ 0.7500, -0.7500,  0.0000])
>>> dr.func.grad(dr.frac)(1.75)
tensor(1.)""", returns="the fractional parts, of ``input``'s shape and dtype"),
    "sinc": _unary(
        "The normalized sinc ``sin(pi x) / (pi x)``, elementwise, 1 at 0.",
        "The removable singularity at 0 is filled: the value there is 1 and the "
        "derivative 0 (its limits). It vanishes at the nonzero integers (up to "
        "rounding: ``sinc(1)`` is about 4e-17).",
        """
>>> import dualrev as dr
>>> dr.sinc(dr.tensor([0.0, 0.5, 2.0]))
tensor([ 1.0000e+00,  6.3662e-01, -3.8982e-17])
>>> dr.func.grad(dr.sinc)(0.0), dr.func.grad(dr.sinc)(0.5)  # 0, -4 / pi
(tensor(0.), tensor(-1.2732))"""),
    "clone": _unary(
        "A copy of ``input``, differentiable: its gradient flows back to ``input``.",
        "The copy shares no memory with ``input``, so an in-place change of one "
        "leaves the other. Its derivative is 1. To copy without the graph, use "
        "``x.detach().clone()``.",
        """
>>> import dualrev as dr
>>> x = dr.tensor([1.0, 2.0], requires_grad=True)
>>> y = dr.clone(x)
>>> y
tensor([1., 2.], grad_fn=<CloneBackward0>)
>>> dr.func.grad(lambda v: dr.clone(v) * 3)(1.0)
tensor(3.)""", returns="the copy, of ``input``'s shape and dtype"),
    "round": f"""``input`` rounded to the nearest integer (halves to even), or to
``decimals`` decimal places.

Halves round to the even neighbour (``round(2.5) == 2``), as in PyTorch and
NumPy. With ``decimals``, computed as ``round(input * 10 ** decimals) /
10 ** decimals`` (negative ``decimals`` round to tens, hundreds...). A step
function: its derivative is 0 everywhere, as PyTorch gives it.

Args:
    input ({_OPERAND}): the values.
    decimals (int | None): the number of decimal places; None (the default)
        rounds to integers.

Returns:
    Tensor: the rounded values, of ``input``'s shape and dtype.

Raises:
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.round(dr.tensor([0.5, 1.5, 2.5, 2.7]))
    tensor([0., 2., 2., 3.])
    >>> dr.round(dr.tensor([1.2345, 1234.0]), decimals=-2)
    tensor([   0., 1200.])
    >>> dr.func.grad(dr.round)(2.7)
    tensor(0.)
""",
    "clamp": f"""``input`` limited to ``[min, max]``, elementwise.

Also ``dr.clip`` (NumPy's name). Either bound may be None (no limit on that
side), a number or a tensor that broadcasts with ``input``; where ``min >
max`` the result is ``max``, as in PyTorch; nan stays nan. The gradient in
``input`` is 1 inside the bounds, the bounds included, and 0 outside, as in
PyTorch; a tensor bound gets the gradient where it is the result.

Args:
    input ({_OPERAND}): the values.
    min (number | Tensor | None): the lower bound; None for none.
    max (number | Tensor | None): the upper bound; None for none.

Returns:
    Tensor: the clamped values, of the broadcast shape and the promoted dtype.

Raises:
    RuntimeError: if both bounds are None, or the shapes do not broadcast.
    {_NOT_A_TENSOR}

Example:
    >>> import dualrev as dr
    >>> dr.clamp(dr.tensor([-2.0, 0.5, 3.0]), min=-1.0, max=1.0)
    tensor([-1.0000,  0.5000,  1.0000])
    >>> dr.clamp(dr.tensor([-2.0, 0.5, 3.0]), min=dr.tensor([0.0, 0.0, 5.0]))
    tensor([0.0000, 0.5000, 5.0000])
    >>> clamped = lambda x: dr.clamp(x, -1.0, 1.0)
    >>> dr.func.grad(clamped)(1.0), dr.func.grad(clamped)(3.0)
    (tensor(1.), tensor(0.))
""",
    "clamp_min": f"""``input`` limited from below by ``min``: ``dr.clamp(input, min=min)``.

The gradient in ``input`` is 1 where ``input >= min`` (the bound included)
and 0 below it, as in PyTorch.

Args:
    input ({_OPERAND}): the values.
    min (number | Tensor): the lower bound, broadcast with ``input``.

Returns:
    Tensor: the clamped values, of the broadcast shape and the promoted dtype.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> dr.clamp_min(dr.tensor([-2.0, 0.5]), 0.0)
    tensor([0.0000, 0.5000])
    >>> dr.func.grad(lambda x: dr.clamp_min(x, 0.0))(0.0)
    tensor(1.)
""",
    "clamp_max": f"""``input`` limited from above by ``max``: ``dr.clamp(input, max=max)``.

The gradient in ``input`` is 1 where ``input <= max`` (the bound included)
and 0 above it, as in PyTorch.

Args:
    input ({_OPERAND}): the values.
    max (number | Tensor): the upper bound, broadcast with ``input``.

Returns:
    Tensor: the clamped values, of the broadcast shape and the promoted dtype.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> dr.clamp_max(dr.tensor([-2.0, 0.5]), 0.0)
    tensor([-2.,  0.])
    >>> dr.func.grad(lambda x: dr.clamp_max(x, 0.0))(0.5)
    tensor(0.)
""",
    "lerp": f"""Linear interpolation ``input + weight * (end - input)``, elementwise.

Where ``|weight| >= 0.5`` it is computed from the end, ``end - (end -
input) * (1 - weight)``, as PyTorch does, so that weight 1 gives ``end``
exactly. The gradients are ``1 - weight`` in ``input``, ``weight`` in
``end`` and ``end - input`` in ``weight``.

Args:
    input ({_OPERAND}): the start points.
    end ({_OPERAND}): the end points, broadcast with ``input``.
    weight (number | Tensor): the interpolation weight (0 gives ``input``,
        1 gives ``end``), broadcast with both.

Returns:
    Tensor: the interpolated values, of the broadcast shape.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> dr.lerp(dr.tensor([0.0, 10.0]), dr.tensor([10.0, 20.0]), 0.25)
    tensor([ 2.5000, 12.5000])
    >>> dr.func.grad(dr.lerp, argnums=(0, 1, 2))(0.0, 10.0, 0.25)
    (tensor(0.7500), tensor(0.2500), tensor(10.))
""",
    "addcmul": f"""``input + value * tensor1 * tensor2``, elementwise with broadcasting.

The gradients are 1 in ``input``, ``value * tensor2`` in ``tensor1`` and
``value * tensor1`` in ``tensor2``.

Args:
    input ({_OPERAND}): the term added.
    tensor1 ({_OPERAND}): the first factor.
    tensor2 ({_OPERAND}): the second factor.
    value (number): the scale of the product; 1 by default.

Returns:
    Tensor: the result, of the broadcast shape of the three operands.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> dr.addcmul(dr.tensor([1.0, 1.0]), dr.tensor([2.0, 3.0]), dr.tensor([4.0, 5.0]), value=0.5)
    tensor([5.0000, 8.5000])
    >>> dr.func.grad(dr.addcmul, argnums=(1, 2))(1.0, 2.0, 4.0)
    (tensor(4.), tensor(2.))
""",
    "addcdiv": f"""``input + value * tensor1 / tensor2``, elementwise with broadcasting.

The gradients are 1 in ``input``, ``value / tensor2`` in ``tensor1`` and
``-value * tensor1 / tensor2 ** 2`` in ``tensor2``. Division by zero gives
``inf`` or nan, without an error.

Args:
    input ({_OPERAND}): the term added.
    tensor1 ({_OPERAND}): the numerator.
    tensor2 ({_OPERAND}): the denominator.
    value (number): the scale of the quotient; 1 by default.

Returns:
    Tensor: the result, of the broadcast shape of the three operands.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> dr.addcdiv(dr.tensor([1.0, 1.0]), dr.tensor([2.0, 3.0]), dr.tensor([4.0, 5.0]), value=2)
    tensor([2.0000, 2.2000])
    >>> dr.func.grad(dr.addcdiv, argnums=(1, 2))(1.0, 2.0, 4.0)
    (tensor(0.2500), tensor(-0.1250))
""",
    "logit": f"""The log-odds ``log(input / (1 - input))``, elementwise: the inverse of
``dr.sigmoid``.

``-inf`` at 0, ``inf`` at 1 and nan outside [0, 1] (value and gradient),
as in PyTorch. With ``eps``, ``input`` is first clamped to ``[eps, 1 -
eps]`` and the gradient is 0 outside that interval, as in PyTorch. The
derivative is ``1 / (input (1 - input))``.

Args:
    input ({_OPERAND}): the probabilities.
    eps (float | None): the clamping margin; None (the default) clamps
        nothing.

Returns:
    Tensor: the log-odds, of ``input``'s shape, in a float dtype.

Raises:
    TypeError: if ``eps`` is not a number, or ``input`` not a tensor, a
        number or an array.

Example:
    >>> import dualrev as dr
    >>> dr.logit(dr.tensor([0.5, 0.25, 0.0, 1.0, 1.5]))
    tensor([ 0.0000, -1.0986,    -inf,     inf,     nan])
    >>> dr.logit(dr.tensor([0.0, 0.5, 1.0]), eps=1e-6)
    tensor([-13.8155,   0.0000,  13.8155])
    >>> dr.func.grad(dr.logit)(0.5)
    tensor(4.)
""",
    "softplus": f"""``log(1 + exp(beta * input)) / beta``, elementwise: a smooth relu.

Where ``beta * input > threshold`` the result is ``input`` itself (the two
agree to rounding there), as in PyTorch's ``nn.functional.softplus``, so it
never overflows. Its derivative is ``sigmoid(beta * input)`` (1 above the
threshold).

Args:
    input ({_OPERAND}): the values.
    beta (float): the sharpness; 1 by default.
    threshold (float): above ``beta * input > threshold`` the function is
        linear; 20 by default.

Returns:
    Tensor: the result, of ``input``'s shape, in a float dtype.

Raises:
    TypeError: if ``beta`` or ``threshold`` is not a number, or ``input``
        not a tensor, a number or an array.

Example:
    >>> import dualrev as dr
    >>> dr.softplus(dr.tensor([0.0, 1.0, 30.0, -30.0]))
    tensor([6.9315e-01, 1.3133e+00, 3.0000e+01, 9.3576e-14])
    >>> dr.func.grad(dr.softplus)(0.0)
    tensor(0.5000)
""",
    "where": f"""``input`` where ``condition`` holds, else ``other``, elementwise; with only
a condition, the indices where it holds.

The three operands broadcast together. The gradient goes to ``input`` where
the condition holds and to ``other`` elsewhere; the condition gets none.
A branch not taken still gets a zero gradient, and zero times an infinite
derivative is nan (``where(x > 0, sqrt(x), 0)`` at ``x = 0``), as in
PyTorch: compute the unsafe branch on safe values.

Args:
    condition (Tensor | array_like): the mask (nonzero is true).
    input ({_OPERAND} | None): the values where it holds.
    other ({_OPERAND} | None): the values elsewhere.

Returns:
    Tensor | tuple[Tensor, ...]: the chosen values, of the broadcast shape and
    the promoted dtype; with the condition alone, one tensor of indices
    per dimension.

Raises:
    TypeError: if only one of ``input`` and ``other`` is given.
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> dr.where(dr.tensor([True, False, True]), dr.tensor([1.0, 2.0, 3.0]), 0.0)
    tensor([1., 0., 3.])
    >>> dr.where(dr.tensor([[0.0, 1.0], [2.0, 0.0]]))
    (tensor([0, 1]), tensor([1, 0]))
    >>> dr.func.grad(lambda x: dr.where(x > 0, x, 0.0))(2.0)
    tensor(1.)
""",
    "dist": f"""The p-norm of ``input - other``: the distance between two tensors.

``(sum |input - other| ** p) ** (1 / p)`` over all entries, the maximum of
``|input - other|`` for ``p = inf`` and the count of nonzero differences for
``p = 0``. The gradient in ``input`` is the normalized difference (for p =
2, ``(input - other) / dist``); where the tensors are equal it is 0.

Args:
    input ({_OPERAND}): the first tensor.
    other ({_OPERAND}): the second tensor, broadcast with ``input``.
    p (float): the order of the norm; 2 by default.

Returns:
    Tensor: a 0-d tensor.

Raises:
    {_NOT_A_TENSOR}
    {_BROADCAST}

Example:
    >>> import dualrev as dr
    >>> a, b = dr.tensor([1.0, 2.0]), dr.tensor([4.0, 6.0])
    >>> dr.dist(a, b), dr.dist(a, b, p=1), dr.dist(a, b, p=float("inf"))
    (tensor(5.), tensor(7.), tensor(4.))
    >>> dr.func.grad(dr.dist)(a, b)
    tensor([-0.6000, -0.8000])
""",
}
