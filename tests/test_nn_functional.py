"""dualrev.nn.functional against PyTorch 2.13: values, gradients and Hessians
recorded by tests/data/make_nn_functional_reference.py (torch is not
imported here), second derivatives against finite differences, properties
by hypothesis, vmap against loops, and PyTorch's errors."""

import doctest
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dualrev as dr
import dualrev.nn.functional as F
from dualrev.nn import losses

REFERENCE = json.loads((Path(__file__).parent / "data" / "nn_functional_reference.json")
                       .read_text())
CASES = REFERENCE["cases"]


def _id(case):
    options = ",".join(f"{k}={v if not isinstance(v, dict) else 'T'}"
                       for k, v in case["kwargs"].items())
    shapes = "/".join("x".join(map(str, np.shape(a["tensor"]))) for a in case["args"])
    return f"{case['fn']}[{shapes}]({options})"


def as_dr(value, requires_grad=False):
    if isinstance(value, dict) and "tensor" in value:
        return dr.tensor(np.array(value["tensor"], dtype=value["dtype"]),
                         requires_grad=requires_grad)
    if isinstance(value, list):
        return tuple(value)
    return value


def arguments(case):
    args = [as_dr(a, i in case["wrt"]) for i, a in enumerate(case["args"])]
    return args, {k: as_dr(v) for k, v in case["kwargs"].items()}


def close(actual, expected, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(actual, dtype=float),
                               np.asarray(expected, dtype=float), rtol=rtol, atol=atol)


def test_the_reference_is_pytorchs_and_covers_every_function():
    assert REFERENCE["torch"].startswith("2.13")
    assert {c["fn"] for c in CASES} == set(F.__all__)
    for fn in ("mse_loss", "l1_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
               "binary_cross_entropy_with_logits"):
        assert {c["kwargs"].get("reduction", "mean") for c in CASES if c["fn"] == fn} \
            == {"mean", "sum", "none"}, fn


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_values_and_gradients_are_pytorchs(case):
    args, kwargs = arguments(case)
    value = getattr(F, case["fn"])(*args, **kwargs)
    close(value.detach().numpy(), case["value"])
    if not case["wrt"]:
        return
    cotangent = dr.tensor(np.array(case["cotangent"]))
    inputs = [args[i] for i in case["wrt"]]
    grads = dr.autograd.grad((value * cotangent).sum(), inputs, allow_unused=True)
    for grad, expected, x in zip(grads, case["grads"], inputs):
        if expected is None:  # PyTorch: no path to this input
            assert grad is None or not np.any(grad.numpy())
        else:
            close(grad.numpy(), expected)


HESSIAN_CASES = [c for c in CASES if c["hessian"]]


def _scalar(case):
    args, kwargs = arguments(case)
    fn = getattr(F, case["fn"])
    cotangent = dr.tensor(np.array(case["cotangent"]))
    rest = [a.detach() if isinstance(a, dr.Tensor) else a for a in args[1:]]

    def scalar(x):
        return (fn(x, *rest, **kwargs) * cotangent).sum()
    return scalar, args[0].detach()


@pytest.mark.parametrize("case", HESSIAN_CASES, ids=_id)
def test_hessians_are_pytorchs(case):
    scalar, x = _scalar(case)
    n = x.numel()
    close(dr.func.hessian(scalar)(x).numpy().reshape(n, n), case["hessian"], rtol=1e-9,
          atol=1e-11)


@pytest.mark.parametrize("case", HESSIAN_CASES, ids=_id)
def test_hessians_are_finite_differences_of_the_gradient(case):
    scalar, x = _scalar(case)
    grad = dr.func.grad(scalar)
    base = x.numpy()
    n, step = base.size, 1e-5
    columns = []
    for j in range(n):
        e = np.zeros(n)
        e[j] = step
        e = e.reshape(base.shape)
        up, down = grad(dr.tensor(base + e)).numpy(), grad(dr.tensor(base - e)).numpy()
        columns.append(((up - down) / (2 * step)).ravel())
    hessian = dr.func.hessian(scalar)(x).numpy().reshape(n, n)
    close(hessian, np.array(columns).T, rtol=1e-5, atol=1e-6)
    assert np.any(hessian) or case["fn"] in ("linear",)  # a test that compares zeros checks little


