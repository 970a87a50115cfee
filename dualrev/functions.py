"""The ``dr.X`` functions with PyTorch's names and signatures. They turn
PyTorch's arguments (``dim``, ``keepdim``, shapes given as ``*sizes``) into
the primitives' normalised parameters; Tensor and Dual methods call them
too. Given plain numbers or arrays they return a Tensor."""

import math

import numpy as np

from . import rules
from ._args import (
    _axes, _axis, _bool, _float, _numel, _reduced,
    check_broadcast,
    check_nonempty, operand, operands, values_indices)
from .core.values import dtype_of, ndim_of, shape_of
from .core.primitive import Box, raw_value
from .shape_functions import broadcast_to, to_dtype
from ._tensor import Tensor, boxed, named


# elementwise ---------------------------------------------------------------

def add(input, other, *, alpha=1):
    """input + alpha * other, broadcasting.

    >>> import dualrev as dr
    >>> dr.add(dr.tensor([1.0, 2.0]), 1.0)
    tensor([2., 3.])"""
    input, other = operands("add", (input, "input"), (other, "other"), broadcast=True)
    return boxed(rules.add(input, other if alpha == 1 else rules.mul(other, alpha)))


def sub(input, other, *, alpha=1):
    """input - alpha * other, broadcasting."""
    input, other = operands("sub", (input, "input"), (other, "other"), broadcast=True)
    return boxed(rules.sub(input, other if alpha == 1 else rules.mul(other, alpha)))


def mul(input, other):
    """input * other, elementwise with broadcasting."""
    input, other = operands("mul", (input, "input"), (other, "other"), broadcast=True)
    return boxed(rules.mul(input, other))


def div(input, other, *, rounding_mode=None):
    """input / other (true division), elementwise with broadcasting."""
    input, other = operands("div", (input, "input"), (other, "other"), broadcast=True)
    if rounding_mode is not None:
        raise NotImplementedError("div with rounding_mode is not differentiable; "
                                  "use floor or trunc on the values")
    return boxed(rules.div(input, other))


def sign(input):
    """Elementwise sign: -1, 0 or 1 (a bool tensor's is itself); derivative 0."""
    input = operand(input, "sign")
    if dtype_of(input) == np.bool_:
        return boxed(input) * True
    return boxed(rules.sign(input))
def clone(input):
    """A copy of the values, differentiable (its gradient flows back to the input)."""
    return boxed(rules.clone(operand(input, "clone")))


def round(input, *, decimals=None):
    """Round to the nearest integer (halves to even), or to ``decimals``
    places; the derivative is 0, as in PyTorch."""
    input = operand(input, "round")
    if decimals is None:
        return boxed(rules.round(input))
    scale = 10.0 ** decimals
    return named(rules.round(rules.mul(input, scale)) / scale, "RoundBackward1")


def frac(input):
    """input - trunc(input): the fractional part, derivative 1."""
    input = operand(input, "frac")
    return named(rules.sub(input, rules.trunc(input)), "FracBackward0")


def _composite(fn, name, doc):
    def composite(input):
        return named(fn(operand(input, composite.__name__)), name)
    composite.__name__ = fn.__name__
    composite.__doc__ = doc
    return composite


log2 = _composite(rules.log2, "Log2Backward0", "Elementwise base-2 logarithm.")
log10 = _composite(rules.log10, "Log10Backward0", "Elementwise base-10 logarithm.")
reciprocal = _composite(rules.reciprocal, "ReciprocalBackward0", "Elementwise 1 / input.")
deg2rad = _composite(rules.deg2rad, "Deg2RadBackward0", "Degrees to radians.")
rad2deg = _composite(rules.rad2deg, "Rad2DegBackward0", "Radians to degrees.")


def clamp_min(input, min):
    """input limited from below by ``min``."""
    return named(clamp(input, min=min), f"ClampMinBackward{int(isinstance(min, Box))}")


def clamp_max(input, max):
    """input limited from above by ``max``."""
    return named(clamp(input, max=max), f"ClampMaxBackward{int(isinstance(max, Box))}")


