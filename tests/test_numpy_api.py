"""NumPy's protocols on Tensor and Dual, walked table-wide: every ufunc and
array function dualrev registers is checked for value (NumPy itself on the
plain arrays is the reference), reverse and forward first derivatives against
finite differences, and second derivatives (reverse over reverse, forward
over reverse). An entry without samples fails the suite."""

import numpy as np
import pytest

import dualrev as dr
from dualrev import _numpy_api as api

RNG = np.random.default_rng(20261127)


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def anywhere(*shape):
    return RNG.uniform(-1.5, 1.5, shape)


def unit(*shape):
    return RNG.uniform(-0.8, 0.8, shape)


def between_steps(*shape):
    """Away from integers and halves, where rounding jumps."""
    return RNG.integers(-2, 3, shape) + RNG.uniform(0.1, 0.4, shape)


# name: (function of the arrays, the arrays). Functions are written as plain
# NumPy code, so they run on arrays, Tensors and Duals alike.
UFUNC_SAMPLES = {
    "add": (np.add, [anywhere(2, 3), anywhere(3)]),
    "subtract": (np.subtract, [anywhere(3), anywhere(2, 3)]),
    "multiply": (np.multiply, [anywhere(2, 3), anywhere(2, 1)]),
    "divide": (np.true_divide, [anywhere(3), positive(3)]),
    "power": (np.power, [positive(3), anywhere(3)]),
    "float_power": (np.float_power, [positive(2, 2), anywhere(2, 2)]),
    "negative": (np.negative, [anywhere(4)]),
    "positive": (np.positive, [anywhere(4)]),
    "absolute": (np.absolute, [positive(3) * RNG.choice([-1, 1], 3)]),
    "fabs": (np.fabs, [positive(3) * RNG.choice([-1, 1], 3)]),
    "exp": (np.exp, [anywhere(3)]), "expm1": (np.expm1, [anywhere(3)]),
    "exp2": (np.exp2, [anywhere(3)]), "log": (np.log, [positive(3)]),
    "log1p": (np.log1p, [positive(3)]), "log2": (np.log2, [positive(3)]),
    "log10": (np.log10, [positive(3)]), "sqrt": (np.sqrt, [positive(3)]),
    "square": (np.square, [anywhere(3)]), "reciprocal": (np.reciprocal, [positive(3)]),
    "sin": (np.sin, [anywhere(3)]), "cos": (np.cos, [anywhere(3)]),
    "tan": (np.tan, [unit(3)]), "tanh": (np.tanh, [anywhere(3)]),
    "sinh": (np.sinh, [anywhere(3)]), "cosh": (np.cosh, [anywhere(3)]),
    "deg2rad": (np.deg2rad, [anywhere(3)]), "rad2deg": (np.rad2deg, [anywhere(3)]),
    "maximum": (np.maximum, [anywhere(3), anywhere(3) + 3.0]),
    "minimum": (np.minimum, [anywhere(3), anywhere(3) + 3.0]),
    "fmax": (np.fmax, [anywhere(3) + 3.0, anywhere(3)]),
    "fmin": (np.fmin, [anywhere(3) + 3.0, anywhere(3)]),
    "logaddexp": (np.logaddexp, [anywhere(3), anywhere(3)]),
    "matmul": (np.matmul, [anywhere(2, 3), anywhere(3, 4)]),
    "remainder": (np.remainder, [positive(3) + 0.1, np.full(3, 0.7)]),
    "fmod": (np.fmod, [anywhere(3) * 3, np.full(3, 0.7)]),
    "logaddexp2": (np.logaddexp2, [anywhere(3), anywhere(3)]),
    "arcsin": (np.arcsin, [unit(3)]), "arccos": (np.arccos, [unit(3)]),
    "arctan": (np.arctan, [anywhere(3)]), "arcsinh": (np.arcsinh, [anywhere(3)]),
    "arccosh": (np.arccosh, [positive(3) + 1.0]), "arctanh": (np.arctanh, [unit(3)]),
    "arctan2": (np.arctan2, [anywhere(3), positive(3)]), "cbrt": (np.cbrt, [positive(3)]),
    "floor": (np.floor, [between_steps(3)]), "ceil": (np.ceil, [between_steps(3)]),
    "trunc": (np.trunc, [between_steps(3)]), "rint": (np.rint, [between_steps(3)]),
    "sign": (np.sign, [between_steps(3)]),
    "degrees": (np.degrees, [anywhere(3)]), "radians": (np.radians, [anywhere(3)]),
    "hypot": (np.hypot, [positive(3), anywhere(3)]),
    "copysign": (np.copysign, [positive(3), anywhere(3)]),
}
CONSTANT_SAMPLES = {
    "equal": anywhere(3), "not_equal": anywhere(3), "less": anywhere(3),
    "less_equal": anywhere(3), "greater": anywhere(3), "greater_equal": anywhere(3),
    "logical_and": anywhere(3), "logical_or": anywhere(3), "logical_not": anywhere(3),
    "logical_xor": anywhere(3), "isnan": anywhere(3), "isinf": anywhere(3), "isfinite": anywhere(3),
    "signbit": anywhere(3), "floor_divide": anywhere(3),
    "bitwise_and": None, "bitwise_or": None, "bitwise_xor": None, "invert": None,
    "left_shift": None, "right_shift": None, "heaviside": anywhere(3), "nextafter": anywhere(3),
    "spacing": anywhere(3),
}
FUNCTION_SAMPLES = {
    "sum": (lambda a: np.sum(a, axis=1), [anywhere(2, 3)]),
    "prod": (lambda a: np.prod(a, axis=0), [anywhere(3, 2)]),
    "max": (lambda a: np.max(a, axis=-1), [anywhere(2, 4)]),
    "amax": (lambda a: np.amax(a), [anywhere(5)]),
    "min": (lambda a: np.min(a, axis=0, keepdims=True), [anywhere(3, 2)]),
    "amin": (lambda a: np.amin(a), [anywhere(5)]),
    "mean": (lambda a: np.mean(a, axis=(0, 1)), [anywhere(2, 3, 2)]),
    "var": (lambda a: np.var(a, axis=0), [anywhere(4, 2)]),
    "std": (lambda a: np.std(a, ddof=1), [anywhere(5)]),
    "dot": (np.dot, [anywhere(2, 3), anywhere(3)]),
    "matmul": (np.matmul, [anywhere(3), anywhere(3, 2)]),
    "reshape": (lambda a: np.reshape(a, (3, 2)), [anywhere(2, 3)]),
    "transpose": (lambda a: np.transpose(a, (1, 0, 2)), [anywhere(2, 3, 2)]),
    "moveaxis": (lambda a: np.moveaxis(a, 0, -1), [anywhere(2, 3, 2)]),
    "swapaxes": (lambda a: np.swapaxes(a, 0, 1), [anywhere(2, 3)]),
    "squeeze": (lambda a: np.squeeze(a), [anywhere(2, 1, 3)]),
    "expand_dims": (lambda a: np.expand_dims(a, 1), [anywhere(2, 3)]),
    "broadcast_to": (lambda a: np.broadcast_to(a, (2, 3)), [anywhere(3)]),
    "atleast_1d": (np.atleast_1d, [anywhere()]),
    "atleast_2d": (np.atleast_2d, [anywhere(3)]),
    "atleast_3d": (np.atleast_3d, [anywhere(2, 3)]),
    "concatenate": (lambda a, b: np.concatenate([a, b], axis=1), [anywhere(2, 2), anywhere(2, 3)]),
    "stack": (lambda a, b: np.stack([a, b], axis=-1), [anywhere(3), anywhere(3)]),
    "vstack": (lambda a, b: np.vstack([a, b]), [anywhere(3), anywhere(2, 3)]),
    "hstack": (lambda a, b: np.hstack([a, b]), [anywhere(3), anywhere(2)]),
    "where": (lambda a, b: np.where(np.arange(3) > 0, a, b), [anywhere(3), anywhere(3)]),
    "clip": (lambda a: np.clip(a, -1.0, 1.0), [np.array([-1.4, -0.3, 0.5, 1.3])]),
    "round": (lambda a: np.round(a, 1), [between_steps(3) / 10 + 0.003]),
    "around": (np.around, [between_steps(3)]),
    "fix": (np.fix, [between_steps(3)]),
    "norm": (lambda a: np.linalg.norm(a), [anywhere(2, 3)]),
    "zeros_like": (lambda a: np.zeros_like(a) + a, [anywhere(3)]),
    "ones_like": (lambda a: np.ones_like(a) * a, [anywhere(3)]),
    "full_like": (lambda a: np.full_like(a, 2.0) * a, [anywhere(3)]),
    "cumsum": (lambda a: np.cumsum(a, axis=0), [anywhere(3, 2)]),
    "cumprod": (lambda a: np.cumprod(a), [anywhere(2, 2)]),
    "diff": (lambda a: np.diff(a, n=2), [anywhere(2, 5)]),
    "trace": (np.trace, [anywhere(3, 3)]),
    "diagonal": (lambda a: np.diagonal(a, 1), [anywhere(3, 4)]),
    "diag": (np.diag, [anywhere(3)]),
    "triu": (lambda a: np.triu(a, 1), [anywhere(3, 3)]),
    "tril": (np.tril, [anywhere(2, 3, 3)]),
    "sort": (lambda a: np.sort(a, axis=0), [anywhere(4, 2)]),
    "take": (lambda a: np.take(a, [0, 3, 3]), [anywhere(2, 2)]),
    "take_along_axis": (lambda a: np.take_along_axis(a, np.array([[1], [0]]), 1),
                        [anywhere(2, 3)]),
    "flip": (lambda a: np.flip(a, 1), [anywhere(2, 3)]),
    "roll": (lambda a: np.roll(a, 2), [anywhere(2, 3)]),
    "pad": (lambda a: np.pad(a, ((1, 0), (0, 2)), constant_values=0.5), [anywhere(2, 2)]),
    "einsum": (lambda a, b: np.einsum("ij,jk->ik", a, b), [anywhere(2, 3), anywhere(3, 2)]),
    "tensordot": (lambda a, b: np.tensordot(a, b, axes=([1], [0])), [anywhere(2, 3), anywhere(3, 2)]),
    "outer": (np.outer, [anywhere(3), anywhere(2)]),
    "inner": (np.inner, [anywhere(2, 3), anywhere(3)]),
    "vdot": (np.vdot, [anywhere(2, 2), anywhere(2, 2)]),
    "det": (np.linalg.det, [anywhere(3, 3) + 3 * np.eye(3)]),
    "slogdet": (lambda a: np.linalg.slogdet(a)[1], [anywhere(3, 3) + 3 * np.eye(3)]),
    "inv": (np.linalg.inv, [anywhere(3, 3) + 3 * np.eye(3)]),
    "solve": (np.linalg.solve, [anywhere(3, 3) + 3 * np.eye(3), anywhere(3)]),
    "cholesky": (lambda a: np.linalg.cholesky(a @ a.T + 3 * np.eye(3)), [anywhere(3, 3)]),
    "eigh": (lambda a: np.linalg.eigh(a + a.T + np.diag([0.0, 3.0, 6.0]))[0], [unit(3, 3)]),
    "qr": (lambda a: np.linalg.qr(a)[1], [anywhere(4, 3) + np.eye(4, 3) * 3]),
    "svd": (lambda a: np.linalg.svd(a, full_matrices=False)[1],
            [np.diag([3.0, 2.0, 1.0]) @ unit(3, 3) * 0.3 + np.diag([3.0, 2.0, 1.0])]),
}
SHAPE_FUNCTIONS = {"shape", "ndim", "size"}
BOOLEAN_FUNCTIONS = {"all": np.all, "any": np.any}
INDEX_FUNCTIONS = {"argsort"}
# no derivative to take: tested in test_numpy_helpers.py
VALUE_FUNCTIONS = {"allclose", "isclose", "array_equal", "count_nonzero", "argmax", "argmin"}


