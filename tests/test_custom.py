"""custom_jvp and custom_vjp: the user's rules are used, and they stay
differentiable under nesting (PyTorch issue #197867: a custom function's 2nd
and 3rd derivatives of x^4 come out 0 there)."""

import numpy as np
import pytest

import dualrev as dr


@dr.custom_jvp
def quartic_jvp(x):
    return x ** 4


@quartic_jvp.defjvp
def _quartic_jvp_rule(primals, tangents):
    (x,), (t,) = primals, tangents
    return quartic_jvp(x), 4 * x ** 3 * t


@dr.custom_vjp
def quartic_vjp(x):
    return x ** 4


quartic_vjp.defvjp(lambda x: (quartic_vjp(x), x), lambda x, g: (4 * x ** 3 * g,))

QUARTICS = [pytest.param(quartic_jvp, id="custom_jvp"), pytest.param(quartic_vjp, id="custom_vjp")]
X = 1.5
DERIVATIVES = [X ** 4, 4 * X ** 3, 12 * X ** 2, 24 * X, 24.0]


@pytest.mark.parametrize("f", QUARTICS)
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_nested_grad(f, order):
    g = f
    for _ in range(order):
        g = dr.grad(g)
    assert float(g(X)) == pytest.approx(DERIVATIVES[order], rel=1e-12)


@pytest.mark.parametrize("f", QUARTICS)
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_nested_forward_mode(f, order):
    assert float(dr.func.derivative(f, order)(X)) == pytest.approx(DERIVATIVES[order], rel=1e-12)


@pytest.mark.parametrize("f", QUARTICS)
def test_create_graph_chain(f):
    x = dr.tensor(X, requires_grad=True)
    value = f(x)
    for order in (1, 2, 3):
        (value,) = dr.autograd.grad(value, x, create_graph=True)
        assert float(value) == pytest.approx(DERIVATIVES[order], rel=1e-12)


@pytest.mark.parametrize("f", QUARTICS)
def test_hessian_and_hvp_on_arrays(f):
    x = np.array([0.5, -1.0, 2.0])
    h = dr.func.hessian(lambda x: f(x).sum())(x)
    np.testing.assert_allclose(np.asarray(h), np.diag(12 * x ** 2), rtol=1e-12)
    _, hv = dr.func.hvp(lambda x: f(x).sum(), (x,), (np.ones(3),))
    np.testing.assert_allclose(np.asarray(hv), 12 * x ** 2, rtol=1e-12)


def test_the_rule_is_the_users():
    """A straight-through estimator: rounding with the identity's derivative."""
    @dr.custom_jvp
    def round_through(x):
        return dr.tensor(np.round(np.asarray(x)))

    @round_through.defjvp
    def _(primals, tangents):
        return round_through(primals[0]), tangents[0]

    x = dr.tensor([0.2, 1.7], requires_grad=True)
    round_through(x).sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [1.0, 1.0])
    assert float(dr.func.jvp(round_through, (0.4,), (3.0,))[1]) == 3.0


def test_several_arguments_against_finite_differences():
    @dr.custom_vjp
    def f(x, y):
        return dr.sin(x) * y ** 2

    f.defvjp(lambda x, y: (f(x, y), (x, y)),
             lambda res, g: (g * dr.cos(res[0]) * res[1] ** 2, g * 2 * dr.sin(res[0]) * res[1]))
    x, y, eps = 0.7, -1.3, 1e-6
    gx, gy = dr.grad(f, argnums=(0, 1))(x, y)
    plain = lambda x, y: np.sin(x) * y ** 2
    assert float(gx) == pytest.approx((plain(x + eps, y) - plain(x - eps, y)) / (2 * eps), rel=1e-7)
    assert float(gy) == pytest.approx((plain(x, y + eps) - plain(x, y - eps)) / (2 * eps), rel=1e-7)
    hxy = dr.grad(lambda y: dr.grad(f)(x, y))(y)
    assert float(hxy) == pytest.approx(2 * np.cos(x) * y, rel=1e-12)


def test_calling_before_the_rule_is_defined_raises():
    @dr.custom_vjp
    def f(x):
        return x
    with pytest.raises(TypeError, match="defvjp"):
        f(1.0)
