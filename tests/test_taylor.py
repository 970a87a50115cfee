"""Tests of Taylor mode: the Taylor box and the primitives' ``taylor`` rules
(``dualrev.core.taylor``), and ``dr.func.jet``, ``taylor`` and
``derivative`` (``dualrev.func.taylor``).

Conventions are JAX's ``jet``: the inputs move along x(t) = x_0 + sum_k x_k
t^k / k!, and y_k is the k-th derivative of f(x(t)) at t = 0. What is
checked:

1. The rule table, primitive by primitive (samples and domains from
   ``primitive_samples.SPECS``, as ``test_primitives.py`` draws them): every
   differentiable primitive has a Taylor rule, and its jet to order 4 along
   random terms equals nested forward mode, the k-th derivative in t at 0
   of t -> f(x(t)) by k nested ``dr.func.jvp`` (each differentiated argument
   alone, all at once, and all at once with some terms zero, which Taylor
   mode skips as None; the composites of ``rules`` too; also on kinks and
   ties for the primitives that have such samples), without falling back to
   nested forward mode. Every coefficient has its primal output's shape and
   dtype (float32 stays float32, and agrees with float64); non-differentiable
   primitives give zero coefficients; coefficients of inputs that require
   grad are on the tape, with the gradients of nested forward mode. A
   primitive without a rule falls back to nested forward mode with a
   RuntimeWarning. Points where rules once broke (1b: zero terms, singular
   and near-singular matrices, factors near zero, zero bases) have a test
   each; the property tests skip only points with infinite derivatives
   (``infinite_derivatives``).
2. Exact values: the unary elementwise functions and constant powers, to
   order 12 at a few points, against mpmath (``mp.taylor`` at 40 digits),
   1e-10 relative; exp(sin x) x / (1 + x^2) at x = 0.7 to order 30 by
   ``taylor`` and ``derivative``, against mpmath, 1e-10 relative.
3. The API: numbers, arrays, Tensors and pytrees in and out, shapes and
   dtypes, order 0, ``derivative(f, 0)``, the lengths ``taylor`` returns,
   and the errors for malformed arguments.
4. Composition: grad, jvp, hessian and ``.backward()`` of a Taylor
   coefficient (a closed-over parameter too), jets of jets (mixed partials),
   jets through custom_jvp, custom_vjp and autograd.Function, and the
   perturbation-confusion examples with jets among the derivative operators.

Examples are fixed (hypothesis is derandomized, no database);
DUALREV_TAYLOR_EXAMPLES=10 runs ten times the examples and
DUALREV_TAYLOR_RANDOM=1 draws new ones.
"""

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dualrev as dr
from dualrev import rules
from dualrev.core.primitive import defprim, primitives, raw_value
from dualrev.core.taylor import LOCALLY_LINEAR, MULTILINEAR

from primitive_samples import COMPOSITES, SPECS, checked_by

func = dr.func
PRIMS = primitives()
OPS = {**PRIMS, **{name: getattr(rules, name) for name in COMPOSITES}}


def differentiable(prim):
    return bool(prim.linear or prim.jvp is not None or prim.joint_jvp is not None)


DIFFERENTIABLE = sorted(n for n, p in PRIMS.items() if differentiable(p))
NON_DIFFERENTIABLE = sorted(n for n, p in PRIMS.items() if not differentiable(p))
# those of them whose samples have floating-point arguments (the others take integers or booleans)
NON_DIFFERENTIABLE_ON_FLOATS = [n for n in NON_DIFFERENTIABLE
                                if not n.startswith(("bitwise_", "logical_"))
                                and n not in ("left_shift", "right_shift", "all", "any")]
WITH_KINKS = sorted(n for n in [*DIFFERENTIABLE, *COMPOSITES] if SPECS[n].kinks is not None)
ORDER = 4  # of the table-wide checks

checked = checked_by("DUALREV_TAYLOR")


# the table-wide checks must exercise the rules, not the fallback
NO_FALLBACK = pytest.mark.filterwarnings("error:.*no Taylor rule:RuntimeWarning")


# -- helpers ---------------------------------------------------------------------------------

def plain(x):
    """The NumPy value under any nesting of Tensors, Duals and Jets."""
    return np.asarray(raw_value(x))


