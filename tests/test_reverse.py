"""Reverse mode against PyTorch: every expected value below is what PyTorch
2.13 gives for the same program (``torch`` in place of ``dualrev``, with
``torch.set_default_dtype(torch.float64)``, dualrev's default). torch is not
needed to run them.
"""

import gc
import math
import re
import threading
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dualrev as dr
from test_function import Cube

FAST = settings(max_examples=25, deadline=None)


def arr(t):
    """The values of a tensor as an ndarray (also for a tensor that requires grad)."""
    return np.asarray(t.detach()) if isinstance(t, dr.Tensor) else np.asarray(t)


def close(t, expected, **kw):
    np.testing.assert_allclose(arr(t), np.asarray(expected, dtype=float), **kw)


@pytest.fixture
def default_float32():
    old = dr.get_default_dtype()
    dr.set_default_dtype(dr.float32)
    try:
        yield
    finally:
        dr.set_default_dtype(old)


# ---------------------------------------------------------------- leaves ---

def test_leaf_that_requires_grad():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    assert x.is_leaf and x.requires_grad and x.grad_fn is None and x.grad is None


def test_leaf_that_does_not_require_grad():
    c = dr.tensor([1.0, 2.0])
    assert c.is_leaf and not c.requires_grad and c.grad_fn is None
    d = c * 2 + 1  # computed from constants only: still a leaf, not recorded
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None


def test_non_leaf():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert not y.is_leaf and y.requires_grad and y.grad_fn is not None
    z = y + dr.tensor([3.0, 4.0])
    assert not z.is_leaf and z.requires_grad


def test_non_leaf_grad_is_none_after_backward():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    close(x.grad, [2.0, 2.0])
    with pytest.warns(UserWarning, match="not a leaf Tensor"):  # PyTorch warns here too
        assert y.grad is None


def test_non_leaf_grad_access_warns():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="non-leaf"):
        assert y.grad is None


def test_factories_make_leaves_that_require_grad():
    for t in (dr.zeros(2, 3, requires_grad=True), dr.ones((2,), requires_grad=True),
              dr.randn(4, requires_grad=True), dr.full((2,), 1.5, requires_grad=True)):
        assert t.is_leaf and t.requires_grad and t.grad_fn is None


# ------------------------------------------------------ .grad accumulation ---

@FAST
@given(values=hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(-3, 3)),
       calls=st.integers(1, 4))
def test_grad_accumulates_across_backward_calls(values, calls):
    x = dr.tensor(values, requires_grad=True)
    for _ in range(calls):
        (x * x).sum().backward()
    close(x.grad, calls * 2 * values, rtol=1e-12, atol=1e-12)


def test_grad_accumulates_into_the_same_tensor():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    (3 * x).sum().backward()
    g = x.grad
    (x * x).sum().backward()
    assert x.grad is g  # PyTorch adds in place when it can
    close(g, [5.0, 7.0])


def test_grad_set_to_none_restarts_accumulation():
    x = dr.tensor(2.0, requires_grad=True)
    (x ** 2).backward()
    x.grad = None
    (x ** 3).backward()
    assert x.grad.item() == 12.0


def test_grad_zero_restarts_accumulation():
    x = dr.tensor([2.0], requires_grad=True)
    (x ** 2).sum().backward()
    x.grad.zero_()
    (x ** 3).sum().backward()
    close(x.grad, [12.0])


def test_leaf_used_twice_sums_its_gradients():
    x = dr.tensor(3.0, requires_grad=True)
    y = x * x + x.exp() * x
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 3.0 + math.exp(3.0) * 4.0)


# ------------------------------------------------------------ grad_fn names ---

X3 = [1.0, 2.0, 3.0]
Y3 = [4.0, 5.0, 6.0]
A22 = [[1.0, 2.0], [3.0, 4.0]]


