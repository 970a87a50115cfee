"""dr.autograd.Function, PyTorch's way to give an operation its own
backward: values and gradients as PyTorch 2.13 gives them (read by hand),
higher derivatives through every nesting, and its errors."""

import numpy as np
import pytest

import dualrev as dr
from dualrev import func


class Cube(dr.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x ** 2 * g


class MulAdd(dr.autograd.Function):
    """Two outputs and a non-tensor argument."""

    @staticmethod
    def forward(ctx, x, y, c):
        ctx.save_for_backward(x, y)
        return x * y + c, x - y

    @staticmethod
    def backward(ctx, g1, g2):
        x, y = ctx.saved_tensors
        return g1 * y + g2, g1 * x - g2, None


def test_gradient_and_name():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    z = Cube.apply(x)
    assert repr(z) == "tensor([1., 8.], grad_fn=<CubeBackward>)"
    z.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [3.0, 12.0])


def test_several_outputs_and_a_non_tensor_argument():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = dr.tensor([3.0, 4.0], requires_grad=True)
    a, b = MulAdd.apply(x, y, 5.0)
    np.testing.assert_array_equal(np.asarray(a.detach()), [8.0, 13.0])
    (a.sum() + 2 * b.sum()).backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [5.0, 6.0])
    np.testing.assert_array_equal(np.asarray(y.grad), [-1.0, 0.0])


def test_higher_derivatives_through_every_nesting():
    """Unlike a custom function in PyTorch issue #197867, the rule is
    differentiated in turn: the third derivative of x^3 is 6."""
    assert float(func.grad(func.grad(func.grad(Cube.apply)))(2.0)) == 6.0
    x = dr.tensor(2.0, requires_grad=True)
    (g,) = dr.autograd.grad(Cube.apply(x), [x], create_graph=True)
    (h,) = dr.autograd.grad(g, [x])
    assert (float(g), float(h)) == (12.0, 12.0)
    f = lambda v: Cube.apply(v).sum()  # noqa: E731
    np.testing.assert_array_equal(np.asarray(func.hessian(f)(np.array([1.0, 2.0]))),
                                  [[6.0, 0.0], [0.0, 12.0]])
    _, hv = func.hvp(f, (np.array([1.0, 2.0]),), (np.array([1.0, 0.0]),))
    np.testing.assert_array_equal(np.asarray(hv), [6.0, 0.0])
    _, t = func.jvp(Cube.apply, (np.array([1.0, 2.0]),), (np.array([1.0, 1.0]),))
    np.testing.assert_array_equal(np.asarray(t), [3.0, 12.0])


def test_ctx_flags():
    seen = {}

    class Probe(dr.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            seen["needs"] = ctx.needs_input_grad
            ctx.set_materialize_grads(False)
            out, index = x * y, dr.tensor([0])
            ctx.mark_non_differentiable(index)
            return out, index

        @staticmethod
        def backward(ctx, g, g_index):
            seen["g_index"] = g_index
            return None, g * 2

    x, y = dr.tensor(1.0), dr.tensor(3.0, requires_grad=True)
    out, index = Probe.apply(x, y)
    assert seen["needs"] == (False, True) and not index.requires_grad
    out.backward()
    assert seen["g_index"] is None and float(y.grad) == 2.0


def test_nothing_recorded_without_inputs_that_require_grad():
    out = Cube.apply(dr.tensor(2.0))
    assert float(out) == 8.0 and out.grad_fn is None


def test_errors():
    x = dr.tensor(2.0, requires_grad=True)
    y = Cube.apply(x)
    with dr.no_grad():
        x.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()

    class TooMany(Cube):
        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        TooMany.apply(dr.tensor(2.0, requires_grad=True)).backward()


class SavedExp(dr.autograd.Function):
    """Saves its own output, computed outside the tape (as in PyTorch's docs)."""

    @staticmethod
    def forward(ctx, x):
        y = dr.tensor(np.exp(x.detach().numpy()))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


def test_a_saved_output_is_the_recorded_one():
    """Its history is the Function's, so the second derivative is right; and
    changing it in place is caught (numbers and errors as PyTorch's)."""
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    (g,) = dr.autograd.grad(SavedExp.apply(x).sum(), [x], create_graph=True)
    (h,) = dr.autograd.grad(g.sum(), [x])
    np.testing.assert_allclose(np.asarray(h), np.exp([1.0, 2.0]))
    y = SavedExp.apply(x)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    y = Cube.apply(x)  # saves its input only: changing the output is fine
    y.add_(1.0)
    y.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [3.0, 12.0])


def test_keywords_extra_nones_and_a_second_backward():
    class Mul(dr.autograd.Function):
        @staticmethod
        def forward(ctx, x, y=None, flag=None):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x, None  # one more None than forward has tensors for: fine

    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = dr.tensor([3.0, 4.0], requires_grad=True)
    z = Mul.apply(x, y=y)
    z.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [3.0, 4.0])
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        z.sum().backward()


def test_an_output_that_is_an_input_is_a_copy():
    class Ident(dr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = dr.tensor([1.0, 2.0], requires_grad=True) * 1
    y = Ident.apply(x)
    y.mul_(2.0)
    np.testing.assert_array_equal(np.asarray(x.detach()), [1.0, 2.0])
