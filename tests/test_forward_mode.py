"""Forward mode: ``dr.Dual(primal, tangent)``.

The derivatives are checked against closed forms and central differences;
the same numbers come out of PyTorch 2.13's ``torch.func.jvp`` (checked by
hand, torch is not needed to run these tests).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dualrev as dr
from dualrev import Dual

FAST = settings(max_examples=25, deadline=None)


def val(v):
    """Plain values of a number, ndarray or Tensor (not of a Dual)."""
    assert not isinstance(v, Dual), f"expected a plain value, got {v!r}"
    if isinstance(v, dr.Tensor):
        return np.asarray(v.detach())
    return np.asarray(v, dtype=float)


def D(f):
    """The derivative operator: build a fresh Dual, take the tangent of its
    own level (0 when the result does not depend on it)."""
    def df(x):
        d = Dual(x, 1.0)
        out = f(d)
        if isinstance(out, Dual) and out._level == d._level:
            return out.tangent
        return 0.0
    return df


# ------------------------------------------------------------ basic Duals ---

def test_dual_attributes():
    d = Dual(2.0, 1.0)
    assert float(d.primal) == 2.0 and float(d.tangent) == 1.0
    y = d ** 3
    assert isinstance(y, Dual)
    assert float(y.primal) == 8.0 and float(y.tangent) == 12.0


def test_dual_of_arrays_keeps_shapes():
    x = np.array([1.0, 2.0, 3.0])
    v = np.array([1.0, 0.0, -1.0])
    y = Dual(x, v) * 2
    assert y.shape == (3,)
    np.testing.assert_allclose(val(y.primal), 2 * x)
    np.testing.assert_allclose(val(y.tangent), 2 * v)


def test_dual_scalar_tangent_is_broadcast():
    y = Dual(np.array([1.0, 2.0]), 1.0)
    assert val(y.tangent).shape == (2,)
    np.testing.assert_allclose(val((y * y).tangent), [2.0, 4.0])


def test_constants_have_no_tangent():
    d = Dual(1.5, 1.0)
    assert isinstance(d * 0 + 2, Dual)
    np.testing.assert_allclose(val((d * 0 + 2).tangent), 0.0)


X = np.array([0.3, 0.8, 1.4])
V = np.array([1.0, -0.5, 2.0])

# (name, f on a Dual, derivative of the elementwise function)
ELEMENTWISE = [
    ("add", lambda d: d + 2.0, lambda x: np.ones_like(x)),
    ("radd", lambda d: 2.0 + d, lambda x: np.ones_like(x)),
    ("sub", lambda d: d - 3.0, lambda x: np.ones_like(x)),
    ("rsub", lambda d: 3.0 - d, lambda x: -np.ones_like(x)),
    ("mul", lambda d: d * 1.5, lambda x: 1.5 * np.ones_like(x)),
    ("rmul", lambda d: 1.5 * d, lambda x: 1.5 * np.ones_like(x)),
    ("self_mul", lambda d: d * d, lambda x: 2 * x),
    ("div", lambda d: d / 2.0, lambda x: 0.5 * np.ones_like(x)),
    ("rdiv", lambda d: 2.0 / d, lambda x: -2.0 / x ** 2),
    ("self_div", lambda d: (d + 1) / d, lambda x: -1 / x ** 2),
    ("pow", lambda d: d ** 3, lambda x: 3 * x ** 2),
    ("rpow", lambda d: 2.0 ** d, lambda x: math.log(2.0) * 2.0 ** x),
    ("self_pow", lambda d: d ** d, lambda x: x ** x * (np.log(x) + 1)),
    ("neg", lambda d: -d, lambda x: -np.ones_like(x)),
    ("abs", lambda d: abs(d - 1.0), lambda x: np.sign(x - 1.0)),
    ("exp", dr.exp, np.exp),
    ("log", dr.log, lambda x: 1 / x),
    ("sin", dr.sin, np.cos),
    ("cos", dr.cos, lambda x: -np.sin(x)),
    ("tan", dr.tan, lambda x: 1 / np.cos(x) ** 2),
    ("tanh", dr.tanh, lambda x: 1 - np.tanh(x) ** 2),
    ("sigmoid", dr.sigmoid, lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    ("relu", lambda d: dr.relu(d - 1.0), lambda x: (x > 1.0).astype(float)),
    ("softplus", dr.softplus, lambda x: 1 / (1 + np.exp(-x))),
    ("sqrt", dr.sqrt, lambda x: 0.5 / np.sqrt(x)),
    ("rsqrt", dr.rsqrt, lambda x: -0.5 * x ** -1.5),
    ("log1p", dr.log1p, lambda x: 1 / (1 + x)),
    ("expm1", dr.expm1, np.exp),
    ("square", dr.square, lambda x: 2 * x),
    ("clamp", lambda d: dr.clamp(d, 0.5, 1.0), lambda x: ((x > 0.5) & (x < 1.0)).astype(float)),
    ("maximum", lambda d: dr.maximum(d, 1.0), lambda x: (x > 1.0).astype(float)),
    ("dr_pow", lambda d: dr.pow(d, 2.5), lambda x: 2.5 * x ** 1.5),
    ("m_exp", lambda d: d.exp(), np.exp),
    ("m_log", lambda d: d.log(), lambda x: 1 / x),
    ("m_sin", lambda d: d.sin(), np.cos),
    ("m_tanh", lambda d: d.tanh(), lambda x: 1 - np.tanh(x) ** 2),
    ("m_sqrt", lambda d: d.sqrt(), lambda x: 0.5 / np.sqrt(x)),
    ("m_pow", lambda d: d.pow(2), lambda x: 2 * x),
    ("m_sigmoid", lambda d: d.sigmoid(), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    ("m_mul", lambda d: d.mul(d), lambda x: 2 * x),
    ("m_add", lambda d: d.add(d), lambda x: 2 * np.ones_like(x)),
]


@pytest.mark.parametrize("name, f, df", ELEMENTWISE, ids=[c[0] for c in ELEMENTWISE])
def test_elementwise_jvp(name, f, df):
    out = f(Dual(X, V))
    assert isinstance(out, Dual)
    np.testing.assert_allclose(val(out.tangent), df(X) * V, rtol=1e-12, atol=1e-14)
    plain = f(dr.tensor(X))
    np.testing.assert_allclose(val(out.primal), val(plain), rtol=1e-14)


@pytest.mark.parametrize("name, f, df", ELEMENTWISE[:20], ids=[c[0] for c in ELEMENTWISE[:20]])
def test_scalar_dual_jvp(name, f, df):
    out = f(Dual(0.8, 1.0))
    assert float(out.tangent) == pytest.approx(float(df(np.array(0.8))), rel=1e-12, abs=1e-14)


def test_dual_over_tensors():
    x = dr.tensor([0.5, 1.0])
    v = dr.tensor([1.0, 2.0])
    out = dr.sin(Dual(x, v)) * 3
    assert isinstance(out.primal, dr.Tensor) and isinstance(out.tangent, dr.Tensor)
    np.testing.assert_allclose(val(out.tangent), 3 * np.cos([0.5, 1.0]) * [1.0, 2.0])


# ------------------------------------------------ non-elementwise and FD ---

M = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]])

COMPOSITES = [
    ("sum", lambda t: (t * t).sum()),
    ("mean", lambda t: dr.exp(t).mean()),
    ("prod", lambda t: t.prod()),
    ("matmul", lambda t: dr.tensor(M) @ dr.tanh(t)),
    ("matmul_method", lambda t: dr.sin(t).matmul(dr.tensor(M.T))),
    ("dot", lambda t: dr.dot(t, dr.exp(t))),
    ("norm", lambda t: t.norm()),
    ("var", lambda t: t.var()),
    ("std", lambda t: dr.std(t)),
    ("logsumexp", lambda t: dr.logsumexp(t, dim=0)),
    ("softmax", lambda t: dr.softmax(t * 2, dim=0)),
    ("log_softmax", lambda t: t.log_softmax(dim=0)),
    ("amax", lambda t: (t * t).amax()),
    ("max_dim", lambda t: t.reshape(3, 1).max(dim=0)[0]),
    ("reshape_T", lambda t: (t.reshape(3, 1) * t).T.sum(0)),
    ("cat_stack", lambda t: dr.stack([dr.cat([t, t * 2]), dr.cat([t ** 2, dr.sin(t)])])),
    ("index", lambda t: t[1] * t[0:2] + t[[2, 0]]),
    ("where", lambda t: dr.where(t > 1.0, t ** 2, -t)),
    ("rational", lambda t: dr.sin(t) * dr.exp(t) / (1 + t ** 2)),
    ("mlp", lambda t: dr.tanh(dr.tensor(M) @ t + 0.5).sum() * dr.sigmoid(t[0])),
]


def _fd(f, x, v, h=1e-6):
    plus = val(f(dr.tensor(x + h * v)))
    minus = val(f(dr.tensor(x - h * v)))
    return (plus - minus) / (2 * h)


@pytest.mark.parametrize("name, f", COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_jvp_matches_finite_differences(name, f):
    rng = np.random.default_rng(0)
    x = np.array([0.4, 1.3, 0.9])
    for _ in range(3):
        v = rng.normal(size=3)
        out = f(Dual(x, v))
        np.testing.assert_allclose(val(out.tangent), _fd(f, x, v), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(val(out.primal), val(f(dr.tensor(x))), rtol=1e-14)


def test_jvp_matches_torch_func_jvp():
    # torch.func.jvp of the same functions at the same point, torch 2.13
    x = np.array([0.4, 1.3, 0.9])
    v = np.array([1.0, 2.0, -1.0])
    mlp = dict(COMPOSITES)["mlp"]
    out = mlp(Dual(x, v))
    assert float(out.primal) == pytest.approx(-0.21271113528539187, rel=1e-12)
    assert float(out.tangent) == pytest.approx(0.5959692897966763, rel=1e-12)
    out = dict(COMPOSITES)["softmax"](Dual(x, v))
    np.testing.assert_allclose(val(out.primal), [0.10237584343794706, 0.6193377616715132,
                                                 0.2782863948905397], rtol=1e-12)
    np.testing.assert_allclose(val(out.tangent), [-0.012851233871284428, 1.1609300889390328,
                                                  -1.1480788550677485], rtol=1e-12)


@FAST
@given(x=hnp.arrays(np.float64, 4, elements=st.floats(-2, 2)),
       v=hnp.arrays(np.float64, 4, elements=st.floats(-1, 1)))
def test_jvp_random_points(x, v):
    def f(t):
        return (dr.sin(t) * dr.exp(-t * t) + dr.tanh(t) ** 2).sum() + dr.logsumexp(t, dim=0)

    out = f(Dual(x, v))
    np.testing.assert_allclose(val(out.tangent), _fd(f, x, v), rtol=1e-5, atol=1e-7)


def test_jvp_is_linear_in_the_tangent():
    f = COMPOSITES[-1][1]
    x = np.array([0.4, 1.3, 0.9])
    a, b = np.array([1.0, 0.0, 2.0]), np.array([-1.0, 3.0, 0.5])
    ja = val(f(Dual(x, a)).tangent)
    jb = val(f(Dual(x, b)).tangent)
    jab = val(f(Dual(x, 2 * a - b)).tangent)
    np.testing.assert_allclose(jab, 2 * ja - jb, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------- comparisons ---

def test_bool_of_comparison_uses_the_primal():
    assert bool(Dual(2.0, 1.0) > 1.0)
    assert not bool(Dual(0.5, 100.0) > 1.0)
    assert bool(Dual(0.5, -3.0) < 1.0)
    assert bool(Dual(1.0, 5.0) == 1.0)


def test_control_flow_on_duals():
    def f(x):
        if x > 1.0:
            return x ** 2
        return -3 * x

    assert float(D(f)(2.0)) == 4.0
    assert float(D(f)(0.5)) == -3.0


# -------------------------------------------------------------- nesting ---

SECOND = [
    ("sin", dr.sin, lambda x: -np.sin(x)),
    ("exp_sq", lambda d: dr.exp(d * d), lambda x: (2 + 4 * x * x) * np.exp(x * x)),
    ("pow5", lambda d: d ** 5, lambda x: 20 * x ** 3),
    ("recip", lambda d: 1 / d, lambda x: 2 / x ** 3),
    ("tanh", dr.tanh, lambda x: -2 * np.tanh(x) / np.cosh(x) ** 2),
    ("log", lambda d: d.log(), lambda x: -1 / x ** 2),
    ("x_sin_x", lambda d: d * dr.sin(d), lambda x: 2 * np.cos(x) - x * np.sin(x)),
]


@pytest.mark.parametrize("name, f, d2", SECOND, ids=[c[0] for c in SECOND])
def test_nested_duals_give_second_derivative(name, f, d2):
    x = 0.7
    out = f(Dual(Dual(x, 1.0), Dual(1.0, 0.0)))
    assert float(out.tangent.tangent) == pytest.approx(float(d2(np.array(x))), rel=1e-12)
    # the first derivative appears twice, the value once
    first = float(out.primal.tangent)
    assert float(out.tangent.primal) == pytest.approx(first, rel=1e-14)
    assert float(out.primal.primal) == pytest.approx(float(val(f(dr.tensor(x)))), rel=1e-14)


def test_nested_duals_on_arrays():
    x = np.array([0.3, 0.9, 1.7])
    one, zero = np.ones(3), np.zeros(3)
    out = dr.sin(Dual(Dual(x, one), Dual(one, zero))) * 2
    np.testing.assert_allclose(val(out.tangent.tangent), -2 * np.sin(x), rtol=1e-12)
    np.testing.assert_allclose(val(out.primal.tangent), 2 * np.cos(x), rtol=1e-12)


def test_third_derivative_by_triple_nesting_of_D():
    x = 0.7
    assert float(D(D(D(dr.sin)))(x)) == pytest.approx(-math.cos(x), rel=1e-12)
    assert float(D(D(D(lambda d: d ** 4)))(x)) == pytest.approx(24 * x, rel=1e-12)
    assert float(D(D(D(lambda d: dr.exp(d * d))))(x)) == pytest.approx(
        (8 * x ** 3 + 12 * x) * math.exp(x * x), rel=1e-12)
    assert float(D(D(D(D(lambda d: d ** 4))))(x)) == pytest.approx(24.0, rel=1e-12)


def test_third_derivative_by_hand_built_triple_nesting():
    x = 0.7
    e1 = Dual(x, 1.0)
    b = Dual(e1, Dual(1.0, 0.0))
    one2 = Dual(Dual(1.0, 0.0), Dual(0.0, 0.0))
    c = Dual(b, one2)  # x + e1 + e2 + e3, built by structure
    out = dr.sin(c)
    third = out.tangent.tangent.tangent
    assert not isinstance(third, Dual)
    assert float(third) == pytest.approx(-math.cos(x), rel=1e-12)


def test_perturbation_confusion():
    # d/dx [x * d/dy (x + y)] at x = 1, y = 1: the inner derivative is 1, so 1
    result = D(lambda x: x * D(lambda y: x + y)(1.0))(1.0)
    assert float(result) == 1.0


def test_perturbation_confusion_second_form():
    # d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x at x = 3
    result = D(lambda x: x * D(lambda y: x * y)(2.0))(3.0)
    assert float(result) == 6.0


def test_inner_derivative_of_a_constant_is_zero():
    # the inner function ignores its argument: D gives 0, the outer derivative 0
    result = D(lambda x: x * D(lambda y: x * 2)(1.0))(1.0)
    assert not isinstance(result, Dual) and float(result) == 0.0


# ----------------------------------------------------- reverse over forward ---

def test_reverse_over_forward_second_derivative():
    t = dr.tensor(0.5, requires_grad=True)
    d = Dual(t, 1.0)
    out = dr.sin(d) * d
    assert isinstance(out.tangent, dr.Tensor) and out.tangent.requires_grad
    assert out.tangent.item() == pytest.approx(math.sin(0.5) + 0.5 * math.cos(0.5))
    out.tangent.backward()
    assert t.grad.item() == pytest.approx(2 * math.cos(0.5) - 0.5 * math.sin(0.5), rel=1e-12)


def test_reverse_over_forward_hessian_vector_product():
    xv = np.array([0.2, -0.4, 1.1])
    v = np.array([1.0, 2.0, -1.0])
    x = dr.tensor(xv, requires_grad=True)
    d = Dual(x, v)
    f = (dr.exp(d) * dr.sin(d)).sum()
    f.tangent.backward()
    # f = sum(exp(x) sin(x)), H is diagonal: d2/dx2 = 2 exp(x) cos(x)
    np.testing.assert_allclose(val(x.grad), 2 * np.exp(xv) * np.cos(xv) * v, rtol=1e-12)


def test_reverse_over_forward_with_autograd_grad():
    x = dr.tensor(1.3, requires_grad=True)
    d = Dual(x, 1.0)
    jvp = (d ** 4).tangent  # 4 x^3
    (g,) = dr.autograd.grad(jvp, x)  # 12 x^2
    assert g.item() == pytest.approx(12 * 1.3 ** 2, rel=1e-12)


# ------------------------------------------------------- batched tangents ---

BATCH_FNS = [
    ("sin_exp", lambda d: dr.sin(d) * dr.exp(d)),
    ("rational", lambda d: d ** 2 / (1 + d)),
    ("const_mul", lambda d: dr.tanh(d) * np.array([1.0, -2.0, 3.0]) - d.sqrt()),
    ("softplus_log", lambda d: dr.softplus(d) + dr.log(d) * d),
]


@pytest.mark.parametrize("name, f", BATCH_FNS, ids=[c[0] for c in BATCH_FNS])
def test_batched_tangents_equal_separate_jvps(name, f):
    x = np.array([0.4, 1.2, 2.5])
    T = np.random.default_rng(1).normal(size=(5, 3))
    out = f(Dual(x, T))
    tangent = val(out.tangent)
    assert tangent.shape == (5, 3)
    for k in range(5):
        single = f(Dual(x, T[k]))
        np.testing.assert_allclose(tangent[k], val(single.tangent), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(val(out.primal), val(single.primal), rtol=0)


def test_batched_identity_tangent_gives_jacobian_diagonal():
    x = np.array([0.4, 1.2, 2.5])
    out = dr.sin(Dual(x, np.eye(3)))
    np.testing.assert_allclose(val(out.tangent), np.diag(np.cos(x)), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name, f", [
    ("sum", lambda d: (d * d).sum()),
    ("mean", lambda d: d.mean()),
    ("max", lambda d: d.max()),
    ("matmul", lambda d: dr.tensor(M) @ d),
    ("softmax", lambda d: dr.softmax(d, dim=0)),
    ("cat", lambda d: dr.cat([d, d * 2])),
    ("where", lambda d: dr.where(d > 1.0, d ** 2, -d)),
    ("index", lambda d: d[1] * d[0:2]),
    ("reshape", lambda d: d.reshape(3, 1) * d),
], ids=["sum", "mean", "max", "matmul", "softmax", "cat", "where", "index", "reshape"])
def test_batched_tangents_through_non_elementwise_ops(name, f):
    x = np.array([0.4, 1.2, 2.5])
    T = np.random.default_rng(1).normal(size=(5, 3))
    tangent = val(f(Dual(x, T)).tangent)
    expected = np.stack([val(f(Dual(x, T[k])).tangent) for k in range(5)])
    assert tangent.shape == expected.shape
    np.testing.assert_allclose(tangent, expected, rtol=1e-12, atol=1e-14)


# -- deferred tangents ---------------------------------------------------------

def _counting_square(calls):
    """x ** 2, a primitive (out of the table) whose JVP rule counts its calls.
    (A custom_jvp rule gives the value and the tangent together, so it runs
    when the function is called, as JAX runs it.)"""
    from dualrev.core.primitive import defprim

    def square_jvp(t, x):
        calls.append(1)
        return 2 * x * t
    return defprim("counting_square", lambda x: x * x, jvp=square_jvp,
                   vjp=lambda g, x: 2 * x * g, table=False)


def test_a_tangent_nobody_reads_is_never_computed():
    """The tangent of a large array waits until it is read: an output whose
    tangent is never read costs no JVP work."""
    from dualrev.core import forward
    calls = []
    square = _counting_square(calls)
    n = forward.DEFER_SIZE
    x = Dual(np.linspace(0.0, 1.0, n), np.ones(n))
    unused = square(x).sum()
    used = dr.sin(x)
    assert calls == []
    np.testing.assert_allclose(used.tangent, np.cos(np.linspace(0.0, 1.0, n)))
    assert calls == []  # sin's tangent does not need the square's
    np.testing.assert_allclose(unused.tangent, np.sum(2 * np.linspace(0.0, 1.0, n)))
    assert calls == [1]


def test_a_long_chain_of_deferred_tangents_is_computed_without_recursion(monkeypatch):
    from dualrev.core import forward
    monkeypatch.setattr(forward, "DEFER_SIZE", 0)  # every array tangent deferred
    x = Dual(np.array([0.5, 1.5]), np.array([1.0, 2.0]))
    y = x
    for _ in range(5000):  # deeper than Python's recursion limit
        y = y * 1.0001 + 0.0
    np.testing.assert_allclose(y.tangent, np.array([1.0, 2.0]) * 1.0001 ** 5000)


def test_a_computed_tangent_lets_go_of_what_it_kept(monkeypatch):
    from dualrev.core import forward
    monkeypatch.setattr(forward, "DEFER_SIZE", 0)
    x = Dual(np.array([0.5, 1.5]), np.array([1.0, 2.0]))
    y = dr.sin(x)
    deferred = y._tangent
    assert isinstance(deferred, forward._Deferred)
    y.tangent
    assert deferred.primals is None and deferred.tangents is None


def test_tangents_of_tensors_are_not_deferred(monkeypatch):
    """A tangent that is a Tensor (reverse over forward) is computed at once:
    a later in-place change or a read under no_grad must not change it or
    drop its graph."""
    from dualrev.core import forward
    monkeypatch.setattr(forward, "DEFER_SIZE", 0)
    t = dr.tensor(np.ones(3), requires_grad=True)
    y = Dual(np.linspace(0.0, 1.0, 3), t) * 3.0
    with dr.no_grad():
        t.add_(1.0)
        tangent = y.tangent
    np.testing.assert_allclose(np.asarray(tangent.detach()), [3.0, 3.0, 3.0])
    assert tangent.grad_fn is not None