# -- derivatives through the other transforms ------------------------------------------

LOGITS = np.array([[0.3, -1.2, 2.0, 0.1], [1.5, 0.2, -0.4, -2.0], [0.0, 0.7, 0.7, -0.3]])
LABELS = np.array([2, 0, 3])


def ce(x):
    return F.cross_entropy(x, LABELS, weight=dr.tensor([1.0, 0.5, 2.0, 1.5]),
                           label_smoothing=0.1)


@pytest.mark.parametrize("fn", [
    ce,
    lambda x: F.binary_cross_entropy_with_logits(x, np.full((3, 4), 0.3),
                                                 pos_weight=dr.tensor([1.0, 2.0, 0.5, 3.0])),
    lambda x: F.gelu(x).sum(), lambda x: F.gelu(x, approximate="tanh").sum(),
    lambda x: F.softplus(x, beta=2.0).sum(), lambda x: F.normalize(x, p=3.0).sum(),
    lambda x: F.binary_cross_entropy(F.sigmoid(x), np.full((3, 4), 0.25)),
    lambda x: (F.log_softmax(x, 0) * F.silu(x)).sum()])
def test_jvp_and_jet_agree_with_the_gradient_and_hessian(fn):
    x, v = dr.tensor(LOGITS), dr.tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 4))
    gradient = dr.func.grad(fn)(x).numpy()
    _, tangent = dr.func.jvp(fn, (x,), (v,))
    close(tangent.numpy(), np.sum(gradient * v.numpy()), rtol=1e-10)
    hessian = dr.func.hessian(fn)(x).numpy().reshape(12, 12)
    _, (first, second) = dr.func.jet(fn, (x,), ((v, dr.zeros_like(v)),))  # JAX's: derivatives in t
    close(first.numpy(), np.sum(gradient * v.numpy()), rtol=1e-10)
    close(second.numpy(), v.numpy().ravel() @ hessian @ v.numpy().ravel(), rtol=1e-8,
          atol=1e-10)


def test_third_derivatives_of_gelu_are_finite_differences_of_the_second():
    third = dr.func.derivative(lambda x: F.gelu(x), order=3)
    second = dr.func.derivative(lambda x: F.gelu(x), order=2)
    for x in (-1.3, 0.0, 0.4, 2.2):
        step = 1e-5
        fd = (second(dr.tensor(x + step)).item() - second(dr.tensor(x - step)).item()) / (2 * step)
        assert math.isclose(third(dr.tensor(x)).item(), fd, rel_tol=1e-6, abs_tol=1e-8)


def test_backward_of_backward_on_tensors():
    x = dr.tensor(LOGITS, requires_grad=True)
    (g,) = dr.autograd.grad(ce(x), [x], create_graph=True)
    (gg,) = dr.autograd.grad((g * g).sum(), [x])
    expected = 2 * dr.func.hessian(ce)(x.detach()).numpy().reshape(12, 12) @ g.detach().numpy().ravel()
    close(gg.numpy().ravel(), expected, rtol=1e-9)


def test_per_example_losses_have_block_diagonal_hessian_patterns():
    """Targets are picked by a mask, not an index read from the values: the
    Hessian of a batch's loss couples each example's logits only with its own."""
    pattern = dr.func.hessian_sparsity(
        lambda v: F.cross_entropy(v, LABELS, label_smoothing=0.1, weight=dr.ones(4)))(
        dr.tensor(LOGITS))
    np.testing.assert_array_equal(pattern.toarray() != 0, np.kron(np.eye(3), np.ones((4, 4))))


# -- vmap ------------------------------------------------------------------------------

def _loop(fn, *batches):
    return np.stack([fn(*(b[i] for b in batches)).detach().numpy()
                     for i in range(len(batches[0]))])


RNG = np.random.default_rng(7)
X = RNG.standard_normal((5, 3, 4))
T = RNG.integers(0, 4, (5, 3))
P = RNG.uniform(0.05, 0.95, (5, 3, 4))