def _name(fn):
    return getattr(fn, "__name__", str(fn))


def test_every_protocol_entry_has_samples():
    ufuncs = {f.__name__ for f in api.UFUNCS} | {f.__name__ for f in api.CONSTANT_UFUNCS}
    assert ufuncs - set(UFUNC_SAMPLES) - set(CONSTANT_SAMPLES) == set()
    functions = {_name(f) for f in api.ARRAY_FUNCTIONS}
    assert (functions - set(FUNCTION_SAMPLES) - SHAPE_FUNCTIONS - set(BOOLEAN_FUNCTIONS)
            - INDEX_FUNCTIONS - VALUE_FUNCTIONS == set())


def leaves(arrays):
    return [dr.tensor(a, requires_grad=True) for a in arrays]


def inner(out, v):
    return float(np.sum(np.asarray(out, dtype=float) * v))


def numeric_gradient(f, arrays, v, eps=1e-6):
    """The gradient of <v, f(arrays)> by central differences."""
    grads = []
    for k, a in enumerate(arrays):
        g = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[k][index] += eps
            minus[k][index] -= eps
            g[index] = (inner(f(*plus), v) - inner(f(*minus), v)) / (2 * eps)
        grads.append(g)
    return grads


def check_entry(f, arrays):
    expected = np.asarray(f(*arrays))
    out = f(*leaves(arrays))
    assert isinstance(out, dr.Tensor)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    v = RNG.standard_normal(expected.shape)
    # reverse mode vs finite differences
    xs = leaves(arrays)
    grads = dr.autograd.grad(f(*xs), xs, grad_outputs=dr.tensor(v), allow_unused=True)
    for g, fd in zip(grads, numeric_gradient(f, arrays, v)):
        np.testing.assert_allclose(np.asarray(g) if g is not None else 0 * fd, fd,
                                   rtol=1e-6, atol=1e-7)
    # forward mode: <v, J u> = <J^T v, u>
    us = [RNG.standard_normal(a.shape) for a in arrays]
    tangent = np.asarray(dr.func.jvp(f, tuple(arrays), tuple(us))[1])
    assert float(np.sum(tangent * v)) == pytest.approx(
        sum(float(np.sum(np.asarray(g) * u)) for g, u in zip(grads, us) if g is not None),
        rel=1e-9, abs=1e-10)
    # second order: reverse over reverse and forward over reverse, vs FD of the gradient
    w = [RNG.standard_normal(a.shape) for a in arrays]

    def first(*plain):
        xs = leaves(plain)
        gs = dr.autograd.grad(f(*xs), xs, grad_outputs=dr.tensor(v), allow_unused=True)
        return sum(float(np.sum(np.asarray(g) * wk)) for g, wk in zip(gs, w) if g is not None)

    eps = 1e-5
    xs = leaves(arrays)
    gs = dr.autograd.grad(f(*xs), xs, grad_outputs=dr.tensor(v), create_graph=True,
                          allow_unused=True)
    pairing = sum((g * dr.tensor(wk)).sum() for g, wk in zip(gs, w) if g is not None)
    if not isinstance(pairing, dr.Tensor) or not pairing.requires_grad:
        return
    second = dr.autograd.grad(pairing, xs, allow_unused=True)
    for k, (g2, a) in enumerate(zip(second, arrays)):
        u = RNG.standard_normal(a.shape)
        plus = [x.copy() for x in arrays]
        minus = [x.copy() for x in arrays]
        plus[k] += eps * u
        minus[k] -= eps * u
        fd = (first(*plus) - first(*minus)) / (2 * eps)
        got = 0.0 if g2 is None else float(np.sum(np.asarray(g2) * u))
        assert got == pytest.approx(fd, rel=1e-5, abs=1e-6)

    def gradient_of_pairing(*ys):
        return dr.func.grad(lambda *zs: (f(*zs) * dr.tensor(v)).sum(),
                            argnums=tuple(range(len(ys))))(*ys)
    hvp_forward = dr.func.jvp(gradient_of_pairing, tuple(arrays), tuple(w))[1]
    for a, b in zip(hvp_forward, second):
        if b is not None:
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name", sorted(UFUNC_SAMPLES))
def test_ufunc(name):
    f, arrays = UFUNC_SAMPLES[name]
    check_entry(f, arrays)


