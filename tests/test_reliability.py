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


# -- 3. bitwise operators --------------------------------------------------------------

def _ints(values, dtype=None):
    return dr.tensor(values, dtype=dtype)


@pytest.mark.parametrize("op, want", [
    (lambda a, b: a | b, [3, 3, 14]), (lambda a, b: a & b, [0, 0, 8]),
    (lambda a, b: a ^ b, [3, 3, 6]), (lambda a, b: a << b, [4, 4, 12288]),
    (lambda a, b: a >> b, [0, 1, 0]), (lambda a, b: dr.bitwise_or(a, b), [3, 3, 14])])
def test_bitwise_operators_on_integers_act_on_bits(op, want):
    out = op(_ints([1, 2, 12]), _ints([2, 1, 10]))
    assert out.dtype == dr.int64
    assert out.tolist() == want


def test_invert_and_reflected_and_in_place_forms():
    assert (~_ints(3)).item() == -4
    assert (~dr.tensor([True, False])).tolist() == [False, True]
    assert (2 << _ints([1])).tolist() == [4]
    assert (5 & _ints([4, 1])).tolist() == [4, 1]
    assert (dr.tensor([True]) << 1).tolist() == [2]
    assert (dr.tensor([True]) ^ True).tolist() == [False]
    x = _ints([1, 2])
    version = x._version
    x |= 4
    x ^= _ints([1, 1])
    x <<= 1
    assert x.tolist() == [8, 14] and x._version == version + 3


@pytest.mark.parametrize("op", [lambda a: a | a, lambda a: a & 1, lambda a: a ^ a,
                                lambda a: a << 1, lambda a: 1 >> a])
def test_bitwise_operators_refuse_floats(op):
    with pytest.raises(NotImplementedError, match="integer and bool"):
        op(dr.tensor([1.0]))


def test_invert_of_a_float_tensor_is_a_type_error():
    with pytest.raises(TypeError, match="integer and Boolean"):
        ~dr.tensor(3.0)


@pytest.mark.parametrize("other", ["abc", None, object()])
def test_operators_with_things_that_are_not_numbers_raise_type_error(other):
    x = dr.tensor([1])
    for op in (lambda a, b: a | b, lambda a, b: b | a, lambda a, b: a + b, lambda a, b: b - a,
               lambda a, b: a < b):
        with pytest.raises(TypeError, match="unsupported operand|not supported"):
            op(x, other)
    assert (x == other) is False and (x != other) is True  # as PyTorch


# -- 2. backward from several threads ---------------------------------------------------

def _in_threads(work, args, switch=1e-6):
    """Run ``work(arg)`` for each of ``args`` in threads of their own, with
    the interpreter switching threads as often as it can."""
    import sys
    import threading
    interval = sys.getswitchinterval()
    sys.setswitchinterval(switch)
    try:
        threads = [threading.Thread(target=work, args=(arg,)) for arg in args]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)


def test_concurrent_backward_into_one_leaf_loses_nothing():
    """Arrays large enough that NumPy lets go of the GIL while adding."""
    w = dr.ones(1000, requires_grad=True)
    c = dr.full((1000,), 4.0)
    n = 2000

    def work(_):
        for _ in range(n):
            (w * c).sum().backward()
    _in_threads(work, [None, None])
    np.testing.assert_array_equal(w.grad.numpy(), np.full(1000, 2 * n * 4.0))


def test_concurrent_backward_of_scalar_chains_and_inputs():
    w = dr.tensor(1.0, requires_grad=True)
    n = 500

    def work(inputs):
        for _ in range(n):
            ((w * 2.0) * 1.0 + w).backward(inputs=inputs)
    _in_threads(work, [None, [w]])
    assert w.grad.item() == 2 * n * 3.0


# -- 4. gradients handed back by the user's code are checked ------------------------------

