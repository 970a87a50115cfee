"""Special functions (``dualrev.special``, PyTorch's ``torch.special``): the
error function and its relatives, the log-gamma function and its
derivatives, the normal distribution, modified Bessel functions.

Values come from ``scipy.special``, an optional extra of dualrev: it is
imported on the first call, never by the core, and a clear ImportError
names the extra when it is missing. Every rule is written in the library's
own operations, mostly in these primitives themselves (erf' is exp(-x²)
times a constant, gammaln' is polygamma(0, .), polygamma(n)' is
polygamma(n + 1, .), I_n' = (I_(n-1) + I_(n+1)) / 2), so derivatives of any
order come out. The Taylor rules are the ODEs of the derivatives (y' = q x',
q built one order behind y) or, for the gamma and Bessel families, the
composition of the series with the derivatives at the point.
"""

import math

import numpy as np

from ..core.primitive import defprim
from ..core.sparsity import ELEMENTWISE
from ..core.taylor import cauchy, ode_step, series_div, series_exp, series_log, univariate
from ..core.values import canonical, result_type
from . import elementwise as ew

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI, _SQRT_HALF = math.sqrt(2.0 / math.pi), math.sqrt(0.5)


def scipy_special():
    """scipy.special, imported on first use: the rest of dualrev needs NumPy
    only."""
    try:
        import scipy.special  # (here, not at the top: scipy is an optional extra)
    except ImportError:
        raise ImportError("dr.special needs scipy, an optional extra of dualrev: "
                          "pip install 'dualrev[special]'") from None
    return scipy.special


def _in_dtype_of(out, x):
    """scipy's result in the input's float dtype (polygamma and a few others
    compute in float64), or in ``x`` if it is a dtype; a 0-d float64 one as
    a Python float."""
    out = np.asarray(out)
    dtype = x if isinstance(x, np.dtype) else np.result_type(x)
    if out.dtype != dtype:
        out = out.astype(dtype)
    return canonical(out)


def _evaluated(fn, x):
    """scipy's ``fn`` on ``x``: a float for a float; an integer array is
    computed in the default float dtype, as PyTorch does."""
    if type(x) is float:
        return float(fn(x))
    x = ew._as_float(x)
    return _in_dtype_of(fn(x), x)


def _unary(name):
    """The implementation of ``scipy.special.<name>`` on one argument."""
    def impl(x):
        return _evaluated(getattr(scipy_special(), name), x)
    impl.__name__ = name
    return impl


def _with_order(n, name, name_0, name_1, array_fn):
    """The scipy function of a static order n: its own function for n = 0
    and 1 where scipy has one (as PyTorch's i0, i1, digamma), else
    ``array_fn(n, x)``."""
    sp = scipy_special()
    if n == 0 and name_0:
        return getattr(sp, name_0)
    if n == 1 and name_1:
        return getattr(sp, name_1)
    fn = getattr(sp, name)
    return lambda x: array_fn(fn, n, x)


def _ordered(name, name_0, name_1):
    """The implementation of a family of a static integer order ``n``."""
    def impl(x, *, n):
        return _evaluated(_with_order(n, name, name_0, name_1, lambda f, n, v: f(n, v)), x)
    impl.__name__ = name
    return impl


# -- Taylor rules (see core.taylor) --------------------------------------------------------

def _by_exp_ode(c, exponent):
    """The rule of y with y' = c exp(s) x', where ``exponent(x, y, m)`` gives
    s's coefficient m from those of x and y up to order m (q = c exp(s) is
    built one order behind y); exp(s)'s own series by its ODE e' = e s'."""
    def rule(ans, x):
        y, s, q = [ans], [], []
        for k in range(1, len(x)):
            m = k - 1
            s.append(exponent(x, y, m))
            q.append(ode_step(s, q, m) if m else c * ew.exp(s[0]))
            y.append(ode_step(x, q, k))
        return y[1:]
    return univariate(rule)


def _scaled_square(c):
    """Coefficient m of c x² (or c y²): ``square(v, m)``."""
    return lambda v, m: cauchy(v, v, m) * c