def lerp(input, end, weight):
    """input + weight * (end - input), computed from ``end`` where weight >=
    0.5 (end - (end - input) * (1 - weight)), so that weight 1 gives ``end``
    exactly, as PyTorch does."""
    input, end, weight = operands("lerp", (input, "input"), (end, "end"), (weight, "weight"),
                                  broadcast=True)
    step = rules.sub(end, input)
    near_start = rules.add(input, rules.mul(weight, step))
    near_end = rules.sub(end, rules.mul(step, rules.sub(1.0, weight)))
    w = raw_value(weight)
    if isinstance(w, np.ndarray) and w.ndim:
        out = rules.where(np.abs(w) < 0.5, near_start, near_end)
    else:
        out = near_start if abs(float(w)) < 0.5 else near_end
    return named(out, "LerpBackward1" if isinstance(weight, Box) else "LerpBackward0")


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2."""
    input, tensor1, tensor2 = operands("addcmul", (input, "input"), (tensor1, "tensor1"),
                                       (tensor2, "tensor2"), broadcast=True)
    return named(rules.add(input, rules.mul(rules.mul(tensor1, tensor2), value)), "AddcmulBackward0")


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2."""
    input, tensor1, tensor2 = operands("addcdiv", (input, "input"), (tensor1, "tensor1"),
                                       (tensor2, "tensor2"), broadcast=True)
    return named(rules.add(input, rules.mul(rules.div(tensor1, tensor2), value)), "AddcdivBackward0")


def logit(input, eps=None):
    """log(input / (1 - input)), input first clamped to [eps, 1 - eps] when
    ``eps`` is given (gradient 0 outside, as in PyTorch). Without ``eps``,
    outside [0, 1] the value and the gradient are nan, as in PyTorch."""
    input = operand(input, "logit")
    eps = None if eps is None else _float(eps, "logit", "eps")
    x = input
    values = raw_value(input)
    if eps is not None:
        inside = (values >= eps) & (values <= 1.0 - eps)
        x = rules.where(inside, input, np.clip(values, eps, 1.0 - eps))
    out = rules.sub(rules.log(x), rules.log1p(rules.neg(x)))
    if eps is None and np.any((values < 0) | (values > 1)):
        # x * (nan outside, 0 inside): the value is nan there already; this
        # makes the derivative nan too, where log's would be finite
        out = rules.add(out, rules.mul(x, np.where((values < 0) | (values > 1), np.nan, 0.0)))
    return named(out, "LogitBackward0")


def sinc(input):
    """sin(pi x) / (pi x), 1 at 0."""
    input = operand(input, "sinc")
    zero = raw_value(input) == 0
    scaled = rules.mul(rules.where(zero, 1.0, input), math.pi)
    return named(rules.where(zero, 1.0, rules.div(rules.sin(scaled), scaled)), "SincBackward0")


def sgn(input):
    """The sign (-1, 0 or 1); derivative 0."""
    input = operand(input, "sgn")
    if dtype_of(input) == np.bool_:
        return boxed(input) * True  # a bool's sign is itself (a copy)
    return named(rules.sign(input), "SgnBackward0")


def dist(input, other, p=2):
    """The p-norm of input - other."""
    input, other = operands("dist", (input, "input"), (other, "other"), broadcast=True)
    return named(rules.norm(rules.sub(input, other), p=float(p), axis=None, keepdims=False),
                  "DistBackward0")


def atan2(input, other):
    """The angle of the point (other, input): arctan(input / other) in the
    right quadrant."""
    input, other = operands("atan2", (input, "input"), (other, "other"), broadcast=True)
    return boxed(rules.arctan2(input, other))




def pow(input, exponent):
    """input ** exponent; either may be a tensor (broadcasting).

    >>> import dualrev as dr
    >>> dr.pow(dr.tensor([1.0, 2.0]), 2)
    tensor([1., 4.])"""
    input, exponent = operands("pow", (input, "input"), (exponent, "exponent"), broadcast=True)
    out = rules.pow(input, exponent)
    if not isinstance(exponent, Box):
        return boxed(out)
    return named(out, "PowBackward1" if isinstance(input, Box) else "PowBackward2")


