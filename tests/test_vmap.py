"""vmap (``dr.func.vmap``).

1. Table-wide: every primitive (and the composites of ``rules``), vmapped
   over a batch of 3 examples made from its samples, equals a Python loop
   over the examples, stacked; with the batch axis in front, elsewhere
   (in_dims != 0) and put elsewhere in the output (out_dims != 0); every
   primitive has a batch rule (none falls to the error).
2. The API: in_dims as an int, None, a tuple and a tree; out_dims; errors
   in PyTorch's words; chunk_size.
3. Composition: per-sample gradients (vmap of grad), vmap of jacrev and
   hessian, grad of a function that calls vmap, vmap of vmap, vmap of jvp;
   tensors that require grad keep their tape through vmap.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dualrev as dr
from dualrev import rules
from dualrev.core.primitive import primitives, raw_value

from primitive_samples import COMPOSITES, SPECS, checked_by

checked = checked_by("DUALREV_VMAP")
PRIMS = primitives()
OPS = {**PRIMS, **{name: getattr(rules, name) for name in COMPOSITES}}
BATCH = 3


def plain(x):
    return np.asarray(raw_value(x))


def examples(sample, rng):
    """BATCH versions of the sample's differentiated arguments (of all its
    array arguments, for a primitive that has none; the others shared):
    small perturbations of floats, which keep them in the primitive's
    domain; integers and booleans rolled."""
    arrays = [i for i, a in enumerate(sample.args) if isinstance(a, np.ndarray)]
    batched = [i for i in arrays if i in sample.diff] or arrays
    stacks = {}
    for i in batched:
        a = sample.args[i]
        if a.dtype.kind == "f":
            versions = [a * (1 + 0.01 * k) + 0.001 * k * np.sign(a) for k in range(BATCH)]
        else:
            versions = [np.roll(a, k) if a.ndim else a for k in range(BATCH)]
        stacks[i] = np.stack(versions)
    return batched, stacks


def loop(name, sample, batched, stacks):
    outs = []
    for k in range(BATCH):
        args = [stacks[i][k] if i in batched else a for i, a in enumerate(sample.args)]
        outs.append(np.asarray(OPS[name](*args, **sample.params)))
    return np.stack(outs)


@pytest.mark.parametrize("name", sorted(set(PRIMS) | set(COMPOSITES)))
@checked(5)
@given(data=st.data())
def test_vmap_equals_a_loop(name, data):
    sample = data.draw(SPECS[name].samples, label="sample")
    rng = np.random.default_rng(sample.seed)
    batched, stacks = examples(sample, rng)
    if not batched:
        return
    expected = loop(name, sample, batched, stacks)
    in_dims = tuple(0 if i in batched else None for i in range(len(sample.args)))

    def f(*args):
        return OPS[name](*args, **sample.params)
    args = [stacks[i] if i in batched else a for i, a in enumerate(sample.args)]
    got = plain(dr.func.vmap(f, in_dims=in_dims)(*args))
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # the batch axis last in the inputs and in the output
    moved = [np.moveaxis(stacks[i], 0, -1) if i in batched else a
             for i, a in enumerate(sample.args)]
    last = tuple(-1 if i in batched else None for i in range(len(sample.args)))
    got = plain(dr.func.vmap(f, in_dims=last, out_dims=-1)(*moved))
    np.testing.assert_allclose(got, np.moveaxis(expected, 0, -1), rtol=1e-12, atol=1e-12)


# -- the API ------------------------------------------------------------------------------

def test_in_dims_out_dims_and_chunks():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal(3)

    def f(a, b):
        return {"sum": (a * b).sum(), "prod": a * b}
    out = dr.func.vmap(f, in_dims=(0, None))(x, y)
    np.testing.assert_allclose(plain(out["sum"]), (x * y).sum(1))
    np.testing.assert_allclose(plain(out["prod"]), x * y)
    out = dr.func.vmap(lambda a: a * 2, in_dims=1, out_dims=1)(x.T)
    np.testing.assert_allclose(plain(out), 2 * x.T)
    tree = dr.func.vmap(lambda d: d["a"] + d["b"], in_dims=({"a": 0, "b": None},))(
        {"a": x, "b": y})
    np.testing.assert_allclose(plain(tree), x + y)
    for chunk in (1, 3, 4, 10):
        np.testing.assert_allclose(plain(dr.func.vmap(lambda a: dr.sin(a).sum(),
                                                      chunk_size=chunk)(x)),
                                   np.sin(x).sum(1))


def test_errors_in_pytorchs_words():
    with pytest.raises(ValueError, match="same size in the mapped dimension"):
        dr.func.vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="must be mapped over"):
        dr.func.vmap(lambda a: a, in_dims=None)(np.ones(3))
    with pytest.raises(ValueError, match="in_dims is not compatible"):
        dr.func.vmap(lambda a, b: a + b, in_dims=(0,))(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="out_dims is not compatible"):
        dr.func.vmap(lambda a: (a, a), out_dims=(0, 0, 0))(np.ones(3))
    with pytest.raises(ValueError, match="expected in_dim to satisfy"):
        dr.func.vmap(lambda a: a, in_dims=2)(np.ones((3, 2)))
    with pytest.raises(RuntimeError, match="data-dependent control flow"):
        dr.func.vmap(lambda a: a if a.sum() > 0 else -a)(np.ones((3, 2)))
    with pytest.raises(ValueError, match="chunk_size"):
        dr.func.vmap(lambda a: a, chunk_size=0)


# -- composition ---------------------------------------------------------------------------

def mlp_loss(params, x, y):
    w1, w2 = params
    return ((dr.tanh(x @ w1) @ w2 - y) ** 2).sum()


def test_per_sample_gradients_equal_a_loop_of_grads():
    rng = np.random.default_rng(1)
    params = (rng.standard_normal((4, 5)), rng.standard_normal((5, 2)))
    xs, ys = rng.standard_normal((6, 4)), rng.standard_normal((6, 2))
    batched = dr.func.vmap(dr.func.grad(mlp_loss), in_dims=(None, 0, 0))(params, xs, ys)
    for k in range(6):
        single = dr.func.grad(mlp_loss)(params, xs[k], ys[k])
        for b, s in zip(batched, single):
            np.testing.assert_allclose(plain(b)[k], plain(s), rtol=1e-12, atol=1e-12)


def test_jacobians_hessians_and_nesting():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4))

    def f(v):
        return dr.sin(v) * v.sum()
    loop = np.stack([plain(dr.func.jacrev(f)(x[k])) for k in range(3)])
    np.testing.assert_allclose(plain(dr.func.vmap(dr.func.jacrev(f))(x)), loop, atol=1e-12)
    np.testing.assert_allclose(plain(dr.func.vmap(dr.func.jacfwd(f))(x)), loop, atol=1e-12)
    g = lambda v: (dr.exp(v) * v[::-1]).sum()
    loop = np.stack([plain(dr.func.hessian(g)(x[k])) for k in range(3)])
    np.testing.assert_allclose(plain(dr.func.vmap(dr.func.hessian(g))(x)), loop, atol=1e-12)
    # the Jacobian of a batched function: block diagonal across examples
    jac = plain(dr.func.jacrev(dr.func.vmap(f))(x))
    for k in range(3):
        np.testing.assert_allclose(jac[k, :, k, :], plain(dr.func.jacrev(f)(x[k])), atol=1e-12)
    # vmap of vmap; vmap of jvp; grad through vmap
    np.testing.assert_allclose(plain(dr.func.vmap(dr.func.vmap(lambda s: s * s))(x)), x * x)
    tangents = rng.standard_normal((3, 4))
    _, jv = dr.func.vmap(lambda v, t: dr.func.jvp(f, (v,), (t,)))(x, tangents)
    for k in range(3):
        np.testing.assert_allclose(plain(jv)[k], plain(dr.func.jvp(f, (x[k],), (tangents[k],))[1]),
                                   atol=1e-12)
    total = lambda v: dr.func.vmap(lambda r: (r ** 3).sum())(v).sum()
    np.testing.assert_allclose(plain(dr.func.grad(total)(x)), 3 * x ** 2, atol=1e-12)


def test_tensors_that_require_grad_keep_their_tape():
    w = dr.tensor([1.0, -2.0, 0.5], requires_grad=True)
    x = np.arange(6.0).reshape(2, 3)
    out = dr.func.vmap(lambda r: (r * w).sum() ** 2)(x)
    out.sum().backward()
    expected = sum(2 * (x[k] @ np.array([1.0, -2.0, 0.5])) * x[k] for k in range(2))
    np.testing.assert_allclose(w.grad.numpy(), expected)


def test_vmap_of_jet():
    x = np.array([0.1, 0.2, 0.3])
    out = dr.func.vmap(lambda v: dr.func.jet(dr.sin, (v,), ((1.0, 0.0),))[1][1])(x)
    np.testing.assert_allclose(plain(out), -np.sin(x), atol=1e-14)


def test_backward_inside_vmap_is_refused_clearly():
    w = dr.tensor([1.0, 2.0], requires_grad=True)

    def calls_backward(x):
        y = (x * w).sum()
        y.backward()
        return y

    def calls_autograd_grad(x):
        t = dr.tensor([1.0, 2.0], requires_grad=True)
        return dr.autograd.grad((x * t).sum(), t)[0]
    for f in (calls_backward, calls_autograd_grad):
        with pytest.raises(RuntimeError, match="inside of a vmapped function"):
            dr.func.vmap(f)(np.ones((3, 2)))


# -- pytrees in jacfwd, jacrev and hessian (as the JAX autodiff cookbook) ----------------------

def test_jacobians_and_hessians_of_pytrees_are_trees_of_blocks():
    rng = np.random.default_rng(4)
    params = {"W": rng.standard_normal((2, 3)), "b": rng.standard_normal(2)}
    x = rng.standard_normal(3)

    def f(p):
        return dr.tanh(p["W"] @ x + p["b"])

    def flat(v):
        return f({"W": v[:6].reshape(2, 3), "b": v[6:]})
    point = np.concatenate([params["W"].ravel(), params["b"]])
    dense = plain(dr.func.jacfwd(flat)(point))
    for jac in (dr.func.jacrev(f)(params), dr.func.jacfwd(f)(params)):
        assert set(jac) == {"W", "b"}
        np.testing.assert_allclose(plain(jac["W"]).reshape(2, 6), dense[:, :6], atol=1e-12)
        np.testing.assert_allclose(plain(jac["b"]), dense[:, 6:], atol=1e-12)
    loss = lambda p: (f(p) ** 2).sum()  # noqa: E731
    hess = dr.func.hessian(loss)(params)
    dense = plain(dr.func.hessian(lambda v: (flat(v) ** 2).sum())(point))
    np.testing.assert_allclose(plain(hess["W"]["W"]).reshape(6, 6), dense[:6, :6], atol=1e-12)
    np.testing.assert_allclose(plain(hess["W"]["b"]).reshape(6, 2), dense[:6, 6:], atol=1e-12)
    np.testing.assert_allclose(plain(hess["b"]["W"]).reshape(2, 6), dense[6:, :6], atol=1e-12)
    np.testing.assert_allclose(plain(hess["b"]["b"]), dense[6:, 6:], atol=1e-12)
    # tuples of tensors with argnums, as JAX
    two = dr.func.jacrev(lambda w, b: w @ x + b, argnums=(0, 1))(params["W"], params["b"])
    assert plain(two[0]).shape == (2, 2, 3) and plain(two[1]).shape == (2, 2)


# -- custom rules under vmap ---------------------------------------------------------------

def test_custom_jvp_and_custom_vjp_are_batched_with_their_rules():
    x = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])

    @dr.custom_jvp
    def scaled_sin(v):
        return dr.sin(v).sum()

    @scaled_sin.defjvp
    def _(primals, tangents):  # not the true derivative: the rule must be the one used
        (v,), (t,) = primals, tangents
        return scaled_sin(v), (dr.cos(v) * t).sum() * 10.0

    np.testing.assert_allclose(plain(dr.func.vmap(scaled_sin)(x)), np.sin(x).sum(1))
    for transform in (dr.func.grad, dr.func.jacfwd, dr.func.jacrev):
        np.testing.assert_allclose(plain(dr.func.vmap(transform(scaled_sin))(x)),
                                   10 * np.cos(x), atol=1e-12)

    @dr.custom_vjp
    def cube(v):
        return (v ** 3).sum()
    cube.defvjp(lambda v: (cube(v), v), lambda v, g: (6 * v ** 2 * g,))
    np.testing.assert_allclose(plain(dr.func.vmap(cube)(x)), (x ** 3).sum(1))
    np.testing.assert_allclose(plain(dr.func.vmap(dr.func.grad(cube))(x)), 6 * x ** 2)
    np.testing.assert_allclose(plain(dr.func.grad(lambda v: dr.func.vmap(cube)(v).sum())(x)),
                               6 * x ** 2)


def test_autograd_function_under_vmap():
    x = np.array([[0.1, 0.2], [0.3, 0.4]])

    class Square(dr.autograd.Function):
        @staticmethod
        def forward(ctx, v):
            ctx.save_for_backward(v)
            return v * v

        @staticmethod
        def backward(ctx, g):
            (v,) = ctx.saved_tensors
            return 2 * v * g

    with pytest.raises(RuntimeError, match="generate_vmap_rule=True"):
        dr.func.vmap(Square.apply)(x)

    class Generated(Square):
        generate_vmap_rule = True

    class OwnRule(Square):
        @staticmethod
        def vmap(info, in_dims, v):
            assert info.batch_size == 2 and in_dims == (0,)
            return v * v, 0

    for cls in (Generated, OwnRule):
        np.testing.assert_allclose(plain(dr.func.vmap(cls.apply)(x)), x * x)


def test_randomness():
    x = np.zeros((4, 3))
    with pytest.raises(RuntimeError, match="randomness error mode"):
        dr.func.vmap(lambda v: v + dr.rand(3))(x)
    same = plain(dr.func.vmap(lambda v: v + dr.rand(3), randomness="same")(x))
    assert (same == same[0]).all()
    different = plain(dr.func.vmap(lambda v: v + dr.randn(3), randomness="different")(x))
    assert different.shape == (4, 3) and not (different == different[0]).all()
    with pytest.raises(RuntimeError, match="randomness"):
        dr.func.vmap(lambda v: v, randomness="sometimes")


def test_no_perturbation_confusion_between_batching_and_derivatives():
    xs = np.array([1.0, 2.0, 3.0])
    # a batched value closed over by a derivative taken inside vmap is a constant to it
    inner = dr.func.vmap(lambda x: dr.func.grad(lambda y: x * y * y)(2.0))(xs)
    np.testing.assert_allclose(plain(inner), 4 * xs)
    inner = dr.func.vmap(lambda x: dr.func.derivative(lambda y: x * dr.sin(y), 2)(0.5))(xs)
    np.testing.assert_allclose(plain(inner), -xs * np.sin(0.5))
    # a derivative of a function that vmaps over values closing over the variable
    outer = dr.func.grad(lambda x: dr.func.vmap(lambda y: x * y * x)(xs).sum())(1.5)
    np.testing.assert_allclose(float(outer), 2 * 1.5 * xs.sum())
    # a jvp inside vmap: the batched x closed over is a constant to it (d/dy of y x is x)
    _, tangents = dr.func.vmap(lambda x: dr.func.jvp(lambda y: y * x, (x,), (1.0,)))(xs)
    np.testing.assert_allclose(plain(tangents), xs)


def test_every_primitive_has_a_batch_rule():
    """A rule of its own (``vmap``), or records that already say how:
    elementwise, linear, reductions, running reductions, matrix functions."""
    derived = ("elementwise", "constant", "reduces", "prefix", "blocks")
    missing = sorted(n for n, p in PRIMS.items()
                     if p.vmap is None and p.sparsity not in derived and not p.linear)
    assert not missing, f"primitives without a batch rule: {missing}"


def test_vmap_of_vjp():
    xs = np.array([[0.1, 0.2], [0.3, 0.4]])
    cotangents = np.array([[1.0, 2.0], [3.0, 4.0]])

    def pull(x, v):
        return dr.func.vjp(dr.sin, x)[1](v)[0]
    np.testing.assert_allclose(plain(dr.func.vmap(pull)(xs, cotangents)),
                               np.cos(xs) * cotangents, atol=1e-14)
