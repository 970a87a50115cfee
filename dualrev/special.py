"""``dualrev.special``: special functions with ``torch.special``'s names,
elementwise and differentiable to any order.

Values come from ``scipy.special``, an optional extra of dualrev
(``pip install 'dualrev[special]'``), imported on the first call; without
it, a call raises ImportError naming the extra. Integer inputs give the
default float dtype, as in PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import functions as F
from . import rules
from ._args import _int, operand, operands
from ._tensor import Tensor, named

if TYPE_CHECKING:
    from ._tensor import TensorLike  # (declared by the stub _tensor.pyi only)


def _apply(prim, input, fn, backward_name, **params):
    """``prim`` on ``input`` (checked as torch.special checks it) as a Tensor
    whose ``grad_fn`` has PyTorch's name."""
    return named(prim(operand(input, fn), **params), backward_name)


def erf(input: TensorLike) -> Tensor:
    """The error function, 2 / sqrt(pi) times the integral of exp(-t²) from 0.

    Args:
        input: the values.

    Returns:
        erf(input); its derivative is 2 / sqrt(pi) exp(-input²).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.erf(dr.tensor([0.0, 0.5, 1.0]))
        tensor([0.0000, 0.5205, 0.8427])
    """
    return _apply(rules.erf, input, "special_erf", "ErfBackward0")


def erfc(input: TensorLike) -> Tensor:
    """The complementary error function 1 - erf(input), without the
    cancellation for large input.

    Args:
        input: the values.

    Returns:
        erfc(input).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.erfc(dr.tensor([0.0, 3.0]))
        tensor([1.0000e+00, 2.2090e-05])
    """
    return _apply(rules.erfc, input, "special_erfc", "ErfcBackward0")


def erfinv(input: TensorLike) -> Tensor:
    """The inverse of erf on (-1, 1); ±inf at ±1, nan outside [-1, 1].

    Args:
        input: the values.

    Returns:
        y with erf(y) = input; its derivative is sqrt(pi) / 2 exp(y²).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.erfinv(dr.tensor([0.0, 0.5, 1.0]))
        tensor([0.0000, 0.4769,    inf])
    """
    return _apply(rules.erfinv, input, "special_erfinv", "ErfinvBackward0")


def erfcx(input: TensorLike) -> Tensor:
    """The scaled complementary error function exp(input²) erfc(input),
    which neither overflows nor underflows for large positive input.

    Args:
        input: the values.

    Returns:
        erfcx(input); its derivative is 2 input erfcx(input) - 2 / sqrt(pi).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.erfcx(dr.tensor([0.0, 30.0]))
        tensor([1.0000, 0.0188])
    """
    return _apply(rules.erfcx, input, "special_erfcx", "SpecialErfcxBackward0")


def gammaln(input: TensorLike) -> Tensor:
    """log |Gamma(input)|, PyTorch's ``lgamma``.

    Args:
        input: the values.

    Returns:
        log |Gamma(input)|, inf at the poles 0, -1, -2...; its derivative is
        digamma(input).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.gammaln(dr.tensor([0.5, 3.0]))
        tensor([0.5724, 0.6931])
    """
    return _apply(rules.gammaln, input, "special_gammaln", "LgammaBackward0")


def digamma(input: TensorLike) -> Tensor:
    """The digamma function psi, the derivative of gammaln.

    Args:
        input: the values.

    Returns:
        psi(input); its derivative is polygamma(1, input).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.digamma(dr.tensor([1.0, 2.0]))
        tensor([-0.5772,  0.4228])
    """
    return _apply(rules.polygamma, input, "special_digamma", "DigammaBackward0", n=0)


def polygamma(n: int, input: TensorLike) -> Tensor:
    """The n-th derivative of the digamma function.

    Args:
        n: the order, an int >= 0 (0 is digamma).
        input: the values.

    Returns:
        psi^(n)(input); its derivative is polygamma(n + 1, input).

    Raises:
        TypeError: ``n`` is not an int.
        RuntimeError: ``n`` is negative.

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.polygamma(1, dr.tensor([1.0, 2.0]))
        tensor([1.6449, 0.6449])
    """
    n = _int(n, "special_polygamma", "n")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _apply(rules.polygamma, input, "special_polygamma", "PolygammaBackward0", n=n)