def test_a_tensor_hook_may_not_change_the_size_or_type():
    def widen(g):
        return dr.ones(3)
    for on_leaf in (True, False):
        x = dr.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        (x if on_leaf else y).register_hook(widen)
        with pytest.raises(RuntimeError, match="hook 'widen' has changed the size of value"):
            y.sum().backward()
        assert x.grad is None
    x = dr.tensor([1.0, 2.0], dtype=dr.float32, requires_grad=True)
    x.register_hook(lambda g: dr.ones(2, dtype=dr.float64))
    with pytest.raises(RuntimeError, match="changed the type of value"):
        (x * 2).sum().backward()


def test_node_hooks_may_not_change_sizes_or_counts():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.grad_fn.register_prehook(lambda go: (dr.ones(3),))
    with pytest.raises(RuntimeError, match="changed the size of value"):
        y.sum().backward()
    y = x * x
    y.grad_fn.register_hook(lambda gi, go: (dr.ones(2),))
    with pytest.raises(RuntimeError, match=r"incorrect number of values \(got 1, but expected 2\)"):
        y.sum().backward()


def _function_returning(value):
    class Scale(dr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return value
    return Scale


@pytest.mark.parametrize("shape", [(5,), (1,), ()])
def test_function_backward_of_a_wrong_shape_raises_pytorch_error(shape):
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"ScaleBackward returned an invalid gradient at index 0 "
                                           r"- got \[.*\] but expected shape compatible with \[2\]"):
        _function_returning(dr.ones(shape)).apply(x).sum().backward()


def test_function_backward_of_a_broadcast_shape_is_summed_and_cast():
    x = dr.tensor([1.0, 2.0], dtype=dr.float32, requires_grad=True)
    _function_returning(dr.ones(3, 2, dtype=dr.float64)).apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and x.grad.dtype == dr.float32


# -- 8. custom rules run as PyTorch's and JAX's do ---------------------------------------------

def test_function_forward_runs_with_grad_off_as_in_pytorch():
    seen = []

    class SinhBad(dr.autograd.Function):
        """PyTorch's "double backward: what not to do": intermediates kept on
        ctx have no history, so the gradient is not differentiable."""
        @staticmethod
        def forward(ctx, x):
            seen.append(dr.is_grad_enabled())
            ctx.expx, ctx.expnegx = dr.exp(x), dr.exp(-x)
            return (ctx.expx - ctx.expnegx) / 2

        @staticmethod
        def backward(ctx, grad_out):
            return grad_out * (ctx.expx + ctx.expnegx) / 2
    x = dr.tensor(1.0, requires_grad=True)
    (grad_x,) = dr.autograd.grad(SinhBad.apply(x), x, create_graph=True)
    assert seen == [False] and not grad_x.requires_grad
    assert dr.is_grad_enabled()


# -- 6. gradients at edge points make PyTorch's choices (values recorded from PyTorch 2.13) ---

def _grads(f, *values):
    xs = [dr.tensor(v, requires_grad=True) for v in values]
    out = f(*xs)
    out.sum().backward()
    return out, [x.grad.tolist() for x in xs]


