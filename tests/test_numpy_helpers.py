"""NumPy's helpers on tensors: the functions that return no differentiable
array (np.allclose, np.argmax, np.count_nonzero, np.shape...) work on the
values of tensors, those that require grad included, and inside the
dualrev.func transforms; the shape helpers (np.atleast_1d/2d/3d,
np.broadcast_to, np.expand_dims, np.squeeze) are recorded. NumPy on the
plain arrays is the reference, finite differences the reference for
gradients."""

import numpy as np
import pytest

import dualrev as dr


def sample(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1.5, 1.5, shape)


def finite_difference_gradient(f, a, v, eps=1e-6):
    """The gradient of <v, f(a)> by central differences."""
    g = np.zeros_like(a)
    for index in np.ndindex(a.shape):
        plus, minus = a.copy(), a.copy()
        plus[index] += eps
        minus[index] -= eps
        g[index] = (np.sum(v * f(plus)) - np.sum(v * f(minus))) / (2 * eps)
    return g


# -- value functions ------------------------------------------------------------

A = np.array([[1.0, 5.0, 0.0], [3.0, 2.0, 5.0]])
B = A + np.array([[0.0, 1e-9, 0.0], [0.0, 0.0, 1e-3]])

VALUE_CALLS = {
    "allclose": lambda a, b: np.allclose(a, b),
    "allclose_tolerances": lambda a, b: np.allclose(a, b, rtol=0, atol=1e-2),
    "isclose": lambda a, b: np.isclose(a, b),
    "isclose_scalar": lambda a, b: np.isclose(a, 5.0),
    "array_equal": lambda a, b: np.array_equal(a, b),
    "array_equal_self": lambda a, b: np.array_equal(a, a),
    "array_equal_shapes": lambda a, b: np.array_equal(a, b[0]),
    "argmax": lambda a, b: np.argmax(a),
    "argmax_axis": lambda a, b: np.argmax(a, axis=1),
    "argmax_keepdims": lambda a, b: np.argmax(a, axis=0, keepdims=True),
    "argmax_flat_keepdims": lambda a, b: np.argmax(a, keepdims=True),
    "argmin": lambda a, b: np.argmin(a),
    "argmin_axis": lambda a, b: np.argmin(b, axis=-1),
    "count_nonzero": lambda a, b: np.count_nonzero(a),
    "count_nonzero_axis": lambda a, b: np.count_nonzero(a, axis=0),
    "count_nonzero_keepdims": lambda a, b: np.count_nonzero(a, axis=1, keepdims=True),
    "shape": lambda a, b: np.shape(a),
    "ndim": lambda a, b: np.ndim(a),
    "size": lambda a, b: np.size(a),
    "size_axis": lambda a, b: np.size(a, 1),
}


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("name", sorted(VALUE_CALLS))
def test_value_functions_give_numpys_values(name, requires_grad):
    call = VALUE_CALLS[name]
    expected = call(A, B)
    a, b = dr.tensor(A, requires_grad=requires_grad), dr.tensor(B, requires_grad=requires_grad)
    got = call(a, b)
    if isinstance(expected, np.ndarray) or isinstance(expected, np.generic):
        assert isinstance(got, dr.Tensor) and not got.requires_grad
        assert got.shape == np.shape(expected)
        assert got.dtype == dr.dtype(got.dtype.name, np.result_type(expected))
        np.testing.assert_array_equal(got.numpy(), expected)
    else:
        assert type(got) is type(expected) and got == expected


def test_value_functions_leave_the_graph_as_it_is():
    x = dr.tensor(A, requires_grad=True)
    y = x * x
    assert np.allclose(y, A * A) and int(np.argmax(y)) == int(np.argmax(A * A))
    assert np.count_nonzero(y) == 5
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * A)


def test_value_functions_take_mixed_operands_and_duals():
    assert np.allclose(A, dr.tensor(A)) and np.array_equal(dr.tensor(A), A.tolist())
    np.testing.assert_array_equal(np.isclose(A, dr.tensor(B)).numpy(), np.isclose(A, B))
    d = dr.Dual(A, np.ones_like(A))
    assert np.allclose(d, A)
    assert int(np.argmin(d)) == int(np.argmin(A))