@pytest.mark.parametrize("fn, batches", [
    (lambda x, t: F.cross_entropy(x, t, label_smoothing=0.2, weight=dr.tensor([1.0, 2.0, 0.5, 1.0])),
     (X, T)),
    (lambda x, t: F.nll_loss(x, t, ignore_index=1, reduction="none"), (X, T)),
    (lambda x, p: F.cross_entropy(x, p), (X, P)),
    (lambda x, p: F.mse_loss(x, p, reduction="sum"), (X, P)),
    (lambda x, p: F.l1_loss(x, p, weight=dr.ones(3, 4)), (X, P)),
    (lambda x, p: F.binary_cross_entropy(p, F.sigmoid(x)), (X, P)),
    (lambda x, p: F.binary_cross_entropy_with_logits(x, p, pos_weight=dr.tensor([1.0, 2.0, 3.0, 4.0])),
     (X, P)),
    (lambda x: F.normalize(x, dim=0), (X,)),
    (lambda x: F.linear(x, dr.tensor(np.arange(8.0).reshape(2, 4)), dr.tensor([1.0, -1.0])), (X,)),
    (lambda x: F.softmax(x, dim=-1), (X,)),
    (lambda x: F.gelu(x) + F.silu(x) + F.softplus(x) + F.relu(x), (X,)),
])
def test_vmap_over_a_batch_equals_a_loop(fn, batches):
    tensors = [dr.tensor(b) for b in batches]
    close(dr.func.vmap(fn)(*tensors).numpy(), _loop(fn, *tensors))


def test_per_sample_gradients_of_cross_entropy_with_a_batched_target():
    def loss(x, t):
        return F.cross_entropy(x, t, ignore_index=0, label_smoothing=0.1)
    per_sample = dr.func.vmap(dr.func.grad(loss))(dr.tensor(X), dr.tensor(T))
    close(per_sample.numpy(), _loop(dr.func.grad(loss), dr.tensor(X), dr.tensor(T)))


# -- properties ------------------------------------------------------------------------

def _logits_and_classes(draw, max_batch=4):
    n = draw(st.integers(1, max_batch))
    c = draw(st.integers(2, 5))
    values = draw(st.lists(st.floats(-20, 20), min_size=n * c, max_size=n * c))
    target = draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))
    return np.array(values).reshape(n, c), np.array(target)


@st.composite
def logits_and_classes(draw):
    return _logits_and_classes(draw)


@settings(max_examples=40, deadline=None)
@given(logits_and_classes(), st.sampled_from(["mean", "sum", "none"]),
       st.sampled_from([0.0, 0.1, 0.5]), st.booleans())
