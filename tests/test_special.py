"""``dualrev.special`` (``torch.special``'s special functions).

* values against scipy.special, on arrays and on Python floats (the scalar
  path), and against values and first and second derivatives recorded
  from torch.special (``tests/data/special_reference.json``, written by
  ``tests/data/make_special_reference.py``);
* derivatives to order 4 by nested reverse mode, forward mode and Taylor
  mode against mpmath's, at points across each domain;
* the limits at 0 of i1, i1e, sinc and entr; log_ndtr's slope far in the
  left tail; float32 inputs; bad arguments; scipy missing.

The table-wide checks (JVP, VJP, second orders, Taylor, sparsity, vmap)
cover the primitives through ``primitive_samples.py``.
"""

import doctest
import json
import math
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest
import scipy.special as sp

import dualrev as dr
import dualrev.special as S

REFERENCE = json.loads((Path(__file__).resolve().parent / "data" /
                        "special_reference.json").read_text())
CASES = REFERENCE["cases"]

# The functions of one tensor the reference records, by its case names.
UNDER_TEST = {
    "erf": S.erf, "erfc": S.erfc, "erfinv": S.erfinv, "erfcx": S.erfcx, "gammaln": S.gammaln,
    "digamma": S.digamma, "polygamma_1": lambda x: S.polygamma(1, x),
    "polygamma_3": lambda x: S.polygamma(3, x),
    "multigammaln_3": lambda x: S.multigammaln(x, 3), "ndtr": S.ndtr, "log_ndtr": S.log_ndtr,
    "ndtri": S.ndtri, "i0": S.i0, "i0e": S.i0e, "i1": S.i1, "i1e": S.i1e, "expit": S.expit,
    "logit": S.logit, "sinc": S.sinc, "entr": S.entr,
    "xlog1py_y": lambda y: S.xlog1py(1.5, y), "xlog1py_x": lambda x: S.xlog1py(x, 0.5),
}


def value_and_derivatives(fn, x, dtype=np.float64):
    """fn(x) and its first and second derivatives entry by entry, by
    reverse over reverse mode."""
    x = dr.tensor(np.asarray(x, dtype), requires_grad=True)
    y = fn(x)
    (d1,) = dr.autograd.grad(y.sum(), x, create_graph=True)
    if not d1.requires_grad:  # a first derivative that does not depend on x
        return y.detach().numpy(), d1.numpy(), np.zeros(x.shape)
    (d2,) = dr.autograd.grad(d1.sum(), x)
    d2 = d2.detach().numpy()
    return y.detach().numpy(), d1.detach().numpy(), d2


def assert_matches(got, expected, rtol, what):
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(expected, np.float64),
                               rtol=rtol, atol=1e-300, equal_nan=True, err_msg=what)


def test_every_case_of_the_reference_is_tested():
    assert set(CASES) == set(UNDER_TEST)


# -- values ------------------------------------------------------------------------------------

SCIPY = {
    "erf": (S.erf, sp.erf, [-3, -0.5, 0, 0.3, 1, 5]),
    "erfc": (S.erfc, sp.erfc, [-3, 0, 1, 5, 26]),
    "erfinv": (S.erfinv, sp.erfinv, [-1, -0.9, 0, 0.5, 0.999999, 1, 1.5]),
    "erfcx": (S.erfcx, sp.erfcx, [-2, 0, 1, 10, 1e3, 1e10]),
    "gammaln": (S.gammaln, sp.gammaln, [-2.5, -1, 0, 0.1, 1, 7.3, 1e5]),
    "lgamma": (S.lgamma, sp.gammaln, [0.5, 3]),
    "digamma": (S.digamma, sp.digamma, [-2.5, 0.1, 1, 7.3]),
    "psi": (S.psi, sp.psi, [0.5, 3]),
    "polygamma": (lambda x: S.polygamma(2, x), lambda x: sp.polygamma(2, x), [-2.5, 0.1, 7.3]),
    "multigammaln": (lambda x: S.multigammaln(x, 4), lambda x: sp.multigammaln(x, 4),
                     [1.6, 2, 9.5]),
    "ndtr": (S.ndtr, sp.ndtr, [-40, -5, 0, 3]),
    "log_ndtr": (S.log_ndtr, sp.log_ndtr, [-1e3, -40, 0, 10]),
    "ndtri": (S.ndtri, sp.ndtri, [0, 1e-300, 0.5, 1]),
    "i0": (S.i0, sp.i0, [-3, 0, 10, 700]),
    "i0e": (S.i0e, sp.i0e, [-3, 0, 1e4]),
    "i1": (S.i1, sp.i1, [-3, 0, 10]),
    "i1e": (S.i1e, sp.i1e, [-3, 0, 1e4]),
    "expit": (S.expit, sp.expit, [-800, 0, 3]),
    "logit": (S.logit, sp.logit, [0, 0.3, 1]),
    "sinc": (S.sinc, np.sinc, [-2.5, -0.4999, 0, 1e-9, 0.3, 0.5, 1, 3.7]),
    "entr": (S.entr, sp.entr, [-1, 0, 1e-300, 0.5, np.inf]),
}