NAME_CASES = [
    ("add", lambda x, y, A: x + y, "AddBackward0"),
    ("add_scalar", lambda x, y, A: x + 1, "AddBackward0"),
    ("radd_scalar", lambda x, y, A: 1 + x, "AddBackward0"),
    ("sub", lambda x, y, A: x - y, "SubBackward0"),
    ("mul", lambda x, y, A: x * y, "MulBackward0"),
    ("mul_scalar", lambda x, y, A: x * 2, "MulBackward0"),
    ("div", lambda x, y, A: x / y, "DivBackward0"),
    ("div_scalar", lambda x, y, A: x / 2, "DivBackward0"),
    ("pow_scalar", lambda x, y, A: x ** 2, "PowBackward0"),
    ("neg", lambda x, y, A: -x, "NegBackward0"),
    ("sum", lambda x, y, A: x.sum(), "SumBackward0"),
    ("sum_dim", lambda x, y, A: A.sum(0), "SumBackward1"),
    ("mean", lambda x, y, A: x.mean(), "MeanBackward0"),
    ("mean_dim", lambda x, y, A: A.mean(1), "MeanBackward1"),
    ("exp", lambda x, y, A: x.exp(), "ExpBackward0"),
    ("dr_exp", lambda x, y, A: dr.exp(x), "ExpBackward0"),
    ("log", lambda x, y, A: x.log(), "LogBackward0"),
    ("sin", lambda x, y, A: dr.sin(x), "SinBackward0"),
    ("cos", lambda x, y, A: x.cos(), "CosBackward0"),
    ("tanh", lambda x, y, A: x.tanh(), "TanhBackward0"),
    ("sigmoid", lambda x, y, A: x.sigmoid(), "SigmoidBackward0"),
    ("relu", lambda x, y, A: x.relu(), "ReluBackward0"),
    ("sqrt", lambda x, y, A: x.sqrt(), "SqrtBackward0"),
    ("abs", lambda x, y, A: x.abs(), "AbsBackward0"),
    ("matmul_2d", lambda x, y, A: A @ A, "MmBackward0"),
    ("dr_matmul_2d", lambda x, y, A: dr.matmul(A, A), "MmBackward0"),
    ("reshape", lambda x, y, A: x.reshape(3, 1), "ViewBackward0"),
    ("view", lambda x, y, A: x.view(1, 3), "ViewBackward0"),
    ("transpose", lambda x, y, A: A.transpose(0, 1), "TransposeBackward0"),
    ("permute", lambda x, y, A: A.permute(1, 0), "PermuteBackward0"),
    ("unsqueeze", lambda x, y, A: x.unsqueeze(0), "UnsqueezeBackward0"),
    ("expand", lambda x, y, A: x.expand(2, 3), "ExpandBackward0"),
    ("clone", lambda x, y, A: x.clone(), "CloneBackward0"),
    ("select", lambda x, y, A: x[0], "SelectBackward0"),
    ("slice", lambda x, y, A: x[1:], "SliceBackward0"),
    ("cat", lambda x, y, A: dr.cat([x, y]), "CatBackward0"),
    ("stack", lambda x, y, A: dr.stack([x, y]), "StackBackward0"),
    ("where", lambda x, y, A: dr.where(x > 1, x, y), "WhereBackward0"),
    ("maximum", lambda x, y, A: dr.maximum(x, y), "MaximumBackward0"),
    ("prod", lambda x, y, A: x.prod(), "ProdBackward0"),
    ("amax", lambda x, y, A: x.amax(), "AmaxBackward0"),
    ("pow_tensor", lambda x, y, A: x ** y, "PowBackward1"),
    ("rpow", lambda x, y, A: 2 ** x, "PowBackward2"),
    ("rsub", lambda x, y, A: 1 - x, "RsubBackward1"),
    ("rdiv", lambda x, y, A: 1 / x, "MulBackward0"),
    ("square", lambda x, y, A: x.square(), "PowBackward0"),
    ("matmul_mv", lambda x, y, A: A @ x[:2], "MvBackward0"),
    ("matmul_dot", lambda x, y, A: x @ y, "DotBackward0"),
    ("t", lambda x, y, A: A.t(), "TBackward0"),
    ("max_all", lambda x, y, A: A.max(), "MaxBackward1"),
    ("max_dim", lambda x, y, A: A.max(0)[0], "MaxBackward0"),
    ("clamp", lambda x, y, A: x.clamp(0, 2), "ClampBackward1"),
    ("softmax", lambda x, y, A: x.softmax(0), "SoftmaxBackward0"),
    ("log_softmax", lambda x, y, A: x.log_softmax(0), "LogSoftmaxBackward0"),
    ("logsumexp", lambda x, y, A: x.logsumexp(0), "LogsumexpBackward0"),
    ("var", lambda x, y, A: x.var(), "VarBackward0"),
    ("std", lambda x, y, A: x.std(), "StdBackward0"),
    ("norm", lambda x, y, A: x.norm(), "LinalgVectorNormBackward0"),
    ("min_all", lambda x, y, A: A.min(), "MinBackward1"),
    ("min_dim", lambda x, y, A: A.min(1)[0], "MinBackward0"),
    ("clamp_tensor", lambda x, y, A: x.clamp(min=dr.tensor(0.0)), "ClampBackward0"),
    ("vector_matrix", lambda x, y, A: x[:2] @ A, "SqueezeBackward4"),
    ("softplus", lambda x, y, A: dr.softplus(x), "SoftplusBackward0"),
    ("log1p", lambda x, y, A: x.log1p(), "Log1PBackward0"),
    ("asin", lambda x, y, A: (x / 4).asin(), "AsinBackward0"),
    ("arccos", lambda x, y, A: dr.arccos(x / 4), "AcosBackward0"),
    ("atan", lambda x, y, A: x.atan(), "AtanBackward0"),
    ("asinh", lambda x, y, A: x.asinh(), "AsinhBackward0"),
    ("acosh", lambda x, y, A: x.acosh(), "AcoshBackward0"),
    ("atanh", lambda x, y, A: (x / 4).atanh(), "AtanhBackward0"),
    ("atan2", lambda x, y, A: dr.atan2(x, y), "Atan2Backward0"),
    ("sinh", lambda x, y, A: x.sinh(), "SinhBackward0"),
    ("cosh", lambda x, y, A: x.cosh(), "CoshBackward0"),
    ("exp2", lambda x, y, A: x.exp2(), "Exp2Backward0"),
    ("log2", lambda x, y, A: x.log2(), "Log2Backward0"),
    ("log10", lambda x, y, A: x.log10(), "Log10Backward0"),
    ("reciprocal", lambda x, y, A: x.reciprocal(), "ReciprocalBackward0"),
    ("rsqrt", lambda x, y, A: x.rsqrt(), "RsqrtBackward0"),
    ("hypot", lambda x, y, A: dr.hypot(x, y), "HypotBackward0"),
    ("logaddexp", lambda x, y, A: dr.logaddexp(x, y), "LogaddexpBackward0"),
    ("deg2rad", lambda x, y, A: x.deg2rad(), "Deg2RadBackward0"),
    ("rad2deg", lambda x, y, A: x.rad2deg(), "Rad2DegBackward0"),
    ("floor", lambda x, y, A: x.floor(), "FloorBackward0"),
    ("ceil", lambda x, y, A: x.ceil(), "CeilBackward0"),
    ("round", lambda x, y, A: x.round(), "RoundBackward0"),
    ("round_decimals", lambda x, y, A: dr.round(x, decimals=1), "RoundBackward1"),
    ("trunc", lambda x, y, A: x.trunc(), "TruncBackward0"),
    ("frac", lambda x, y, A: x.frac(), "FracBackward0"),
    ("trace", lambda x, y, A: A.trace(), "TraceBackward0"),
    ("diag_of_matrix", lambda x, y, A: A.diag(), "DiagonalBackward0_copy"),
    ("diag_of_vector", lambda x, y, A: x.diag(), "DiagEmbedBackward0"),
    ("triu", lambda x, y, A: A.triu(), "TriuBackward0"),
    ("tril", lambda x, y, A: A.tril(), "TrilBackward0"),
    ("flip", lambda x, y, A: x.flip(0), "FlipBackward0"),
    ("sort", lambda x, y, A: x.sort()[0], "SortBackward0"),
    ("roll", lambda x, y, A: dr.roll(x, 1, 0), "RollBackward0"),
    ("take", lambda x, y, A: dr.take(x, dr.tensor([0, 2])), "TakeBackward0"),
    ("outer", lambda x, y, A: dr.outer(x, y), "MulBackward0"),
    ("vdot", lambda x, y, A: x.vdot(y), "VdotBackward0"),
    ("moveaxis", lambda x, y, A: A.moveaxis(0, 1), "PermuteBackward0"),
    ("gather", lambda x, y, A: A.gather(0, dr.tensor([[1, 0]])), "GatherBackward0"),
]


def test_rounding_has_zero_derivative_and_frac_one():
    """As in PyTorch: floor, ceil, round and trunc give zero gradients (not a
    detached result), frac = x - trunc(x) passes the gradient through."""
    x = dr.tensor([0.3, 1.7, -2.4], requires_grad=True)
    for fn in (dr.floor, dr.ceil, dr.round, dr.trunc):
        out = fn(x)
        assert out.requires_grad
        (g,) = dr.autograd.grad(out.sum(), [x])
        close(g, [0.0, 0.0, 0.0])
    (g,) = dr.autograd.grad(dr.frac(x).sum(), [x])
    close(g, [1.0, 1.0, 1.0])
    close(dr.round(dr.tensor([1.26, -0.35]), decimals=1), [1.3, -0.4])