def test_one_hot_probabilities_give_the_class_index_loss(data, reduction, smoothing, weighted):
    x, t = data
    c = x.shape[1]
    if weighted and reduction == "mean":  # PyTorch's means differ there: by sum(w[t]) and by N
        weighted = False
    weight = dr.tensor(np.linspace(0.5, 2.0, c)) if weighted else None
    one_hot = np.eye(c)[t]
    by_index = F.cross_entropy(dr.tensor(x), t, weight=weight, reduction=reduction,
                               label_smoothing=smoothing)
    by_probability = F.cross_entropy(dr.tensor(x), one_hot, weight=weight, reduction=reduction,
                                     label_smoothing=smoothing)
    close(by_index.numpy(), by_probability.numpy(), rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(logits_and_classes(), st.sampled_from(["mean", "sum", "none"]))
def test_cross_entropy_is_nll_of_log_softmax(data, reduction):
    x, t = data
    close(F.cross_entropy(dr.tensor(x), t, reduction=reduction).numpy(),
          F.nll_loss(F.log_softmax(dr.tensor(x), 1), t, reduction=reduction).numpy(),
          rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(logits_and_classes(), st.floats(-500, 500), st.sampled_from([0, 1, -1]))
def test_softmax_sums_to_one_and_is_shift_invariant(data, shift, dim):
    x = dr.tensor(data[0])
    p = F.softmax(x, dim)
    close(p.sum(dim).numpy(), 1.0, rtol=1e-12)
    close(F.softmax(x + shift, dim).numpy(), p.numpy(), rtol=1e-9, atol=1e-15)
    close(F.log_softmax(x + shift, dim).numpy(), F.log_softmax(x, dim).numpy(), rtol=1e-9,
          atol=1e-9)
    close(np.exp(F.log_softmax(x, dim).numpy()), p.numpy(), rtol=1e-12, atol=1e-300)


def _losses(x, t, p, reduction):
    """Every loss on a (n, c) batch: x scores, t class indices, p in (0, 1)."""
    w = dr.tensor(np.linspace(0.5, 2.0, x.shape[1]))
    return [
        F.mse_loss(dr.tensor(x), p, reduction=reduction),
        F.l1_loss(dr.tensor(x), p, reduction=reduction, weight=np.ones_like(p)),
        F.cross_entropy(dr.tensor(x), t, weight=w, reduction=reduction, label_smoothing=0.2),
        F.cross_entropy(dr.tensor(x), p, reduction=reduction, weight=w),
        F.nll_loss(dr.tensor(x), t, reduction=reduction, ignore_index=0),
        F.binary_cross_entropy(p, F.sigmoid(dr.tensor(x)), reduction=reduction),
        F.binary_cross_entropy_with_logits(dr.tensor(x), p, reduction=reduction,
                                           weight=w, pos_weight=w * 2),
    ]


@settings(max_examples=30, deadline=None)
@given(logits_and_classes())
def test_reduction_sum_is_the_sum_of_none(data):
    x, t = data
    p = 1.0 / (1.0 + np.exp(-x / 7.0))
    for total, each in zip(_losses(x, t, p, "sum"), _losses(x, t, p, "none")):
        close(total.numpy(), each.sum().numpy(), rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(logits_and_classes())
def test_unweighted_mean_is_the_mean_of_none(data):
    x, t = data
    p = 1.0 / (1.0 + np.exp(-x / 7.0))
    for fn, target in [(F.mse_loss, p), (F.l1_loss, p), (F.binary_cross_entropy_with_logits, p),
                       (F.cross_entropy, t), (F.cross_entropy, p)]:
        close(fn(dr.tensor(x), target).numpy(),
              fn(dr.tensor(x), target, reduction="none").mean().numpy(), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-15, 15), min_size=1, max_size=8), st.floats(0, 1))
def test_logits_loss_is_bce_of_the_sigmoid(x, y):
    x = dr.tensor(x)
    y = dr.full_like(x, y)
    close(F.binary_cross_entropy_with_logits(x, y, reduction="none").numpy(),
          F.binary_cross_entropy(F.sigmoid(x), y, reduction="none").numpy(), rtol=1e-7,
          atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(logits_and_classes(), st.sampled_from([1.0, 2.0, 3.5]))
def test_normalize_gives_unit_norms(data, p):
    x = dr.tensor(data[0]) + 1e-3
    close(dr.norm(F.normalize(x, p=p, dim=1), p=p, dim=1).numpy(), 1.0, rtol=1e-12)


# -- dtypes, names, in-place, warnings -------------------------------------------------

def test_float32_stays_float32():
    x = dr.tensor(LOGITS, dtype=dr.float32)
    for out in (F.cross_entropy(x, LABELS, label_smoothing=0.1), F.nll_loss(x, LABELS),
                F.mse_loss(x, x * 2), F.binary_cross_entropy_with_logits(x, x.sigmoid()),
                F.binary_cross_entropy(x.sigmoid(), x.sigmoid()), F.gelu(x), F.normalize(x),
                F.softmax(x, 1), F.cross_entropy(x, F.softmax(x, 1))):
        assert out.dtype == dr.float32


def test_softmax_takes_a_dtype():
    out = F.softmax(dr.tensor([1.0, 2.0], dtype=dr.float32), 0, dtype=dr.float64)
    assert out.dtype == dr.float64


@pytest.mark.parametrize("call, name", [
    (lambda x: F.mse_loss(x, x.detach() + 1), "MseLossBackward0"),
    (lambda x: F.cross_entropy(x, LABELS), "NllLossBackward0"),
    (lambda x: F.nll_loss(x, LABELS), "NllLossBackward0"),
    (lambda x: F.binary_cross_entropy(x.sigmoid(), x.detach().sigmoid()),
     "BinaryCrossEntropyBackward0"),
    (lambda x: F.binary_cross_entropy_with_logits(x, x.detach().sigmoid()),
     "BinaryCrossEntropyWithLogitsBackward0"),
    (lambda x: F.gelu(x), "GeluBackward0"), (lambda x: F.silu(x), "SiluBackward0"),
    (lambda x: F.softplus(x), "SoftplusBackward0"), (lambda x: F.relu(x), "ReluBackward0"),
    (lambda x: F.softmax(x, 1), "SoftmaxBackward0"),
    (lambda x: F.log_softmax(x, 1), "LogSoftmaxBackward0"),
    (lambda x: F.linear(x, x.detach()), "MmBackward0"),
    (lambda x: F.linear(x, x.detach(), x.detach()[0, :3]), "AddmmBackward0"),
])
def test_grad_fn_names_are_pytorchs(call, name):
    assert call(dr.tensor(LOGITS, requires_grad=True)).grad_fn.name() == name


@pytest.mark.parametrize("fn", [F.relu, F.silu])
def test_in_place_activations_write_into_the_tensor_and_differentiate(fn):
    x = dr.tensor(LOGITS, requires_grad=True)
    y = x * 1.0
    out = fn(y, inplace=True)
    assert out is y
    close(y.detach().numpy(), fn(dr.tensor(LOGITS)).numpy())
    y.sum().backward()
    close(x.grad.numpy(), dr.func.grad(lambda v: fn(v).sum())(dr.tensor(LOGITS)).numpy())
    with pytest.raises(TypeError, match="inplace=True needs a dualrev Tensor"):
        fn(dr.Dual(1.0, 1.0), inplace=True)


def test_warnings_as_pytorchs():
    x = dr.tensor(LOGITS)
    with pytest.warns(UserWarning, match=re.escape(
            "Using a target size (dualrev.Size([4])) that is different to the input size "
            "(dualrev.Size([3, 4])). This will likely lead to incorrect results")):
        F.mse_loss(x, x[0])
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        close(F.softmax(x).numpy(), F.softmax(x, 1).numpy())
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        close(F.log_softmax(x[0]).numpy(), F.log_softmax(x[0], 0).numpy())
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        summed = F.cross_entropy(x, LABELS, size_average=False)
    close(summed.numpy(), F.cross_entropy(x, LABELS, reduction="sum").numpy())
    with pytest.warns(UserWarning, match="please use reduction='none' instead"):
        assert F.l1_loss(x, x, reduce=False).shape == (3, 4)


# -- errors ----------------------------------------------------------------------------

X34, T3 = dr.tensor(LOGITS), dr.tensor(LABELS)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.cross_entropy(X34, dr.tensor([0, 1])), ValueError,
     "Expected input batch_size (3) to match target batch_size (2)."),
    (lambda: F.nll_loss(X34, dr.tensor([0, 1])), ValueError,
     "Expected input batch_size (3) to match target batch_size (2)."),
    (lambda: F.cross_entropy(X34, dr.tensor([0, 1, 4])), IndexError, "Target 4 is out of bounds."),
    (lambda: F.nll_loss(X34, dr.tensor([0, -2, 1])), IndexError, "Target -2 is out of bounds."),
    (lambda: F.cross_entropy(X34, T3, reduction="avg"), ValueError,
     "avg is not a valid value for reduction"),
    (lambda: F.nll_loss(X34, T3, reduction=None), ValueError,
     "None is not a valid value for reduction"),
    (lambda: F.mse_loss(X34, X34, reduction="avg"), ValueError,
     "avg is not a valid value for reduction"),
    (lambda: F.binary_cross_entropy_with_logits(X34, X34, reduction="x"), ValueError,
     "x is not a valid value for reduction"),
    (lambda: F.binary_cross_entropy(X34.sigmoid(), X34, reduction="x"), ValueError,
     "x is not a valid value for reduction"),
    (lambda: F.mse_loss(X34, X34, reduction="avg", weight=X34), ValueError,
     "Invalid reduction mode: avg. Expected one of 'none', 'mean', 'sum'."),
    (lambda: F.l1_loss(X34, X34, weight=X34[0]), ValueError,
     "Weights and input must have the same size."),
    (lambda: F.mse_loss(X34, X34[:2]), RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
    (lambda: F.cross_entropy(X34, T3, weight=dr.ones(3)), RuntimeError,
     "weight tensor should be defined either for all 4 classes or no classes but got weight "
     "tensor of shape: [3]"),
    (lambda: F.cross_entropy(X34, X34.softmax(1), weight=dr.ones(2, 2)), RuntimeError,
     "cross_entropy: weight tensor should be defined either for all 4 classes or no classes but "
     "got weight tensor of shape: [2, 2]"),
    (lambda: F.cross_entropy(X34, dr.rand(3, 3)), RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    (lambda: F.cross_entropy(X34, X34.softmax(1), ignore_index=1), RuntimeError,
     "ignore_index is not supported for floating point target"),
    (lambda: F.cross_entropy(X34, T3, label_smoothing=1.1), RuntimeError,
     "label_smoothing must be between 0.0 and 1.0. Got: 1.1"),
    (lambda: F.cross_entropy(X34, dr.tensor([0.0, 1.0, 2.0])), RuntimeError,
     "expected target dtype to be Long or Byte, but got Double"),
    (lambda: F.nll_loss(X34, dr.tensor([0, 1, 1], dtype=dr.int32)), RuntimeError,
     "expected target dtype to be Long or Byte, but got Int"),
    (lambda: F.cross_entropy(X34, dr.ones(3, 4, dtype=dr.int64)), RuntimeError,
     "Expected floating point type for target with class probabilities, got Long"),
    (lambda: F.cross_entropy(X34[0, 0], dr.tensor(1)), RuntimeError,
     "Expected floating point type for target with class probabilities, got Long"),
    (lambda: F.nll_loss(X34[0, 0], dr.tensor(1)), ValueError,
     "Expected 1 or more dimensions (got 0)"),
    (lambda: F.nll_loss(X34[0], dr.tensor([1, 2])), ValueError,
     "For 1D input, 1D target must have size 1, but got target size: 2"),
    (lambda: F.nll_loss(dr.zeros(2, 3, 4), dr.zeros(2, 5, dtype=dr.int64)), RuntimeError,
     "Expected target size [2, 4], got [2, 5]"),
    (lambda: F.nll_loss(dr.zeros(2, 3, 4, 5), dr.zeros(2, 4, dtype=dr.int64)), RuntimeError,
     "only batches of spatial targets supported (3D tensors) but got targets of dimension: 2"),
    (lambda: F.cross_entropy(dr.zeros(2, 3, 4, 5), dr.zeros(2, 4, 6, dtype=dr.int64)),
     RuntimeError, "size mismatch (got input: [2, 3, 4, 5] , target: [2, 4, 6]"),
    (lambda: F.cross_entropy(dr.ones(3, 4, dtype=dr.int64), T3), RuntimeError,
     "\"log_softmax\" not implemented for 'Long'"),
    (lambda: F.binary_cross_entropy(dr.rand(3), dr.rand(2)), ValueError,
     "Using a target size (dualrev.Size([2])) that is different to the input size "
     "(dualrev.Size([3])) is deprecated. Please ensure they have the same size."),
    (lambda: F.binary_cross_entropy(dr.tensor([1.5]), dr.rand(1)), RuntimeError,
     "all elements of input should be between 0 and 1"),
    (lambda: F.binary_cross_entropy(dr.tensor([math.nan]), dr.rand(1)), RuntimeError,
     "all elements of input should be between 0 and 1"),
    (lambda: F.binary_cross_entropy(dr.rand(3), dr.rand(3), weight=dr.rand(2, 3)), RuntimeError,
     "output with shape [3] doesn't match the broadcast shape [2, 3]"),
    (lambda: F.binary_cross_entropy_with_logits(dr.rand(3), dr.rand(2)), ValueError,
     "Target size (dualrev.Size([2])) must be the same as input size (dualrev.Size([3]))"),
    (lambda: F.binary_cross_entropy_with_logits(dr.rand(2, 3), dr.rand(2, 3),
                                                pos_weight=dr.rand(2)), RuntimeError,
     "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"),
    (lambda: F.gelu(X34, approximate="foo"), RuntimeError,
     "approximate argument must be either none or tanh."),
    (lambda: F.linear(X34, dr.zeros(5, 3)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (3x4 and 3x5)"),
    (lambda: F.linear(dr.zeros(2, 3, 4), dr.zeros(5, 3)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (6x4 and 3x5)"),
    (lambda: F.linear(dr.zeros(2, 4), dr.zeros(5, 4), dr.zeros(3)), RuntimeError,
     "The expanded size of the tensor (5) must match the existing size (3) at non-singleton "
     "dimension 1.  Target sizes: [2, 5].  Tensor sizes: [3]"),
    (lambda: F.linear(dr.zeros(2, 4), dr.zeros(2, 5, 4)), RuntimeError,
     "t() expects a tensor with <= 2 dimensions, but self is 3D"),
    (lambda: F.linear(dr.tensor(1.0), dr.zeros(5, 1)), RuntimeError,
     "both arguments to linear need to be at least 1D, but they are 0D and 2D"),
    (lambda: F.linear(X34, dr.zeros(4), dr.zeros(())), RuntimeError,
     "mat2 must be a matrix, got 1-D tensor"),
    (lambda: F.normalize(X34[0]), IndexError,
     "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
    (lambda: F.softmax(X34, 2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    (lambda: F.mse_loss(X34, None), TypeError,
     "mse_loss(): argument 'target' (position 2) must be Tensor, not NoneType"),
])
def test_errors_are_pytorchs(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_plain_numbers_lists_and_arrays_are_accepted():
    close(F.cross_entropy([1.0, 2.0, 3.0], 2).numpy(),
          F.cross_entropy(dr.tensor([1.0, 2.0, 3.0]), dr.tensor(2)).numpy(), rtol=0)
    close(F.cross_entropy([1.0, 2.0, 3.0], [2]).numpy(),
          F.cross_entropy(dr.tensor([1.0, 2.0, 3.0]), dr.tensor(2)).numpy(), rtol=0)
    close(F.mse_loss(np.ones(3), [0.0, 1.0, 2.0]).numpy(), 2.0 / 3.0)
    close(F.nll_loss(LOGITS, LABELS.astype(np.uint8), reduction="sum").numpy(),
          -LOGITS[[0, 1, 2], LABELS].sum())


def test_label_smoothing_below_zero_is_ignored_as_in_pytorch():
    close(F.cross_entropy(X34, T3, label_smoothing=-0.5).numpy(),
          F.cross_entropy(X34, T3).numpy(), rtol=0)


def test_ignored_targets_and_ignore_index_out_of_range():
    out = F.nll_loss(X34, dr.tensor([0, 1, 7]), ignore_index=7, reduction="none")
    close(out.numpy(), [-LOGITS[0, 0], -LOGITS[1, 1], 0.0])
    x = dr.tensor(LOGITS, requires_grad=True)
    F.cross_entropy(x, dr.tensor([-100, 2, -100]), label_smoothing=0.3).backward()
    assert not np.any(x.grad.numpy()[[0, 2]]) and np.any(x.grad.numpy()[1])


def test_binary_cross_entropy_at_0_and_1_has_finite_derivatives():
    """PyTorch's backward divides by max(x (1 - x), 1e-12) there; the
    derivative of the clamped loss is finite and nan-free to second order."""
    x = dr.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    y = dr.tensor([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(x, y, reduction="sum")
    close(loss.item(), 200.0)
    hessian = dr.func.hessian(lambda v: F.binary_cross_entropy(v, y, reduction="sum"))(x.detach())
    assert np.all(np.isfinite(hessian.numpy()))
    (g,) = dr.autograd.grad(loss, [x])
    close(g.numpy(), [0.0, 0.0, 1.0, -1.0])


@pytest.mark.parametrize("module", [F, losses])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