def square(input):
    """input * input."""
    input = operand(input, "square")
    return named(rules.mul(input, input), "PowBackward0")


def rsqrt(input):
    """1 / sqrt(input)."""
    input = operand(input, "rsqrt")
    return named(rules.div(1.0, rules.sqrt(input)), "RsqrtBackward0")


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * input)) / beta, linear above ``threshold``; never overflows."""
    input = operand(input, "softplus")
    beta, threshold = _float(beta, "softplus", "beta"), _float(threshold, "softplus", "threshold")
    return named(rules.softplus(input, beta=beta, threshold=threshold), "SoftplusBackward0")


def clamp(input, min=None, max=None):
    """input limited to [min, max] (either may be None or a tensor). The gradient is 1 inside
    the bounds, bounds included, and 0 outside, as in PyTorch."""
    input = operand(input, "clamp")
    bounds = [operand(b, "clamp", n, i) for b, n, i in ((min, "min", 2), (max, "max", 3))
              if b is not None]
    check_broadcast(input, *bounds)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Box) or isinstance(max, Box):
        return boxed(rules.clamp_tensors(input, -math.inf if min is None else min,
                                        math.inf if max is None else max))
    return boxed(rules.clamp(input, min=min, max=max))




def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (broadcasting); with only a
    condition, the indices where it holds."""
    condition = operand(condition, "where", "condition")
    if input is None and other is None:
        return tuple(boxed(np.asarray(i)) for i in np.nonzero(raw_value(condition)))
    if input is None or other is None:
        raise TypeError("where() takes a condition alone or a condition, input and other")
    input, other = operand(input, "where", "input", 2), operand(other, "where", "other", 3)
    check_broadcast(condition, input, other)
    return boxed(rules.where(condition, input, other))


def equal(input, other):
    """True when both have the same shape and values."""
    input, other = operands("equal", (input, "input"), (other, "other"))
    return shape_of(input) == shape_of(other) and bool(np.all(raw_value(rules.eq(input, other))))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether all entries agree within ``atol + rtol * |other|`` (a Python bool)."""
    input, other = operands("allclose", (input, "input"), (other, "other"))
    rtol, atol = _float(rtol, "allclose", "rtol"), _float(atol, "allclose", "atol")
    check_broadcast(input, other)
    return bool(np.allclose(raw_value(input), raw_value(other), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (a bool tensor)."""
    input, other = operands("isclose", (input, "input"), (other, "other"))
    rtol, atol = _float(rtol, "isclose", "rtol"), _float(atol, "isclose", "atol")
    check_broadcast(input, other)
    return boxed(np.isclose(raw_value(input), raw_value(other), rtol=rtol, atol=atol,
                             equal_nan=equal_nan))


# reductions ----------------------------------------------------------------