@pytest.mark.parametrize("name, fn, expected", NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_grad_fn_name(name, fn, expected):
    x = dr.tensor(X3, requires_grad=True)
    y = dr.tensor(Y3, requires_grad=True)
    A = dr.tensor(A22, requires_grad=True)
    out = fn(x, y, A)
    assert out.grad_fn.name() == expected


def test_grad_fn_repr():
    x = dr.tensor(1.0, requires_grad=True)
    y = x + 2
    assert re.fullmatch(r"<AddBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))
    assert repr(y) == "tensor(3., grad_fn=<AddBackward0>)"


# ----------------------------------------------------------- next_functions ---

def test_next_functions_structure():
    x = dr.tensor(2.0, requires_grad=True)
    y = dr.tensor(3.0, requires_grad=True)
    c = dr.tensor(4.0)
    z = x * y + c
    assert z.grad_fn.name() == "AddBackward0"
    nf = z.grad_fn.next_functions
    assert isinstance(nf, tuple) and len(nf) == 2
    (mul, i0), (none, i1) = nf
    assert (i0, i1) == (0, 0)
    assert none is None  # the constant has no node
    assert mul.name() == "MulBackward0"
    (ax, j0), (ay, j1) = mul.next_functions
    assert (j0, j1) == (0, 0)
    assert type(ax).__name__ == "AccumulateGrad" and type(ay).__name__ == "AccumulateGrad"
    assert ax.variable is x and ay.variable is y
    assert ax.next_functions == ()
    assert ax.name() == "torch::autograd::AccumulateGrad"


def _layout_cases():
    x = dr.tensor(0.3, requires_grad=True)
    c = dr.tensor(0.7)
    a = dr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    b = dr.tensor([0.5, -1.5], requires_grad=True)

    return {
        "scalar unary": (lambda: dr.sin(x), 1),
        "scalar, both inputs": (lambda: x * dr.cos(x), 2),
        "scalar, a constant first": (lambda: 0.25 * x, 2),
        "scalar, a constant tensor": (lambda: c * x, 2),
        "array broadcast": (lambda: a * b, 2),
        "parameters": (lambda: a.sum(dim=0, keepdim=True), 1),
        "output saved": (lambda: dr.exp(a), 1),
        "variadic": (lambda: dr.cat([b, b * 2, b]), 3),
        "indexing": (lambda: a[0, 1], 1),
        "custom Function": (lambda: Cube.apply(b), 1),
    }


@pytest.mark.parametrize("case", list(_layout_cases()))
def test_every_node_keeps_its_edges_and_saved_values_as_tuples(case):
    """One layout for every node, whichever path recorded it: ``edges`` a
    tuple with one entry per input, ``saved`` a tuple."""
    make, n_inputs = _layout_cases()[case]
    node = make().grad_fn
    assert type(node.edges) is tuple and len(node.edges) == n_inputs
    assert type(node.saved) is tuple
    assert len(node.saved) == len(node.plan.needs)


def test_next_functions_with_python_scalar():
    x = dr.tensor(2.0, requires_grad=True)
    nf = (x + 2).grad_fn.next_functions
    assert len(nf) == 2
    assert nf[0][0].variable is x and nf[0][1] == 0
    assert nf[1] == (None, 0)


def test_accumulate_grad_node_is_shared_by_uses_of_a_leaf():
    x = dr.tensor(2.0, requires_grad=True)
    (a, _), (b, _) = (x * x).grad_fn.next_functions
    assert a is b


def test_next_functions_chain_reaches_the_leaf():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    out = (x.exp() * 2).sum()
    names = []
    node = out.grad_fn
    while node is not None:
        names.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
    assert names == ["SumBackward0", "MulBackward0", "ExpBackward0",
                     "torch::autograd::AccumulateGrad"]


# ------------------------------------------------------ backward(gradient=) ---

@FAST
@given(data=st.data())
def test_backward_with_gradient_equals_weighted_sum(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    xv = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2)))
    v = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2)))
    x1 = dr.tensor(xv, requires_grad=True)
    (x1.sin() * x1).backward(gradient=dr.tensor(v))
    x2 = dr.tensor(xv, requires_grad=True)
    ((x2.sin() * x2) * dr.tensor(v)).sum().backward()
    close(x1.grad, arr(x2.grad), rtol=1e-12, atol=1e-12)
    close(x1.grad, v * (np.cos(xv) * xv + np.sin(xv)), rtol=1e-12, atol=1e-12)


def test_backward_gradient_on_scalar_scales():
    x = dr.tensor(3.0, requires_grad=True)
    (x * x).backward(dr.tensor(0.5))
    assert x.grad.item() == 3.0


# ------------------------------------------------------------- retain_graph ---

def test_retain_graph_allows_a_second_backward():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = arr(x.grad).copy()
    y.backward()
    close(x.grad, 2 * first)
    close(first, np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])))


def test_graph_without_saved_values_can_be_run_twice():
    # PyTorch: nothing saved (sum of an add), so nothing freed
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    close(x.grad, [2.0, 2.0])


# ------------------------------------------------------------- create_graph ---

def test_create_graph_higher_derivatives_of_x4():
    x = dr.tensor(2.0, requires_grad=True)
    y = x ** 4
    (g1,) = dr.autograd.grad(y, x, create_graph=True)
    (g2,) = dr.autograd.grad(g1, x, create_graph=True)
    (g3,) = dr.autograd.grad(g2, x, create_graph=True)
    (g4,) = dr.autograd.grad(g3, x)
    assert [g.item() for g in (g1, g2, g3, g4)] == [32.0, 48.0, 48.0, 24.0]
    assert g1.requires_grad and g1.grad_fn is not None


def test_create_graph_backward_makes_grad_differentiable():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.grad_fn is not None
    close(g, [3.0, 12.0])
    (h,) = dr.autograd.grad(g.sum(), x)
    close(h, [6.0, 12.0])


def test_create_graph_mixed_partials():
    x = dr.tensor(1.5, requires_grad=True)
    y = dr.tensor(-0.5, requires_grad=True)
    f = x ** 2 * y.sin() + x * y
    gx, gy = dr.autograd.grad(f, (x, y), create_graph=True)
    (gxy,) = dr.autograd.grad(gx, y)
    assert gxy.item() == pytest.approx(2 * 1.5 * math.cos(-0.5) + 1)
    (gyy,) = dr.autograd.grad(gy, y)
    assert gyy.item() == pytest.approx(-1.5 ** 2 * math.sin(-0.5))


def test_second_derivatives_of_transcendental_functions():
    xs = [0.3, 1.1]
    for fn, d2 in [(dr.exp, np.exp), (dr.sin, lambda v: -np.sin(v)),
                   (dr.tanh, lambda v: -2 * np.tanh(v) / np.cosh(v) ** 2),
                   (dr.log, lambda v: -1 / v ** 2), (dr.sqrt, lambda v: -0.25 * v ** -1.5)]:
        x = dr.tensor(xs, requires_grad=True)
        (g,) = dr.autograd.grad(fn(x).sum(), x, create_graph=True)
        (h,) = dr.autograd.grad(g.sum(), x)
        close(h, d2(np.array(xs)), rtol=1e-10)


# ------------------------------------------------------- backward(inputs=) ---

def test_backward_inputs_only_those_get_grad():
    x = dr.tensor(2.0, requires_grad=True)
    y = dr.tensor(3.0, requires_grad=True)
    (x * y).backward(inputs=[x])
    assert x.grad.item() == 3.0
    assert y.grad is None


def test_backward_inputs_single_tensor():
    x = dr.tensor(2.0, requires_grad=True)
    y = dr.tensor(3.0, requires_grad=True)
    (x * y).backward(inputs=y)
    assert y.grad.item() == 2.0 and x.grad is None


