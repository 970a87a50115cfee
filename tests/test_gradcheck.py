"""gradcheck and gradgradcheck: they pass on correct derivatives and catch
wrong ones (a checker that cannot fail would prove nothing)."""

import numpy as np
import pytest

import dualrev as dr
from dualrev import rules
from dualrev.core.primitive import TABLE, defprim


def leaf(values):
    return dr.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_gradcheck_passes_on_a_composite():
    x, w = leaf([0.3, -1.2, 2.0]), leaf([[0.5, 1.0, -0.7], [0.1, 0.2, 0.3]])
    assert dr.autograd.gradcheck(lambda x, w: dr.tanh(w @ x).sum() * dr.exp(x).mean(), (x, w))


def test_gradcheck_several_outputs_and_a_constant_input():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    c = dr.tensor([0.5, -0.5])
    assert dr.autograd.gradcheck(lambda x, c: (x * c, dr.log(x).sum(0)), (x, c))


def test_gradgradcheck_passes_on_second_derivatives():
    x = leaf([0.3, 0.7, 1.1])
    assert dr.autograd.gradgradcheck(lambda x: (dr.sin(x) * x ** 3).sum(), (x,))
    assert dr.autograd.gradgradcheck(lambda x: dr.softmax(x, 0) * x, (x,))


@pytest.fixture
def wrong_square():
    """A primitive whose first derivative is off by a factor of 1.5."""
    name = "square_with_wrong_rule"
    prim = defprim(name, lambda x: x * x, jvp=lambda t, x: 3 * t * x,
                   vjp=lambda g, x: 3 * g * x)
    yield prim
    delattr(TABLE, name)


@pytest.fixture
def wrong_second_order():
    """Right first derivative 2x, written with a rule that is constant in x,
    so its own derivative (the second derivative of x²) comes out 0."""
    name = "square_with_flat_rule"
    prim = defprim(name, lambda x: x * x, jvp=lambda t, x: t * 2 * rules.stop_gradient(x),
                   vjp=lambda g, x: g * 2 * rules.stop_gradient(x))
    yield prim
    delattr(TABLE, name)


def test_gradcheck_catches_a_wrong_rule(wrong_square):
    x = leaf([0.5, 1.5])
    with pytest.raises(dr.autograd.GradcheckError, match="Jacobian mismatch"):
        dr.autograd.gradcheck(lambda x: wrong_square(x), (x,))
    assert dr.autograd.gradcheck(lambda x: wrong_square(x), (x,), raise_exception=False) is False


def test_gradgradcheck_catches_a_wrong_second_derivative(wrong_second_order):
    x = leaf([0.5, 1.5])
    assert dr.autograd.gradcheck(lambda x: wrong_second_order(x), (x,))
    with pytest.raises(dr.autograd.GradcheckError):
        dr.autograd.gradgradcheck(lambda x: wrong_second_order(x).sum(), (x,))


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="require gradient"):
        dr.autograd.gradcheck(lambda x: x * 2, (dr.tensor([1.0]),))
