"""The rule table: every primitive with its implementation, JVP and VJP, and
the operations composed from them. Split by kind."""

from .elementwise import (  # noqa: F401
    bitwise_and, bitwise_not, bitwise_or, bitwise_xor, left_shift, logical_xor, right_shift,
    abs, add, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, astype, cbrt, ceil,
    clamp, clamp_tensors, clone, cos, cosh, div, eq, exp, exp2, expm1, floor, ge, gt, hypot, le, log, log1p,
    logaddexp, logical_and, logical_not, logical_or, lt, maximum, minimum, mul, ne, neg, pow,
    relu, round, sigmoid, sign, sin, sinh, sqrt, stop_gradient, sub, tan, tanh, trunc, where, xlogy)
from .reductions import all, amax, amin, any, argmax, argmin, mean, prod, sum  # noqa: F401
from .shape import (  # noqa: F401
    broadcast_to, concatenate, gather, getitem, index_put, moveaxis, permute, reshape,
    scatter, scatter_along, squeeze, stack, transpose, unsqueeze)
from .products import dot, matmul  # noqa: F401
from .arrays import (  # noqa: F401
    argsort, cumprod, cumsum, diag, diagonal, diff, flip, pad, ravel, roll, sort, take, trace, tril,
    triu)
from .einsum import einsum, inner, outer, tensordot, vdot  # noqa: F401
from .matrices import (  # noqa: F401
    cholesky, det, eigh, eigh_packed, inv, matrix_norm, qr, qr_packed, slogdet, slogdet_packed,
    solve, svd, svd_packed)
from .composite import (  # noqa: F401
    deg2rad, log10, log2, log_softmax, logsumexp, norm, rad2deg, reciprocal, softmax, softplus,
    std, var)
from .axes import normalize_axes  # noqa: F401
from .special import (  # noqa: F401
    bessel_i, bessel_ie, entr, erf, erfc, erfcx, erfinv, gammaln, log_ndtr, multigammaln, ndtr,
    ndtri, polygamma, sinc, xlog1py)