def test_backward_inputs_non_leaf():
    x = dr.tensor(2.0, requires_grad=True)
    h = x * 3
    (h ** 2).backward(inputs=[h])
    assert h.grad.item() == 12.0
    assert x.grad is None


def test_autograd_backward_several_outputs():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y1 = x * x
    y2 = x.sum() * 3
    dr.autograd.backward([y1, y2], [dr.tensor([1.0, 10.0]), dr.tensor(2.0)])
    close(x.grad, [2 * 1 * 1 + 6, 2 * 2 * 10 + 6])


def test_autograd_backward_scalars_without_grad_tensors():
    x = dr.tensor(2.0, requires_grad=True)
    dr.autograd.backward([x * x, x * 5])
    assert x.grad.item() == 9.0


def test_backward_alias():
    assert dr.backward is dr.autograd.backward
    x = dr.tensor(2.0, requires_grad=True)
    dr.backward(x ** 3)
    assert x.grad.item() == 12.0


# ------------------------------------------------------------ autograd.grad ---

def test_autograd_grad_returns_tuple_and_leaves_grad_alone():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = dr.tensor(3.0, requires_grad=True)
    out = (x * y).sum()
    grads = dr.autograd.grad(out, [x, y])
    assert isinstance(grads, tuple) and len(grads) == 2
    close(grads[0], [3.0, 3.0])
    assert grads[1].item() == 3.0
    assert x.grad is None and y.grad is None
    assert not grads[0].requires_grad


def test_autograd_grad_single_input_is_a_one_tuple():
    x = dr.tensor(2.0, requires_grad=True)
    g = dr.autograd.grad(x * x, x)
    assert isinstance(g, tuple) and len(g) == 1 and g[0].item() == 4.0


def test_autograd_grad_several_outputs_sum():
    x = dr.tensor(2.0, requires_grad=True)
    (g,) = dr.autograd.grad([x * x, x ** 3], [x])
    assert g.item() == 4.0 + 12.0


def test_autograd_grad_with_grad_outputs():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = dr.autograd.grad(x ** 2, x, grad_outputs=dr.tensor([1.0, 0.5, -1.0]))
    close(g, [2.0, 2.0, -6.0])
    x2 = dr.tensor(1.0, requires_grad=True)
    (g2,) = dr.autograd.grad([x2 * 2, x2 * x2], x2, grad_outputs=[dr.tensor(3.0), dr.tensor(5.0)])
    assert g2.item() == 6.0 + 10.0


def test_autograd_grad_allow_unused_gives_none():
    x = dr.tensor(2.0, requires_grad=True)
    unused = dr.tensor(1.0, requires_grad=True)
    gx, gu = dr.autograd.grad(x * 3, [x, unused], allow_unused=True)
    assert gx.item() == 3.0 and gu is None


def test_autograd_grad_wrt_non_leaf():
    x = dr.tensor(2.0, requires_grad=True)
    h = x.exp()
    (g,) = dr.autograd.grad(h * h, h)
    assert g.item() == pytest.approx(2 * math.exp(2.0))
    assert x.grad is None


def test_dr_grad_alias_for_tensors():
    x = dr.tensor(3.0, requires_grad=True)
    (g,) = dr.grad(x ** 2, x)
    assert g.item() == 6.0
    assert x.grad is None


def test_autograd_grad_retains_graph_when_asked():
    x = dr.tensor(2.0, requires_grad=True)
    y = x.exp()
    (a,) = dr.autograd.grad(y, x, retain_graph=True)
    (b,) = dr.autograd.grad(y, x)
    assert a.item() == b.item() == pytest.approx(math.exp(2.0))


# --------------------------------------------------------------- retain_grad ---

def test_retain_grad_on_non_leaf():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    assert h.retains_grad and not x.retains_grad
    (h ** 2).sum().backward()
    close(h.grad, [6.0, 12.0])
    close(x.grad, [18.0, 36.0])


def test_retain_grad_accumulates():
    x = dr.tensor(1.0, requires_grad=True)
    h = x * 2
    h.retain_grad()
    y = h * h
    y.backward(retain_graph=True)
    y.backward()
    assert h.grad.item() == 8.0
    assert x.grad.item() == 16.0


def test_retain_grad_on_leaf_is_a_no_op():
    x = dr.tensor(1.0, requires_grad=True)
    x.retain_grad()
    (x * 5).backward()
    assert x.grad.item() == 5.0


# ------------------------------------------------------------------- hooks ---

def test_hook_on_leaf_sees_grad_and_replaces_it():
    x = dr.tensor(3.0, requires_grad=True)
    seen = []

    def hook(g):
        seen.append(g.item())
        return g * 10

    x.register_hook(hook)
    (x * x).backward()
    assert seen == [6.0]
    assert x.grad.item() == 60.0


def test_hook_on_multi_element_leaf():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    seen = []

    def hook(g):
        seen.append(arr(g).copy())
        return g * 10

    x.register_hook(hook)
    (x * x).sum().backward()
    np.testing.assert_allclose(seen[0], [2.0, 4.0])
    close(x.grad, [20.0, 40.0])


def test_hook_returning_none_keeps_grad():
    x = dr.tensor(2.0, requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(g.item()))
    (x * 7).backward()
    assert calls == [7.0] and x.grad.item() == 7.0


def test_hook_on_non_leaf_changes_what_flows_upstream():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    seen = []
    h.register_hook(lambda g: seen.append(arr(g).copy()) or g * 2)
    (h * h).sum().backward()
    np.testing.assert_allclose(seen[0], [6.0, 12.0])
    close(x.grad, [36.0, 72.0])  # 3 * (2 * 2h)


def test_hook_handle_remove():
    x = dr.tensor(1.0, requires_grad=True)
    handle = x.register_hook(lambda g: g * 100)
    (x * 2).backward()
    assert x.grad.item() == 200.0
    handle.remove()
    x.grad = None
    (x * 2).backward()
    assert x.grad.item() == 2.0


def test_hooks_run_in_registration_order():
    x = dr.tensor(1.0, requires_grad=True)
    x.register_hook(lambda g: g + 1)
    x.register_hook(lambda g: g * 3)
    (x * 2).backward()
    assert x.grad.item() == 9.0


def test_non_leaf_hook_remove():
    x = dr.tensor(1.0, requires_grad=True)
    h = x * 2
    handle = h.register_hook(lambda g: g * 0)
    handle.remove()
    (h * 4).backward()
    assert x.grad.item() == 8.0


# ---------------------------------------------------------------- grad mode ---

def test_no_grad_records_nothing():
    x = dr.tensor([1.0], requires_grad=True)
    with dr.no_grad():
        assert not dr.is_grad_enabled()
        y = x * 2
    assert dr.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_enable_grad_inside_no_grad():
    x = dr.tensor([1.0], requires_grad=True)
    with dr.no_grad():
        with dr.enable_grad():
            assert dr.is_grad_enabled()
            y = x * 2
        z = x * 2
    assert y.requires_grad and y.grad_fn.name() == "MulBackward0"
    assert not z.requires_grad