def _nonzero(v):
    return None if type(v) is float and v == 0.0 else v


def from_derivatives(x, derivative):
    """The coefficients (y_1, ..., y_K) of f(x(t)) from f's derivatives at
    x_0 (``derivative(j)`` = f^(j)(x_0), in the library's operations):
    the sum over j of f^(j)(x_0) / j! (x(t) - x_0)^j. O(K^3), each
    derivative asked for once."""
    order = len(x) - 1
    delta = [None] + list(x[1:])
    y = [None] * (order + 1)
    power, factorial = delta, 1.0
    for j in range(1, order + 1):
        factorial *= j
        if j > 1:
            power = [None] * j + [_nonzero(cauchy(power, delta, k)) for k in range(j, order + 1)]
        if all(v is None for v in power[j:]):
            continue
        c = derivative(j) * (1.0 / factorial)
        for k in range(j, order + 1):
            if power[k] is not None:
                y[k] = c * power[k] if y[k] is None else y[k] + c * power[k]
    return y[1:]


def _bessel_derivative(family, x0, n, j):
    """The j-th derivative of I_n (or of the bracket e^(-|x_0|) I_n(x)) at
    x_0: 2^-j sum_i C(j, i) I_|n - j + 2i|, orders that recur summed first."""
    weights = {}
    for i in range(j + 1):
        order = abs(n - j + 2 * i)
        weights[order] = weights.get(order, 0) + math.comb(j, i)
    total = None
    for order, weight in sorted(weights.items()):
        term = family(x0, n=order) * (weight * 2.0 ** -j)
        total = term if total is None else total + term
    return total


def _bessel_i_taylor(ans, x, *, n):
    return from_derivatives(x, lambda j: _bessel_derivative(bessel_i, x[0], n, j))


def _bessel_ie_taylor(ans, x, *, n):
    """e^(-s x) I_n(x) with s = sign(x_0) constant along the path:
    e^(-s (x(t) - x_0)) times the series of e^(-|x_0|) I_n(x(t)) (whose
    derivatives at x_0 are the scaled functions'), so nothing overflows."""
    s = ew.neg(ew.sign(x[0]))
    shift = [0.0] + [None if v is None else v * s for v in x[1:]]
    decay = series_exp(shift, 1.0)
    bracket = [ans] + from_derivatives(x, lambda j: _bessel_derivative(bessel_ie, x[0], n, j))
    return [_nonzero(cauchy(decay, bracket, k)) for k in range(1, len(x))]


def _entr_factor():
    """entr' = -(1 + log x): q's series from log x's."""
    def rule(ans, x):
        logs = series_log(x, ew.log(x[0]))
        q = [-1.0 - logs[0]] + [v * -1.0 for v in logs[1:]]
        return [ode_step(x, q, k) for k in range(1, len(x))]
    return univariate(rule)


def _xlog1py_dx(x, y):
    """d xlog1py / dx = log1p(y), 0 where x is 0 and y <= -1 (PyTorch's
    mask, as xlogy's); log1p is taken of 0 there, so no nan reaches higher
    derivatives."""
    masked = (x == 0) & (y <= -1)
    return ew.where(masked, 0.0, ew.log1p(ew.where(masked, 0.0, y)))


def _xlog1py_taylor(ans, x, y):
    """x log1p(y), a product of series, log1p(y)'s first term masked as the
    derivative in x is."""
    logs = [_xlog1py_dx(x[0], y[0])]
    if all(v is None for v in y[1:]):
        logs += [None] * (len(y) - 1)
    else:
        logs += series_log([y[0] + 1.0] + list(y[1:]), ew.log1p(y[0]))[1:]
    return [cauchy(x, logs, k) for k in range(1, len(x))]


# -- the primitives ------------------------------------------------------------------------

erf = defprim("erf", _unary("erf"), sparsity=ELEMENTWISE,
              derivative=lambda x: ew.exp(ew.neg(x * x)) * _TWO_OVER_SQRT_PI,
              taylor=_by_exp_ode(_TWO_OVER_SQRT_PI,
                                 lambda x, y, m: _scaled_square(-1.0)(x, m)))