def test_clamp_with_tensor_bounds_splits_as_pytorch():
    _, (gx, glo) = _grads(lambda x, lo: dr.clamp(x, min=lo), [1.0, 2.0, 3.0], [1.0, 1.0, 4.0])
    assert gx == [1.0, 1.0, 0.0] and glo == [0.0, 0.0, 1.0]
    _, grads = _grads(lambda x, lo, hi: dr.clamp(x, min=lo, max=hi),
                      [1.0, 2.0, 3.0], [1.0, 1.0, 4.0], [0.5, 5.0, 5.0])
    assert grads == [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    # every order of x, lo, hi over {0, 1, 2}: who gets the gradient (PyTorch's table)
    x, lo, hi = (np.array(v, dtype=float).ravel() for v in np.meshgrid(
        [0.0, 1.0, 2.0], [0.0, 1.0, 2.0], [0.0, 1.0, 2.0], indexing="ij"))
    _, (gx, glo, ghi) = _grads(lambda x, lo, hi: dr.clamp(x, lo, hi), x, lo, hi)
    np.testing.assert_array_equal(gx, (lo <= x) & (x <= hi))
    np.testing.assert_array_equal(glo, (x < lo) & (lo < hi))
    np.testing.assert_array_equal(ghi, (x > hi) | (lo > hi))


def test_std_of_a_constant_has_gradient_zero():
    out, (g,) = _grads(lambda x: x.std(), [1.0, 1.0, 1.0])
    assert out.item() == 0.0 and g == [0.0, 0.0, 0.0]


def test_atan2_at_the_origin_has_gradient_zero():
    _, grads = _grads(dr.atan2, 0.0, 0.0)
    assert grads == [0.0, 0.0]


def test_max_and_min_with_nan_send_the_gradient_to_the_nan():
    for reduce in (lambda x: x.max(), lambda x: x.min(), lambda x: dr.amax(x, 0)):
        out, (g,) = _grads(reduce, [1.0, float("nan"), 3.0])
        assert np.isnan(out.item()) and g == [0.0, 1.0, 0.0]


def test_xlogy_of_zero_and_infinity_is_zero():
    out, (gx, gy) = _grads(dr.xlogy, 0.0, float("inf"))
    assert out.item() == 0.0 and gx == float("inf") and gy == 0.0  # as PyTorch
    out, (gx, gy) = _grads(dr.xlogy, 0.0, 2.0)  # the gradient in x is log(y) at x = 0
    assert out.item() == 0.0 and gx == pytest.approx(np.log(2.0)) and gy == 0.0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_logit_outside_the_unit_interval_is_nan_with_a_nan_gradient():
    out, (g,) = _grads(dr.logit, [0.5, 2.0])
    assert out.tolist()[0] == 0.0 and np.isnan(out.tolist()[1])
    assert g[0] == 4.0 and np.isnan(g[1])


@pytest.mark.parametrize("matrix", [[[1.0, 2.0], [2.0, 4.0]], [[0.0, 1.0], [0.0, 0.0]],
                                    [[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]]])
def test_det_of_a_singular_matrix_differentiates_through_the_adjugate(matrix):
    a = np.array(matrix)
    n = len(a)
    cofactors = np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(a, i, 0), j, 1))
                           for j in range(n)] for i in range(n)])
    _, (g,) = _grads(dr.linalg.det, a)
    np.testing.assert_allclose(g, cofactors, atol=1e-12)
    t = dr.tensor(a, requires_grad=True)
    assert dr.autograd.gradcheck(dr.linalg.det, (t,))
    assert dr.autograd.gradgradcheck(dr.linalg.det, (t,))
    np.testing.assert_allclose(dr.func.jacfwd(dr.linalg.det)(a).numpy(), cofactors, atol=1e-12)


# -- 11. API edges ------------------------------------------------------------------------

def test_empty_inputs_are_refused_as_in_pytorch():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="`inputs` argument to `grad\\(\\)` cannot be empty"):
        dr.autograd.grad(y, [])
    with pytest.raises(RuntimeError, match="`inputs` argument to `backward\\(\\)` cannot be empty"):
        y.backward(inputs=[])
    assert x.grad is None


def test_requires_grad_of_a_non_leaf_cannot_be_set():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    for flag in (True, False):
        with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
            y.requires_grad = flag
    assert y.requires_grad_(True) is y  # as PyTorch: a no-op


def test_dtypes_equal_only_dtypes():
    assert dr.float64 != None  # noqa: E711
    assert not (dr.float64 == None)  # noqa: E711
    assert dr.float64 != "float64" and dr.float32 != 3
    assert dr.float64 == dr.double == np.float64 == np.dtype("float64")


@pytest.mark.parametrize("reduce", ["sum", "mean", "std", "var", "amax", "amin", "logsumexp"])
@pytest.mark.parametrize("empty", [(), []])
def test_an_empty_list_of_dims_reduces_over_all(reduce, empty):
    x = dr.tensor([[1.0, 2.0], [3.0, 5.0]])
    assert getattr(x, reduce)(empty).item() == pytest.approx(getattr(x, reduce)(dim=(0, 1)).item())