def test_set_grad_enabled_as_call():
    x = dr.tensor([1.0], requires_grad=True)
    try:
        dr.set_grad_enabled(False)
        assert not dr.is_grad_enabled()
        assert not (x * 2).requires_grad
        dr.set_grad_enabled(True)
        assert (x * 2).requires_grad
    finally:
        dr.set_grad_enabled(True)


def test_set_grad_enabled_as_context_manager():
    x = dr.tensor([1.0], requires_grad=True)
    with dr.set_grad_enabled(False):
        y = x * 2
        with dr.set_grad_enabled(True):
            z = x * 2
    assert dr.is_grad_enabled()
    assert not y.requires_grad and z.requires_grad


def test_set_grad_enabled_as_decorator():
    x = dr.tensor([1.0], requires_grad=True)

    @dr.set_grad_enabled(False)
    def f(t):
        return t * 2, dr.is_grad_enabled()

    assert dr.is_grad_enabled()  # decorating does not switch the mode
    y, inside = f(x)
    assert not inside and not y.requires_grad
    assert dr.is_grad_enabled()


def test_no_grad_and_enable_grad_as_decorators():
    x = dr.tensor([1.0], requires_grad=True)

    @dr.no_grad()
    def off(t):
        return t * 2

    @dr.enable_grad()
    def on(t):
        return t * 2

    assert not off(x).requires_grad
    with dr.no_grad():
        assert on(x).requires_grad
        assert not dr.is_grad_enabled()


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with dr.no_grad():
            raise ValueError("boom")
    assert dr.is_grad_enabled()


def test_grad_mode_is_thread_local():
    x = dr.tensor([1.0], requires_grad=True)
    result = {}

    def worker():
        result["enabled"] = dr.is_grad_enabled()
        result["records"] = (x * 2).requires_grad

    with dr.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not dr.is_grad_enabled()
    assert result == {"enabled": True, "records": True}


def test_no_grad_in_thread_does_not_leak():
    done = threading.Event()
    go = threading.Event()

    def worker():
        with dr.no_grad():
            go.set()
            done.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    go.wait(5)
    try:
        assert dr.is_grad_enabled()
        x = dr.tensor(1.0, requires_grad=True)
        assert (x * 2).requires_grad
    finally:
        done.set()
        t.join()


# ------------------------------------------------------------ detach & data ---

def test_detach_shares_memory_and_version_counter():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d.add_(1)
    close(x, [2.0, 3.0])
    assert x._version == 1 and d._version == 1


def test_detach_of_0d_tensor_shares_memory():
    x = dr.tensor(1.0, requires_grad=True)
    d = x.detach()
    d.add_(1)
    assert x._version == 1
    assert x.item() == 2.0


def test_data_of_0d_tensor_shares_memory():
    x = dr.tensor(1.0, requires_grad=True)
    x.data.mul_(3)
    assert x.item() == 3.0


def test_numpy_of_0d_tensor_shares_memory():
    x = dr.tensor(1.0)
    n = x.numpy()
    n[()] = 5.0
    assert x.item() == 5.0


def test_slices_and_rows_are_views():
    x = dr.tensor([[1.0, 2.0], [3.0, 4.0]])
    x[0].add_(10)
    x[:, 1:].mul_(2)
    x.t().sub_(1)
    assert x.tolist() == [[10.0, 23.0], [2.0, 7.0]]
    assert x._version == 3


def test_single_element_index_is_a_view():
    x = dr.tensor([1.0, 2.0, 3.0])
    x[1].mul_(2)
    assert x.tolist() == [1.0, 4.0, 3.0]
    m = dr.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=dr.float32)
    m[0, 1].add_(1)
    assert m.tolist() == [[1.0, 3.0], [3.0, 4.0]]


def test_detach_of_saved_tensor_changed_in_place_is_caught():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = (h * h).sum()
    h.detach().mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_detach_in_place():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None
    close(y, [2.0, 4.0])


def test_detach_cuts_the_gradient():
    x = dr.tensor(3.0, requires_grad=True)
    y = x * x.detach()
    y.backward()
    assert x.grad.item() == 3.0


def test_data_shares_memory_untracked():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.is_leaf
    d.mul_(2)
    close(x, [2.0, 4.0])
    assert x._version == 0  # not tracked
    assert x.requires_grad and x.is_leaf


def test_data_change_is_not_caught_and_backward_uses_new_values():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data.mul_(10)
    y.backward()
    close(x.grad, [20.0, 40.0])


def test_requires_grad_():
    x = dr.tensor([1.0, 2.0])
    assert x.requires_grad_() is x
    assert x.requires_grad and x.is_leaf
    (x * x).sum().backward()
    close(x.grad, [2.0, 4.0])
    x.requires_grad_(False)
    assert not x.requires_grad and not (x * 2).requires_grad


def test_requires_grad_setter():
    x = dr.tensor(1.0)
    x.requires_grad = True
    (x * 4).backward()
    assert x.grad.item() == 4.0


def test_clone_is_differentiable_and_copies():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert not c.is_leaf and c.grad_fn.name() == "CloneBackward0"
    (c * dr.tensor([3.0, 4.0])).sum().backward()
    close(x.grad, [3.0, 4.0])
    b = dr.tensor([1.0, 2.0])
    cb = b.clone()
    cb.add_(1)
    close(b, [1.0, 2.0])
    assert not cb.requires_grad


def test_item_tolist_numpy():
    t = dr.tensor([[1.5, 2.0], [3.0, 4.0]])
    assert t.tolist() == [[1.5, 2.0], [3.0, 4.0]]
    assert dr.tensor(2.5).item() == 2.5 and type(dr.tensor(2.5).item()) is float
    assert type(dr.tensor(3).item()) is int
    assert dr.tensor([7.0]).item() == 7.0
    assert dr.tensor(2.5).tolist() == 2.5
    n = t.numpy()
    assert isinstance(n, np.ndarray) and n.dtype == np.float64 and n.shape == (2, 2)
    n[0, 0] = 9.0  # shares memory, as in PyTorch
    assert t[0, 0].item() == 9.0
    x = dr.tensor(1.5, requires_grad=True)
    assert x.item() == 1.5 and x.detach().numpy() == 1.5


# ------------------------------------------------------------------- dtypes ---

def test_default_dtype_float64():
    assert dr.get_default_dtype() == dr.float64
    assert dr.tensor([1.0]).dtype == dr.float64
    assert dr.tensor(1.0).dtype == dr.float64
    assert dr.zeros(2).dtype == dr.float64
    x = dr.tensor([1.0], requires_grad=True)
    (x * 2).sum().backward()
    assert x.grad.dtype == dr.float64


def test_set_default_dtype_float32(default_float32):
    assert dr.get_default_dtype() == dr.float32
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    assert x.dtype == dr.float32 and dr.ones(2).dtype == dr.float32
    y = (x * 0.1 + 1).sum()
    assert y.dtype == dr.float32
    y.backward()
    assert x.grad.dtype == dr.float32
    assert dr.tensor([1.0], dtype=dr.float64).dtype == dr.float64


def test_int_division_gives_the_default_float(default_float32):
    assert (dr.tensor([1, 2]) / dr.tensor([2, 2])).dtype == dr.float32
    assert (dr.tensor([1, 2]) / 2).dtype == dr.float32