@pytest.mark.parametrize("name", sorted(SCIPY))
def test_values_match_scipy(name):
    fn, reference, points = SCIPY[name]
    points = np.asarray(points, np.float64)
    expected = reference(points)
    assert_matches(fn(points).numpy(), expected, 1e-14, name)
    for p, e in zip(points, expected):  # the scalar path: Python floats
        got = fn(float(p))
        assert got.dtype == dr.float64 and got.shape == ()
        assert_matches(float(got), e, 1e-14, f"{name}({p})")


def test_xlog1py_values_match_scipy():
    x = np.array([[0.0], [2.0], [-1.5]])
    y = np.array([-2.0, -1.0, 0.0, 0.5, np.inf])
    assert_matches(S.xlog1py(x, y).numpy(), sp.xlog1py(x, y), 1e-15, "xlog1py")
    assert np.isnan(float(S.xlog1py(0.0, np.nan)))


# PyTorch's polygamma(n >= 1) is accurate to about 5e-10 (trigamma(1) =
# pi²/6 = 1.6449340668482264, PyTorch 1.6449340676383375; scipy's is right,
# see the mpmath tests below): looser where it enters
POLYGAMMA_TOLERANCE = {"gammaln": (1e-12, 1e-10, 1e-9), "digamma": (1e-12, 1e-9, 1e-8),
                       "polygamma_1": (1e-9, 1e-8, 1e-8), "polygamma_3": (1e-9, 1e-8, 1e-8),
                       "multigammaln_3": (1e-12, 1e-9, 1e-8)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_derivatives_match_torch(name):
    """The values and first derivatives torch.special gives, and the second
    derivatives where PyTorch's are defined (sinc at 0: see the limits)."""
    case = CASES[name]
    rtol = POLYGAMMA_TOLERANCE.get(name, (1e-10, 1e-10, 1e-9))
    value, d1, d2 = value_and_derivatives(UNDER_TEST[name], case["x"])
    assert_matches(value, case["value"], rtol[0], f"{name} value")
    assert_matches(d1, case["d1"], rtol[1], f"{name} first derivative")
    torch_d2 = np.asarray(case["d2"], np.float64)
    defined = ~np.isnan(torch_d2)
    assert_matches(d2[defined], torch_d2[defined], rtol[2], f"{name} second derivative")


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_values_match_torch(name):
    case = CASES[name]
    out = UNDER_TEST[name](dr.tensor(case["x"], dtype=dr.float32))
    assert out.dtype == dr.float32
    # (absolutely: PyTorch's float32 ndtr(-5) is 2.98e-7, 1 - ndtr(5) rounded; it is 2.87e-7)
    np.testing.assert_allclose(out.numpy(), case["value32"], rtol=2e-6, atol=2e-7,
                               equal_nan=True, err_msg=f"{name} float32")


def test_log_softmax_matches_torch():
    ref = REFERENCE["log_softmax"]
    assert_matches(S.log_softmax(dr.tensor(ref["x"]), 1).numpy(), ref["value"], 1e-15,
                   "log_softmax")


# -- derivatives of higher order against mpmath ------------------------------------------------

def _mp_scaled_bessel(n):
    return lambda x: mpmath.exp(-abs(x)) * mpmath.besseli(n, x)


def _mp_multigammaln(p):
    return lambda x: (p * (p - 1) / mpmath.mpf(4) * mpmath.log(mpmath.pi)
                      + sum(mpmath.loggamma(x - mpmath.mpf(j) / 2) for j in range(p)))


MPMATH = {
    # name: (dualrev function, mpmath function, points)
    "erf": (S.erf, mpmath.erf, [-1.7, 0.2, 1.1]),
    "erfc": (S.erfc, mpmath.erfc, [-1.7, 0.2, 2.6]),
    "erfinv": (S.erfinv, mpmath.erfinv, [-0.95, 0.1, 0.7]),
    "erfcx": (S.erfcx, lambda x: mpmath.exp(x * x) * mpmath.erfc(x), [-1.2, 0.3, 4.0]),
    "gammaln": (S.gammaln, mpmath.loggamma, [0.3, 1.0, 6.5]),
    "digamma": (S.digamma, lambda x: mpmath.psi(0, x), [0.3, 1.0, 6.5]),
    "polygamma_2": (lambda x: S.polygamma(2, x), lambda x: mpmath.psi(2, x), [0.4, 1.5, 6.5]),
    "multigammaln_2": (lambda x: S.multigammaln(x, 2), _mp_multigammaln(2), [0.8, 2.0, 5.5]),
    "ndtr": (S.ndtr, mpmath.ncdf, [-3.0, 0.2, 1.5]),
    "log_ndtr": (S.log_ndtr, lambda x: mpmath.log(mpmath.ncdf(x)), [-6.0, -1.0, 0.2, 3.0]),
    "ndtri": (S.ndtri, lambda p: mpmath.sqrt(2) * mpmath.erfinv(2 * p - 1), [0.02, 0.4, 0.9]),
    "i0": (S.i0, lambda x: mpmath.besseli(0, x), [-2.0, 0.0, 0.3, 4.0]),
    "i1": (S.i1, lambda x: mpmath.besseli(1, x), [-2.0, 0.0, 0.3, 4.0]),
    "i0e": (S.i0e, _mp_scaled_bessel(0), [-2.0, 0.3, 4.0]),
    "i1e": (S.i1e, _mp_scaled_bessel(1), [-2.0, 0.3, 4.0]),
    "expit": (S.expit, lambda x: 1 / (1 + mpmath.exp(-x)), [-2.0, 0.5]),
    "logit": (S.logit, lambda x: mpmath.log(x / (1 - x)), [0.1, 0.6]),
    "sinc": (S.sinc, mpmath.sincpi, [-1.3, -0.2, 0.0, 1e-4, 0.45, 0.55, 2.2]),
    "entr": (S.entr, lambda x: -x * mpmath.log(x), [0.05, 0.7, 3.0]),
    "xlog1py_x": (lambda x: S.xlog1py(x * x, 0.5), lambda x: x * x * mpmath.log1p(0.5),
                  [-0.3, 1.2]),
    "xlog1py_y": (lambda y: S.xlog1py(1.5, y), lambda y: 1.5 * mpmath.log1p(y),
                  [-0.7, 0.0, 2.0]),
}
ORDER = 4


def exact_derivatives(g, point, order):
    with mpmath.workdps(40):
        return [float(c * math.factorial(k))
                for k, c in enumerate(mpmath.taylor(g, mpmath.mpf(point), order))]


def nested_grads(fn, point, order):
    """fn(point), fn'(point), ... by dr.func.grad nested ``order`` times."""
    out, f = [], fn
    for _ in range(order + 1):
        out.append(float(f(point)))
        f = dr.func.grad(f)
    return out


def nested_jvps(fn, point, order):
    """The same by forward mode nested ``order`` times."""
    out, f = [], fn
    for _ in range(order + 1):
        out.append(float(f(point)))
        f = (lambda g: lambda x: dr.func.jvp(g, (x,), (1.0,))[1])(f)
    return out


def tolerance(expected):
    scale = max(abs(v) for v in expected)
    return [dict(rtol=1e-9, atol=1e-11 * max(scale, 1.0)) for _ in expected]


@pytest.mark.parametrize("name", sorted(MPMATH))
def test_derivatives_to_order_4_match_mpmath(name):
    """Reverse over reverse, forward over forward and Taylor mode agree with
    mpmath's derivatives to order 4; Taylor mode on an array of points too."""
    fn, g, points = MPMATH[name]
    for point in points:
        expected = exact_derivatives(g, point, ORDER)
        by_taylor = [float(v) for v in dr.func.taylor(fn, ORDER)(float(point))]
        for how, got in [("reverse", nested_grads(fn, float(point), ORDER)),
                         ("forward", nested_jvps(fn, float(point), ORDER)),
                         ("taylor", by_taylor)]:
            for k, (a, b, tol) in enumerate(zip(got, expected, tolerance(expected))):
                assert a == pytest.approx(b, rel=tol["rtol"], abs=tol["atol"]), \
                    f"{name}: derivative {k} at {point} by {how}: {a} != {b}"
    on_array = dr.func.taylor(fn, ORDER)(np.asarray(points, np.float64))
    for k, v in enumerate(on_array):
        expected = [exact_derivatives(g, p, ORDER)[k] for p in points]
        np.testing.assert_allclose(v.numpy(), expected, rtol=1e-9,
                                   atol=1e-11 * max(1.0, np.max(np.abs(expected))))


def test_taylor_mode_to_order_10():
    """Long series: the recurrences of erfinv, log_ndtr and i1e, and
    gammaln's composition with the polygammas. Rounding errors grow about
    fivefold per order in erfcx's recurrence (log_ndtr's), as in nested
    forward mode: the high orders are compared relative to the largest
    derivative."""
    for fn, g, point in [(S.erfinv, mpmath.erfinv, 0.6),
                         (S.log_ndtr, lambda x: mpmath.log(mpmath.ncdf(x)), -3.0),
                         (S.i1e, _mp_scaled_bessel(1), 1.3),
                         (S.gammaln, mpmath.loggamma, 2.5)]:
        expected = exact_derivatives(g, point, 10)
        got = [float(v) for v in dr.func.taylor(fn, 10)(point)]
        np.testing.assert_allclose(got, expected, rtol=1e-8,
                                   atol=1e-9 * max(abs(v) for v in expected))


# -- limits and edges --------------------------------------------------------------------------

def test_i1_and_i1e_at_zero():
    """i1' = i0 - i1 / x has the limit 1/2 at 0, with no nan at any order:
    i1 = x/2 + x³/16 + ..., and i1e's derivative is 1/2 there too."""
    assert [float(v) for v in dr.func.taylor(S.i1, 4)(0.0)] == pytest.approx([0, 0.5, 0, 0.375, 0])
    assert nested_grads(S.i1, 0.0, 3) == pytest.approx([0, 0.5, 0, 0.375])
    assert nested_grads(S.i1e, 0.0, 2) == pytest.approx([0, 0.5, 0])  # as PyTorch
    assert nested_grads(S.i0e, 0.0, 2) == pytest.approx([1, 0, 0.5])  # as PyTorch


def test_sinc_at_zero():
    """sinc(0) = 1 with derivatives 0, -pi²/3, 0, pi⁴/5 (PyTorch: 1, 0, nan)."""
    expected = [1.0, 0.0, -math.pi ** 2 / 3, 0.0, math.pi ** 4 / 5]
    for got in (nested_grads(S.sinc, 0.0, 4), [float(v) for v in dr.func.taylor(S.sinc, 4)(0.0)]):
        assert got == pytest.approx(expected, abs=1e-12)
    x = dr.tensor([0.0, 0.0], requires_grad=True)
    S.sinc(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_entr_at_and_below_zero():
    """As PyTorch: entr(0) = 0 with derivatives inf, -inf; below 0 the value
    is -inf, the first derivative nan and the second -1/x."""
    value, d1, d2 = value_and_derivatives(S.entr, [0.0, -1.0])
    assert value.tolist() == [0.0, -math.inf]
    assert d1[0] == math.inf and math.isnan(d1[1])
    assert d2.tolist() == [-math.inf, 1.0]


def test_log_ndtr_slope_far_in_the_left_tail():
    """ndtr'/ndtr without 0/0 where both underflow, and without the
    cancellation of exp(-x²/2 - log_ndtr(x)) (whose exponent has no digit
    left at -1e5): the first derivative is -x - 1/x + 2/x³ + O(x⁻⁵), and the second -1 + 1/x² - 6/x⁴ + O(x⁻⁶)."""
    x = np.array([-40.0, -1e3, -1e5, -1e7])
    value, d1, d2 = value_and_derivatives(S.log_ndtr, x)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(d1)) and np.all(np.isfinite(d2))
    np.testing.assert_allclose(d1, -x - 1 / x + 2 / x ** 3, rtol=1e-8)
    # (erfcx's slope 2 z erfcx(z) - 2 / sqrt(pi) cancels to about 1 / z²: at
    # -1e7 the second derivative keeps two digits, 1e-16 z²)
    np.testing.assert_allclose(d2[:3], (-1 + 1 / x ** 2 - 6 / x ** 4)[:3], rtol=1e-5)


def test_xlog1py_derivatives_at_zero_as_torch():
    """d/dx is log1p(y), 0 where x = 0 and y <= -1; d/dy is x / (1 + y)."""
    x = dr.tensor([0.0, 0.0, 0.0, 2.0], requires_grad=True)
    y = dr.tensor([0.0, -1.0, 0.5, -0.5], requires_grad=True)
    S.xlog1py(x, y).sum().backward()
    assert_matches(x.grad.numpy(), [0.0, 0.0, math.log1p(0.5), math.log1p(-0.5)], 1e-15, "dx")
    assert_matches(y.grad.numpy(), [0.0, np.nan, 0.0, 4.0], 1e-15, "dy")


def test_float32_inputs_keep_float32():
    """Values, gradients and Taylor coefficients stay float32, close to float64's."""
    x64 = np.array([0.3, 0.7, 1.9])
    for name in ["erf", "erfinv", "gammaln", "digamma", "i0", "i1e", "log_ndtr", "ndtri",
                 "sinc", "entr", "expit", "logit"]:
        fn = getattr(S, name)
        points = x64 / 2 if name in ("erfinv", "ndtri", "logit") else x64
        x = dr.tensor(points, dtype=dr.float32, requires_grad=True)
        y = fn(x)
        y.sum().backward()
        assert y.dtype == dr.float32 and x.grad.dtype == dr.float32, name
        _, d1, _ = value_and_derivatives(fn, points.astype(np.float32).astype(np.float64))
        np.testing.assert_allclose(x.grad.numpy(), d1, rtol=1e-5, err_msg=name)
        series = dr.func.taylor(fn, 3)(points.astype(np.float32))
        assert all(v.dtype == dr.float32 for v in series), name
    assert S.polygamma(2, dr.tensor([1.5], dtype=dr.float32)).dtype == dr.float32


def test_integer_inputs_give_the_default_float():
    assert S.erf(dr.tensor([0, 1])).dtype == dr.get_default_dtype()
    assert S.gammaln(3).item() == pytest.approx(math.log(2))


def test_grad_fn_names_are_pytorchs():
    x = dr.tensor([0.5], requires_grad=True)
    assert S.erfcx(x).grad_fn.name() == "SpecialErfcxBackward0"
    assert S.gammaln(x).grad_fn.name() == "LgammaBackward0"
    assert S.sinc(x).grad_fn.name() == "SincBackward0"


# -- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, words", [
    (lambda: S.polygamma(-1, 0.5), RuntimeError, "does not support negative n"),
    (lambda: S.polygamma(1.5, 0.5), TypeError, "argument 'n' must be int, not float"),
    (lambda: S.multigammaln(dr.tensor([2.5]), 0), RuntimeError, "greater than or equal to 1"),
    (lambda: S.erf("a"), TypeError, "special_erf(): argument 'input' (position 1) must be "
                                    "Tensor, not str"),
    (lambda: S.xlog1py(dr.ones(2), dr.ones(3)), RuntimeError, "must match the size"),
])
def test_bad_arguments_raise_in_pytorchs_words(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_without_scipy_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    for call in (lambda: S.erf(0.5), lambda: S.polygamma(1, dr.ones(2)),
                 lambda: S.xlog1py(1.0, 2.0), lambda: S.sinc(0.2)):
        with pytest.raises(ImportError, match=r"dr\.special needs scipy.*dualrev\[special\]"):
            call()


def test_the_core_never_imports_scipy():
    code = ("import sys, dualrev, dualrev.special; dualrev.special.expit(0.5); "
            "print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the module --------------------------------------------------------------------------------

def test_names_and_docstrings():
    assert sorted(dir(S)) == sorted(S.__all__)
    for name in S.__all__:
        fn = getattr(S, name)
        assert fn.__doc__ and "Example:" in fn.__doc__ and "Returns:" in fn.__doc__, name
    assert S.psi is S.digamma and S.lgamma is S.gammaln


def test_examples_in_docstrings_run():
    result = doctest.testmod(S, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted >= 20 and result.failed == 0


def test_xlogy_is_torch_special_xlogy():
    x = dr.tensor([0.0, 2.0], requires_grad=True)
    y = dr.tensor([0.0, 3.0], requires_grad=True)
    z = S.xlogy(x, y)
    assert z.grad_fn.name() == "XlogyBackward0"
    z.sum().backward()  # torch 2.13: grads [0, log 3] and [nan, 2/3]
    np.testing.assert_allclose(z.detach().numpy(), [0.0, 2 * np.log(3.0)])
    np.testing.assert_allclose(x.grad.numpy(), [0.0, np.log(3.0)])
    assert np.isnan(y.grad[0].item()) and y.grad[1].item() == pytest.approx(2 / 3)