def sum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum over ``dim`` (an int or a tuple; all entries when None).

    >>> import dualrev as dr
    >>> dr.sum(dr.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=0)
    tensor([4., 6.])"""
    input = operand(input, "sum")
    keepdim = _bool(keepdim, "sum", "keepdim")
    if dtype is not None:
        input = to_dtype(input, dtype)
    return boxed(rules.sum(input, axis=_reduced(input, dim), keepdims=keepdim))


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean over ``dim`` (all entries when None)."""
    input = operand(input, "mean")
    keepdim = _bool(keepdim, "mean", "keepdim")
    if dtype is not None:
        input = to_dtype(input, dtype)
    return boxed(rules.mean(input, axis=_reduced(input, dim), keepdims=keepdim))


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product over ``dim``; its gradient is exact with zeros."""
    input = operand(input, "prod")
    keepdim = _bool(keepdim, "prod", "keepdim")
    if dtype is not None:
        input = to_dtype(input, dtype)
    return boxed(rules.prod(input, axis=_axes(input, dim), keepdims=keepdim))


def amax(input, dim=(), keepdim=False):
    """The largest entries over ``dim``; ties share the gradient evenly."""
    input = operand(input, "amax")
    keepdim = _bool(keepdim, "amax", "keepdim")
    axes = _reduced(input, dim)
    check_nonempty(input, axes, "amax")
    return boxed(rules.amax(input, axis=axes, keepdims=keepdim))


def amin(input, dim=(), keepdim=False):
    """The smallest entries over ``dim``; ties share the gradient evenly."""
    input = operand(input, "amin")
    keepdim = _bool(keepdim, "amin", "keepdim")
    axes = _reduced(input, dim)
    check_nonempty(input, axes, "amin")
    return boxed(rules.amin(input, axis=axes, keepdims=keepdim))


def _extremum(input, dim, keepdim, other, reduce, pick, pairwise, name):
    if isinstance(dim, Box) or other is not None:
        other = operand(dim if other is None else other, name.lower(), "other", 2)
        check_broadcast(input, other)
        return boxed(pairwise(input, other))
    if dim is None:
        check_nonempty(input, None, name.lower())
        return named(reduce(input, axis=None, keepdims=False), f"{name}Backward1")
    axis = _axis(input, dim)
    if ndim_of(input) == 0:
        return values_indices(boxed(input), boxed(np.asarray(0)))
    check_nonempty(input, axis, name.lower())
    indices = pick(raw_value(input), axis=axis, keepdims=True)
    values = rules.gather(input, indices=indices, axis=axis)
    if not keepdim:
        values = rules.squeeze(values, axis=axis)
        indices = np.squeeze(indices, axis=axis)
    return values_indices(named(values, f"{name}Backward0"), boxed(np.asarray(indices)))


def max(input, dim=None, keepdim=False, *, other=None):
    """The largest entry; with ``dim``, ``(values, indices)`` along it; with a
    tensor second argument, the elementwise maximum."""
    input = operand(input, "max")
    keepdim = _bool(keepdim, "max", "keepdim")
    return _extremum(input, dim, keepdim, other, rules.amax, np.argmax, rules.maximum, "Max")


def min(input, dim=None, keepdim=False, *, other=None):
    """The smallest entry; with ``dim``, ``(values, indices)``; with a tensor
    second argument, the elementwise minimum."""
    input = operand(input, "min")
    keepdim = _bool(keepdim, "min", "keepdim")
    return _extremum(input, dim, keepdim, other, rules.amin, np.argmin, rules.minimum, "Min")


def _integral(result):
    """An index or truth result as a tensor: the primitive ran on the boxes
    (so vmap batches it and sparsity detection sees it), and a plain result
    is a 0-d array, not a NumPy scalar."""
    if isinstance(result, Box):
        value = result._value if isinstance(result, Tensor) else None
        if value is None or isinstance(value, Box) or type(value) is np.ndarray:
            return result
        return Tensor._make(np.asarray(value))
    return boxed(np.asarray(result))


def argmax(input, dim=None, keepdim=False):
    """The index of the largest entry (over ``dim``, or of the flattened tensor)."""
    input = operand(input, "argmax")
    keepdim = _bool(keepdim, "argmax", "keepdim")
    axis = None if dim is None else _axis(input, dim)
    check_nonempty(input, None if axis is None or ndim_of(input) == 0 else axis, "argmax")
    return _integral(rules.argmax(input, axis=axis, keepdims=keepdim))


def argmin(input, dim=None, keepdim=False):
    """The index of the smallest entry (over ``dim``, or of the flattened tensor)."""
    input = operand(input, "argmin")
    keepdim = _bool(keepdim, "argmin", "keepdim")
    axis = None if dim is None else _axis(input, dim)
    check_nonempty(input, None if axis is None or ndim_of(input) == 0 else axis, "argmin")
    return _integral(rules.argmin(input, axis=axis, keepdims=keepdim))


def _correction(correction, unbiased):
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"argument 'unbiased' must be bool, not {type(unbiased).__name__}")
        return 1 if unbiased else 0
    return 1 if correction is None else _float(correction, "var", "correction")


def var(input, dim=None, *, correction=None, keepdim=False, unbiased=None):
    """The variance over ``dim`` with ``correction`` (1 by default: Bessel's) subtracted from
    the count."""
    input = operand(input, "var")
    keepdim = _bool(keepdim, "var", "keepdim")
    return named(rules.var(input, axis=_reduced(input, dim), correction=_correction(correction, unbiased),
                          keepdims=keepdim), "VarBackward0")


def std(input, dim=None, *, correction=None, keepdim=False, unbiased=None):
    """The standard deviation over ``dim``: the square root of ``var``."""
    input = operand(input, "std")
    keepdim = _bool(keepdim, "std", "keepdim")
    return named(rules.std(input, axis=_reduced(input, dim), correction=_correction(correction, unbiased),
                          keepdims=keepdim), "StdBackward0")


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm (2 for ``'fro'``), over ``dim`` or all entries."""
    input = operand(input, "norm")
    keepdim = _bool(keepdim, "norm", "keepdim")
    if not (p is None or isinstance(p, str) or type(p) in (float, int)
            or isinstance(p, (np.floating, np.integer))) or isinstance(p, bool):
        raise TypeError(f"norm(): argument 'p' must be Number or str, not {type(p).__name__}")
    if isinstance(p, str) and p not in ("fro", "nuc"):
        raise RuntimeError(f"norm(): invalid norm type {p!r}; use a number, 'fro' or 'nuc'")
    if p in ("fro", None):
        p = 2
    if p == "nuc":
        raise NotImplementedError("the nuclear norm needs an SVD rule (not in dualrev yet)")
    return named(rules.norm(input, p=float(p), axis=_reduced(input, dim), keepdims=keepdim),
                  "LinalgVectorNormBackward0")


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(input))) over ``dim``, computed without overflow."""
    input = operand(input, "logsumexp")
    keepdim = _bool(keepdim, "logsumexp", "keepdim")
    if not _numel(shape_of(input)):  # log(0) = -inf, as PyTorch (no maximum to shift by)
        return named(rules.log(rules.sum(rules.exp(input), axis=_reduced(input, dim), keepdims=keepdim)),
                      "LogsumexpBackward0")
    return named(rules.logsumexp(input, axis=_reduced(input, dim), keepdims=keepdim),
                  "LogsumexpBackward0")


def softmax(input, dim, dtype=None):
    """exp(input) normalised to sum to 1 along ``dim``."""
    input = operand(input, "softmax")
    dim = _axis(input, dim)
    return named(rules.softmax(input, axis=_axes(input, dim)), "SoftmaxBackward0")


def log_softmax(input, dim, dtype=None):
    """log(softmax(input, dim)), computed stably."""
    input = operand(input, "log_softmax")
    dim = _axis(input, dim)
    return named(rules.log_softmax(input, axis=_axes(input, dim)), "LogSoftmaxBackward0")


def all(input, dim=None, keepdim=False):
    """Whether all entries are true (over ``dim``); a bool tensor."""
    input = operand(input, "all")
    keepdim = _bool(keepdim, "all", "keepdim")
    return _integral(rules.all(input, axis=None if dim is None else _axis(input, dim),
                               keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    """Whether any entry is true (over ``dim``); a bool tensor."""
    input = operand(input, "any")
    keepdim = _bool(keepdim, "any", "keepdim")
    return _integral(rules.any(input, axis=None if dim is None else _axis(input, dim),
                               keepdims=keepdim))


# products ------------------------------------------------------------------

def matmul(input, other):
    """The matrix product with NumPy's rules: 1-d operands are vectors, leading axes
    broadcast.

    >>> import dualrev as dr
    >>> dr.matmul(dr.eye(2), dr.tensor([1.0, 2.0]))
    tensor([1., 2.])"""
    input, other = operands("matmul", (input, "input"), (other, "other"))
    a, b = tuple(shape_of(input)), tuple(shape_of(other))
    if not a or not b:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{len(a)}D and {len(b)}D")
    inner = b[0] if len(b) == 1 else b[-2]
    if a[-1] != inner:
        raise RuntimeError(_matmul_mismatch(a, b))
    if len(a) > 2 or len(b) > 2:
        try:
            np.broadcast_shapes(a[:-2], b[:-2])
        except ValueError:
            raise RuntimeError(f"The batch dimensions of {list(a)} and {list(b)} do not "
                               "broadcast for matmul") from None
    name = _MATMUL_NAMES.get((len(a), len(b)))
    out = rules.matmul(input, other)
    return boxed(out) if name is None else named(out, name)


_MATMUL_NAMES = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4"}


def mm(input, mat2):
    """Matrix times matrix (both 2-D)."""
    input, mat2 = operands("mm", (input, "input"), (mat2, "mat2"))
    if ndim_of(input) != 2:
        raise RuntimeError("self must be a matrix")
    if ndim_of(mat2) != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def mv(input, vec):
    """Matrix times vector."""
    input, vec = operands("mv", (input, "input"), (vec, "vec"))
    if ndim_of(input) != 2 or ndim_of(vec) != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {ndim_of(input)}, "
                           f"{ndim_of(vec)}")
    return matmul(input, vec)


def bmm(input, mat2):
    """Batches of matrix products: (b, n, m) @ (b, m, p)."""
    input, mat2 = operands("bmm", (input, "input"), (mat2, "mat2"))
    if ndim_of(input) != 3 or ndim_of(mat2) != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if ndim_of(input) != 3 else
                           "batch2 must be a 3D tensor")
    return named(matmul(input, mat2), "BmmBackward0")


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2)."""
    input, mat1, mat2 = operands("addmm", (input, "input"), (mat1, "mat1"), (mat2, "mat2"))
    if ndim_of(mat1) != 2 or ndim_of(mat2) != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {ndim_of(mat1)}-D tensor"
                           if ndim_of(mat1) != 2 else
                           f"mat2 must be a matrix, got {ndim_of(mat2)}-D tensor")
    if shape_of(mat1)[1] != shape_of(mat2)[0]:
        raise RuntimeError(_matmul_mismatch(shape_of(mat1), shape_of(mat2)))
    broadcast_to(input, (shape_of(mat1)[0], shape_of(mat2)[1]))  # input expands to the product
    product = rules.mul(rules.matmul(mat1, mat2), alpha)
    if beta == 0:  # input ignored, nan and inf included, as in PyTorch (its shape still counts)
        shape = np.broadcast_shapes(shape_of(input), shape_of(product))
        return named(rules.broadcast_to(product, shape=shape), "AddmmBackward0")
    return named(rules.add(rules.mul(input, beta), product), "AddmmBackward0")


