"""PyTorch's ``torch.nn.functional``: losses and activations with PyTorch's
signatures, defaults, broadcasting and error messages.

Each function is composed from dualrev's differentiable operations (no rule
of its own), so it differentiates to any order under every transform
(``grad``, ``hessian``, ``jvp``, ``vmap``, ``jet``). The losses are written
in ``losses.py``; the activations, ``linear`` and ``normalize`` here.
"""

import math
import warnings

from .. import functions as dr_functions
from .. import rules
from .. import shape_functions as dr_shapes
from .._args import _float, operand, operands
from .._tensor import Tensor, boxed, named
from ..core.values import shape_of
from ..shape_functions import to_dtype
from .losses import (
    binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss,
    nll_loss)

__all__ = [
    "mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "softmax", "log_softmax", "relu", "gelu", "silu",
    "softplus", "tanh", "sigmoid", "linear", "normalize"]


# -- activations --------------------------------------------------------------------

def _softmax_dim(name, input, dim):
    """PyTorch's implicit ``dim`` (deprecated): 0 for 0-, 1- and 3-d input, else 1."""
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if len(shape_of(input)) in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(input)`` normalised to sum to 1 along ``dim``.

    Args:
        input: the scores.
        dim: the axis to normalise along (PyTorch's deprecated implicit
            choice, with its warning, when None).
        _stacklevel: PyTorch's, accepted and unused.
        dtype: optional dtype the input is cast to first.

    Returns:
        A tensor of ``input``'s shape whose slices along ``dim`` sum to 1.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.softmax(dr.tensor([0.0, 0.0, 0.0, 0.0]), dim=0)
        tensor([0.2500, 0.2500, 0.2500, 0.2500])
    """
    input = operand(input, "softmax")
    if dtype is not None:
        input = to_dtype(input, dtype)
    return dr_functions.softmax(input, _softmax_dim("softmax", input, dim))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(input, dim))``, computed without overflow.

    Args:
        input: the scores.
        dim: the axis to normalise along (PyTorch's deprecated implicit
            choice, with its warning, when None).
        _stacklevel: PyTorch's, accepted and unused.
        dtype: optional dtype the input is cast to first.

    Returns:
        A tensor of ``input``'s shape whose exponentials sum to 1 along ``dim``.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.log_softmax(dr.tensor([1000.0, 1000.0]), dim=0)
        tensor([-0.6931, -0.6931])
    """
    input = operand(input, "log_softmax")
    if dtype is not None:
        input = to_dtype(input, dtype)
    return dr_functions.log_softmax(input, _softmax_dim("log_softmax", input, dim))


