"""dr.autograd.forward_ad: PyTorch's dual tensors (the examples of its
forward-mode AD tutorial), torch's errors, and custom Functions with a jvp
rule; bare @no_grad / @enable_grad decorators."""

import numpy as np
import pytest

import dualrev as dr

fwAD = dr.autograd.forward_ad


def test_tutorial_basic_usage():
    primal = dr.tensor(np.linspace(-1, 1, 100).reshape(10, 10))
    tangent = dr.tensor(np.linspace(2, -1, 100).reshape(10, 10))

    def fn(x, y):
        return x ** 2 + y ** 2

    with fwAD.dual_level():
        dual_input = fwAD.make_dual(primal, tangent)
        assert fwAD.unpack_dual(dual_input).tangent is not None
        plain_tensor = dr.tensor(np.full((10, 10), 0.5))
        assert fwAD.unpack_dual(plain_tensor).tangent is None
        dual_output = fn(dual_input, plain_tensor)
        jvp = fwAD.unpack_dual(dual_output).tangent
    assert fwAD.unpack_dual(dual_output).tangent is None  # the level is gone
    np.testing.assert_allclose(jvp.numpy(), 2 * primal.numpy() * tangent.numpy())


def test_unpacked_dual_tensor_is_a_namedtuple():
    x = dr.tensor([1.0, 2.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, dr.tensor([3.0, 4.0]))
        unpacked = fwAD.unpack_dual(d.exp())
        primal, tangent = unpacked
    assert type(unpacked).__name__ == "UnpackedDualTensor"
    assert unpacked._fields == ("primal", "tangent")
    np.testing.assert_allclose(primal.numpy(), np.exp([1.0, 2.0]))
    np.testing.assert_allclose(tangent.numpy(), np.exp([1.0, 2.0]) * [3.0, 4.0])
    plain = fwAD.unpack_dual(x)
    assert plain.primal is x and plain.tangent is None


def test_dual_level_returns_zero_and_decorates():
    with fwAD.dual_level() as level:
        assert level == 0

    @fwAD.dual_level()
    def derivative_of_cube(at):
        return fwAD.unpack_dual(fwAD.make_dual(at, dr.ones_like(at)) ** 3).tangent

    assert float(derivative_of_cube(dr.tensor(2.0))) == 12.0


def test_reverse_mode_sees_through_the_forward_pass():
    """Forward over reverse: a primal that requires grad; the tangent's
    backward gives a Hessian-vector product."""
    x = dr.tensor([0.5, 1.5], requires_grad=True)
    v = dr.tensor([1.0, -2.0])
    with fwAD.dual_level():
        y = (fwAD.make_dual(x, v).sin() * 3).sum()
        tangent = fwAD.unpack_dual(y).tangent
    tangent.backward()  # d/dx sum(3 cos(x) v) = -3 sin(x) v
    np.testing.assert_allclose(x.grad.numpy(), -3 * np.sin([0.5, 1.5]) * [1.0, -2.0])


def test_torch_errors():
    x = dr.tensor([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="Trying to create a dual Tensor for forward AD but "
                                           "no level exists, make sure to enter_dual_level"):
        fwAD.make_dual(x, x)
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match=r"Tensor is of size \[3\] while the given forward "
                                               r"gradient is of size \[4\]"):
            fwAD.make_dual(x, dr.ones(4))
        with pytest.raises(ValueError, match="Expected primal to be floating point or complex, "
                                             "but got: dualrev.int64"):
            fwAD.make_dual(dr.arange(3), dr.arange(3))
        with pytest.raises(ValueError, match="Expected tangent to be floating point"):
            fwAD.make_dual(x, dr.arange(3))
        with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
            with fwAD.dual_level():
                pass
        d = fwAD.make_dual(x, x)
        with pytest.raises(RuntimeError, match="already has a forward gradient at the same level"):
            fwAD.make_dual(d, x)
        with pytest.raises(RuntimeError, match="Invalid level given to _make_dual"):
            fwAD.make_dual(x, x, level=5)
        with pytest.raises(TypeError, match="argument 'tensor' must be Tensor, not float"):
            fwAD.make_dual(1.0, x)
        with pytest.raises(TypeError, match="must be Tensor, not float"):
            fwAD.unpack_dual(3.0)
    with pytest.raises(RuntimeError, match="Dual level must be a positive number"):
        fwAD.exit_dual_level()


def test_tangent_is_cast_to_the_primals_dtype():
    x = dr.tensor([1.0, 2.0], dtype=dr.float64)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, dr.tensor([1.0, 1.0], dtype=dr.float32))
        assert fwAD.unpack_dual(d).tangent.dtype == dr.float64