def test_int_tensors_stay_int64():
    t = dr.tensor([1, 2, 3])
    assert t.dtype == dr.int64
    assert (t + 1).dtype == dr.int64 and (t * t).dtype == dr.int64
    assert t.sum().dtype == dr.int64
    assert (t / 2).dtype == dr.float64
    assert (t * 1.5).dtype == dr.float64
    assert dr.tensor([True, False]).dtype == dr.bool


def test_gradient_takes_the_input_dtype():
    a = dr.tensor([1.0, 2.0], dtype=dr.float32, requires_grad=True)
    b = dr.tensor([3.0, 4.0], requires_grad=True)
    c = a * b
    assert c.dtype == dr.float64
    c.sum().backward()
    assert a.grad.dtype == dr.float32 and b.grad.dtype == dr.float64
    close(a.grad, [3.0, 4.0])
    close(b.grad, [1.0, 2.0])


def test_zero_dim_float64_does_not_upcast_float32():
    a = dr.tensor([1.0, 2.0], dtype=dr.float32, requires_grad=True)
    s = dr.tensor(3.0, requires_grad=True)
    c = a * s
    assert c.dtype == dr.float32
    c.sum().backward()
    assert a.grad.dtype == dr.float32 and s.grad.dtype == dr.float64
    assert s.grad.item() == 3.0


# ------------------------------------------------------------- broadcasting ---

def _unbroadcast(g, shape):
    g = np.asarray(g)
    while g.ndim > len(shape):
        g = g.sum(0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis, keepdims=True)
    return g


@FAST
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
       seed=st.integers(0, 2 ** 16))
def test_broadcasting_is_undone_in_gradients(shapes, seed):
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    rng = np.random.default_rng(seed)
    av, bv = rng.normal(size=sa), rng.normal(size=sb)
    w = rng.normal(size=out_shape)
    a = dr.tensor(av, requires_grad=True)
    b = dr.tensor(bv, requires_grad=True)
    out = a * b + a
    assert tuple(out.shape) == out_shape
    (out * dr.tensor(w)).sum().backward()
    assert tuple(a.grad.shape) == sa and tuple(b.grad.shape) == sb
    full_b = np.broadcast_to(bv, out_shape)
    full_a = np.broadcast_to(av, out_shape)
    close(a.grad, _unbroadcast(w * (full_b + 1), sa), rtol=1e-10, atol=1e-12)
    close(b.grad, _unbroadcast(w * full_a, sb), rtol=1e-10, atol=1e-12)


def test_broadcasting_column_plus_row():
    a = dr.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    b = dr.tensor([[10.0, 20.0, 30.0, 40.0]], requires_grad=True)
    out = a * b
    assert out.shape == (3, 4)
    out.sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (1, 4)
    close(a.grad, [[100.0], [100.0], [100.0]])
    close(b.grad, [[6.0, 6.0, 6.0, 6.0]])
    a.grad = b.grad = None
    total = a + b
    assert total.shape == (3, 4)
    total.backward(dr.ones(3, 4))
    close(a.grad, [[4.0], [4.0], [4.0]])
    close(b.grad, [[3.0, 3.0, 3.0, 3.0]])


def test_broadcasting_zero_dim_with_arrays():
    s = dr.tensor(2.0, requires_grad=True)
    m = dr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (s * m + s).sum().backward()
    assert s.grad.shape == () and s.grad.item() == 14.0
    close(m.grad, [[2.0, 2.0], [2.0, 2.0]])


def test_broadcasting_through_expand():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x.expand(4, 3) * 2).sum().backward()
    close(x.grad, [8.0, 8.0, 8.0])


# ---------------------------------------------------------------- reductions ---