def assert_close(actual, expected, rtol, what):
    """Equal to ``rtol``, relative to 1 + the largest entry of ``expected``
    (inputs are of order 1, so rounding errors are at least rtol in size)."""
    actual, expected = plain(actual), plain(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    wide_a, wide_e = actual.astype(np.float64), expected.astype(np.float64)
    scale = 1.0 + (float(np.max(np.abs(wide_e))) if wide_e.size else 0.0)
    np.testing.assert_allclose(wide_a, wide_e, rtol=rtol, atol=rtol * scale, err_msg=what)


def floats(values):
    return [float(v) for v in values]


def tolerance(dtype):
    return 1e-9 if np.dtype(dtype) == np.float64 else 2e-5


def d_dt(g):
    """t -> g'(t), by forward mode."""
    return lambda t: func.jvp(g, (t,), (1.0,))[1]


def nested_derivatives(g, order):
    """[g(0), g'(0), ..., g^(order)(0)] by nesting ``dr.func.jvp`` over t
    (exact forward mode, at a cost doubling with each order)."""
    found = []
    for _ in range(order + 1):
        found.append(g(0.0))
        g = d_dt(g)
    return found


def random_terms(sample, args, order, which, sparse=False, salt=0):
    """{i: (x_1, ..., x_order)} for the arguments i in ``which``: normal
    entries of scale 0.5 from a generator seeded by the sample, in the
    argument's dtype. ``sparse``: each term is zero with probability 0.4
    (Taylor mode skips zero coefficients, so the rules meet None for them)."""
    rng = np.random.default_rng([sample.seed, salt])
    terms = {}
    for i in which:
        series = []
        for _ in range(order):
            x = 0.5 * rng.standard_normal(np.shape(args[i]))
            if sparse and rng.random() < 0.4:
                x = np.zeros_like(x)
            series.append(x.astype(plain(args[i]).dtype))
        terms[i] = tuple(series)
    return terms


def with_moving(args, moving):
    """``args`` with argument i replaced by moving[i]."""
    args = list(args)
    for i, value in moving.items():
        args[i] = value
    return args


def jet_of(name, sample, args, terms):
    """dr.func.jet of the operation ``name`` in the arguments of ``terms``
    (the others held constant)."""
    which = sorted(terms)

    def f(*moving):
        return OPS[name](*with_moving(args, dict(zip(which, moving))), **sample.params)
    return func.jet(f, tuple(args[i] for i in which), tuple(terms[i] for i in which))


def on_path(name, sample, args, terms):
    """t -> the operation at x(t) = x_0 + sum_k x_k t^k / k!."""
    def g(t):
        moving = {}
        for i, series in terms.items():
            x = args[i]
            for k, x_k in enumerate(series, 1):
                x = x + x_k * (t ** k * (1.0 / math.factorial(k)))
            moving[i] = x
        return OPS[name](*with_moving(args, moving), **sample.params)
    return g


def term_sets(sample, args, order):
    """The terms a sample is checked with: each differentiated argument
    alone, all of them together, and all together with sparse terms."""
    which = [(i,) for i in sample.diff] + ([sample.diff] if len(sample.diff) > 1 else [])
    return [random_terms(sample, args, order, w) for w in which] + [
        random_terms(sample, args, order, sample.diff, sparse=True, salt=1)]


def check_against_nested(name, sample, order=ORDER):
    for terms in term_sets(sample, sample.args, order):
        if infinite_derivatives(name, sample.args, terms):
            continue
        y0, ys = jet_of(name, sample, sample.args, terms)
        expected = nested_derivatives(on_path(name, sample, sample.args, terms), order)
        out, which = plain(expected[0]), sorted(terms)
        assert_close(y0, out, 1e-14, f"primal output, jet in arguments {which}")
        assert len(ys) == order
        for k, (y, want) in enumerate(zip(ys, expected[1:]), 1):
            assert plain(y).shape == out.shape, f"y_{k} has shape {plain(y).shape}, not {out.shape}"
            assert plain(y).dtype == out.dtype, f"y_{k} has dtype {plain(y).dtype}, not {out.dtype}"
            assert_close(y, want, tolerance(out.dtype), f"y_{k}, jet in arguments {which}")


# -- points where derivatives are infinite: the property tests skip them

def moves(terms, i):
    return i in terms and any(np.any(x) for x in terms[i])


def infinite_derivatives(name, args, terms):
    """Why a check of ``name`` at ``args`` along ``terms`` means nothing, or
    None: x ** y at a zero base with an exponent that is not a whole number
    (or that moves) has infinite derivatives there."""
    if name == "pow":
        x, y = plain(args[0]), plain(args[1])
        whole = np.all((y == np.round(y)) & (y >= 0))
        if np.any(x == 0) and (moves(terms, 1) or not whole):
            return "pow: a zero base"
    return None


# -- 1. the rule table --------------------------------------------------------------------------

def test_every_differentiable_primitive_has_a_taylor_rule():
    """A primitive added to the table without a Taylor rule must fail the
    suite (it would fall back to nested forward mode, at a cost doubling
    with each order)."""
    missing = sorted(n for n in DIFFERENTIABLE
                     if not PRIMS[n].linear and PRIMS[n].taylor is None)
    assert not missing, f"differentiable primitives without a Taylor rule: {missing}"


def test_taylor_fields_are_well_formed():
    """A taylor field is None, one of the two markers or a function; a
    non-differentiable primitive has none (its outputs are constants)."""
    for name, prim in PRIMS.items():
        rule = prim.taylor
        assert rule is None or rule in (LOCALLY_LINEAR, MULTILINEAR) or callable(rule), \
            f"{name}: taylor = {rule!r}"
        if not differentiable(prim):
            assert rule is None, f"{name} is not differentiable but has the Taylor rule {rule!r}"


@NO_FALLBACK
@pytest.mark.parametrize("name", DIFFERENTIABLE + sorted(COMPOSITES))
@checked(8)
@given(data=st.data())
def test_jet_matches_nested_forward_mode(name, data):
    """y_1..y_4 of the operation along random terms equal the derivatives in
    t of the operation on the path x(t), by nested forward mode; each
    coefficient has the primal output's shape and dtype."""
    check_against_nested(name, data.draw(SPECS[name].samples, label="sample"))


@NO_FALLBACK
@pytest.mark.parametrize("name", WITH_KINKS)
@checked(8)
@given(data=st.data())
def test_jet_matches_nested_forward_mode_on_kinks(name, data):
    """On kinks and ties (relu at 0, ties of max and sort, zeros in a
    product) Taylor mode must pick the branch nested forward mode picks."""
    check_against_nested(name, data.draw(SPECS[name].kinks, label="sample"))


@NO_FALLBACK
@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(6)
@given(data=st.data())
def test_float32_coefficients(name, data):
    """The differentiated arguments and their terms in float32: every
    coefficient has the dtype of the primal output (float32 unless a float64
    constant promotes it), and agrees with float64 Taylor mode on the same
    (exactly widened) values."""
    sample = data.draw(SPECS[name].samples, label="sample")
    args32 = [np.asarray(a, np.float32) if i in sample.diff else a
              for i, a in enumerate(sample.args)]
    args64 = [np.asarray(a, np.float64) if i in sample.diff else a for i, a in enumerate(args32)]
    terms32 = random_terms(sample, args32, ORDER, sample.diff, sparse=True)
    if infinite_derivatives(name, args32, terms32):
        return
    terms64 = {i: tuple(x.astype(np.float64) for x in xs) for i, xs in terms32.items()}
    y0, ys = jet_of(name, sample, args32, terms32)
    _, ys64 = jet_of(name, sample, args64, terms64)
    dtype = np.asarray(OPS[name](*args32, **sample.params)).dtype
    assert plain(y0).dtype == dtype
    if all(i in sample.diff for i, a in enumerate(sample.args) if np.asarray(a).dtype.kind == "f"):
        assert dtype == np.float32 or name == "astype", f"float32 arguments gave {dtype}"
    for k, (y, y64) in enumerate(zip(ys, ys64), 1):
        assert plain(y).dtype == dtype, f"y_{k} has dtype {plain(y).dtype}, the output {dtype}"
        assert plain(y).shape == plain(y0).shape
        assert_close(y, y64, 1e-3, f"float32 y_{k}")


@pytest.mark.parametrize("name", NON_DIFFERENTIABLE_ON_FLOATS)
@checked(5)
@given(data=st.data())
def test_non_differentiable_primitives_give_zero_coefficients(name, data):
    """Jets through a primitive without derivatives: its value, and zero
    coefficients (of the output's shape and dtype)."""
    sample = data.draw(SPECS[name].samples, label="sample")
    moving = [i for i, a in enumerate(sample.args) if np.asarray(a).dtype.kind == "f"]
    assert moving, "a sample without floating-point arguments"
    terms = random_terms(sample, sample.args, 2, moving)
    y0, ys = jet_of(name, sample, sample.args, terms)
    expected = np.asarray(SPECS[name].reference(*sample.args, **sample.params))
    np.testing.assert_array_equal(plain(y0), expected)
    for y in ys:
        assert plain(y).shape == expected.shape and plain(y).dtype == plain(y0).dtype
        assert not np.any(plain(y))


@NO_FALLBACK
@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(3)
@given(data=st.data())
def test_coefficients_are_on_the_tape(name, data):
    """Primals that require grad: <v, y_2>.backward() gives, in each primal's
    .grad, the gradient of <v, d^2/dt^2 f(x(t))> by reverse over nested
    forward mode (dr.func.grad of the reference)."""
    sample = data.draw(SPECS[name].samples, label="sample")
    terms = random_terms(sample, sample.args, 2, sample.diff)
    if infinite_derivatives(name, sample.args, terms):
        return
    leaves = {i: dr.tensor(sample.args[i], requires_grad=True) for i in sample.diff}
    _, (_, y2) = jet_of(name, sample, with_moving(sample.args, leaves), terms)
    v = np.random.default_rng([sample.seed, 5]).standard_normal(np.shape(plain(y2)))
    if isinstance(y2, dr.Tensor) and y2.requires_grad:
        dr.sum(y2 * v).backward()

    def second(*x0):
        args = with_moving(sample.args, dict(zip(sample.diff, x0)))
        return dr.sum(nested_derivatives(on_path(name, sample, args, terms), 2)[2] * v)

    expected = func.grad(second, argnums=tuple(range(len(sample.diff))))(
        *[sample.args[i] for i in sample.diff])
    for i, want in zip(sample.diff, expected):
        got = leaves[i].grad if leaves[i].grad is not None else np.zeros(np.shape(plain(want)))
        assert_close(got, want, 1e-9, f"gradient of <v, y_2> in argument {i}")


# -- 1b. the fallback, and the points that once broke rules ---------------------------------------------------------

def _softplus_without_rule():
    """A primitive of the user's with JVP and VJP rules but no Taylor rule."""
    return defprim("softplus_without_taylor", lambda x: np.logaddexp(0.0, x),
                   jvp=lambda t, x: t * dr.sigmoid(x), vjp=lambda g, x: g * dr.sigmoid(x),
                   table=False)




def test_fallback_to_nested_forward_mode_warns_and_is_right():
    softplus = _softplus_without_rule()
    assert softplus.taylor is None
    x = np.array([-1.2, 0.3, 2.0])
    with pytest.warns(RuntimeWarning, match="no Taylor rule"):
        y0, ys = func.jet(lambda x: softplus(2.0 * x), (x,), ((np.ones(3),) + (np.zeros(3),) * 3,))
    expected = exact_derivatives(lambda x: mpmath.log1p(mpmath.exp(2 * x)), x, 4)
    for k, y in enumerate([y0] + ys):
        assert_close(y, expected[k], 1e-10, f"derivative {k}")


def test_det_at_a_singular_matrix():
    """det's rule expands a singular point by its columns:
    det(X_0 + t I) = (1 + t)(4 + t) - 4 = 5 t + t^2 for X_0 = [[1, 2], [2, 4]]."""
    x0 = np.array([[1.0, 2.0], [2.0, 4.0]])
    y0, ys = func.jet(PRIMS["det"], (x0,), ((np.eye(2), np.zeros((2, 2)), np.zeros((2, 2))),))
    assert_close(y0, 0.0, 1e-12, "det")
    assert_close(np.stack([plain(y) for y in ys]), [5.0, 2.0, 0.0], 1e-12, "derivatives")


def test_det_near_a_singular_matrix():
    x0 = np.array([[1.0, 2.0], [2.0, 4.0 + 1e-8]])
    _, ys = func.jet(PRIMS["det"], (x0,), ((np.eye(2),) + (np.zeros((2, 2)),) * 3,))
    assert_close(np.stack([plain(y) for y in ys]), [5.0 + 1e-8, 2.0, 0.0, 0.0], 1e-7,
                 "derivatives of a quadratic")


@pytest.mark.parametrize("name", ["prod", "cumprod"])
def test_products_with_a_factor_near_zero(name):
    x0 = np.array([1e-6, 2.0])
    reduce = (lambda x: dr.prod(x)) if name == "prod" else (lambda x: dr.cumprod(x, 0)[1])
    _, ys = func.jet(reduce, (x0,), ((np.ones(2),) + (np.zeros(2),) * 3,))
    assert_close(np.stack([plain(y) for y in ys]), [2.0 + 1e-6, 2.0, 0.0, 0.0], 1e-9,
                 "derivatives of a quadratic")


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_pow_with_a_constant_exponent_at_a_zero_base():
    _, ys = func.jet(lambda x: x ** np.array([1.0, 2.0]), (0.0,), ((1.0, 0.0),))
    assert_close(np.stack([plain(y) for y in ys]), [[1.0, 0.0], [0.0, 2.0]], 1e-15, "x ** [1, 2]")
    _, ys = func.jet(lambda x: x ** 65.0, (0.0,), ((1.0, 0.0),))
    assert floats(ys) == [0.0, 0.0]


def test_pow_with_an_exponent_of_shape_1():
    _, (y1,) = func.jet(lambda x: x ** np.array([2.0]), (1.5,), ((1.0,),))
    assert plain(y1).tolist() == [3.0]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # (log 0, and inf * 0)
def test_pow_at_a_zero_base_with_a_varying_exponent():
    _, ys = func.jet(lambda y: dr.pow(np.array([0.0, 0.5]), y), (2.5,), ((1.0, 0.0),))
    expected = nested_derivatives(lambda t: dr.pow(np.array([0.0, 0.5]), 2.5 + t), 2)[1:]
    assert_close(np.stack([plain(y) for y in ys]), np.stack([plain(e) for e in expected]),
                 1e-12, "derivatives in the exponent")
    assert floats([ys[0][0], ys[1][0]]) == [0.0, 0.0]


@pytest.mark.parametrize("product", [dr.dot, dr.matmul, lambda x, y: dr.einsum("i,i->", x, y)],
                         ids=["dot", "matmul", "einsum"])
def test_multilinear_with_a_zero_first_order_term(product):
    one, zero = np.ones(1), np.zeros(1)
    _, ys = func.jet(product, (one, one), ((zero, one, zero), (one, zero, zero)))
    assert floats(ys) == [1.0, 1.0, 3.0]




@pytest.mark.parametrize("name", ["inv", "det", "slogdet_packed", "solve"])
def test_matrix_inverses_along_a_path_without_first_order_term(name):
    """X(t) = X_0 + t^2/2 I against nested forward mode."""
    x0 = np.array([[2.0, 0.3], [0.3, 1.0]])
    op = (lambda x: PRIMS["solve"](x, np.ones(2))) if name == "solve" else PRIMS[name]
    _, ys = func.jet(op, (x0,), ((np.zeros((2, 2)), np.eye(2), np.zeros((2, 2))),))
    expected = nested_derivatives(lambda t: op(x0 + np.eye(2) * (t * t / 2)), 3)[1:]
    for k, (y, want) in enumerate(zip(ys, expected), 1):
        assert_close(y, want, 1e-12, f"y_{k}")


@pytest.mark.parametrize("name", ["inv", "det", "slogdet_packed"])
def test_matrix_inverses_of_empty_matrices(name):
    x0 = np.zeros((3, 0, 0))
    y0, ys = func.jet(PRIMS[name], (x0,), ((np.zeros((3, 0, 0)),) * 2,))
    for y in ys:
        assert plain(y).shape == plain(y0).shape and not np.any(plain(y))


def test_xlogy_at_zero_zero():
    _, (y1,) = func.jet(lambda x: PRIMS["xlogy"](x, 0.0), (0.0,), ((1.0,),))
    assert float(y1) == float(func.jvp(lambda x: PRIMS["xlogy"](x, 0.0), (0.0,), (1.0,))[1])


# -- 2. exact values ---------------------------------------------------------------------------

mpmath.mp.dps = 40


def exact_derivatives(g, points, order):
    """f(x), f'(x), ..., f^(order)(x) at each point by mpmath (its Taylor
    coefficients times k!): an array of shape (order + 1,) + points' shape."""
    points = np.asarray(points, np.float64)
    columns = [[float(c * math.factorial(k)) for k, c in enumerate(
                    mpmath.taylor(g, mpmath.mpf(float(p)), order))] for p in points.ravel()]
    return np.array(columns).T.reshape((order + 1,) + points.shape)


def _mp_cbrt(x):
    return mpmath.cbrt(x) if x >= 0 else -mpmath.cbrt(-x)


UNARY_EXACT = {
    # name: (mpmath function, points in the domain)
    "exp": (mpmath.exp, [-1.3, 0.2, 1.7]),
    "expm1": (mpmath.expm1, [-1.3, 1e-3, 1.7]),
    "log": (mpmath.log, [0.3, 1.0, 2.5]),
    "log1p": (mpmath.log1p, [-0.6, 0.1, 2.5]),
    "sqrt": (mpmath.sqrt, [0.3, 1.0, 2.5]),
    "sin": (mpmath.sin, [-2.0, 0.3, 1.4]),
    "cos": (mpmath.cos, [-2.0, 0.3, 1.4]),
    "tan": (mpmath.tan, [-1.1, 0.3, 1.2]),
    "tanh": (mpmath.tanh, [-1.5, 0.3, 2.0]),
    "sigmoid": (lambda x: 1 / (1 + mpmath.exp(-x)), [-2.5, 0.3, 1.5]),
    "arcsin": (mpmath.asin, [-0.7, 0.2, 0.6]),
    "arccos": (mpmath.acos, [-0.7, 0.2, 0.6]),
    "arctan": (mpmath.atan, [-2.0, 0.3, 1.1]),
    "arcsinh": (mpmath.asinh, [-2.0, 0.3, 1.1]),
    "arccosh": (mpmath.acosh, [1.2, 1.7, 3.0]),
    "arctanh": (mpmath.atanh, [-0.7, 0.2, 0.6]),
    "sinh": (mpmath.sinh, [-1.5, 0.3, 2.0]),
    "cosh": (mpmath.cosh, [-1.5, 0.3, 2.0]),
    "exp2": (lambda x: mpmath.mpf(2) ** x, [-1.5, 0.3, 2.0]),
    "cbrt": (_mp_cbrt, [-2.0, 0.4, 1.5]),
}
POWERS = {2.0: [-1.5, 0.4, 2.0], 3.0: [-1.5, 0.4, 2.0], 0.5: [0.3, 1.0, 2.5],
          -1.5: [0.3, 1.0, 2.5]}
EXACT_ORDER = 12


def check_exact(f, g, points, what):
    """taylor(f, 12) on an array of points and on each point as a Python float
    (the scalar path) against mpmath, 1e-10 relative to the value (the
    largest derivative of the order at that point where the exact one is
    zero)."""
    expected = exact_derivatives(g, points, EXACT_ORDER)
    on_array = np.stack([plain(v) for v in func.taylor(f, EXACT_ORDER)(np.array(points))])
    on_floats = np.stack([[plain(v) for v in func.taylor(f, EXACT_ORDER)(float(p))]
                          for p in points], axis=-1)
    for got in (on_array, on_floats):
        assert got.shape == expected.shape
        for k in range(EXACT_ORDER + 1):
            np.testing.assert_allclose(got[k], expected[k], rtol=1e-10,
                                       atol=1e-13 * np.max(np.abs(expected[k])),
                                       err_msg=f"{what}: derivative {k} at {points}")


@pytest.mark.parametrize("name", sorted(UNARY_EXACT))
def test_unary_derivatives_to_order_12_match_mpmath(name):
    g, points = UNARY_EXACT[name]
    check_exact(PRIMS[name], g, points, name)


@pytest.mark.parametrize("exponent", sorted(POWERS))
def test_constant_powers_to_order_12_match_mpmath(exponent):
    check_exact(lambda x: x ** exponent, lambda x: x ** mpmath.mpf(exponent), POWERS[exponent],
                f"x ** {exponent}")


def composed(x):
    return dr.exp(dr.sin(x)) * x / (1 + x * x)


def composed_mp(x):
    return mpmath.exp(mpmath.sin(x)) * x / (1 + x * x)


def test_composed_function_to_order_30_matches_mpmath():
    """exp(sin x) x / (1 + x^2) at x = 0.7: every derivative to order 30, by
    taylor(f, 30) in one pass and by derivative(f, k) for each k, within
    1e-10 of mpmath's."""
    with mpmath.workdps(50):
        expected = exact_derivatives(composed_mp, 0.7, 30)
    all_at_once = func.taylor(composed, 30)(0.7)
    assert len(all_at_once) == 31
    for k in range(31):
        for got in (all_at_once[k], func.derivative(composed, k)(0.7)):
            assert isinstance(got, dr.Tensor)
            assert abs(float(got) - expected[k]) <= 1e-10 * abs(expected[k]), \
                f"derivative {k}: {float(got)!r}, mpmath {expected[k]!r}"


def test_high_orders_up_to_the_limit():
    """exp's derivatives at 0 are all 1, to order 170 (MAX_ORDER: 171!
    overflows float64)."""
    values = np.array([float(v) for v in func.taylor(dr.exp, 170)(0.0)])
    np.testing.assert_allclose(values, 1.0, rtol=1e-12)
    assert float(func.derivative(dr.sin, 170)(0.5)) == pytest.approx(-math.sin(0.5), rel=1e-12)


# -- 3. the API ---------------------------------------------------------------------------------

def test_jet_of_sin_at_zero():
    y0, ys = func.jet(dr.sin, (0.0,), ((1.0, 0.0, 0.0),))
    assert isinstance(y0, dr.Tensor) and all(isinstance(y, dr.Tensor) for y in ys)
    assert float(y0) == 0.0 and floats(ys) == [1.0, 0.0, -1.0]


def test_jet_follows_jax_conventions():
    """Terms are derivatives of the path, not normalized coefficients: along
    x(t) = t^2 / 2 (x_2 = 1), exp(x(t)) = 1 + t^2 / 2 + t^4 / 8 + ..., whose
    derivatives at 0 are 0, 1, 0, 3."""
    _, ys = func.jet(dr.exp, (0.0,), ((0.0, 1.0, 0.0, 0.0),))
    assert floats(ys) == pytest.approx([0.0, 1.0, 0.0, 3.0], abs=1e-15)
    # y = x^3 along x(t) = 2 + 3t: y_k = d^k/dt^k (2 + 3t)^3
    _, ys = func.jet(lambda x: x ** 3, (2.0,), ((3.0, 0.0, 0.0, 0.0),))
    assert floats(ys) == pytest.approx([3 * 4 * 3, 6 * 2 * 9, 6 * 27, 0.0], abs=1e-12)


@pytest.mark.parametrize("kind", ["float", "0-d array", "array", "float32", "tensor",
                                  "tensor requiring grad"])
def test_inputs_of_every_kind(kind):
    """Numbers, arrays and Tensors (with or without grad) as primal and
    terms: coefficients are Tensors of the primal's shape and dtype, with the
    values of sin's derivatives."""
    x = np.array([0.3, -1.1, 2.0])
    make = {"float": lambda v: float(v[0]), "0-d array": lambda v: np.array(v[0]),
            "array": lambda v: np.array(v), "float32": lambda v: np.array(v, np.float32),
            "tensor": lambda v: dr.tensor(v),
            "tensor requiring grad": lambda v: dr.tensor(v, requires_grad=True)}[kind]
    u = np.array([1.0, 0.5, -2.0])
    primal, terms = make(x), (make(u), make(np.zeros(3)), make(np.zeros(3)))
    y0, ys = func.jet(dr.sin, (primal,), (terms,))
    n = 1 if kind in ("float", "0-d array") else 3
    dtype = dr.float32 if kind == "float32" else dr.float64
    x, u = x[:n], u[:n]
    expected = [np.sin(x), np.cos(x) * u, -np.sin(x) * u ** 2, -np.cos(x) * u ** 3]
    for k, (y, want) in enumerate(zip([y0] + ys, expected)):
        assert isinstance(y, dr.Tensor)
        assert y.shape == (() if n == 1 else (3,)) and y.dtype == dtype, f"y_{k}: {y!r}"
        assert_close(y, want.reshape(y.shape), tolerance(plain(y).dtype), f"y_{k}")


def test_pytrees_in_and_out():
    """A dict and a tuple as primals, terms of the same structures; the
    outputs keep f's structure in the value and in every coefficient."""
    def f(d, pair):
        a, b = pair
        return {"product": d["x"] * a, "rest": (dr.sin(d["y"]) + b, d["x"])}

    primals = ({"x": 2.0, "y": np.array([0.1, 0.2])}, (3.0, np.array([1.0, -1.0])))
    first = ({"x": 1.0, "y": np.array([1.0, 2.0])}, (0.5, np.array([0.0, 1.0])))
    second = ({"x": 0.0, "y": np.zeros(2)}, (1.0, np.zeros(2)))
    y0, (y1, y2) = func.jet(f, primals, ((first[0], second[0]), (first[1], second[1])))
    for y in (y0, y1, y2):
        assert isinstance(y, dict) and sorted(y) == ["product", "rest"]
        assert isinstance(y["rest"], tuple) and len(y["rest"]) == 2
        assert y["rest"][0].shape == (2,) and y["product"].shape == ()
    assert float(y0["product"]) == 6.0
    assert float(y1["product"]) == 1.0 * 3.0 + 2.0 * 0.5
    assert float(y2["product"]) == 2.0 * (1.0 * 0.5) + 2.0 * 1.0
    y = np.array([0.1, 0.2])
    assert_close(y1["rest"][0], np.cos(y) * [1.0, 2.0] + [0.0, 1.0], 1e-15, "rest y_1")
    assert_close(y2["rest"][0], -np.sin(y) * [1.0, 4.0], 1e-15, "rest y_2")
    assert floats([y1["rest"][1], y2["rest"][1]]) == [1.0, 0.0]


def test_outputs_that_do_not_depend_on_the_inputs():
    """A constant output, an integer one and an input returned as it is:
    coefficients are zeros of the output's shape and dtype, or the terms."""
    x = np.array([0.5, 2.0])
    terms = (np.ones(2), np.full(2, 3.0))
    y0, ys = func.jet(lambda x: (dr.tensor(np.float32(2.0)), dr.argmax(x), x), (x,), (terms,))
    for const, index, same in ys:
        assert const.dtype == dr.float32 and float(const) == 0.0
        assert index.dtype == dr.int64 and int(index) == 0
    assert_close(ys[0][2], terms[0], 0.0, "x_1")
    assert_close(ys[1][2], terms[1], 0.0, "x_2")
    assert int(y0[1]) == 1


def test_order_zero():
    """No terms: the value and an empty list."""
    y0, ys = func.jet(dr.sin, (0.5,), ((),))
    assert ys == [] and float(y0) == math.sin(0.5)
    y0, ys = func.jet(dr.mul, (2.0, np.array([1.0, 3.0])), ((), ()))
    assert ys == [] and floats(y0) == [2.0, 6.0]
    assert floats(func.taylor(dr.sin, 0)(0.5)) == [math.sin(0.5)]


def test_derivative_and_taylor():
    """derivative(f, 0) is f; derivative(f, k) and taylor(f, k) agree;
    taylor returns k + 1 values; both are elementwise on arrays."""
    x = np.array([-0.4, 0.9])
    assert_close(func.derivative(dr.tanh, 0)(x), np.tanh(x), 0.0, "derivative 0")
    assert func.derivative(dr.tanh).__name__ == dr.tanh.__name__
    for k in range(6):
        all_of_them = func.taylor(dr.tanh, k)(x)
        assert isinstance(all_of_them, tuple) and len(all_of_them) == k + 1
        for j, value in enumerate(all_of_them):
            assert value.shape == (2,)
            assert_close(value, func.derivative(dr.tanh, j)(x), 1e-14, f"order {j} of {k}")
    expected = exact_derivatives(mpmath.tanh, x, 5)
    assert_close(func.taylor(dr.tanh, 5)(x)[5], expected[5], 1e-10, "tanh''''' ")
    assert float(func.derivative(dr.exp, 5)(0.0)) == 1.0


@pytest.mark.parametrize("call, error, words", [
    (lambda: func.jet(dr.sin, 0.0, ((1.0,),)), TypeError, "tuples"),
    (lambda: func.jet(dr.sin, (0.0,), 1.0), TypeError, "tuples"),
    (lambda: func.jet(dr.sin, (0.0,), (1.0,)), TypeError, "sequence of terms"),
    (lambda: func.jet(dr.mul, (0.0, 1.0), ((1.0,),)), ValueError, "2 primals"),
    (lambda: func.jet(dr.mul, (0.0, 1.0), ((1.0,), (1.0, 2.0))), ValueError, "same number"),
    (lambda: func.jet(lambda d: d["a"], ({"a": 1.0},), (({"b": 1.0},),)), ValueError,
     "structure"),
    (lambda: func.jet(lambda p: p[0], ((1.0, 2.0),), (((1.0, 2.0, 3.0),),)), ValueError,
     "structure"),
    (lambda: func.jet(dr.sin, (np.zeros(3),), ((np.ones(2),),)), ValueError, "shape"),
    (lambda: func.derivative(dr.sin, 1.5), TypeError, "order"),
    (lambda: func.derivative(dr.sin, True), TypeError, "order"),
    (lambda: func.derivative(dr.sin, -1), ValueError, "order"),
    (lambda: func.taylor(dr.sin, 171), ValueError, "170"),
], ids=["primals not a tuple", "series not a tuple", "terms not a sequence", "counts",
        "term counts", "dict keys", "tuple lengths", "term shape", "float order",
        "bool order", "negative order", "order too high"])
def test_malformed_arguments_raise(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_a_zero_term_of_the_wrong_shape_raises():
    """Zero terms are skipped as None, but only after their shape is checked."""
    with pytest.raises(ValueError, match="shape"):
        func.jet(dr.sin, (np.zeros(3),), ((np.zeros(2),),))
    with pytest.raises(ValueError, match="shape"):
        func.jet(dr.sin, (np.zeros(3),), ((np.ones(3), np.zeros((2, 3))),))


def test_none_terms_are_zero_terms():
    """None for a whole term stands for zeros of the primal's structure."""
    primal = {"a": np.array([0.3, 1.0]), "b": 0.5}
    with_none = func.jet(lambda d: dr.sin(d["a"]) * d["b"], (primal,),
                         ((None, {"a": np.ones(2), "b": 1.0}, None),))
    with_zeros = func.jet(lambda d: dr.sin(d["a"]) * d["b"], (primal,),
                          (({"a": np.zeros(2), "b": 0.0}, {"a": np.ones(2), "b": 1.0},
                            {"a": np.zeros(2), "b": 0.0}),))
    for got, want in zip([with_none[0]] + with_none[1], [with_zeros[0]] + with_zeros[1]):
        assert_close(got, want, 0.0, "None term")
    assert not np.any(plain(with_none[1][0]))


@pytest.mark.parametrize("primal", [1, np.arange(3), True, dr.tensor([1, 2])],
                         ids=["int", "int array", "bool", "int tensor"])
def test_integer_inputs_raise(primal):
    with pytest.raises(TypeError, match="floating-point"):
        func.jet(dr.sin, (primal,), ((np.ones(np.shape(plain(primal))),),))
    with pytest.raises(TypeError, match="floating-point"):
        func.derivative(dr.sin, 2)(primal)


def test_numpy_inside_jet_raises():
    """NumPy would drop the series: converting a Jet to an array raises."""
    with pytest.raises(RuntimeError, match="Taylor series"):
        func.jet(lambda x: np.asarray(x), (1.0,), ((1.0,),))


def test_the_jet_inside_has_shape_and_dtype():
    seen = {}

    def f(x):
        seen["shape"], seen["dtype"] = x.shape, x.dtype
        return x

    func.jet(f, (np.zeros((2, 3), np.float32),), ((np.ones((2, 3), np.float32),),))
    assert seen == {"shape": (2, 3), "dtype": dr.float32}


# -- 4. composition -----------------------------------------------------------------------------

X = 0.7


def fourth_derivative(x):
    return exact_derivatives(composed_mp, x, 4)[4]


def third_coefficient(x):
    """The third derivative of ``composed`` at x, by jet."""
    return func.jet(composed, (x,), ((1.0, 0.0, 0.0),))[1][2]


def test_grad_of_a_taylor_coefficient():
    got = func.grad(third_coefficient)(X)
    assert float(got) == pytest.approx(float(fourth_derivative(X)), rel=1e-10)


def test_jvp_of_a_taylor_coefficient():
    value, tangent = func.jvp(third_coefficient, (X,), (1.0,))
    expected = exact_derivatives(composed_mp, X, 4)
    assert float(value) == pytest.approx(expected[3], rel=1e-10)
    assert float(tangent) == pytest.approx(expected[4], rel=1e-10)


def test_hessian_of_a_taylor_coefficient():
    """hessian of x -> sum_i f''(x_i) is diag(f''''(x_i))."""
    x = np.array([0.7, -0.3, 1.6])

    def second_derivatives(x):
        return dr.sum(func.jet(composed, (x,), ((np.ones(3), np.zeros(3)),))[1][1])

    assert_close(func.hessian(second_derivatives)(x), np.diag(fourth_derivative(x)), 1e-10,
                 "hessian")


def test_backward_through_a_coefficient():
    """A primal that requires grad: the coefficients are on the tape, and
    .backward() through the third gives the fourth derivative."""
    x = dr.tensor(X, requires_grad=True)
    y0, ys = func.jet(composed, (x,), ((1.0, 0.0, 0.0),))
    assert all(isinstance(y, dr.Tensor) and y.requires_grad for y in [y0] + ys)
    assert ys[2].grad_fn is not None
    ys[2].backward()
    assert float(x.grad) == pytest.approx(float(fourth_derivative(X)), rel=1e-10)


def test_backward_to_the_terms():
    """Terms that require grad: y_2 = -sin(x) x_1^2 + cos(x) x_2 for sin,
    so d y_2 / d x_1 = -2 sin(x) x_1 and d y_2 / d x_2 = cos(x)."""
    x1 = dr.tensor([0.8, -0.5], requires_grad=True)
    x2 = dr.tensor([0.3, 2.0], requires_grad=True)
    x = np.array([0.3, 1.2])
    _, (_, y2) = func.jet(dr.sin, (x,), ((x1, x2),))
    dr.sum(y2).backward()
    assert_close(x1.grad, -2 * np.sin(x) * [0.8, -0.5], 1e-14, "d y_2 / d x_1")
    assert_close(x2.grad, np.cos(x), 1e-14, "d y_2 / d x_2")


def test_backward_to_a_closed_over_parameter():
    """f(x) = sin(w x) along x(t) = x + t: y_3 = -w^3 cos(w x), whose
    derivative in w is -3 w^2 cos(w x) + w^3 x sin(w x)."""
    w = dr.tensor(1.3, requires_grad=True)
    _, ys = func.jet(lambda x: dr.sin(w * x), (0.4,), ((1.0, 0.0, 0.0),))
    wv, xv = 1.3, 0.4
    assert float(ys[2]) == pytest.approx(-wv ** 3 * math.cos(wv * xv), rel=1e-14)
    ys[2].backward()
    expected = -3 * wv ** 2 * math.cos(wv * xv) + wv ** 3 * xv * math.sin(wv * xv)
    assert float(w.grad) == pytest.approx(expected, rel=1e-14)


def test_grad_of_a_coefficient_with_a_closed_over_parameter():
    """dr.func.grad inside, a parameter that requires grad outside: d/dw of
    d/dx of the third derivative of sin(w x)."""
    w = dr.tensor(1.3, requires_grad=True)
    g = func.grad(lambda x: func.jet(lambda x: dr.sin(w * x), (x,), ((1.0, 0.0, 0.0),))[1][2])
    value = g(0.4)  # d/dx (-w^3 cos(w x)) = w^4 sin(w x)
    assert float(value) == pytest.approx(1.3 ** 4 * math.sin(0.52), rel=1e-14)
    value.backward()  # d/dw (w^4 sin(w x)) = 4 w^3 sin(w x) + w^4 x cos(w x)
    expected = 4 * 1.3 ** 3 * math.sin(0.52) + 1.3 ** 4 * 0.4 * math.cos(0.52)
    assert float(w.grad) == pytest.approx(expected, rel=1e-14)


def mixed(x, y):
    return dr.exp(x * y) * dr.sin(x + y * y)


def mixed_mp(x, y):
    return mpmath.exp(x * y) * mpmath.sin(x + y * y)


def test_jet_of_jet_gives_mixed_partials():
    """The inner jet in y (order 3) inside an outer jet in x (order 2):
    d^(i+3) f / dx^i dy^3 for i = 0, 1, 2, against nested forward mode and
    mpmath."""
    x0, y0 = 0.4, -0.6

    def third_in_y(x):
        return func.jet(lambda y: mixed(x, y), (y0,), ((1.0, 0.0, 0.0),))[1][2]

    value, (d_x, d_xx) = func.jet(third_in_y, (x0,), ((1.0, 0.0),))
    def nested_third_in_y(x):
        return nested_derivatives(lambda t: mixed(x, y0 + t), 3)[3]

    nested = nested_derivatives(lambda t: nested_third_in_y(x0 + t), 2)
    for i, got in enumerate([value, d_x, d_xx]):
        exact = mpmath.diff(mixed_mp, (x0, y0), (i, 3))
        assert float(got) == pytest.approx(float(nested[i]), rel=1e-12), f"order {i} in x"
        assert float(got) == pytest.approx(float(exact), rel=1e-10), f"order {i} in x"


def test_jet_of_jet_on_the_same_variable():
    """A jet of a function that takes a jet of f at its argument: the outer
    jet's k-th coefficient of f^(3) is f^(3+k)."""
    def third(x):
        return func.jet(composed, (x,), ((1.0, 0.0, 0.0),))[1][2]

    value, ys = func.jet(third, (X,), ((1.0, 0.0, 0.0),))
    expected = exact_derivatives(composed_mp, X, 6)
    for k, got in enumerate([value] + ys):
        assert float(got) == pytest.approx(expected[3 + k], rel=1e-10), f"order {3 + k}"


# e^x sin x: its n-th derivative is 2^(n/2) e^x sin(x + n pi / 4)
def damped(n, x):
    return 2 ** (n / 2) * math.exp(x) * math.sin(x + n * math.pi / 4)


@dr.custom_jvp
def damped_jvp(x):
    return dr.exp(x) * dr.sin(x)


@damped_jvp.defjvp
def _damped_jvp_rule(primals, tangents):
    (x,), (t,) = primals, tangents
    y = damped_jvp(x)  # the rule calls the function: nested through the rule again
    return y, (y + dr.exp(x) * dr.cos(x)) * t


@dr.custom_vjp
def damped_vjp(x):
    return dr.exp(x) * dr.sin(x)


damped_vjp.defvjp(lambda x: (damped_vjp(x), x),
                  lambda x, g: (dr.exp(x) * (dr.sin(x) + dr.cos(x)) * g,))


class Damped(dr.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return dr.exp(x) * dr.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return dr.exp(x) * (dr.sin(x) + dr.cos(x)) * g


CUSTOM = {"custom_jvp": damped_jvp, "custom_vjp": damped_vjp, "Function": Damped.apply}


@pytest.mark.parametrize("kind", sorted(CUSTOM))
@pytest.mark.parametrize("on", ["float", "array", "tensor requiring grad"])
def test_custom_functions_to_order_5(kind, on):
    """Jets through custom_jvp (its rule, nested), custom_vjp and
    autograd.Function (their forward code), on a float, an array and a
    tensor that requires grad, to order 5."""
    x = np.array([0.4, -1.3])
    primal = {"float": 0.4, "array": x,
              "tensor requiring grad": dr.tensor(x, requires_grad=True)}[on]
    points = np.atleast_1d(plain(primal))
    ones = np.ones_like(plain(primal))
    y0, ys = func.jet(CUSTOM[kind], (primal,), ((ones,) + (0.0 * ones,) * 4,))
    for n, got in enumerate([y0] + ys):
        expected = [damped(n, p) for p in points]
        assert_close(np.atleast_1d(plain(got)), expected, 1e-13, f"derivative {n}")
    if on == "tensor requiring grad":
        dr.sum(ys[4]).backward()  # d/dx of the fifth derivative: the sixth
        assert_close(primal.grad, [damped(6, p) for p in points], 1e-12, "sixth derivative")


@pytest.mark.parametrize("kind", sorted(CUSTOM))
def test_derivative_of_custom_functions(kind):
    for n in range(6):
        got = func.derivative(CUSTOM[kind], n)(0.4)
        assert float(got) == pytest.approx(damped(n, 0.4), rel=1e-13, abs=1e-13), f"order {n}"


# perturbation confusion (Siskind & Pearlmutter 2005; see test_func.py): jets as
# the outer and the inner derivative operator, with every other one

def _d_jet(f):
    return lambda x: func.jet(f, (x,), ((1.0,),))[1][0]


def _d_jet_high(f):
    """The first derivative from a jet of order 3 (the higher terms zero)."""
    return lambda x: func.jet(f, (x,), ((1.0, 0.0, 0.0),))[1][0]


def _d_taylor(f):
    return lambda x: func.taylor(f, 2)(x)[1]


def _d_jvp(f):
    return lambda x: func.jvp(f, (x,), (1.0,))[1]


DERIVATIVES = {"jet": _d_jet, "jet3": _d_jet_high, "taylor": _d_taylor,
               "derivative": func.derivative, "jvp": _d_jvp, "grad": func.grad,
               "jacrev": func.jacrev}
TAYLOR_KINDS = ("jet", "jet3", "taylor", "derivative")
PAIRS = [(o, i) for o in DERIVATIVES for i in DERIVATIVES if o in TAYLOR_KINDS or i in TAYLOR_KINDS]


@pytest.mark.parametrize("outer,inner", PAIRS)
def test_perturbation_confusion(outer, inner):
    Do, Di = DERIVATIVES[outer], DERIVATIVES[inner]
    # d/dx [x * d/dy (x + y) at y = 1] at x = 1: the inner derivative is 1, the whole 1
    assert float(Do(lambda x: x * Di(lambda y: x + y)(1.0))(1.0)) == 1.0
    # inner d/dy (x y) = x, so d/dx x^2 = 2x = 6 at 3
    assert float(Do(lambda x: x * Di(lambda y: x * y)(2.0))(3.0)) == 6.0
    # the inner point is the outer variable: d/dx [d/dy (x y) at y = x] = 1
    assert float(Do(lambda x: Di(lambda y: x * y)(x))(3.0)) == 1.0
    # d/dx [x cos(2x)] = cos(2x) - 2x sin(2x)
    assert float(Do(lambda x: Di(lambda y: dr.sin(x * y))(2.0))(3.0)) == pytest.approx(
        math.cos(6.0) - 6.0 * math.sin(6.0), rel=1e-14)
    # d/dx [2 x y at y = x^2] = 6 x^2 = 13.5 at 1.5
    assert float(Do(lambda x: Di(lambda y: x * y * y)(x * x))(1.5)) == 13.5


SECOND = {"jet": lambda f: lambda x: func.jet(f, (x,), ((1.0, 0.0),))[1][1],
          "derivative": lambda f: func.derivative(f, 2),
          "grad": lambda f: func.grad(func.grad(f)),
          "hessian": func.hessian}


@pytest.mark.parametrize("outer,inner", [(o, i) for o in SECOND for i in SECOND
                                         if "jet" in (o, i) or "derivative" in (o, i)])
def test_perturbation_confusion_second_order(outer, inner):
    """d^2/dx^2 [x * d^2/dy^2 (x y^3) at y = 1] = d^2/dx^2 (6 x^2) = 12; a
    jet that sees the outer perturbation in the inner one gets it wrong."""
    Do, Di = SECOND[outer], SECOND[inner]
    assert float(Do(lambda x: x * Di(lambda y: x * y ** 3)(1.0))(2.0)) == 12.0


@pytest.mark.parametrize("kinds", [(a, b, c) for a in ("jet", "jvp", "grad")
                                   for b in ("jet", "derivative") for c in ("jet", "grad")])
def test_perturbation_confusion_three_levels(kinds):
    """D_x(x * D_y(y * D_z(x y z)(1))(1))(2) = 8 (see test_func.py)."""
    Da, Db, Dc = (DERIVATIVES[k] for k in kinds)
    value = Da(lambda x: x * Db(lambda y: y * Dc(lambda z: x * y * z)(1.0))(1.0))(2.0)
    assert float(value) == 8.0


def test_hand_built_dual_around_a_jet():
    """A Dual built by hand outside a jet: the jet's perturbation and the
    Dual's stay apart. d/dy (x y) = x, a Dual of tangent 1; and d/dx of
    x * d/dy (x + y) is 1."""
    x = dr.Dual(1.5, 1.0)
    _, (out,) = func.jet(lambda y: x * y, (2.0,), ((1.0,),))
    assert isinstance(out, dr.Dual)
    assert float(out.primal) == 1.5 and float(out.tangent) == 1.0
    out = x * func.jet(lambda y: x + y, (1.0,), ((1.0,),))[1][0]
    assert float(out.primal) == 1.5 and float(out.tangent) == 1.0