def multigammaln(input: TensorLike, p: int) -> Tensor:
    """The log of the multivariate gamma function of dimension p:
    p (p - 1) / 4 log(pi) + the sum of gammaln(input - j / 2) for j < p.

    Args:
        input: the values (finite where they exceed (p - 1) / 2).
        p: the dimension, an int >= 1.

    Returns:
        log Gamma_p(input).

    Raises:
        TypeError: ``p`` is not an int.
        RuntimeError: ``p`` is less than 1.

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.multigammaln(dr.tensor([2.5]), 2)
        tensor([0.8570])
    """
    p = _int(p, "special_multigammaln", "p")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return _apply(rules.multigammaln, input, "special_multigammaln", "MvlgammaBackward0", p=p)


def xlog1py(input: TensorLike, other: TensorLike) -> Tensor:
    """input * log1p(other), 0 where input is 0 (unless other is nan),
    broadcasting.

    Args:
        input: the factor.
        other: the argument of log1p.

    Returns:
        input log(1 + other); its derivative in input is log1p(other) (0
        where input is 0 and other <= -1, as in PyTorch), in other
        input / (1 + other).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.xlog1py(dr.tensor([0.0, 2.0]), dr.tensor([-1.0, 1.0]))
        tensor([0.0000, 1.3863])
    """
    input, other = operands("special_xlog1py", (input, "input"), (other, "other"),
                            broadcast=True)
    return named(rules.xlog1py(input, other), "SpecialXlog1PyBackward0")


def xlogy(input: TensorLike, other: TensorLike) -> Tensor:
    """input * log(other), 0 where input is 0 (unless other is nan),
    broadcasting; ``torch.special.xlogy``, the same as ``dualrev.xlogy``.

    Args:
        input: the factor.
        other: the argument of the logarithm.

    Returns:
        input log(other); its derivative in input is log(other), in other
        input / other.

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.xlogy(dr.tensor([0.0, 2.0]), dr.tensor([0.0, 3.0]))
        tensor([0.0000, 2.1972])
    """
    input, other = operands("special_xlogy", (input, "input"), (other, "other"),
                            broadcast=True)
    return named(rules.xlogy(input, other), "XlogyBackward0")


def ndtr(input: TensorLike) -> Tensor:
    """The standard normal distribution function, the area under the
    Gaussian density left of input.

    Args:
        input: the values.

    Returns:
        ndtr(input); its derivative is exp(-input² / 2) / sqrt(2 pi).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.ndtr(dr.tensor([0.0, 1.0]))
        tensor([0.5000, 0.8413])
    """
    return _apply(rules.ndtr, input, "special_ndtr", "MulBackward1")  # (PyTorch's composite)


def log_ndtr(input: TensorLike) -> Tensor:
    """log(ndtr(input)), accurate far in both tails.

    Args:
        input: the values.

    Returns:
        log ndtr(input); its derivative ndtr'(input) / ndtr(input) is
        computed as exp(-input² / 2 - log_ndtr(input)) / sqrt(2 pi), finite
        far in the left tail.

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.log_ndtr(dr.tensor([-10.0, 0.0]))
        tensor([-53.2313,  -0.6931])
    """
    return _apply(rules.log_ndtr, input, "special_log_ndtr", "SpecialLogNdtrBackward0")


def ndtri(input: TensorLike) -> Tensor:
    """The inverse of ndtr on (0, 1): the standard normal quantile function.

    Args:
        input: probabilities; ±inf at 1 and 0, nan outside [0, 1].

    Returns:
        y with ndtr(y) = input; its derivative is sqrt(2 pi) exp(y² / 2).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.ndtri(dr.tensor([0.5, 0.975]))
        tensor([0.0000, 1.9600])
    """
    return _apply(rules.ndtri, input, "special_ndtri", "SpecialNdtriBackward0")


def i0(input: TensorLike) -> Tensor:
    """The modified Bessel function of the first kind of order 0.

    Args:
        input: the values.

    Returns:
        I_0(input); its derivative is i1(input).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.i0(dr.tensor([0.0, 1.0]))
        tensor([1.0000, 1.2661])
    """
    return _apply(rules.bessel_i, input, "special_i0", "I0Backward0", n=0)