def test_a_level_is_left_on_error():
    with pytest.raises(ZeroDivisionError):
        with fwAD.dual_level():
            1 / 0
    with fwAD.dual_level():  # not "nested": the failed one was exited
        pass


# -- custom Functions with a jvp rule ------------------------------------------------

class Fn(dr.autograd.Function):
    """The tutorial's custom Function: forward keeps its result on ctx for jvp."""

    calls = []

    @staticmethod
    def forward(ctx, foo):
        result = dr.exp(foo)
        ctx.result = result
        return result

    @staticmethod
    def jvp(ctx, gI):
        Fn.calls.append("jvp")
        gO = gI * ctx.result
        del ctx.result
        return gO


def test_tutorial_custom_function_jvp():
    primal = dr.tensor(np.linspace(-1, 1, 100).reshape(10, 10), requires_grad=True)
    tangent = dr.tensor(np.linspace(1, 3, 100).reshape(10, 10))
    Fn.calls.clear()
    with fwAD.dual_level():
        dual_output = Fn.apply(fwAD.make_dual(primal, tangent))
        jvp = fwAD.unpack_dual(dual_output).tangent
    assert Fn.calls == ["jvp"]
    np.testing.assert_allclose(jvp.numpy(), tangent.numpy() * np.exp(primal.detach().numpy()))


class MulWithRules(dr.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_forward(a, b)
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a

    @staticmethod
    def jvp(ctx, ta, tb):
        a, b = ctx.saved_tensors  # save_for_forward's, inside jvp
        return ta * b + a * tb + 100.0  # (a wrong rule, to see that it is the one used)


def test_jvp_rule_gets_zeros_for_inputs_without_tangent_and_saved_for_forward():
    a, b = dr.tensor([1.0, 2.0]), dr.tensor([3.0, 5.0])
    with fwAD.dual_level():
        out = MulWithRules.apply(fwAD.make_dual(a, dr.ones(2)), b)
        primal, tangent = fwAD.unpack_dual(out)
    np.testing.assert_allclose(primal.numpy(), [3.0, 10.0])
    np.testing.assert_allclose(tangent.numpy(), [103.0, 105.0])


def test_jvp_rule_under_dr_func_jvp_and_backward_still_works():
    a = dr.tensor([1.0, 2.0], requires_grad=True)
    b = dr.tensor([3.0, 5.0])
    _, t = dr.func.jvp(lambda x: MulWithRules.apply(x, b), (a.detach(),), (dr.ones(2),))
    np.testing.assert_allclose(t.numpy(), [103.0, 105.0])
    MulWithRules.apply(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 5.0])


def test_function_without_jvp_carries_tangents_through_forward():
    class Cube(dr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("not used")

    with fwAD.dual_level():
        t = fwAD.unpack_dual(Cube.apply(fwAD.make_dual(dr.tensor(2.0), dr.tensor(1.0)))).tangent
    assert float(t) == 12.0


# -- grad mode decorators --------------------------------------------------------------

def test_bare_no_grad_and_enable_grad_decorators():
    x = dr.tensor(1.0, requires_grad=True)

    @dr.no_grad
    def doubled(t):
        return t * 2

    @dr.enable_grad
    def tripled(t):
        return t * 3

    @dr.no_grad()
    def halved(t):
        return t / 2

    assert doubled.__name__ == "doubled"
    assert not doubled(x).requires_grad and not halved(x).requires_grad
    with dr.no_grad():
        assert tripled(x).requires_grad
    assert dr.is_grad_enabled()
    with pytest.raises(TypeError, match="no_grad"):
        dr.no_grad(3)


def test_set_grad_enabled_as_call_and_context_manager():
    x = dr.tensor(1.0, requires_grad=True)
    try:
        dr.set_grad_enabled(False)
        assert not dr.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        dr.set_grad_enabled(True)
    with dr.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @dr.set_grad_enabled(False)
    def f(t):
        return t * 2
    assert dr.is_grad_enabled() and not f(x).requires_grad