def _in_place(input, compute, name):
    """``compute(input)`` written into ``input``, recorded as PyTorch records
    an in-place operation."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): inplace=True needs a dualrev Tensor to write into, not "
                        f"{type(input).__name__}")
    return input._inplace(compute)


def relu(input, inplace=False):
    """``max(input, 0)`` elementwise (derivative 0 at 0, as PyTorch's).

    Args:
        input: a tensor.
        inplace: write the result into ``input`` (a Tensor).

    Returns:
        The rectified tensor.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.relu(dr.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    input = operand(input, "relu")
    if inplace:
        return _in_place(input, lambda x: boxed(rules.relu(x)), "relu")
    return boxed(rules.relu(input))


def gelu(input, *, approximate="none"):
    """The Gaussian error linear unit ``input * Phi(input)``, ``Phi`` the
    standard normal distribution function.

    Args:
        input: a tensor.
        approximate: ``'none'`` for the exact form
            ``0.5 x (1 + erf(x / sqrt(2)))``, ``'tanh'`` for
            ``0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))``.

    Returns:
        The activation, of ``input``'s shape.

    Raises:
        RuntimeError: another ``approximate``.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.gelu(dr.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.1587,  0.0000,  0.8413])
        >>> F.gelu(dr.tensor([-1.0, 0.0, 1.0]), approximate="tanh")
        tensor([-0.1588,  0.0000,  0.8412])
    """
    input = operand(input, "gelu")
    if approximate == "none":
        out = input * 0.5 * (rules.erf(input * math.sqrt(0.5)) + 1.0)
    elif approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        out = input * 0.5 * (rules.tanh(inner) + 1.0)
    else:
        raise RuntimeError("approximate argument must be either none or tanh.")
    return named(out, "GeluBackward0")


def silu(input, inplace=False):
    """The sigmoid linear unit (swish) ``input * sigmoid(input)``.

    Args:
        input: a tensor.
        inplace: write the result into ``input`` (a Tensor).

    Returns:
        The activation, of ``input``'s shape.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.silu(dr.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7311])
    """
    input = operand(input, "silu")
    if inplace:
        return _in_place(input, lambda x: named(x * rules.sigmoid(x), "SiluBackward0"), "silu")
    return named(input * rules.sigmoid(input), "SiluBackward0")


def softplus(input, beta=1, threshold=20):
    """``log(1 + exp(beta * input)) / beta``, linear where ``beta * input > threshold``.

    Args:
        input: a tensor.
        beta: the sharpness.
        threshold: above it (in ``beta * input``) the result is ``input``.

    Returns:
        The activation, of ``input``'s shape.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.softplus(dr.tensor([0.0, 30.0]))
        tensor([ 0.6931, 30.0000])
    """
    return dr_functions.softplus(input, beta, threshold)


def tanh(input):
    """The hyperbolic tangent, elementwise.

    Args:
        input: a tensor.

    Returns:
        ``tanh(input)``.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.tanh(dr.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7616])
    """
    return boxed(rules.tanh(operand(input, "tanh")))


def sigmoid(input):
    """The logistic function ``1 / (1 + exp(-input))``, elementwise.

    Args:
        input: a tensor.

    Returns:
        ``sigmoid(input)``.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.sigmoid(dr.tensor([0.0, 2.0]))
        tensor([0.5000, 0.8808])
    """
    return boxed(rules.sigmoid(operand(input, "sigmoid")))


def linear(input, weight, bias=None):
    """The affine map ``input @ weight.T + bias``.

    Args:
        input: (..., in_features).
        weight: (out_features, in_features), or (in_features,) for a
            single output (then without bias, as in PyTorch).
        bias: optional, broadcasting to (..., out_features).

    Returns:
        (..., out_features).

    Raises:
        RuntimeError: shapes that do not fit, in PyTorch's words.

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.linear(dr.tensor([[1.0, 2.0]]), dr.tensor([[1.0, 1.0], [0.0, 1.0]]),
        ...          dr.tensor([0.5, 0.0]))
        tensor([[3.5000, 2.0000]])
    """
    input, weight = operands("linear", (input, "input"), (weight, "weight"))
    shape, wshape = shape_of(input), shape_of(weight)
    if not shape or not wshape:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{len(shape)}D and {len(wshape)}D")
    transposed = dr_shapes.t(weight)  # PyTorch's words for a weight of 3 or more axes
    if len(wshape) == 2 and shape[-1] != wshape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({math.prod(shape[:-1])}"
                           f"x{shape[-1]} and {wshape[1]}x{wshape[0]})")
    if len(wshape) == 1 and bias is not None:
        raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
    out = dr_functions.matmul(input, transposed)
    if bias is None:
        return named(out, "MmBackward0") if len(shape) == 2 else out
    bias = operand(bias, "linear", "bias", 3)
    dr_shapes.broadcast_to(bias, *shape_of(out))  # PyTorch's words for a bias that does not fit
    out = rules.add(out, bias)
    return named(out, "AddmmBackward0") if len(shape) == 2 else boxed(out)


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """``input`` divided by its ``p``-norm along ``dim``, the norm taken at least ``eps``.

    Args:
        input: a tensor.
        p: the norm's exponent.
        dim: the axis (or tuple of axes) of the norm.
        eps: the smallest divisor.

    Returns:
        A tensor of ``input``'s shape with unit ``p``-norm along ``dim``
        (zero where the norm is 0).

    Example:
        >>> import dualrev as dr
        >>> import dualrev.nn.functional as F
        >>> F.normalize(dr.tensor([[3.0, 4.0], [0.0, 0.0]]))
        tensor([[0.6000, 0.8000],
                [0.0000, 0.0000]])
    """
    input = operand(input, "normalize")
    eps = _float(eps, "normalize", "eps")
    norms = dr_functions.norm(input, p, dim, keepdim=True)
    return boxed(rules.div(input, dr_functions.clamp(norms, min=eps)))


def __dir__():
    return __all__
