"""Issue 9: no silent wrong gradient. Each test here failed on the code
before the issue was worked on."""

import numpy as np
import pytest

import dualrev as dr


# -- 1. integer and bool results carry no derivative ---------------------------------

@pytest.mark.parametrize("cast", [
    lambda x: x.long(), lambda x: x.int(), lambda x: x.bool(), lambda x: x.to(int),
    lambda x: x.to(dr.int16), lambda x: dr.floor(x).long(), lambda x: (x > 1).to(dr.uint8)])
def test_integer_and_bool_casts_have_no_history(cast):
    x = dr.tensor([0.5, 1.5], requires_grad=True)
    y = cast(x)
    assert not y.requires_grad and y.grad_fn is None


def test_a_product_with_an_integer_cast_differentiates_the_float_factor_only():
    x = dr.tensor([0.5, 1.5], requires_grad=True)
    (x.long() * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0])  # PyTorch: [0, 1]


@pytest.mark.parametrize("transform", ["grad", "jacfwd", "jacrev"])
def test_transforms_see_no_derivative_through_an_integer_cast(transform):
    x = dr.tensor([0.5, 1.5])
    f = (lambda v: v.long().sum() + 0.0 * v.sum()) if transform == "grad" else (
        lambda v: v.long() * v)
    out = getattr(dr.func, transform)(f)(x)
    want = [0.0, 0.0] if transform == "grad" else [[0.0, 0.0], [0.0, 1.0]]
    np.testing.assert_array_equal(out.numpy(), want)


def test_forward_mode_gives_an_integer_result_no_tangent():
    d = dr.Dual(np.array([0.5, 1.5]), np.ones(2))
    assert not isinstance(d.long(), dr.Dual)
    assert not isinstance(d > 1, dr.Dual)
