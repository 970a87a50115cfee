"""dualrev: automatic differentiation on NumPy, with PyTorch's autograd API.

Reverse mode through ``Tensor.backward`` and ``dualrev.grad``, forward mode
through ``Dual``, and the two composed for Hessians and higher derivatives.
"""

from .core.malloc import tune_allocator as _tune_allocator
from . import autograd, func, linalg, optim  # noqa: F401
from .array_functions import (  # noqa: F401
    argsort, chunk, cumprod, cumsum, diag, diagonal, diff, einsum, flip, gather, ger, hstack,
    index_select, inner, masked_fill, moveaxis, movedim, narrow, outer, pad, repeat, roll, sort,
    split, take, take_along_dim, tensordot, tile, topk, trace, tril, triu, unbind, vdot, vstack)
from ._format import set_printoptions  # noqa: F401
from .core.anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled  # noqa: F401
from .func.custom import custom_jvp, custom_vjp  # noqa: F401
from .creation import (  # noqa: F401
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace,
    manual_seed, ones, ones_like, rand, randint, randn, tensor, zeros, zeros_like)
from .dtypes import (  # noqa: F401
    bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int,
    int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from .dual import Dual  # noqa: F401
from .functions import (  # noqa: F401
    abs, acos, acosh, add, addcdiv, addcmul, addmm, all, allclose, amax, amin, any, arccos,
    bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor,
    logical_xor,
    arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, argmax, argmin, asin, asinh, atan,
    atan2, atanh, bmm, broadcast_to, cat, ceil, clamp, clamp_max, clamp_min, clip, concat,
    concatenate, cos, cosh, deg2rad, detach, dist, div, dot, eq, equal, exp, exp2, expand,
    expm1, fix, flatten, floor, frac, ge, gt, hypot, isclose, le, lerp, log, log10, log1p,
    log2, log_softmax, logaddexp, logical_and, logical_not, logical_or, logit, logsumexp, lt,
    matmul, max, maximum, mean, min, minimum, mm, mul, mv, ne, neg, negative, norm, numel,
    permute, pow, prod, rad2deg, reciprocal, relu, reshape, round, rsqrt, sgn, sigmoid, sign,
    sin, sinc, sinh, softmax, softplus, sqrt, square, squeeze, stack, std, sub, sum, swapaxes,
    swapdims, t, tan, tanh, transpose, trunc, unsqueeze, var, view, where, xlogy)
from .linalg import det, inv as inverse  # noqa: F401
from .serialization import load, save  # noqa: F401
from .core.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401
from ._tensor import Size, Tensor  # noqa: F401
from ._unified import backward, grad  # noqa: F401

__version__ = "0.1.0"

_tune_allocator()
