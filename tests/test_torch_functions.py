"""dr.X functions and Tensor methods that compose primitives with PyTorch's
signatures: values against NumPy written independently, first and second
derivatives by gradcheck/gradgradcheck (finite differences), and the
grad_fn name PyTorch 2.13 gives (read from torch by hand)."""

import numpy as np
import pytest

import dualrev as dr

RNG = np.random.default_rng(7)
M = RNG.uniform(0.2, 0.8, (3, 4))   # inside (0, 1): logit's domain
V = RNG.uniform(0.5, 1.5, 4)
B = RNG.uniform(-1, 1, (2, 3, 3))


def _np_repeat(x, *sizes):
    x = x.reshape((1,) * (len(sizes) - x.ndim) + x.shape)
    return np.tile(x, sizes)


CASES = [
    # name, function of tensors, NumPy reference, inputs, grad_fn name
    ("narrow", lambda x: x.narrow(1, 1, 2), lambda x: x[:, 1:3], [M], "SliceBackward0"),
    ("split", lambda x: dr.split(x, 3, 1)[1], lambda x: x[:, 3:], [M], "SplitBackward0"),
    ("split_sizes", lambda x: x.split([1, 3], 1)[1], lambda x: x[:, 1:], [M],
     "SplitWithSizesBackward0"),
    ("chunk", lambda x: x.chunk(2, 0)[1], lambda x: x[2:], [M], "SplitBackward0"),
    ("unbind", lambda x: x.unbind(1)[2], lambda x: x[:, 2], [M], "UnbindBackward0"),
    ("index_select", lambda x: x.index_select(1, dr.tensor([3, 0, 3])),
     lambda x: x[:, [3, 0, 3]], [M], "IndexSelectBackward0"),
    ("repeat", lambda x: x.repeat(2, 1, 3), lambda x: _np_repeat(x, 2, 1, 3), [M],
     "RepeatBackward0"),
    ("tile", lambda x: dr.tile(x, (2,)), lambda x: np.tile(x, (2,)), [M], "RepeatBackward0"),
    ("masked_fill", lambda x: x.masked_fill(dr.tensor(M > 0.5), -1.0),
     lambda x: np.where(M > 0.5, -1.0, x), [M], "MaskedFillBackward0"),
    ("topk", lambda x: x.topk(2, dim=1).values,
     lambda x: -np.sort(-x, axis=1)[:, :2], [M], "TopkBackward0"),
    ("mv", lambda a, v: a.mv(v), lambda a, v: a @ v, [M, V], "MvBackward0"),
    ("bmm", lambda a, b: dr.bmm(a, b), lambda a, b: a @ b, [B, B], "BmmBackward0"),
    ("addmm", lambda c, a, b: dr.addmm(c, a, b, beta=0.5, alpha=2.0),
     lambda c, a, b: 0.5 * c + 2.0 * (a @ b), [M[:, :3], M[:, :3], M[:3, :3]],
     "AddmmBackward0"),
    ("lerp", lambda a, b: a.lerp(b, 0.3), lambda a, b: a + 0.3 * (b - a), [V, V[::-1]],
     "LerpBackward0"),
    ("lerp_tensor", lambda a, b, w: dr.lerp(a, b, w), lambda a, b, w: a + w * (b - a),
     [V, V[::-1], V / 3], "LerpBackward1"),
    ("addcmul", lambda a, b, c: a.addcmul(b, c, value=0.5), lambda a, b, c: a + 0.5 * b * c,
     [V, V, V[::-1]], "AddcmulBackward0"),
    ("addcdiv", lambda a, b, c: dr.addcdiv(a, b, c, value=2.0), lambda a, b, c: a + 2 * b / c,
     [V, V, V[::-1]], "AddcdivBackward0"),
    ("clamp_min", lambda x: x.clamp_min(0.5), lambda x: np.maximum(x, 0.5), [M],
     "ClampMinBackward0"),
    ("clamp_max", lambda x: dr.clamp_max(x, 0.5), lambda x: np.minimum(x, 0.5), [M],
     "ClampMaxBackward0"),
    ("logit", lambda x: x.logit(), lambda x: np.log(x / (1 - x)), [M], "LogitBackward0"),
    ("logit_eps", lambda x: dr.logit(x, eps=0.3), lambda x: np.log(np.clip(x, 0.3, 0.7) /
                                                                    (1 - np.clip(x, 0.3, 0.7))),
     [M], "LogitBackward0"),
    ("xlogy", lambda x, y: dr.xlogy(x, y), lambda x, y: x * np.log(y), [M, M.T.reshape(3, 4)],
     "XlogyBackward0"),
    ("sinc", lambda x: x.sinc(), lambda x: np.sinc(x), [M - 0.5], "SincBackward0"),
    ("dist", lambda a, b: a.dist(b, p=3), lambda a, b: np.sum(np.abs(a - b) ** 3) ** (1 / 3),
     [V, V[::-1] + 0.1], "DistBackward0"),
]


