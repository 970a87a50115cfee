"""JAX's custom-rule surface: ``custom_jvp.defjvps``, ``nondiff_argnums`` of
``custom_jvp`` and ``custom_vjp``, and ``dr.func.stop_gradient``, on the
examples of JAX's "Custom derivative rules" page (values known
analytically)."""

import functools
import math

import numpy as np
import pytest

import dualrev as dr
from dualrev.func import grad, jvp, stop_gradient, value_and_grad, vmap


# -- custom_jvp: log1pexp, by defjvp and by defjvps -------------------------------

def make_log1pexp(by_defjvps):
    @dr.custom_jvp
    def log1pexp(x):
        return dr.log(1.0 + dr.exp(x))

    if by_defjvps:
        log1pexp.defjvps(lambda t, ans, x: (1 - 1 / (1 + dr.exp(x))) * t)
    else:
        @log1pexp.defjvp
        def log1pexp_jvp(primals, tangents):
            (x,), (x_dot,) = primals, tangents
            return log1pexp(x), (1 - 1 / (1 + dr.exp(x))) * x_dot
    return log1pexp


@pytest.mark.parametrize("by_defjvps", [False, True])
def test_log1pexp_is_stable_at_large_x(by_defjvps):
    log1pexp = make_log1pexp(by_defjvps)
    assert float(grad(log1pexp)(1000.0)) == 1.0  # the naive derivative is nan there
    got = vmap(grad(log1pexp))(dr.arange(3.0))
    np.testing.assert_allclose(got.numpy(), 1 / (1 + np.exp(-np.arange(3.0))))
    assert float(log1pexp(3.0)) == pytest.approx(math.log1p(math.exp(3.0)))


def test_the_naive_log1pexp_is_not_stable():
    """What the custom rule is for (so the test above could fail)."""
    with np.errstate(over="ignore", invalid="ignore"):
        assert math.isnan(float(grad(lambda x: dr.log(1.0 + dr.exp(x)))(1000.0)))


# -- custom_jvp of two arguments: defjvps with one rule per argument ----------------

def make_f(rules):
    @dr.custom_jvp
    def f(x, y):
        return dr.sin(x) * y
    f.defjvps(*rules)
    return f


BOTH = (lambda x_dot, primal_out, x, y: dr.cos(x) * x_dot * y,
        lambda y_dot, primal_out, x, y: dr.sin(x) * y_dot)


def test_defjvps_two_arguments():
    f = make_f(BOTH)
    assert float(f(2.0, 3.0)) == pytest.approx(math.sin(2.0) * 3.0)
    assert float(grad(f)(2.0, 3.0)) == pytest.approx(math.cos(2.0) * 3.0)
    gx, gy = grad(f, argnums=(0, 1))(2.0, 3.0)
    assert (float(gx), float(gy)) == pytest.approx((math.cos(2.0) * 3.0, math.sin(2.0)))
    value, g = value_and_grad(f)(2.0, 3.0)
    assert float(value) == pytest.approx(math.sin(2.0) * 3.0)
    _, t = jvp(f, (2.0, 3.0), (1.0, 10.0))
    assert float(t) == pytest.approx(math.cos(2.0) * 3.0 + 10.0 * math.sin(2.0))
    x = dr.tensor(2.0, requires_grad=True)
    f(x, 3.0).backward()
    assert float(x.grad) == pytest.approx(math.cos(2.0) * 3.0)


def test_defjvps_none_means_no_contribution():
    f = make_f((BOTH[0], None))
    gx, gy = grad(f, argnums=(0, 1))(2.0, 3.0)
    assert float(gx) == pytest.approx(math.cos(2.0) * 3.0)
    assert float(gy) == 0.0
    g = make_f((None, None))
    assert float(jvp(g, (2.0, 3.0), (1.0, 1.0))[1]) == 0.0


def test_defjvps_rules_are_used_not_the_function():
    f = make_f((lambda t, ans, x, y: 7.0 * t, None))
    assert float(grad(f)(2.0, 3.0)) == 7.0


def test_defjvps_refused_with_nondiff_argnums():
    f = dr.custom_jvp(lambda n, x: x ** n, nondiff_argnums=(0,))
    with pytest.raises(TypeError, match="Can't use ``defjvps`` with ``nondiff_argnums``"):
        f.defjvps(None)


# -- nondiff_argnums --------------------------------------------------------------

def test_custom_jvp_nondiff_argnums_passes_them_first():
    @functools.partial(dr.custom_jvp, nondiff_argnums=(0,))
    def app(f, x):
        return f(x)

    @app.defjvp
    def app_jvp(f, primals, tangents):
        (x,), (x_dot,) = primals, tangents
        return f(x), 2.0 * x_dot

    assert float(app(lambda x: x ** 3, 3.0)) == 27.0
    assert float(grad(app, 1)(lambda x: x ** 3, 3.0)) == 2.0
    assert float(jvp(lambda x: app(lambda v: v ** 3, x), (3.0,), (1.0,))[1]) == 2.0