# -- 9. results nobody differentiates act like arrays ---------------------------------------

def test_numpy_may_write_a_gradient_into_an_array():
    w = np.ones(3)
    w -= dr.func.grad(lambda x: (x ** 2).sum())(w)
    np.testing.assert_array_equal(w, [-1.0, -1.0, -1.0])
    t = dr.tensor([1.0, 2.0])
    version = t._version
    assert np.add(t, 1.0, out=t) is t and t.tolist() == [2.0, 3.0] and t._version == version + 1


def test_numpy_may_not_write_a_differentiable_result_into_an_array():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    w = np.zeros(2)
    with pytest.raises(TypeError, match="out= cannot write a differentiable result"):
        w += x
    with pytest.raises(TypeError, match="out= cannot write a differentiable result"):
        np.sin(dr.Dual(np.ones(2), np.ones(2)), out=w)
    with pytest.raises(TypeError, match="out= cannot write a differentiable result"):
        np.add(np.ones(2), 1.0, out=x)


# -- 13. no graph holds a reference cycle ------------------------------------------------------

class _Cube(dr.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = x ** 3
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        return 3 * out / x * g


def _tensor_hooks(x):
    y = x * 2
    y.register_hook(lambda g: g * 2)
    x.register_hook(lambda g: g)
    z = y.exp()
    z.sum().backward()
    return y, z


def _retain_grad(x):
    y = x * 2
    y.retain_grad()
    z = y.exp()
    z.sum().backward()
    return y, z


def _node_hooks(x):
    y = x * 2
    y.grad_fn.register_hook(lambda gi, go: None)
    y.grad_fn.register_prehook(lambda go: None)
    y.sum().backward()
    return (y,)


def _grad_create_graph(x):
    y = (x * x).exp()
    (g,) = dr.autograd.grad(y.sum(), x, create_graph=True)
    (g * g).sum().backward()
    return y, g


def _function(x):
    y = _Cube.apply(x)
    (g,) = dr.autograd.grad(y.sum(), x, create_graph=True)
    g.sum().backward(retain_graph=True)
    return y, g


def _backward_create_graph(x):
    with pytest.warns(UserWarning, match="reference cycle"):  # as PyTorch, which warns too
        (x * x).exp().sum().backward(create_graph=True)
    x.grad = None  # breaks the cycle, as PyTorch's warning says
    return ()


@pytest.mark.parametrize("scenario", [_tensor_hooks, _retain_grad, _node_hooks,
                                      _grad_create_graph, _function, _backward_create_graph])
def test_memory_comes_back_without_the_garbage_collector(scenario):
    import gc
    import weakref
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        x = dr.tensor(np.linspace(0.5, 1.5, 1000), requires_grad=True)
        refs = [weakref.ref(t) for t in scenario(x)] + [weakref.ref(x)]
        del x
        assert [r for r in refs if r() is not None] == []
    finally:
        if enabled:
            gc.enable()


def _counted_custom_vjp(counts):
    @dr.custom_vjp
    def f(x, y):
        counts["f"] += 1
        return x * y

    def fwd(x, y):
        counts["fwd"] += 1
        return f(x, y), (x, y)

    def bwd(residuals, g):
        counts["bwd"] += 1
        x, y = residuals
        return g * y, g * x
    f.defvjp(fwd, bwd)
    return f


def _counted_custom_jvp(counts):
    @dr.custom_jvp
    def f(x, y):
        counts["f"] += 1
        return x * y

    @f.defjvp
    def rule(primals, tangents):
        counts["rule"] += 1
        (x, y), (tx, ty) = primals, tangents
        return f(x, y), tx * y + x * ty
    return f


@pytest.mark.parametrize("how, want", [
    (lambda f: f(2.0, 3.0), dict(f=1, fwd=0, bwd=0)),
    (lambda f: dr.func.grad(f, (0, 1))(2.0, 3.0), dict(f=1, fwd=1, bwd=1)),
    (lambda f: dr.func.vjp(f, 2.0, 3.0)[1](1.0), dict(f=1, fwd=1, bwd=1)),
    (lambda f: dr.func.jvp(f, (2.0, 3.0), (1.0, 0.0)), dict(f=1, fwd=0, bwd=0))])
def test_custom_vjp_runs_user_code_once_per_call_as_jax(how, want):
    counts = dict(f=0, fwd=0, bwd=0)
    how(_counted_custom_vjp(counts))
    assert counts == want


@pytest.mark.parametrize("how, want", [
    (lambda f: f(2.0, 3.0), dict(f=1, rule=0)),
    (lambda f: dr.func.jvp(f, (2.0, 3.0), (1.0, 0.0)), dict(f=1, rule=1)),
    (lambda f: dr.func.grad(f, (0, 1))(2.0, 3.0), dict(f=1, rule=1)),
    (lambda f: dr.func.jacfwd(lambda v: f(v, v))(np.ones(3)), dict(f=1, rule=1))])
def test_custom_jvp_runs_user_code_once_per_call_as_jax(how, want):
    counts = dict(f=0, rule=0)
    how(_counted_custom_jvp(counts))
    assert counts == want


def test_custom_rules_give_the_right_numbers_after_the_change():
    counts = dict(f=0, fwd=0, bwd=0, rule=0)
    for make in (_counted_custom_vjp, _counted_custom_jvp):
        f = make(counts)
        gx, gy = dr.func.grad(f, (0, 1))(2.0, 3.0)
        assert (gx.item(), gy.item()) == (3.0, 2.0)
        x = dr.tensor(2.0, requires_grad=True)
        (g,) = dr.autograd.grad(f(x, x), x, create_graph=True)
        (h,) = dr.autograd.grad(g, x)
        assert (g.item(), h.item()) == (4.0, 2.0)


def test_custom_vjp_bwd_of_a_wrong_shape_raises():
    @dr.custom_vjp
    def f(x):
        return x * 2
    f.defvjp(lambda x: (f(x), None), lambda _, g: (dr.ones(5),))
    with pytest.raises(ValueError, match=r"At output\[0\], got shape \(5,\) but expected \(2,\)"):
        dr.func.grad(lambda x: f(x).sum())(np.ones(2))
    f.defvjp(lambda x: (f(x), None), lambda _, g: (g, g))
    with pytest.raises(TypeError, match="tuple of length equal to the primal args"):
        dr.func.grad(lambda x: f(x).sum())(np.ones(2))


# -- found by a review: custom rules and Functions inside transforms --------------------------

def test_custom_functions_and_functions_take_constant_tensors_inside_transforms():
    k = dr.tensor(2.0)

    @dr.custom_vjp
    def f(x, k):
        return x * k
    f.defvjp(lambda x, k: (f(x, k), k), lambda k, g: (g * k, None))
    out = dr.func.grad(lambda x: f(x, k) ** 2)(dr.tensor(1.0))
    assert out.item() == 8.0 and not out.requires_grad

    class Mul(dr.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(k)
            return x * k

        @staticmethod
        def backward(ctx, g):
            (k,) = ctx.saved_tensors
            return g * k, None
    k2 = dr.tensor([2.0, 3.0])
    out = dr.func.grad(lambda x: dr.sin(Mul.apply(x, k2)).sum())(dr.tensor([0.5, -1.0]))
    assert type(out._value) is np.ndarray
    np.testing.assert_allclose(out.numpy(), np.cos([1.0, -3.0]) * [2.0, 3.0])


def test_a_saved_output_under_nested_transforms():
    class Exp(dr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y
    for order in (2, 3):
        f = Exp.apply
        for _ in range(order):
            f = dr.func.grad(f)
        out = f(dr.tensor(0.5))
        assert not out.requires_grad and out.item() == pytest.approx(np.exp(0.5))


def test_bool_powers_stay_bool():
    out = dr.tensor([True, False]) ** True
    assert out.dtype == dr.bool and out.tolist() == [True, False]
    assert (dr.tensor([True, False]) ** False).tolist() == [True, True]