def test_keepdim_reductions():
    A = dr.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    s = A.sum(1, keepdim=True)
    m = A.mean(dim=0, keepdim=True)
    amax = A.amax(dim=1, keepdim=True)
    assert s.shape == (2, 1) and m.shape == (1, 3) and amax.shape == (2, 1)
    close(s, [[6.0], [15.0]])
    (s * dr.tensor([[1.0], [2.0]])).sum().backward(retain_graph=True)
    close(A.grad, [[1, 1, 1], [2, 2, 2]])
    A.grad = None
    (m * dr.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    close(A.grad, [[0.5, 1.0, 1.5], [0.5, 1.0, 1.5]])
    A.grad = None
    amax.sum().backward()
    close(A.grad, [[0, 0, 1], [0, 0, 1]])


def test_sum_over_several_dims():
    A = dr.ones(2, 3, 4, requires_grad=True)
    s = A.sum((0, 2))
    assert s.shape == (3,)
    (s * dr.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert A.grad.shape == (2, 3, 4)
    close(A.grad[1, :, 2], [1.0, 2.0, 3.0])


def test_max_min_with_dim_return_values_and_indices():
    A = dr.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
    values, indices = A.max(dim=1)
    close(values, [5.0, 6.0])
    assert indices.tolist() == [1, 2] and indices.dtype == dr.int64
    (values * dr.tensor([1.0, 2.0])).sum().backward()
    close(A.grad, [[0, 1, 0], [0, 0, 2]])
    A.grad = None
    mn = A.min(0)
    close(mn.values, [1.0, 2.0, 3.0])
    assert mn.indices.tolist() == [0, 1, 0]
    mn.values.sum().backward()
    close(A.grad, [[1, 0, 1], [0, 1, 0]])


def test_max_with_keepdim():
    A = dr.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)
    v, i = dr.max(A, dim=0, keepdim=True)
    assert v.shape == (1, 3) and i.shape == (1, 3)
    assert i.tolist() == [[1, 0, 1]]
    v.sum().backward()
    close(A.grad, [[0, 1, 0], [1, 0, 1]])


def test_full_max_gradient():
    x = dr.tensor([1.0, 7.0, 3.0], requires_grad=True)
    m = x.max()
    assert m.item() == 7.0
    m.backward()
    close(x.grad, [0, 1, 0])


# ----------------------------------------------------------------- in place ---

def test_augmented_assignment_on_non_leaf():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y += x
    y -= 1
    y *= x
    y /= 2
    assert y.grad_fn.name() == "DivBackward0"
    close(y, [1.0, 5.0, 12.0])
    y.sum().backward()
    close(x.grad, [2.5, 5.5, 8.5])  # d/dx (3x^2 - x) / 2


def test_inplace_methods_on_non_leaf():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = dr.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x.exp() + 0  # (exp saves its output: changing that in place would be an error)
    y.add_(w, alpha=2)
    y.sub_(x, alpha=3)
    y.mul_(w)
    y.div_(x)
    close(y, [0.35914091422952255, 0.3054719505346748, 10.057024615458445], rtol=1e-12)
    y.sum().backward()
    # torch 2.13 output of the same program
    close(x.grad, [-0.5, -2.3472640247326626, 8.038016410305628], rtol=1e-12)
    close(w.grad, [1.718281828459045, -1.3054719505346748, 6.361845641062556], rtol=1e-12)


def test_zero_and_fill_on_non_leaf():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.zero_()
    close(y, [0.0, 0.0])
    (y + x * 3).sum().backward()
    close(x.grad, [3.0, 3.0])
    x.grad = None
    z = x * 2
    z.fill_(5.0)
    close(z, [5.0, 5.0])
    (z * x).sum().backward()
    close(x.grad, [5.0, 5.0])


def test_copy_on_non_leaf():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    w = dr.tensor([7.0, 8.0], requires_grad=True)
    y = x * 2
    y.copy_(w * 3)
    close(y, [21.0, 24.0])
    (y * y).sum().backward()
    close(w.grad, [126.0, 144.0])


def test_copy_gives_zero_gradient_to_overwritten_history():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    w = dr.tensor([7.0, 8.0], requires_grad=True)
    y = x * 2
    y.copy_(w * 3)
    (y * y).sum().backward()
    assert x.grad is not None
    close(x.grad, [0.0, 0.0])


def test_copy_broadcasts_and_casts():
    y = dr.zeros(2, 3)
    y.copy_(dr.tensor([1, 2, 3]))
    close(y, [[1, 2, 3], [1, 2, 3]])
    assert y.dtype == dr.float64


def test_clamp_on_non_leaf():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y.clamp_(3.0, 5.0)
    close(y, [3.0, 4.0, 5.0])
    y.sum().backward()
    close(x.grad, [0.0, 2.0, 0.0])


def test_setitem_on_non_leaf():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = dr.tensor(4.0, requires_grad=True)
    y = x * 2
    y[1] = w * 5
    y[0] = 0.0
    close(y, [0.0, 20.0, 6.0])
    (y * y).sum().backward()
    close(x.grad, [0.0, 0.0, 24.0])
    assert w.grad.item() == 200.0


def test_setitem_with_mask_and_slice():
    x = dr.tensor([1.0, -2.0, 3.0, -4.0], requires_grad=True)
    y = x * 1
    y[y < 0] = 0.0
    y[2:] = y[2:] * 10
    close(y, [1.0, 0.0, 30.0, 0.0])
    y.sum().backward()
    close(x.grad, [1.0, 0.0, 10.0, 0.0])


def test_inplace_on_view_of_non_leaf():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[1:].mul_(3)
    close(y, [2.0, 12.0, 18.0])
    y.sum().backward()
    close(x.grad, [2.0, 6.0, 6.0])


def test_version_counter():
    x = dr.tensor([1.0, 2.0, 3.0])
    assert x._version == 0
    x.add_(1)
    assert x._version == 1
    x[0] = 5.0
    assert x._version == 2
    x += 1
    x *= 2
    assert x._version == 4
    x.zero_()
    x.fill_(1.0)
    x.copy_(dr.ones(3))
    x.clamp_(0.0, 0.5)
    assert x._version == 8
    v = x.view(3)
    v.add_(1)  # a view shares its base's counter
    assert x._version == 9 and v._version == 9
    y = x + 1  # out of place: no bump
    assert x._version == 9 and y._version == 0


def test_inplace_on_leaf_under_no_grad_optimizer_step():
    w = dr.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with dr.no_grad():
            w -= 0.25 * w.grad
            w.grad.zero_()
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    close(w, [0.125, 0.25])
    assert w._version == 3
    with dr.no_grad():
        w.mul_(2)
        w[0] = 1.0
        w.add_(1)
    close(w, [2.0, 1.5])
    (w * 3).sum().backward()
    close(w.grad, [3.0, 3.0])


# ---------------------------------------------------------------- long chains ---

def test_long_chain_of_scalar_ops_has_no_recursion_limit():
    x = dr.tensor(1.0, requires_grad=True)
    y = x
    n = 100_000
    for _ in range(n):
        y = y * 1.00001
    y.backward()
    assert x.grad.item() == pytest.approx(1.00001 ** n, rel=1e-9)


def test_long_chain_of_mixed_ops():
    x = dr.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y + 0.0
        y = y - 0.0
    (g,) = dr.autograd.grad(y * y, x)
    assert g.item() == 1.0


# ----------------------------------------------------------------- memory ---

def test_backward_releases_saved_arrays():
    x = dr.tensor(np.linspace(0.0, 1.0, 200_000), requires_grad=True)
    h = x.exp()
    ref = weakref.ref(np.asarray(h.detach()))
    y = (h.sin() * h).sum()
    del h
    gc.collect()
    assert ref() is not None  # still saved by the graph
    y.backward()
    gc.collect()
    assert y.grad_fn is not None  # the output and its node are alive...
    assert ref() is None  # ...but the saved intermediate is gone


def test_retain_graph_keeps_saved_arrays():
    x = dr.tensor(np.linspace(0.0, 1.0, 1000), requires_grad=True)
    h = x.exp()
    ref = weakref.ref(np.asarray(h.detach()))
    y = (h * h).sum()
    del h
    y.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None
    y.backward()
    gc.collect()
    assert ref() is None


def test_backward_releases_memory_tracemalloc():
    import tracemalloc

    n = 250_000  # 2 MB per array
    x = dr.tensor(np.linspace(0.0, 1.0, n), requires_grad=True)
    tracemalloc.start()
    try:
        y = x
        for _ in range(8):
            y = y.sin() * 1.5
        y = y.sum()
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        y.backward()
        x.grad = None
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert y.grad_fn is not None
    assert before > 6.5 * n * 8  # the graph held the inputs of sin after the first: 7 arrays
    assert after < n * 8


def test_grad_made_with_create_graph_can_be_changed_in_place():
    """sum's cotangent is a broadcast number; with create_graph the leaf's
    .grad still gets memory of its own (as in PyTorch), so zero_() works."""
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.sum().backward(create_graph=True)
    x.grad.zero_()
    close(x.grad, [0.0, 0.0, 0.0])
    (x * x).sum().backward(create_graph=True)
    close(x.grad, [2.0, 4.0, 6.0])


# -- cotangents of slices ----------------------------------------------------------

def _slices_loss(x):
    """x read in overlapping slices, by an advanced index, and whole."""
    return ((x[1:] - x[:-1] ** 2) ** 2).sum() + (x[:-1] * 3.0).sum() + x[[0, 0, 2]].sum() \
        + (x * x).sum()


def _slices_grad(v):
    g = np.zeros_like(v)
    d = v[1:] - v[:-1] ** 2
    g[1:] += 2 * d
    g[:-1] += -4 * d * v[:-1] + 3.0
    np.add.at(g, [0, 0, 2], 1.0)
    return g + 2 * v


def test_slices_of_one_tensor_send_their_cotangents_together():
    v = np.array([0.3, -1.2, 0.7, 2.0, -0.4])
    x = dr.tensor(v, requires_grad=True)
    _slices_loss(x).backward()
    close(x.grad, _slices_grad(v))
    (g,) = dr.autograd.grad(_slices_loss(x), [x])
    close(g, _slices_grad(v))


def test_slices_cotangents_are_differentiable_and_seen_by_hooks():
    v = np.array([0.3, -1.2, 0.7, 2.0])
    x = dr.tensor(v, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.detach().numpy().copy()))
    (g,) = dr.autograd.grad(_slices_loss(x), [x], create_graph=True)
    close(g, _slices_grad(v))
    close(seen[0], _slices_grad(v))
    # d/dx of sum(g) by finite differences of the gradient written out by hand
    h = 1e-6
    fd = np.array([(_slices_grad(v + h * e).sum() - _slices_grad(v - h * e).sum()) / (2 * h)
                   for e in np.eye(v.size)])
    g.sum().backward()
    close(x.grad, fd, rtol=1e-6)