def test_argmax_takes_numpys_axes():
    with pytest.raises(ValueError, match="axis 2 is out of bounds"):  # NumPy's AxisError
        np.argmax(dr.tensor(A), axis=2)
    assert int(np.argmin(dr.tensor(3.0), axis=0)) == np.argmin(np.float64(3.0), axis=0) == 0
    with pytest.raises(TypeError, match="out="):
        np.argmax(dr.tensor(A), out=np.empty((), np.int64))


def test_value_functions_inside_grad_read_the_values():
    """On a tensor being differentiated np.argmax gives the index (no
    derivative to carry), as dr.argmax does: the max is then picked by it."""
    seen = {}

    def f(x):
        i = np.argmax(x)
        seen.update(close=np.allclose(x, A[0]), nonzero=int(np.count_nonzero(x)),
                    shape=np.shape(x), equal=np.array_equal(x, A[0]))
        return x[i] * np.sum(x)

    g = dr.func.grad(f)(dr.tensor(A[0]))
    assert seen == {"close": True, "nonzero": 2, "shape": (3,), "equal": True}
    np.testing.assert_allclose(g.numpy(), finite_difference_gradient(
        lambda x: x[np.argmax(x)] * np.sum(x), A[0], 1.0), rtol=1e-7)
    # x[argmin x] * x at x = (3, 2, 5): 2 I plus x in the column of the argmin
    jacobian = dr.func.jacfwd(lambda x: x[np.argmin(x)] * x)(dr.tensor(A[1]))
    np.testing.assert_array_equal(jacobian.numpy(), [[2.0, 3.0, 0.0], [0.0, 4.0, 0.0],
                                                     [0.0, 5.0, 2.0]])


def test_shape_queries_and_argmax_inside_vmap_see_one_example():
    seen = []

    def f(x):
        seen.append((np.shape(x), np.ndim(x), np.size(x)))
        return np.argmax(x)

    out = dr.func.vmap(f)(dr.tensor(A))
    assert seen == [((3,), 1, 3)]
    np.testing.assert_array_equal(out.numpy(), np.argmax(A, axis=1))


@pytest.mark.parametrize("call", [lambda x: np.allclose(x, 0.0), lambda x: np.isclose(x, 0.0),
                                  lambda x: np.count_nonzero(x)])
def test_value_functions_inside_vmap_raise(call):
    with pytest.raises(RuntimeError, match="vmap: numpy.* reads the values of a batched"):
        dr.func.vmap(lambda x: x * call(x))(dr.tensor(A))


# -- shape helpers, recorded ---------------------------------------------------------

SHAPE_CALLS = {
    "atleast_1d_0d": (np.atleast_1d, ()),
    "atleast_1d_2d": (np.atleast_1d, (2, 3)),
    "atleast_2d_0d": (np.atleast_2d, ()),
    "atleast_2d_1d": (np.atleast_2d, (3,)),
    "atleast_3d_0d": (np.atleast_3d, ()),
    "atleast_3d_1d": (np.atleast_3d, (3,)),
    "atleast_3d_2d": (np.atleast_3d, (2, 3)),
    "atleast_3d_4d": (np.atleast_3d, (2, 1, 3, 2)),
    "broadcast_to": (lambda a: np.broadcast_to(a, (4, 2, 3)), (2, 1)),
    "broadcast_to_int": (lambda a: np.broadcast_to(a, 3), (1,)),
    "expand_dims": (lambda a: np.expand_dims(a, 1), (2, 3)),
    "expand_dims_axes": (lambda a: np.expand_dims(a, (0, -1)), (2, 3)),
    "squeeze": (np.squeeze, (1, 3, 1)),
    "squeeze_axis": (lambda a: np.squeeze(a, axis=0), (1, 3, 1)),
    "squeeze_axes": (lambda a: np.squeeze(a, axis=(0, 2)), (1, 3, 1)),
}