erfc = defprim("erfc", _unary("erfc"), sparsity=ELEMENTWISE,
               derivative=lambda x: ew.exp(ew.neg(x * x)) * -_TWO_OVER_SQRT_PI,
               taylor=_by_exp_ode(-_TWO_OVER_SQRT_PI,
                                  lambda x, y, m: _scaled_square(-1.0)(x, m)))
erfinv = defprim("erfinv", _unary("erfinv"), sparsity=ELEMENTWISE,
                 derivative=lambda ans: ew.exp(ans * ans) * (1.0 / _TWO_OVER_SQRT_PI),
                 taylor=_by_exp_ode(1.0 / _TWO_OVER_SQRT_PI,
                                    lambda x, y, m: _scaled_square(1.0)(y, m)))
erfcx = defprim("erfcx", _unary("erfcx"), sparsity=ELEMENTWISE,
                backward_name="SpecialErfcxBackward0",
                derivative=lambda x, ans: x * ans * 2.0 - _TWO_OVER_SQRT_PI,
                taylor=univariate(lambda ans, x: _erfcx_series(x, ans)[1:]))
ndtr = defprim("ndtr", _unary("ndtr"), sparsity=ELEMENTWISE,
               backward_name="SpecialNdtrBackward0",
               derivative=lambda x: ew.exp(x * x * -0.5) * (1.0 / _SQRT_2PI),
               taylor=_by_exp_ode(1.0 / _SQRT_2PI, lambda x, y, m: _scaled_square(-0.5)(x, m)))


def _log_ndtr_derivative(x):
    """ndtr'(x) / ndtr(x) = sqrt(2 / pi) / erfcx(-x / sqrt(2)) (both are
    exp(-x²/2) times a factor): no 0 / 0 far in the left tail, where ndtr'
    and ndtr underflow, and no cancellation in an exponent (it grows like
    -x there)."""
    return ew.div(_SQRT_2_OVER_PI, erfcx(x * -_SQRT_HALF))


def _erfcx_series(z, e0):
    """The series of erfcx(z(t)) (``e0`` = erfcx(z_0)), by its ODE
    e' = (2 z e - 2 / sqrt(pi)) z'."""
    e, q = [e0], []
    for k in range(1, len(z)):
        q.append(cauchy(z, e, k - 1) * 2.0 - (_TWO_OVER_SQRT_PI if k == 1 else 0.0))
        e.append(ode_step(z, q, k))
    return e


def _log_ndtr_taylor(ans, x):
    """y' = q x' with q = sqrt(2 / pi) / erfcx(z), z = -x / sqrt(2): q's
    series by dividing by erfcx's, one order behind y."""
    order = len(x) - 1
    z = [None if v is None else v * -_SQRT_HALF for v in x[:order]]
    e = _erfcx_series(z, erfcx(z[0]))
    q = series_div([_SQRT_2_OVER_PI] + [None] * (order - 1), e, ew.div(_SQRT_2_OVER_PI, e[0]))
    return [ode_step(x, q, k) for k in range(1, order + 1)]


log_ndtr = defprim("log_ndtr", _unary("log_ndtr"), sparsity=ELEMENTWISE,
                   backward_name="SpecialLogNdtrBackward0", derivative=_log_ndtr_derivative,
                   taylor=univariate(_log_ndtr_taylor))
ndtri = defprim("ndtri", _unary("ndtri"), sparsity=ELEMENTWISE,
                backward_name="SpecialNdtriBackward0",
                derivative=lambda ans: ew.exp(ans * ans * 0.5) * _SQRT_2PI,
                taylor=_by_exp_ode(_SQRT_2PI, lambda x, y, m: _scaled_square(0.5)(y, m)))
gammaln = defprim("gammaln", _unary("gammaln"), sparsity=ELEMENTWISE,
                  backward_name="LgammaBackward0",
                  derivative=lambda x: polygamma(x, n=0),
                  taylor=univariate(lambda ans, x: from_derivatives(
                      x, lambda j: polygamma(x[0], n=j - 1))))