@pytest.mark.parametrize("name", sorted(FUNCTION_SAMPLES))
def test_array_function(name):
    f, arrays = FUNCTION_SAMPLES[name]
    check_entry(f, arrays)


@pytest.mark.parametrize("name", sorted(CONSTANT_SAMPLES))
def test_constant_ufunc_gives_values_without_derivative(name):
    ufunc = getattr(np, name)
    values = CONSTANT_SAMPLES[name]
    arrays = [RNG.integers(0, 8, 3), RNG.integers(1, 4, 3)] if values is None else [values, values[::-1]]
    arrays = arrays[:ufunc.nin]
    tensors = [dr.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = ufunc(*tensors)
    np.testing.assert_array_equal(np.asarray(out), ufunc(*arrays))
    assert not out.requires_grad


@pytest.mark.parametrize("name", sorted(BOOLEAN_FUNCTIONS))
def test_boolean_reductions(name):
    values = np.array([[True, False], [True, True]])
    out = BOOLEAN_FUNCTIONS[name](dr.tensor(values), axis=1)
    np.testing.assert_array_equal(np.asarray(out), BOOLEAN_FUNCTIONS[name](values, axis=1))


def test_argsort_gives_indices():
    a = anywhere(2, 4)
    np.testing.assert_array_equal(np.asarray(np.argsort(dr.tensor(a, requires_grad=True))),
                                  np.argsort(a))


@pytest.mark.parametrize("name", sorted(SHAPE_FUNCTIONS))
def test_shape_functions_give_plain_values(name):
    a = anywhere(2, 3)
    assert getattr(np, name)(dr.tensor(a, requires_grad=True)) == getattr(np, name)(a)


def test_mixed_operands_record_like_tensors():
    a, x = anywhere(3), dr.tensor(anywhere(3), requires_grad=True)
    (a * x + np.sin(x) - a).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), a + np.cos(x.detach().numpy()), rtol=1e-12)
    d = dr.Dual(anywhere(3), np.ones(3))
    np.testing.assert_allclose(np.asarray((a * d).tangent), a)


