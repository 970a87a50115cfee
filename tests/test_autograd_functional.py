"""dr.autograd.functional against torch.autograd.functional: values and
structure recorded from torch 2.13 (tests/data/make_autograd_functional.py),
create_graph and strict, and torch's errors."""

import json
from pathlib import Path

import numpy as np
import pytest

import dualrev as dr
import dualrev.autograd.functional as F

DATA = json.loads((Path(__file__).parent / "data" / "autograd_functional.json").read_text())


def ramp(shape, k):
    n = int(np.prod(shape))
    return np.linspace(-0.9 + 0.1 * k, 0.8 + 0.05 * k, n).reshape(shape)


def tensors(shapes, offset):
    return tuple(dr.tensor(ramp(s, offset + k)) for k, s in enumerate(shapes))


def check_same(got, want):
    if isinstance(want, list) and want[:1] == ["tuple"]:
        assert isinstance(got, tuple), f"expected a tuple, got {type(got)}"
        assert len(got) == len(want) - 1
        for g, w in zip(got, want[1:]):
            check_same(g, w)
        return
    assert isinstance(got, dr.Tensor), f"expected a tensor, got {type(got)}"
    assert not got.requires_grad
    np.testing.assert_allclose(got.numpy(), np.asarray(want, dtype=float), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", DATA["cases"],
                         ids=[f"{c['function']}-{c['fn']}-{c['kwargs']}" for c in DATA["cases"]])
def test_matches_torch(case):
    func = eval(case["source"])  # the recorded function's own text (method calls only)
    inputs = tensors(case["shapes"], 0)
    args = (inputs if len(inputs) > 1 else inputs[0],)
    if case["v_shapes"] is not None:
        v = tensors(case["v_shapes"], 3)
        args += (v if len(v) > 1 else v[0],)
    check_same(getattr(F, case["function"])(func, *args, **case["kwargs"]), case["result"])


def test_results_are_detached_unless_create_graph():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    out, g = F.vjp(lambda t: (t ** 3).sum(), x)
    assert not out.requires_grad and not g.requires_grad
    out, g = F.vjp(lambda t: (t ** 3).sum(), x, create_graph=True)
    assert out.requires_grad and g.requires_grad
    g.sum().backward()  # d/dx sum(3x^2) = 6x
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


@pytest.mark.parametrize("name", ["jacobian", "hessian"])
def test_create_graph_is_differentiable(name):
    x = dr.tensor([0.5, -1.0], requires_grad=True)
    res = getattr(F, name)(lambda t: (t ** 4).sum(), x, create_graph=True)
    assert res.requires_grad
    res.sum().backward()
    xv = x.detach().numpy()
    want = 12.0 * xv ** 2 if name == "jacobian" else 24.0 * xv  # sum of 4x^3, of diag(12x^2)
    np.testing.assert_allclose(x.grad.numpy(), want)


def test_jvp_with_create_graph_flows_to_the_inputs():
    x = dr.tensor([0.5, 2.0], requires_grad=True)
    out, t = F.jvp(lambda a: a.sin() * a, x, dr.ones(2), create_graph=True)
    assert t.requires_grad
    t.sum().backward()  # d/dx (sin x + x cos x) = 2 cos x - x sin x
    xv = np.array([0.5, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos(xv) - xv * np.sin(xv))


def test_hvp_equals_vhp_and_dr_func_hvp():
    f = lambda x: (x.sin() * x.pow(2)).sum()  # noqa: E731
    x, v = dr.tensor([0.3, -0.7, 1.1]), dr.tensor([1.0, 2.0, -1.0])
    out, hv = F.hvp(f, x, v)
    _, vh = F.vhp(f, x, v)
    grad, hv_func = dr.func.hvp(f, (x,), (v,))  # dr.func's convention: (grad, Hv)
    np.testing.assert_allclose(hv.numpy(), vh.numpy())
    np.testing.assert_allclose(hv.numpy(), hv_func.numpy())
    assert float(out) == pytest.approx(float(f(x)))


def test_strict_raises_for_an_input_not_used():
    x, y = dr.ones(2), dr.ones(2)
    f = lambda a, b: a.exp().sum()  # noqa: E731
    np.testing.assert_allclose(F.vjp(f, (x, y))[1][1].numpy(), [0.0, 0.0])
    with pytest.raises(RuntimeError, match="independent of input 1. This is not allowed in "
                                           "strict mode"):
        F.vjp(f, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is "
                                           "independent of input 1"):
        F.jacobian(f, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not "
                                           "require gradients"):
        F.jvp(lambda a: dr.ones(2), x, dr.ones(2), strict=True)
    with pytest.raises(RuntimeError, match="While computing the hessian, found that the jacobian"):
        F.hessian(lambda a: a.sum(), x, strict=True)


def test_torch_errors():
    x = dr.ones(3)
    with pytest.raises(TypeError, match="The inputs given to vjp must be either a Tensor or a "
                                        "tuple of Tensors but the given inputs has type"):
        F.vjp(lambda a: a, [1.0, 2.0])
    with pytest.raises(TypeError, match="The outputs of the user-provided function given to vjp "
                                        "must be either a Tensor or a tuple of Tensors"):
        F.vjp(lambda a: [a], x, x)
    with pytest.raises(RuntimeError, match="The vector v can only be None if the user-provided "
                                           "function returns a single Tensor with a single"):
        F.vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="The vector v can only be None if the input to the "
                                           "user-provided function is a single Tensor"):
        F.jvp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be .*\[3\].* but got "
                                           r".*\[2\]"):
        F.vjp(lambda a: a * 2, x, dr.ones(2))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but "
                                           "got 1"):
        F.jvp(lambda a, b: a * b, (x, x), (x,))
    with pytest.raises(RuntimeError, match="The Tensor returned by the function given to hessian "
                                           "should contain a single element"):
        F.hessian(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="The function given to vhp should return a single "
                                           "Tensor"):
        F.vhp(lambda a: (a.sum(), a.sum()), x, x)
    with pytest.raises(AssertionError, match='Expected strategy to be either "forward-mode" or'):
        F.jacobian(lambda a: a, x, strategy="sideways")
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        F.jacobian(lambda a: a, x, strategy="forward-mode")
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True` are not "
                                           "supported together"):
        F.jacobian(lambda a: a, x, strict=True, vectorize=True)


def test_v_none_for_one_element():
    out, g = F.vjp(lambda a: (a ** 2).sum(), dr.tensor([3.0]))
    np.testing.assert_allclose(g.numpy(), [6.0])
    out, t = F.jvp(lambda a: a ** 2, dr.tensor(3.0))
    assert float(t) == 6.0


def test_the_function_sees_fresh_inputs_not_the_captured_ones():
    """As in PyTorch: a function that captures its input as a constant
    differentiates only through the argument it is given."""
    x = dr.tensor([1.0, 2.0])
    jac = F.jacobian(lambda a: a * x, x)  # x captured: a constant
    np.testing.assert_allclose(jac.numpy(), np.diag([1.0, 2.0]))