@pytest.mark.parametrize("name", sorted(SHAPE_CALLS))
def test_shape_helpers_are_recorded(name):
    f, shape = SHAPE_CALLS[name]
    a = sample(*shape, seed=len(name))
    expected = f(a)
    x = dr.tensor(a, requires_grad=True)
    out = f(x)
    assert isinstance(out, dr.Tensor) and out.shape == expected.shape
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    v = np.random.default_rng(1).standard_normal(expected.shape)
    (g,) = dr.autograd.grad(out, [x], grad_outputs=dr.tensor(v))
    np.testing.assert_allclose(g.numpy(), finite_difference_gradient(f, a, v), rtol=1e-7,
                               atol=1e-9)
    # forward mode agrees: <v, J u> = <J^T v, u>
    u = np.random.default_rng(2).standard_normal(a.shape)
    tangent = dr.func.jvp(f, (a,), (u,))[1]
    assert float(np.sum(tangent.numpy() * v)) == pytest.approx(float(np.sum(g.numpy() * u)))
    # inside a transform: the Hessian of a cubic through the helper
    h = dr.func.hessian(lambda y: (f(y) ** 3).sum())(dr.tensor(a))
    expected_h = np.diag((6 * a * finite_difference_gradient(f, a, np.ones(expected.shape))
                          ).ravel()).reshape(a.shape * 2)
    np.testing.assert_allclose(h.numpy(), expected_h, rtol=1e-6, atol=1e-8)


def test_atleast_returns_the_tensor_itself_when_it_has_the_axes():
    x = dr.tensor(A, requires_grad=True)
    assert np.atleast_1d(x) is x and np.atleast_2d(x) is x


def test_atleast_with_several_arrays_returns_numpys_sequence():
    arrays = [np.float64(2.0), np.arange(3.0), A]
    for fn in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
        expected = fn(*arrays)
        xs = [dr.tensor(a, requires_grad=True) for a in arrays]
        got = fn(*xs)
        assert type(got) is type(expected) and len(got) == 3
        for g, e in zip(got, expected):
            assert g.shape == e.shape
            np.testing.assert_array_equal(g.detach().numpy(), e)
        total = sum((g * (k + 1)).sum() for k, g in enumerate(got))
        grads = dr.autograd.grad(total, xs)
        for k, (g, a) in enumerate(zip(grads, arrays)):
            np.testing.assert_array_equal(g.numpy(), np.full(np.shape(a), k + 1.0))


def test_atleast_mixes_arrays_and_tensors():
    got = np.atleast_2d(dr.tensor(1.0), [1.0, 2.0])
    assert all(isinstance(t, dr.Tensor) for t in got)
    assert [t.shape for t in got] == [(1, 1), (1, 2)]


def test_shape_helpers_inside_vmap_act_on_one_example():
    def f(x):
        return np.atleast_3d(x).sum() + np.expand_dims(x, 0)[0, 1] + np.squeeze(x[None])[0]
    out = dr.func.vmap(f)(dr.tensor(A))
    np.testing.assert_allclose(out.numpy(), A.sum(1) + A[:, 1] + A[:, 0])


@pytest.mark.parametrize("call, error", [
    (lambda x: np.squeeze(x, axis=1), "cannot select an axis to squeeze out"),
    (lambda x: np.expand_dims(x, (0, 0)), "repeated axis"),
    (lambda x: np.expand_dims(x, 4), "out of bounds"),
    (lambda x: np.broadcast_to(x, (2, 2)), "could not be broadcast|cannot be broadcast"),
    (lambda x: np.broadcast_to(x, (-1, 3)), "non-negative"),
])
def test_shape_helpers_raise_numpys_errors(call, error):
    a = np.zeros((1, 3))
    with pytest.raises(ValueError, match=error) as expected:
        call(a)
    with pytest.raises(type(expected.value), match=error):
        call(dr.tensor(a, requires_grad=True))
