"""Reference docstrings of the unary elementwise functions of the rule table
(``dr.sin``, ``dr.exp``, ``dr.abs``, ...), by public name. Their arguments,
result and errors are the same for all, so ``_unary`` writes those sections
around each function's summary, notes and example."""

_ARGS = """Args:
    input (Tensor | Dual | number | array_like): the values. Integers and bools
        are computed in the default float dtype (``dr.get_default_dtype()``,
        float64 unless changed); float32 stays float32."""

_RETURNS = """Returns:
    Tensor: the result, of ``input``'s shape and float dtype (a Dual for a
    Dual, with its tangent pushed forward)."""

_RAISES = """Raises:
    TypeError: if ``input`` is not a tensor, a Dual, a number or an array
        of numbers."""


def _unary(summary, notes, example, *, args=_ARGS, returns=_RETURNS, raises=_RAISES):
    """A docstring: ``summary``, ``notes`` (the math, the domain, which
    derivative is returned where there is none), the common Args, Returns
    and Raises, and ``example`` (doctest lines, unindented)."""
    example = "\n".join("    " + line for line in example.strip().splitlines())
    return f"{summary}\n\n{notes}\n\n{args}\n\n{returns}\n\n{raises}\n\nExample:\n{example}\n"


_STEP = """Tensor: the result, of ``input``'s shape and dtype (an integer
    tensor is returned unchanged in value)."""