def test_a_scaled_broadcast_cotangent_still_gives_a_grad_of_its_own():
    """sum's cotangent times a constant stays one broadcast number inside the
    sweep; the leaf's .grad is still an array of its own."""
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * 3.0).sum().backward()
    close(x.grad, [3.0, 3.0, 3.0])
    x.grad.add_(1.0)
    close(x.grad, [4.0, 4.0, 4.0])
    ((x ** 2) * 2.0).mean().backward()
    close(x.grad, [4.0 + 4.0 / 3, 4.0 + 8.0 / 3, 4.0 + 4.0])


# -- scalar code keeps floats: what PyTorch's shared storage would show ----------------

@pytest.mark.parametrize("change, expected", [
    (lambda y, w: y.mul_(w), (3.0, 2.0)),
    (lambda y, w: y.mul_(w).mul_(w), (9.0, 12.0)),
    (lambda y, w: y.mul_(w).add_(1.0), (3.0, 2.0)),
    (lambda y, w: y.pow_(2.0), (4.0, 0.0)),
])
def test_inplace_ops_on_a_scalar_record_like_pytorch(change, expected):
    """The temporary an in-place op computes from is not the tensor it
    changes: saving its float must not count as saving the tensor."""
    for _ in range(2):  # the second time, every plan is cached (the short path)
        x = dr.tensor(2.0, requires_grad=True)
        w = dr.tensor(3.0, requires_grad=True)
        y = x * 1
        change(y, w)
        y.backward()
        assert (float(x.grad), float(w.grad) if w.grad is not None else 0.0) == expected


@pytest.mark.parametrize("change", [
    lambda y: y.data.add_(1.0),
    lambda y: y.detach().numpy().__setitem__((), 7.0),
    lambda y: setattr(y, "data", dr.tensor(7.0)),
])
def test_untracked_changes_are_seen_by_backward_as_in_pytorch(change):
    """Changes through .data, numpy() and a new .data bump no version, and
    PyTorch's backward reads the shared storage: so does dualrev's, though
    scalar code kept the float."""
    for _ in range(2):
        x = dr.tensor(2.0, requires_grad=True)
        y = x * 3.0
        z = y * y
        change(y)
        z.backward()
        assert float(x.grad) == 42.0  # 3 * 2 * 7


def test_a_new_data_on_a_leaf_is_seen_by_backward():
    for _ in range(2):
        x = dr.tensor(2.0, requires_grad=True)
        z = dr.sin(x)
        x.data = dr.tensor(0.0)
        z.backward()
        assert float(x.grad) == 1.0  # cos(0), as PyTorch gives


def test_gradients_handed_out_can_be_changed_in_place():
    """A cotangent that is a broadcast number times a constant stays one
    inside the sweep; what autograd.grad, func.grad and hooks hand out is an
    array of its own, as PyTorch's MulBackward makes one."""
    x = dr.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    (g,) = dr.autograd.grad((x * 2).sum(), [x])
    g.add_(1.0)
    close(g, [3.0] * 4)
    g = dr.func.grad(lambda v: (v * 2).sum())(np.array([1.0, 2.0]))
    g.add_(1.0)
    close(g, [3.0, 3.0])
    y = x * 3
    y.register_hook(lambda grad: grad.mul_(2))
    (y * 2).sum().backward()
    close(x.grad, [12.0] * 4)


@pytest.mark.parametrize("stop", [lambda x: x.requires_grad_(False), lambda x: x.detach_()])
def test_a_leaf_that_stops_requiring_grad_gets_no_gradient(stop):
    """As PyTorch's AccumulateGrad: a graph made before the leaf stopped
    requiring grad still runs, but its gradient is not accumulated."""
    x = dr.tensor(2.0, requires_grad=True)
    w = dr.tensor(3.0, requires_grad=True)
    y = x * w
    stop(x)
    y.backward()
    assert x.grad is None
    assert float(w.grad) == 2.0


def test_untracked_changes_of_a_saved_output_follow_pytorch():
    """A saved output sees changes through the storage it shared, not a new
    .data (the tensor gets new storage; the saved output keeps the old); a
    leaf switched off and on keeps its accumulator and what was exposed."""
    for _ in range(2):
        x = dr.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.data = dr.tensor([5.0, 6.0])
        y.sum().backward()
        close(x.grad, np.exp([1.0, 2.0]))
        x = dr.tensor(0.3, requires_grad=True)
        z = x.exp()
        w = z + 0
        z.data *= 3
        w.backward()
        close(x.grad, 3 * np.exp(0.3))
        x = dr.tensor(2.0, requires_grad=True)
        y = x * x
        x.requires_grad_(False)
        x.data.mul_(2)
        x.requires_grad_(True)
        y.backward()
        assert float(x.grad) == 8.0


# -- in place through views: PyTorch's CopySlices (numbers read from torch 2.13) ---------

def test_a_view_changed_in_place_changes_its_base_history():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    v = y[1:]
    v.mul_(x[:2])
    (y * y).sum().backward()
    close(y, [2.0, 4.0, 12.0])
    assert y.grad_fn.name() == "CopySlices" and v.grad_fn.name() == "AsStridedBackward0"
    close(x.grad, [40.0, 160.0, 96.0])


def test_other_views_follow_a_change_through_one_view():
    x = dr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x.clone()
    w = y.t()
    r = y[0]  # made before the change: its history is remade after it
    w.add_(1.0)
    ((r * r).sum() + (y ** 3).sum()).backward()
    close(x.grad, [[16.0, 33.0], [48.0, 75.0]])


def test_views_follow_a_change_of_their_base():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    v = y[:2]
    y.mul_(x)  # the base changes: v sees x * x now, and its history says so
    v.sum().backward()
    close(v, [1.0, 4.0])
    close(x.grad, [2.0, 4.0, 0.0])


def test_a_zero_dimensional_view_changed_in_place():
    x = dr.tensor(2.0, requires_grad=True)
    p = x * 1.5
    q = p.view(())
    q.mul_(3.0)
    (p * p).backward()
    assert float(x.grad) == 81.0


def test_a_copy_made_by_indexing_is_not_a_view():
    """Advanced and boolean indexing copy: a change of the copy is not a
    change of the base, and the other way round (as in PyTorch)."""
    x = dr.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1
    v = y[[0, 2]]
    v.mul_(10.0)
    (g,) = dr.autograd.grad((y ** 2).sum(), [x])
    close(g, [2.0, 4.0, 6.0, 8.0])
    y = x * 1
    v = y[[0, 2]]
    y.mul_(10.0)
    (g,) = dr.autograd.grad((v ** 2).sum(), [x])
    close(g, [2.0, 0.0, 6.0, 0.0])