def i0e(input: TensorLike) -> Tensor:
    """The exponentially scaled modified Bessel function of order 0,
    exp(-|input|) I_0(input), which does not overflow.

    Args:
        input: the values.

    Returns:
        i0e(input); its derivative is i1e(input) - sign(input) i0e(input).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.i0e(dr.tensor([0.0, 1000.0]))
        tensor([1.0000, 0.0126])
    """
    return _apply(rules.bessel_ie, input, "special_i0e", "SpecialI0EBackward0", n=0)


def i1(input: TensorLike) -> Tensor:
    """The modified Bessel function of the first kind of order 1.

    Args:
        input: the values.

    Returns:
        I_1(input); its derivative is i0(input) - i1(input) / input, 1/2 at
        0 (computed as (I_0 + I_2) / 2, so no 0 / 0 at any order).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.i1(dr.tensor([0.0, 1.0]))
        tensor([0.0000, 0.5652])
    """
    return _apply(rules.bessel_i, input, "special_i1", "SpecialI1Backward0", n=1)


def i1e(input: TensorLike) -> Tensor:
    """The exponentially scaled modified Bessel function of order 1,
    exp(-|input|) I_1(input).

    Args:
        input: the values.

    Returns:
        i1e(input); its derivative is i0e(input) - i1e(input) (sign(input) +
        1 / input), 1/2 at 0.

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.i1e(dr.tensor([0.0, 1.0]))
        tensor([0.0000, 0.2079])
    """
    return _apply(rules.bessel_ie, input, "special_i1e", "SpecialI1EBackward0", n=1)


def expit(input: TensorLike) -> Tensor:
    """The logistic sigmoid 1 / (1 + exp(-input)) (as ``dualrev.sigmoid``).

    Args:
        input: the values.

    Returns:
        expit(input).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.expit(dr.tensor([0.0, 2.0]))
        tensor([0.5000, 0.8808])
    """
    return _apply(rules.sigmoid, input, "special_expit", "SigmoidBackward0")


def logit(input: TensorLike, eps: float | None = None) -> Tensor:
    """log(input / (1 - input)), the inverse of expit (as ``dualrev.logit``).

    Args:
        input: probabilities.
        eps: if given, input is first clamped to [eps, 1 - eps] (gradient 0
            outside).

    Returns:
        logit(input); nan outside [0, 1] without ``eps``.

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.logit(dr.tensor([0.5, 0.9]))
        tensor([0.0000, 2.1972])
    """
    return F.logit(input, eps)


def log_softmax(input: TensorLike, dim: int, *, dtype=None) -> Tensor:
    """log(softmax(input, dim)), computed stably (as ``dualrev.log_softmax``).

    Args:
        input: the values.
        dim: the axis along which the softmax normalises.
        dtype: accepted as PyTorch's; the result has the input's dtype.

    Returns:
        input - logsumexp(input, dim).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.log_softmax(dr.tensor([0.0, 0.0]), 0)
        tensor([-0.6931, -0.6931])
    """
    return F.log_softmax(input, dim, dtype)


def sinc(input: TensorLike) -> Tensor:
    """The normalized sinc function sin(pi input) / (pi input), 1 at 0.

    Args:
        input: the values.

    Returns:
        sinc(input), with derivatives of every order right at 0 (0, then
        -pi² / 3, ...; PyTorch gives nan from the second on).

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.sinc(dr.tensor([0.0, 0.5, 1.0]))
        tensor([1.0000e+00, 6.3662e-01, 3.8982e-17])
    """
    return named(rules.sinc(operand(input, "special_sinc")), "SincBackward0")


def entr(input: TensorLike) -> Tensor:
    """The elementwise entropy -input log(input): 0 at 0, -inf below 0.

    Args:
        input: the values.

    Returns:
        entr(input); its derivative is -(1 + log(input)): inf at 0 and nan
        below 0, as in PyTorch.

    Example:
        >>> import dualrev as dr, dualrev.special
        >>> dr.special.entr(dr.tensor([-1.0, 0.0, 0.5]))
        tensor([  -inf, 0.0000, 0.3466])
    """
    return _apply(rules.entr, input, "special_entr", "SpecialEntrBackward0")


psi = digamma
lgamma = gammaln

__all__ = ["erf", "erfc", "erfinv", "erfcx", "gammaln", "lgamma", "digamma", "psi",
           "polygamma", "multigammaln", "xlog1py", "xlogy", "ndtr", "log_ndtr", "ndtri", "i0", "i0e",
           "i1", "i1e", "expit", "logit", "log_softmax", "sinc", "entr"]


def __dir__():
    return __all__