@pytest.mark.parametrize("name, fn, reference, inputs, grad_fn", CASES, ids=[c[0] for c in CASES])
def test_function(name, fn, reference, inputs, grad_fn):
    tensors = [dr.tensor(a, requires_grad=True) for a in inputs]
    out = fn(*tensors)
    np.testing.assert_allclose(np.asarray(out.detach()), reference(*inputs), rtol=1e-12)
    assert out.grad_fn.name() == grad_fn
    assert dr.autograd.gradcheck(fn, tensors)
    assert dr.autograd.gradgradcheck(fn, tensors)


def test_xlogy_is_zero_where_x_is_zero_with_pytorchs_gradients():
    """PyTorch 2.13: at (0, 0) the gradient in x is 0 and in y 0/0 = nan."""
    x = dr.tensor([0.0, 2.0], requires_grad=True)
    y = dr.tensor([0.0, 3.0], requires_grad=True)
    out = dr.xlogy(x, y)
    np.testing.assert_allclose(np.asarray(out.detach()), [0.0, 2.0 * np.log(3.0)])
    out.sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), [0.0, np.log(3.0)])
    assert np.isnan(np.asarray(y.grad)[0]) and np.asarray(y.grad)[1] == pytest.approx(2.0 / 3.0)


def test_sinc_at_zero():
    x = dr.tensor([0.0, 0.5], requires_grad=True)
    out = dr.sinc(x)
    np.testing.assert_allclose(np.asarray(out.detach()), np.sinc([0.0, 0.5]))
    out.sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad)[0], 0.0)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # logit at 1: NumPy's log(0)
def test_edge_cases_as_pytorch():
    """Values PyTorch 2.13 gives at the edges (read from torch by hand)."""
    x = dr.tensor([0.0, 1.0], requires_grad=True)
    y = dr.tensor([2.0, 2.0], requires_grad=True)
    dr.xlogy(x, y).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), [np.log(2.0)] * 2)  # d/dx at x = 0 too
    assert np.isnan(float(dr.xlogy(dr.tensor(0.0), dr.tensor(float("nan")))))
    np.testing.assert_array_equal(np.asarray(dr.xlogy(dr.tensor([0.0, 0.0]),
                                                      dr.tensor([0.0, -1.0]))), [0.0, 0.0])
    nan = dr.full((2, 2), float("nan"))
    np.testing.assert_array_equal(np.asarray(dr.addmm(nan, dr.eye(2), dr.eye(2), beta=0)),
                                  np.eye(2))
    assert float(dr.lerp(dr.tensor([1e20]), dr.tensor([1.0]), 1.0)[0]) == 1.0
    v = dr.tensor([1.0, 2.0], requires_grad=True)
    for p in (2, 3, 0.5, 1):
        v.grad = None
        dr.dist(v, v.detach(), p=p).backward()
        np.testing.assert_array_equal(np.asarray(v.grad), [0.0, 0.0])  # not 0 / 0
    z = dr.tensor([0.5, 1.1], requires_grad=True)
    dr.logit(z, eps=0.0).sum().backward()
    np.testing.assert_array_equal(np.asarray(z.grad), [4.0, 0.0])
    ints = dr.tensor([1, 2]).masked_fill(dr.tensor([True, False]), 2.5)
    assert ints.dtype == dr.int64 and ints.tolist() == [2, 2]
    assert len(dr.zeros(0, 3).chunk(3)) == 3


@pytest.mark.parametrize("call", [
    lambda x: x.narrow(0, 3, 3), lambda x: x.split([5, -1]), lambda x: x.split(-1),
    lambda x: x.chunk(-1), lambda x: dr.gather(x, 0, dr.tensor([-1])),
    lambda x: dr.tensor(1.0).split(1), lambda x: x.index_select(0, dr.tensor([4])),
    lambda x: x.index_select(0, dr.tensor([[0]])),
    lambda x: x.masked_fill(dr.tensor([1, 0, 1, 0]), 0.0),
])
def test_bad_arguments_raise(call):
    with pytest.raises((RuntimeError, IndexError)):
        call(dr.arange(4.0))


def test_sorting_puts_nan_first_going_down_as_pytorch():
    x = dr.tensor([1.0, float("nan"), 3.0, float("inf"), 2.0])
    np.testing.assert_array_equal(np.asarray(x.sort(descending=True).values),
                                  [np.nan, np.inf, 3.0, 2.0, 1.0])
    np.testing.assert_array_equal(np.asarray(x.topk(2).values), [np.nan, np.inf])
    np.testing.assert_array_equal(np.asarray(x.sort().values), [1.0, 2.0, 3.0, np.inf, np.nan])
    assert float(dr.tensor(5.0).topk(1).values) == 5.0


def test_flip_returns_a_copy_as_pytorch_does():
    x = dr.arange(4.0)
    y = dr.flip(x, [0])
    y.add_(10)  # would write into x if flip were a view
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0] and y.tolist() == [13.0, 12.0, 11.0, 10.0]