polygamma = defprim("polygamma", _ordered("polygamma", "digamma", None), sparsity=ELEMENTWISE,
                    jvp=lambda t, x, *, n: t * polygamma(x, n=n + 1),
                    vjp=lambda g, x, *, n: g * polygamma(x, n=n + 1),
                    taylor=lambda ans, x, *, n: from_derivatives(
                        x, lambda j: polygamma(x[0], n=n + j)))


def _bessel_i_slope(x, n):
    """I_n' = (I_(n-1) + I_(n+1)) / 2, I_-1 = I_1: for n = 1 this is
    i0 - i1 / x without its 0 / 0 at x = 0 (the limit 1/2 is its value)."""
    return (bessel_i(x, n=abs(n - 1)) + bessel_i(x, n=n + 1)) * 0.5


def _bessel_ie_slope(x, ans, n):
    """(e^(-|x|) I_n)' = (ie_(n-1) + ie_(n+1)) / 2 - sign(x) ie_n, 0 from the
    sign at x = 0 as in PyTorch (i0e' = i1e - sgn(x) i0e)."""
    return (bessel_ie(x, n=abs(n - 1)) + bessel_ie(x, n=n + 1)) * 0.5 - ew.sign(x) * ans


bessel_i = defprim("bessel_i", _ordered("iv", "i0", "i1"), sparsity=ELEMENTWISE,
                   jvp=lambda t, x, *, n: t * _bessel_i_slope(x, n),
                   vjp=lambda g, x, *, n: g * _bessel_i_slope(x, n),
                   taylor=_bessel_i_taylor)
bessel_ie = defprim("bessel_ie", _ordered("ive", "i0e", "i1e"), sparsity=ELEMENTWISE,
                    jvp=lambda t, x, ans, *, n: t * _bessel_ie_slope(x, ans, n),
                    vjp=lambda g, x, ans, *, n: g * _bessel_ie_slope(x, ans, n),
                    taylor=_bessel_ie_taylor)
entr = defprim("entr", _unary("entr"), sparsity=ELEMENTWISE,
               backward_name="SpecialEntrBackward0",
               derivative=lambda x: ew.neg(ew.log(x) + 1.0),  # inf at 0, nan below, as PyTorch
               taylor=_entr_factor())
def _xlog1py_values(x, y):
    """scipy's xlog1py in the dtype PyTorch's promotion gives (a 0-d float64
    operand does not make a float32 result float64)."""
    return _in_dtype_of(scipy_special().xlog1py(x, y), result_type(x, y))


xlog1py = defprim("xlog1py", ew._binary(_xlog1py_values, floats=True), "x y", broadcasts=True, backward_name="SpecialXlog1PyBackward0",
                  derivative=(_xlog1py_dx, lambda x, y: ew.div(x, y + 1.0)),
                  taylor=_xlog1py_taylor)


# -- composites ----------------------------------------------------------------------------

def sinc(x):
    """sin(pi x) / (pi x), 1 at 0. For |x| < 1/2 it is 1 / (Gamma(1 + x)
    Gamma(1 - x)) (the reflection formula), as exp(-gammaln(1 + x) -
    gammaln(1 - x)): the same function without the removable 0 / 0, so its
    derivatives of every order are right at 0 (-pi²/3 the second, where
    PyTorch gives nan). Each branch sees only its own inputs."""
    near = ew.abs(x) < 0.5
    x_near, x_far = ew.where(near, x, 0.0), ew.where(near, 1.0, x)
    by_gamma = ew.exp(ew.neg(gammaln(x_near + 1.0) + gammaln(ew.neg(x_near) + 1.0)))
    pi_x = x_far * math.pi
    return ew.where(near, by_gamma, ew.div(ew.sin(pi_x), pi_x))


def multigammaln(x, *, p):
    """The log of the multivariate gamma function of dimension p:
    p (p - 1) / 4 log(pi) + the sum of gammaln(x - j / 2), j < p."""
    total = gammaln(x)
    for j in range(1, p):
        total = total + gammaln(x - j * 0.5)
    return total + p * (p - 1) * 0.25 * math.log(math.pi)