def test_custom_vjp_nondiff_argnums_passes_them_first():
    @functools.partial(dr.custom_vjp, nondiff_argnums=(0,))
    def app(f, x):
        return f(x)

    def app_fwd(f, x):
        return app(f, x), x

    def app_bwd(f, x, g):
        return (5 * g,)

    app.defvjp(app_fwd, app_bwd)
    assert float(app(lambda x: x ** 3, 3.0)) == 27.0
    assert float(grad(app, 1)(lambda x: x ** 3, 3.0)) == 5.0


def test_custom_vjp_nondiff_bwd_must_give_one_cotangent_per_other_argument():
    f = dr.custom_vjp(lambda n, x: x ** n, nondiff_argnums=(0,))
    f.defvjp(lambda n, x: (x ** n, x), lambda n, x, g: (g, g))
    with pytest.raises(TypeError, match="must produce a tuple of length equal to the primal "
                                        "args tuple, but got 2 and expected 1"):
        grad(f, 1)(2, 3.0)


def test_clip_gradient():
    @dr.custom_vjp
    def clip_gradient(lo, hi, x):
        return x  # identity function

    def clip_gradient_fwd(lo, hi, x):
        return x, (lo, hi)  # save bounds as residuals

    def clip_gradient_bwd(res, g):
        lo, hi = res
        return (None, None, dr.clip(g, lo, hi))

    clip_gradient.defvjp(clip_gradient_fwd, clip_gradient_bwd)
    t = dr.linspace(0, 10, 50)
    got = vmap(grad(lambda x: clip_gradient(-0.75, 0.75, dr.sin(x))))(t)
    # the cotangent of sin(x), 1, is clipped to 0.75, then meets cos(x)
    np.testing.assert_allclose(got.numpy(), 0.75 * np.cos(t.numpy()))
    scaled = grad(lambda x: clip_gradient(-0.75, 0.75, x) * 3.0)
    assert float(scaled(1.0)) == 0.75
    assert float(grad(lambda x: clip_gradient(-5.0, 5.0, x) * 3.0)(1.0)) == 3.0


def fixed_point_pieces():
    """The page's fixed point example, with a Python loop for while_loop."""
    @functools.partial(dr.custom_vjp, nondiff_argnums=(0,))
    def fixed_point(f, a, x_guess):
        x_prev, x = x_guess, f(a, x_guess)
        while abs(float(x_prev - x)) > 1e-10:
            x_prev, x = x, f(a, x)
        return x

    def fixed_point_fwd(f, a, x_init):
        x_star = fixed_point(f, a, x_init)
        return x_star, (a, x_star)

    def fixed_point_rev(f, res, x_star_bar):
        a, x_star = res
        _, vjp_a = dr.func.vjp(lambda a: f(a, x_star), a)
        u = x_star_bar
        for _ in range(200):  # the adjoint's fixed point, u = x_star_bar + u * df/dx
            _, vjp_x = dr.func.vjp(lambda x: f(a, x), x_star)
            u_next = x_star_bar + vjp_x(u)[0]
            if abs(float(u_next - u)) < 1e-12:
                break
            u = u_next
        (a_bar,) = vjp_a(u)
        return a_bar, dr.zeros_like(x_star)

    fixed_point.defvjp(fixed_point_fwd, fixed_point_rev)

    def newton_sqrt(a):
        return fixed_point(lambda a, x: 0.5 * (x + a / x), a, a)
    return newton_sqrt


def test_fixed_point_newton_sqrt():
    newton_sqrt = fixed_point_pieces()
    assert float(newton_sqrt(2.0)) == pytest.approx(math.sqrt(2.0), abs=1e-12)
    assert float(grad(newton_sqrt)(2.0)) == pytest.approx(0.5 / math.sqrt(2.0), abs=1e-9)


# -- stop_gradient ----------------------------------------------------------------

def test_stop_gradient_in_every_mode():
    f = lambda x: stop_gradient(x) * x  # noqa: E731  d/dx = x (one factor only)
    assert float(grad(f)(3.0)) == 3.0
    assert float(jvp(f, (3.0,), (1.0,))[1]) == 3.0
    x = dr.tensor(3.0, requires_grad=True)
    f(x).backward()
    assert float(x.grad) == 3.0
    assert not stop_gradient(x).requires_grad
    np.testing.assert_allclose(dr.func.hessian(lambda v: (stop_gradient(v) * v ** 2).sum())(
        dr.tensor([1.0, 2.0])).numpy(), np.diag([2.0, 4.0]))


def test_stop_gradient_on_a_pytree():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    out = stop_gradient({"a": x, "b": (x * 2, 3.0)})
    assert set(out) == {"a", "b"} and isinstance(out["b"], tuple)
    assert not out["a"].requires_grad and not out["b"][0].requires_grad
    np.testing.assert_allclose(out["b"][0].numpy(), [2.0, 4.0])
    assert float(out["b"][1]) == 3.0