def _matmul_mismatch(a, b):
    if len(a) == 1 and len(b) == 1:
        return (f"inconsistent tensor size, expected tensor [{a[0]}] and src [{b[0]}] to have the "
                f"same number of elements, but got {a[0]} and {b[0]} elements respectively")
    if len(b) == 1:
        return f"size mismatch, got input ({a[-2]}), mat ({a[-2]}x{a[-1]}), vec ({b[0]})"
    rows = a[-2] if len(a) > 1 else 1
    return (f"mat1 and mat2 shapes cannot be multiplied ({rows}x{a[-1]} and "
            f"{b[-2]}x{b[-1]})")


def dot(input, other):
    """The dot product of two 1-d tensors."""
    input, other = operands("dot", (input, "input"), (other, "other"))
    if ndim_of(input) != 1 or ndim_of(other) != 1:
        raise RuntimeError(f"1D tensors expected, but got {ndim_of(input)}D and "
                           f"{ndim_of(other)}D tensors")
    if shape_of(input) != shape_of(other):
        raise RuntimeError("inconsistent tensor size, expected tensor [%d] and src [%d] to have "
                           "the same number of elements, but got %d and %d elements respectively"
                           % (shape_of(input) + shape_of(other) + shape_of(input) + shape_of(other)))
    return boxed(rules.dot(input, other))