DOCS: dict[str, str] = {
    "abs": _unary(
        "The absolute value ``|input|``, elementwise.",
        "Also ``dr.absolute`` (NumPy's name). The derivative is ``sign(input)``, "
        "so at 0, where ``|x|`` has no derivative, dualrev returns 0, as PyTorch "
        "does. Integer tensors keep their dtype.",
        """
>>> import dualrev as dr
>>> dr.abs(dr.tensor([-1.5, 0.0, 2.0]))
tensor([1.5000, 0.0000, 2.0000])
>>> dr.func.grad(dr.abs)(-3.0), dr.func.grad(dr.abs)(0.0)
(tensor(-1.), tensor(0.))""",
        returns="Returns:\n    Tensor: ``|input|``, of ``input``'s shape and dtype.",
    ),
    "neg": _unary(
        "``-input``, elementwise.",
        "Also ``dr.negative`` (NumPy's name) and the operator ``-x``. Linear: "
        "its derivative is -1 everywhere. Integer tensors keep their dtype.",
        """
>>> import dualrev as dr
>>> dr.neg(dr.tensor([1.0, -2.0]))
tensor([-1.,  2.])
>>> dr.func.grad(dr.neg)(5.0)
tensor(-1.)""",
        returns="Returns:\n    Tensor: ``-input``, of ``input``'s shape and dtype.",
    ),
    "exp": _unary(
        "The exponential ``e ** input``, elementwise.",
        "Its derivative is itself. Overflows to ``inf`` above about 709.78 in "
        "float64 (88.72 in float32).",
        """
>>> import dualrev as dr
>>> dr.exp(dr.tensor([0.0, 1.0]))
tensor([1.0000, 2.7183])
>>> dr.func.grad(dr.exp)(1.0)
tensor(2.7183)""",
    ),
    "exp2": _unary(
        "``2 ** input``, elementwise.",
        "Its derivative is ``2 ** input * log(2)``.",
        """
>>> import dualrev as dr
>>> dr.exp2(dr.tensor([0.0, 3.0, -1.0]))
tensor([1.0000, 8.0000, 0.5000])
>>> dr.func.grad(dr.exp2)(0.0)
tensor(0.6931)""",
    ),
    "expm1": _unary(
        "``exp(input) - 1``, elementwise, accurate near 0.",
        "For small ``x``, ``exp(x) - 1`` loses the digits of ``x`` to rounding; "
        "``expm1(x)`` keeps them. Its derivative is ``exp(input)``.",
        """
>>> import dualrev as dr
>>> dr.expm1(dr.tensor([0.0, 1e-10, 1.0]))
tensor([0.0000e+00, 1.0000e-10, 1.7183e+00])
>>> dr.func.grad(dr.expm1)(0.0)
tensor(1.)""",
    ),
    "log": _unary(
        "The natural logarithm, elementwise.",
        "Defined for ``input > 0``: ``log(0)`` is ``-inf`` and a negative input "
        "gives nan, as in PyTorch (no error). Its derivative is ``1 / input``.",
        """
>>> import dualrev as dr
>>> dr.log(dr.tensor([1.0, 0.0, -1.0]))
tensor([0., -inf, nan])
>>> dr.func.grad(dr.log)(2.0)
tensor(0.5000)""",
    ),
    "log1p": _unary(
        "``log(1 + input)``, elementwise, accurate near 0.",
        "For small ``x``, ``log(1 + x)`` loses the digits of ``x`` when ``1 + x`` "
        "is rounded; ``log1p(x)`` keeps them. ``-inf`` at -1, nan below. Its "
        "derivative is ``1 / (1 + input)``.",
        """
>>> import dualrev as dr
>>> dr.log1p(dr.tensor([0.0, 1e-10, 1.0]))
tensor([0.0000e+00, 1.0000e-10, 6.9315e-01])
>>> dr.func.grad(dr.log1p)(1.0)
tensor(0.5000)""",
    ),
    "sqrt": _unary(
        "The square root, elementwise.",
        "Negative inputs give nan, as in PyTorch. Its derivative is "
        "``1 / (2 sqrt(input))``: ``inf`` at 0.",
        """
>>> import dualrev as dr
>>> dr.sqrt(dr.tensor([4.0, 2.0, 0.0]))
tensor([2.0000, 1.4142, 0.0000])
>>> dr.func.grad(dr.sqrt)(4.0), dr.func.grad(dr.sqrt)(0.0)
(tensor(0.2500), tensor(inf))""",
    ),
    "sin": _unary(
        "The sine of ``input`` (in radians), elementwise.",
        "Its derivative is ``cos(input)``.",
        """
>>> import dualrev as dr
>>> dr.sin(dr.tensor([0.0, 1.0]))
tensor([0.0000, 0.8415])
>>> dr.func.grad(dr.sin)(0.0)
tensor(1.)
>>> dr.sin(dr.Dual(0.0, 2.0))  # forward mode: the tangent times cos(0)
Dual(primal=0.0, tangent=2.0)""",
    ),
    "cos": _unary(
        "The cosine of ``input`` (in radians), elementwise.",
        "Its derivative is ``-sin(input)``.",
        """
>>> import dualrev as dr
>>> dr.cos(dr.tensor([0.0, 1.0]))
tensor([1.0000, 0.5403])
>>> dr.func.grad(dr.cos)(1.0)
tensor(-0.8415)""",
    ),
    "tan": _unary(
        "The tangent of ``input`` (in radians), elementwise.",
        "Its derivative is ``1 + tan(input) ** 2``. Near the poles "
        "``pi/2 + k pi`` the values are large but finite in floating point.",
        """
>>> import dualrev as dr
>>> dr.tan(dr.tensor([0.0, 1.0]))
tensor([0.0000, 1.5574])
>>> dr.func.grad(dr.tan)(0.0)
tensor(1.)""",
    ),
    "sinh": _unary(
        "The hyperbolic sine ``(e ** x - e ** -x) / 2``, elementwise.",
        "Its derivative is ``cosh(input)``.",
        """
>>> import dualrev as dr
>>> dr.sinh(dr.tensor([0.0, 1.0]))
tensor([0.0000, 1.1752])
>>> dr.func.grad(dr.sinh)(0.0)
tensor(1.)""",
    ),
    "cosh": _unary(
        "The hyperbolic cosine ``(e ** x + e ** -x) / 2``, elementwise.",
        "Its derivative is ``sinh(input)``.",
        """
>>> import dualrev as dr
>>> dr.cosh(dr.tensor([0.0, 1.0]))
tensor([1.0000, 1.5431])
>>> dr.func.grad(dr.cosh)(1.0)
tensor(1.1752)""",
    ),
    "tanh": _unary(
        "The hyperbolic tangent, elementwise: values in (-1, 1).",
        "Its derivative is ``1 - tanh(input) ** 2``.",
        """
>>> import dualrev as dr
>>> dr.tanh(dr.tensor([0.0, 1.0, 20.0]))
tensor([0.0000, 0.7616, 1.0000])
>>> dr.func.grad(dr.tanh)(1.0)
tensor(0.4200)""",
    ),
    "asin": _unary(
        "The inverse sine, elementwise: values in [-pi/2, pi/2].",
        "Also ``dr.arcsin`` (NumPy's name). Defined on [-1, 1]; outside it the "
        "value is nan. Its derivative is ``1 / sqrt(1 - input ** 2)``: ``inf`` "
        "at -1 and 1.",
        """
>>> import dualrev as dr
>>> dr.asin(dr.tensor([0.0, 1.0, 2.0]))
tensor([0.0000, 1.5708,    nan])
>>> dr.func.grad(dr.asin)(0.5)
tensor(1.1547)""",
    ),
    "acos": _unary(
        "The inverse cosine, elementwise: values in [0, pi].",
        "Also ``dr.arccos`` (NumPy's name). Defined on [-1, 1]; outside it the "
        "value is nan. Its derivative is ``-1 / sqrt(1 - input ** 2)``: "
        "``-inf`` at -1 and 1.",
        """
>>> import dualrev as dr
>>> dr.acos(dr.tensor([1.0, 0.0, -1.0]))
tensor([0.0000, 1.5708, 3.1416])
>>> dr.func.grad(dr.acos)(0.0)
tensor(-1.)""",
    ),
    "atan": _unary(
        "The inverse tangent, elementwise: values in (-pi/2, pi/2).",
        "Also ``dr.arctan`` (NumPy's name). Its derivative is "
        "``1 / (1 + input ** 2)``. For the angle of a point, see ``dr.atan2``.",
        """
>>> import dualrev as dr
>>> dr.atan(dr.tensor([0.0, 1.0]))
tensor([0.0000, 0.7854])
>>> dr.func.grad(dr.atan)(1.0)
tensor(0.5000)""",
    ),
    "asinh": _unary(
        "The inverse hyperbolic sine, elementwise.",
        "Also ``dr.arcsinh`` (NumPy's name). Its derivative is "
        "``1 / sqrt(input ** 2 + 1)``.",
        """
>>> import dualrev as dr
>>> dr.asinh(dr.tensor([0.0, 1.0]))
tensor([0.0000, 0.8814])
>>> dr.func.grad(dr.asinh)(0.0)
tensor(1.)""",
    ),
    "acosh": _unary(
        "The inverse hyperbolic cosine, elementwise: values >= 0.",
        "Also ``dr.arccosh`` (NumPy's name). Defined for ``input >= 1``; below "
        "it the value is nan. Its derivative is ``1 / sqrt(input ** 2 - 1)``: "
        "``inf`` at 1.",
        """
>>> import dualrev as dr
>>> dr.acosh(dr.tensor([1.0, 2.0, 0.0]))
tensor([0.0000, 1.3170,    nan])
>>> dr.func.grad(dr.acosh)(2.0)
tensor(0.5774)""",
    ),
    "atanh": _unary(
        "The inverse hyperbolic tangent, elementwise.",
        "Also ``dr.arctanh`` (NumPy's name). Defined on (-1, 1): ``inf`` at 1, "
        "``-inf`` at -1, nan beyond. Its derivative is ``1 / (1 - input ** 2)``.",
        """
>>> import dualrev as dr
>>> dr.atanh(dr.tensor([0.0, 0.5, 1.0]))
tensor([0.0000, 0.5493,    inf])
>>> dr.func.grad(dr.atanh)(0.5)
tensor(1.3333)""",
    ),
    "sigmoid": _unary(
        "The logistic sigmoid ``1 / (1 + exp(-input))``, elementwise.",
        "Computed without overflow for large negative inputs. Its derivative is "
        "``sigmoid(input) * (1 - sigmoid(input))``.",
        """
>>> import dualrev as dr
>>> dr.sigmoid(dr.tensor([0.0, 2.0, -1000.0]))
tensor([0.5000, 0.8808, 0.0000])
>>> dr.func.grad(dr.sigmoid)(0.0)
tensor(0.2500)""",
    ),
    "relu": _unary(
        "The rectifier ``max(input, 0)``, elementwise.",
        "Its derivative is 1 where ``input > 0`` and 0 elsewhere: at 0, where "
        "relu has no derivative, dualrev returns 0, as PyTorch does. Integer "
        "tensors keep their dtype.",
        """
>>> import dualrev as dr
>>> dr.relu(dr.tensor([-1.0, 0.0, 2.0]))
tensor([0., 0., 2.])
>>> dr.func.grad(dr.relu)(2.0), dr.func.grad(dr.relu)(0.0)
(tensor(1.), tensor(0.))""",
        returns="Returns:\n    Tensor: the result, of ``input``'s shape and dtype.",
    ),
    "floor": _unary(
        "The largest integer not above ``input``, elementwise (as a float).",
        "A step function: its derivative is 0 everywhere (at the jumps too), "
        "as PyTorch gives it; the result still has a node, so ``backward`` "
        "through it gives zeros rather than an error.",
        """
>>> import dualrev as dr
>>> dr.floor(dr.tensor([-1.5, 0.5, 2.0]))
tensor([-2.,  0.,  2.])
>>> dr.func.grad(dr.floor)(0.5)
tensor(0.)""",
        returns="Returns:\n    " + _STEP,
    ),
    "ceil": _unary(
        "The smallest integer not below ``input``, elementwise (as a float).",
        "A step function: its derivative is 0 everywhere (at the jumps too), "
        "as PyTorch gives it.",
        """
>>> import dualrev as dr
>>> dr.ceil(dr.tensor([-1.5, 0.5, 2.0]))
tensor([-1.,  1.,  2.])
>>> dr.func.grad(dr.ceil)(0.5)
tensor(0.)""",
        returns="Returns:\n    " + _STEP,
    ),
    "trunc": _unary(
        "``input`` rounded toward zero, elementwise (as a float).",
        "Also ``dr.fix`` (NumPy's name). A step function: its derivative is 0 "
        "everywhere, as PyTorch gives it.",
        """
>>> import dualrev as dr
>>> dr.trunc(dr.tensor([-1.5, 0.5, 2.7]))
tensor([-1.,  0.,  2.])
>>> dr.func.grad(dr.trunc)(2.7)
tensor(0.)""",
        returns="Returns:\n    " + _STEP,
    ),
    "logical_not": _unary(
        "Elementwise logical not: True where ``input`` is zero (or False).",
        "Not differentiable: the result carries no graph and no tangent.",
        """
>>> import dualrev as dr
>>> dr.logical_not(dr.tensor([0.0, 1.5, -2.0]))
tensor([ True, False, False])""",
        args="Args:\n    input (Tensor | number | array_like): the values, of any dtype.",
        returns="Returns:\n    Tensor: a bool tensor of ``input``'s shape.",
    ),
    "bitwise_not": _unary(
        "Elementwise bitwise not (``~input``): logical not of bools.",
        "For integers, ``~x == -x - 1`` (two's complement). Not differentiable.",
        """
>>> import dualrev as dr
>>> dr.bitwise_not(dr.tensor([0, 5, -1]))
tensor([-1, -6,  0])
>>> dr.bitwise_not(dr.tensor([True, False]))
tensor([False,  True])""",
        args="Args:\n    input (Tensor | int | bool | array_like): integer or bool values.",
        returns="Returns:\n    Tensor: a tensor of ``input``'s shape and dtype.",
        raises=("Raises:\n    TypeError: if ``input`` is a float tensor (PyTorch's \"only\n"
                "        implemented on integer and Boolean-type tensors\")."),
    ),
}