def test_ufunc_reduce_with_where():
    x = dr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = np.add.reduce(x, where=np.array([True, False, True]))
    out.backward()
    assert float(out) == 4.0
    np.testing.assert_array_equal(np.asarray(x.grad), [1.0, 0.0, 1.0])


def test_asarray_gives_the_values_of_a_tensor_not_being_differentiated():
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(np.asarray((x * 2).detach()), [2.0, 4.0])
    with dr.no_grad():
        np.testing.assert_array_equal(np.asarray(x * 2), [2.0, 4.0])


@pytest.mark.parametrize("convert", [np.asarray, np.array, dr.Tensor.numpy,
                                     lambda t: np.asarray(t, dtype=np.float32)])
def test_asarray_of_a_value_being_differentiated_raises(convert):
    """A silent conversion would detach the graph inside third-party code."""
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    for value in (x, x * 2):
        with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires "
                                               "grad. Use tensor.detach\\(\\).numpy\\(\\)"):
            convert(value)
    if convert is not np.asarray:
        with pytest.raises(RuntimeError, match="Can't call numpy"):
            np.asarray(dr.Dual(np.ones(2), np.ones(2)))
    seen = []
    dr.func.grad(lambda v: seen.append(pytest.raises(RuntimeError, convert, v)) or v.sum())(
        np.ones(2))
    assert seen


def test_third_party_code_that_converts_raises_instead_of_detaching():
    """HIPS autograd's neural_net example with scipy's logsumexp, which calls
    np.asarray on its input: PyTorch raises there, and so does dualrev."""
    def logsumexp(a):  # as scipy.special.logsumexp does it
        a = np.asarray(a)
        return np.log(np.sum(np.exp(a - a.max()))) + a.max()
    x = dr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        logsumexp(x)


@pytest.mark.parametrize("call", [
    lambda x: np.fft.fft(x), lambda x: np.ldexp(x, 2), lambda x: np.add.accumulate(x),
    lambda x: np.sin(x, out=np.empty(2))])
def test_unsupported_numpy_raises_naming_it(call):
    with pytest.raises(TypeError, match="numpy|out="):
        call(dr.tensor([0.1, 0.2], requires_grad=True))


@pytest.mark.parametrize("make", [
    lambda x: np.exp(1j * x), lambda x: x * (1 + 2j), lambda x: dr.tensor([1j]),
    lambda x: dr.Dual(1.0, 1.0) * 1j])
def test_complex_numbers_are_refused(make):
    with pytest.raises(TypeError, match="complex"):
        make(dr.tensor([0.1, 0.2], requires_grad=True))
