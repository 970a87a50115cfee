"""Table-driven property tests of every primitive in ``dualrev.core.primitive``, and
of the operations of ``dualrev.rules`` composed from them (``COMPOSITES``).

Each test is one generic checker, parametrized over the names of the table;
the per-primitive knowledge (sample inputs in the primitive's domain and a
NumPy reference) lives in ``primitive_samples.SPECS``. For a differentiable
primitive ``f`` with sample ``x`` (the differentiated arguments), random
directions ``u``, ``w`` (input-shaped) and ``v`` (output-shaped):

  value                f(tensors) == NumPy reference
  vjp                  grad(<v, f(x)>) == finite differences, entry by entry
  jvp                  f(Dual(x, u)).tangent == central difference along u
                       (each argument alone, then all of them at once)
  jvp_vjp_identity     <v, J u> == <J^T v, u>   (also on kinks and ties)
  batched_tangents     a tangent with a leading batch axis == the single JVPs stacked
  reverse_over_reverse grad(<w, grad(<v, f>, create_graph)>) . u == FD along u
  reverse_over_forward (x leaves) f(Dual(x, u)).tangent.backward(v); x.grad . w == FD
  forward_over_forward f(Dual(Dual(x, u), Dual(w, 0))).tangent.tangent == FD
  forward_over_reverse dr.func.jvp(dr.func.grad(<v, f>), x, u) . w == FD
                       (skipped while dualrev.func does not exist)
  float32              a float32 argument among float64 ones: gradients keep
                       their argument's dtype, tangents their output's, and
                       both agree with float64

Non-differentiable primitives: value, and no graph or tangent comes out.
Finite differences evaluate the primitive on raw NumPy arrays (its
implementation), float64, central, step ``sample.eps``. Examples are fixed
(derandomized); see ``checked`` for a longer or a fresh search. Known bugs
outside the rule table are strict xfails naming the core file at fault.
"""

import importlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dualrev as dr
from dualrev import rules
from dualrev.core import forward
from dualrev.core.levels import new_level
from dualrev.core.primitive import primitives, raw_value

from primitive_samples import COMPOSITES, SPECS, checked_by

PRIMS = primitives()
# every function under test by name: the primitives, and composites (all differentiable)
OPS = {**PRIMS, **{name: getattr(rules, name) for name in COMPOSITES}}
DIFFERENTIABLE = sorted([n for n, p in PRIMS.items() if p.vjp is not None] + list(COMPOSITES))
NON_DIFFERENTIABLE = sorted(n for n, p in PRIMS.items() if p.vjp is None)
WITH_KINKS = sorted(n for n in DIFFERENTIABLE if n in SPECS and SPECS[n].kinks is not None)


# A longer search: DUALREV_PRIMITIVE_EXAMPLES=10 runs ten times the examples;
# DUALREV_PRIMITIVE_RANDOM=1 draws new ones on each run (the default is fixed).
checked = checked_by("DUALREV_PRIMITIVE")


def draw_sample(data, name, kinks=False):
    spec = SPECS[name]
    return data.draw(spec.kinks if kinks else spec.samples, label=f"{name} sample")


# -- helpers ------------------------------------------------------------------------

def plain(x):
    """The NumPy value under any nesting of Tensors and Duals."""
    return np.asarray(raw_value(x))


def random_like(rng, value):
    return rng.standard_normal(np.shape(value))


def directions(sample, salt):
    """A random direction for each differentiated argument."""
    rng = np.random.default_rng([sample.seed, salt])
    return {i: random_like(rng, sample.args[i]) for i in sample.diff}


def cotangent(sample, out, salt=99):
    return np.random.default_rng([sample.seed, salt]).standard_normal(np.shape(plain(out)))


def vdot(a, b):
    return float(np.sum(np.asarray(a, np.float64) * np.asarray(b, np.float64)))


def inner(xs, ys):
    """sum_i <xs[i], ys[i]> over two dicts keyed by argument index."""
    return sum(vdot(xs[i], ys[i]) for i in xs)


def evaluate(name, sample, args):
    """The primitive on raw arrays: its NumPy implementation."""
    return np.asarray(OPS[name](*args, **sample.params), dtype=np.float64)


def shifted(sample, dirs, step):
    args = list(sample.args)
    for i, d in dirs.items():
        args[i] = np.asarray(args[i], np.float64) + step * d
    return args


def central_difference(fn, sample, dirs):
    """d/de fn(args + e * dirs) at 0, by central differences."""
    eps = sample.eps
    plus, minus = fn(shifted(sample, dirs, eps)), fn(shifted(sample, dirs, -eps))
    return (np.asarray(plus, np.float64) - np.asarray(minus, np.float64)) / (2 * eps)


def fd_gradient(fn, sample, i):
    """The gradient of scalar ``fn`` with respect to argument i, entry by entry."""
    shape = np.shape(sample.args[i])
    grad = np.zeros(shape)
    for k in np.ndindex(*shape):
        unit = np.zeros(shape)
        unit[k] = 1.0
        grad[k] = central_difference(fn, sample, {i: unit})
    return grad


def assert_close(actual, expected, rtol, what):
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = 1.0 + (np.max(np.abs(expected)) if expected.size else 0.0)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


def leaves(sample, args=None):
    """The arguments with the differentiated ones as leaf tensors that require grad."""
    args = list(sample.args if args is None else args)
    for i in sample.diff:
        args[i] = dr.tensor(args[i], requires_grad=True)
    return args


def grads(out, inputs, v=None, **options):
    """dr.autograd.grad with unused inputs (and constant outputs) as zero gradients."""
    if not (isinstance(out, dr.Tensor) and out.requires_grad):
        return [np.zeros(np.shape(plain(x))) for x in inputs]
    found = dr.autograd.grad(out, inputs, grad_outputs=v, allow_unused=True, **options)
    return [np.zeros(np.shape(plain(x))) if g is None else g for g, x in zip(found, inputs)]


def reverse_gradients(name, sample, v, args=None, **options):
    """{i: gradient of <v, f> with respect to argument i} by the tape."""
    xs = leaves(sample, args)
    out = OPS[name](*xs, **sample.params)
    found = grads(out, [xs[i] for i in sample.diff], v, **options)
    return xs, dict(zip(sample.diff, found))


def with_duals(args, dirs, level=None):
    """``args`` with argument i a Dual of tangent dirs[i]; all share one level."""
    level = new_level() if level is None else level
    args = list(args)
    for i, d in dirs.items():
        args[i] = dr.Dual(args[i], d, level=level)
    return args


def tangent_of(out, shape=None):
    """The tangent of a Dual output; zero when the output carries none."""
    if isinstance(out, dr.Dual):
        return out.tangent
    return np.zeros(np.shape(plain(out)) if shape is None else shape)


def jvp(name, sample, dirs, args=None):
    """f(Dual(x_i, u_i) for i in dirs).tangent, checked to have the output's shape."""
    out = OPS[name](*with_duals(sample.args if args is None else args, dirs), **sample.params)
    tangent = tangent_of(out)
    assert np.shape(plain(tangent)) == np.shape(plain(out)), \
        f"tangent of shape {np.shape(plain(tangent))} for an output of shape {np.shape(plain(out))}"
    return out, tangent


# -- the registry ------------------------------------------------------------------------

def test_every_primitive_has_samples():
    """A primitive added to the table without samples must fail the suite."""
    missing = sorted(set(OPS) - set(SPECS))
    stale = sorted(set(SPECS) - set(OPS))
    assert not missing, f"primitives without samples in tests/primitive_samples.py: {missing}"
    assert not stale, f"samples for primitives that are not in the table: {stale}"


def test_differentiable_means_both_rules():
    for name, prim in PRIMS.items():
        if prim.differentiable:
            assert prim.linear or prim.jvp is not None or prim.joint_jvp is not None, \
                f"{name} has a VJP but no JVP"


# -- first order -------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(OPS))
@checked(30)
@given(data=st.data())
def test_value(name, data):
    """The primitive on Tensors (and on raw arrays) gives the NumPy reference."""
    sample = draw_sample(data, name)
    expected = np.asarray(SPECS[name].reference(*sample.args, **sample.params))
    differentiable = name in DIFFERENTIABLE
    tensors = [dr.tensor(a, requires_grad=differentiable and i in sample.diff)
               for i, a in enumerate(sample.args)]
    for out in (OPS[name](*tensors, **sample.params), OPS[name](*sample.args, **sample.params)):
        got = plain(out)
        assert got.shape == expected.shape
        assert got.dtype == expected.dtype, f"dtype {got.dtype}, reference {expected.dtype}"
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(20)
@given(data=st.data())
def test_vjp(name, data):
    """grad(<v, f(x)>) equals the finite-difference gradient, entry by entry,
    and has its argument's shape and dtype."""
    sample = draw_sample(data, name)
    v = cotangent(sample, evaluate(name, sample, sample.args))
    _, found = reverse_gradients(name, sample, v)
    for i, g in found.items():
        arg = sample.args[i]
        if isinstance(g, dr.Tensor):
            assert g.shape == np.shape(arg) and g.dtype == arg.dtype
        expected = fd_gradient(lambda args: vdot(v, evaluate(name, sample, args)), sample, i)
        assert_close(plain(g), expected, sample.rtol, f"gradient of argument {i}")


@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(20)
@given(data=st.data())
def test_jvp(name, data):
    """f(Dual(x, u)).tangent equals the central difference along u: each
    differentiated argument a Dual alone, then all of them at once."""
    sample = draw_sample(data, name)
    u = directions(sample, 1)
    subsets = [(i,) for i in sample.diff]
    if len(subsets) > 1:
        subsets.append(sample.diff)
    for subset in subsets:
        dirs = {i: u[i] for i in subset}
        out, tangent = jvp(name, sample, dirs)
        if isinstance(out, dr.Dual):
            assert plain(tangent).dtype == plain(out.primal).dtype, "tangent dtype != primal dtype"
        expected = central_difference(lambda args: evaluate(name, sample, args), sample, dirs)
        assert_close(plain(tangent), expected, sample.rtol, f"JVP along arguments {subset}")


def check_identity(name, sample):
    u = directions(sample, 1)
    _, tangent = jvp(name, sample, u)
    v = cotangent(sample, tangent)
    _, found = reverse_gradients(name, sample, v)
    forward = vdot(v, plain(tangent))
    backward = inner({i: plain(g) for i, g in found.items()}, u)
    scale = 1.0 + abs(forward) + abs(backward)
    tol = 1e-9 if plain(tangent).dtype == np.float64 else 1e-5  # a float32 output rounds
    assert abs(forward - backward) <= tol * scale, f"<v, J u> = {forward}, <J^T v, u> = {backward}"


@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(20)
@given(data=st.data())
def test_jvp_vjp_identity(name, data):
    """<v, J u> == <J^T v, u>: the JVP and VJP rules describe the same J."""
    check_identity(name, draw_sample(data, name))


@pytest.mark.parametrize("name", WITH_KINKS)
@checked(20)
@given(data=st.data())
def test_jvp_vjp_identity_on_kinks(name, data):
    """On kinks and ties (relu at 0, max ties, clamp bounds, several zeros in
    a product), where finite differences say nothing, the JVP and VJP rules
    must still pick the same derivative."""
    check_identity(name, draw_sample(data, name, kinks=True))


# (reporting a failure imports libcst, which warns about mypy_extensions)
@pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict:DeprecationWarning")
@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(12)
@given(data=st.data())
def test_batched_tangents(name, data):
    """A tangent with a leading batch axis (k directions, as jacfwd and hessian
    push them) gives the k JVPs at once: the stack of the single ones."""
    sample = draw_sample(data, name)
    first, second = directions(sample, 1), directions(sample, 2)
    batched = {i: np.stack([first[i], second[i]]) for i in sample.diff}
    out = OPS[name](*with_duals(sample.args, batched), **sample.params)
    shape = np.shape(plain(out))
    tangent = plain(tangent_of(out, (2,) + shape))
    expected = np.stack([plain(jvp(name, sample, first)[1]), plain(jvp(name, sample, second)[1])])
    assert_close(tangent, expected, 1e-12, "batched JVP")


@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(8)
@given(data=st.data())
def test_deferred_tangents(name, data):
    """Tangents deferred (as those of large arrays are) come out equal to
    tangents computed at once, one direction and a batch of two."""
    sample = draw_sample(data, name)
    first, second = directions(sample, 1), directions(sample, 2)
    batched = {i: np.stack([first[i], second[i]]) for i in sample.diff}
    eager = [plain(jvp(name, sample, first)[1]),
             plain(tangent_of(OPS[name](*with_duals(sample.args, batched), **sample.params),
                              None))]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forward, "DEFER_SIZE", 0)  # every tangent deferred
        deferred = [plain(jvp(name, sample, first)[1]),
                    plain(tangent_of(OPS[name](*with_duals(sample.args, batched), **sample.params),
                                     None))]
    for got, want in zip(deferred, eager):
        assert_close(got, want, 1e-12, "deferred tangent")


# -- second order -------------------------------------------------------------------------

def first_derivative(name, sample, v, w, args):
    """<w, grad <v, f>> at ``args``, first order."""
    _, found = reverse_gradients(name, sample, v, args)
    return inner({i: plain(g) for i, g in found.items()}, w)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(12)
@given(data=st.data())
def test_reverse_over_reverse(name, data):
    """g = grad(<v, f(x)>, create_graph=True); grad(<w, g>) . u equals the
    central difference of <w, g> along u."""
    sample = draw_sample(data, name)
    u, w = directions(sample, 1), directions(sample, 2)
    v = cotangent(sample, evaluate(name, sample, sample.args))
    xs, first = reverse_gradients(name, sample, v, create_graph=True)
    total = None
    for i, g in first.items():
        if isinstance(g, dr.Tensor) and g.requires_grad:
            term = dr.sum(g * w[i])
            total = term if total is None else total + term
    inputs = [xs[i] for i in sample.diff]
    second = dict(zip(sample.diff, grads(total, inputs)))
    analytic = inner({i: plain(h) for i, h in second.items()}, u)
    expected = central_difference(lambda args: first_derivative(name, sample, v, w, args),
                                  sample, u)
    assert_close(analytic, expected, sample.rtol, "second derivative, reverse over reverse")


@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(12)
@given(data=st.data())
def test_reverse_over_forward(name, data):
    """With x leaf tensors: t = f(Dual(x, u)).tangent; after t.backward(v),
    x.grad . w equals the central difference of <v, J u> along w."""
    sample = draw_sample(data, name)
    u, w = directions(sample, 1), directions(sample, 2)
    xs = leaves(sample)
    out, tangent = jvp(name, sample, u, args=xs)
    _, plain_tangent = jvp(name, sample, u)
    assert_close(plain(tangent), plain(plain_tangent), 1e-12, "JVP on tensors vs on arrays")
    v = cotangent(sample, tangent)
    if isinstance(tangent, dr.Tensor) and tangent.requires_grad:
        tangent.backward(v)
    found = {i: np.zeros(np.shape(sample.args[i])) if xs[i].grad is None else xs[i].grad
             for i in sample.diff}
    analytic = inner({i: plain(g) for i, g in found.items()}, w)
    expected = central_difference(lambda args: vdot(v, plain(jvp(name, sample, u, args)[1])),
                                  sample, w)
    assert_close(analytic, expected, sample.rtol, "second derivative, reverse over forward")


@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(12)
@given(data=st.data())
def test_forward_over_forward(name, data):
    """Duals of Duals: f(Dual(Dual(x, u), Dual(w, 0))).tangent.tangent is the
    second derivative D^2 f[u, w], the central difference of J u along w. A
    primitive of one differentiated argument uses Duals nested by hand (the
    constructor sorts out the levels); several arguments share an inner and
    an outer level."""
    sample = draw_sample(data, name)
    u, w = directions(sample, 1), directions(sample, 2)
    args = list(sample.args)
    if len(sample.diff) == 1:
        (i,) = sample.diff
        args[i] = dr.Dual(dr.Dual(args[i], u[i]), dr.Dual(w[i], np.zeros_like(w[i])))
        outer_level = args[i]._level
    else:
        inner_level, outer_level = new_level(), new_level()
        for i in sample.diff:
            args[i] = dr.Dual(dr.Dual(args[i], u[i], level=inner_level),
                              dr.Dual(w[i], np.zeros_like(w[i]), level=inner_level),
                              level=outer_level)
    out = OPS[name](*args, **sample.params)
    shape = np.shape(plain(out))
    outer = isinstance(out, dr.Dual) and out._level == outer_level
    primal = out.primal if outer else out
    first_w = out.tangent if outer else np.zeros(shape)
    assert_close(plain(tangent_of(primal, shape)), plain(jvp(name, sample, u)[1]), 1e-12,
                 "inner tangent (J u)")
    assert_close(plain(first_w), plain(jvp(name, sample, w)[1]), 1e-12, "outer tangent (J w)")
    second = tangent_of(first_w, shape)
    expected = central_difference(lambda a: plain(jvp(name, sample, u, a)[1]), sample, w)
    assert_close(plain(second), expected, sample.rtol, "second derivative, forward over forward")


def _func():
    try:
        return importlib.import_module("dualrev.func")
    except ImportError:
        return None


@pytest.mark.skipif(_func() is None, reason="forward-over-reverse needs dualrev.func "
                    "(dr.func.jvp of dr.func.grad), which comes with the transforms issue")
@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(10)
@given(data=st.data())
def test_forward_over_reverse(name, data):
    """dr.func.jvp(dr.func.grad(x -> <v, f(x)>), x, u) . w equals the central
    difference of <w, grad <v, f>> along u."""
    func = _func()
    sample = draw_sample(data, name)
    u, w = directions(sample, 1), directions(sample, 2)
    v = cotangent(sample, evaluate(name, sample, sample.args))

    def weighted(*diff_args):
        args = list(sample.args)
        for i, a in zip(sample.diff, diff_args):
            args[i] = a
        return dr.sum(OPS[name](*args, **sample.params) * v)

    argnums = tuple(range(len(sample.diff)))
    _, hvp = func.jvp(func.grad(weighted, argnums=argnums),
                      tuple(sample.args[i] for i in sample.diff),
                      tuple(u[i] for i in sample.diff))
    analytic = inner({i: plain(h) for i, h in zip(sample.diff, hvp)}, w)
    expected = central_difference(lambda args: first_derivative(name, sample, v, w, args),
                                  sample, u)
    assert_close(analytic, expected, sample.rtol, "second derivative, forward over reverse")


# -- dtypes --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DIFFERENTIABLE)
@checked(12)
@given(data=st.data())
def test_float32_among_float64(name, data):
    """The first differentiated argument in float32, the others float64:
    gradients come back in each argument's dtype, tangents in their output's,
    and both agree with the float64 computation on the same (exactly widened)
    values."""
    sample = draw_sample(data, name)
    i0 = sample.diff[0]
    args32 = list(sample.args)
    args32[i0] = np.asarray(args32[i0], np.float32)
    args64 = list(args32)
    args64[i0] = args32[i0].astype(np.float64)
    v = cotangent(sample, evaluate(name, sample, args64))
    _, g32 = reverse_gradients(name, sample, v, args32)
    _, g64 = reverse_gradients(name, sample, v, args64)
    for i in sample.diff:
        if isinstance(g32[i], dr.Tensor):
            assert g32[i].dtype == args32[i].dtype, f"gradient {i} has dtype {g32[i].dtype}"
        assert_close(plain(g32[i]), plain(g64[i]), 1e-3, f"float32 gradient of argument {i}")
    u = directions(sample, 1)
    u32 = {i: np.asarray(d, np.asarray(args32[i]).dtype) for i, d in u.items()}
    out32, t32 = jvp(name, sample, u32, args32)
    _, t64 = jvp(name, sample, u32, args64)
    if isinstance(out32, dr.Dual) and not getattr(OPS[name], "broadcasts", False):
        # broadcasting primitives: see test_tangent_dtype_follows_primal
        assert plain(t32).dtype == plain(out32.primal).dtype, \
            f"tangent dtype {plain(t32).dtype} != primal dtype {plain(out32.primal).dtype}"
    assert_close(plain(t32), plain(t64), 1e-3, "float32 tangent")


BROADCASTING = sorted(n for n, p in PRIMS.items() if p.differentiable and p.broadcasts)


@pytest.mark.parametrize("name", BROADCASTING)
def test_tangent_dtype_follows_primal(name):
    """A float32 array and a 0-d float64 value, both Duals of one level: the
    output is float32 (a 0-d value does not upcast), so must its tangent be."""
    x32 = np.array([0.75, 1.25], np.float32)
    args = {"where": [np.array([True, False]), x32, 0.5],
            "clamp_tensors": [x32, np.float64(0.5), np.float64(1.0)]}.get(
        name, [x32, np.float64(0.5)])
    diff = range(len(args) - 2, len(args)) if name != "clamp_tensors" else range(3)
    dirs = {i: np.ones_like(args[i]) for i in diff}
    out = OPS[name](*with_duals(args, dirs))
    assert plain(out.primal).dtype == np.float32
    assert plain(out.tangent).dtype == np.float32, f"{plain(out.tangent).dtype} tangent"


# -- factorizations with several outputs ---------------------------------------------------

FACTORIZATIONS = {
    "eigh": np.linalg.eigh,
    "qr": np.linalg.qr,
    "svd": lambda x: np.linalg.svd(x, full_matrices=False),
    "slogdet": np.linalg.slogdet,
}


@pytest.mark.parametrize("name", sorted(FACTORIZATIONS))
@checked(5)
@given(data=st.data())
def test_factorization_parts(name, data):
    """rules.eigh, qr, svd and slogdet split their packed primitive into NumPy's
    tuple. Each part alone is differentiable (the unused parts' cotangents
    are zero); slogdet's sign is not differentiable."""
    sample = draw_sample(data, name + "_packed")
    leaf = dr.tensor(sample.args[0], requires_grad=True)
    parts = getattr(rules, name)(leaf)
    expected = FACTORIZATIONS[name](sample.args[0])
    assert len(parts) == len(expected)
    for k, (part, want) in enumerate(zip(parts, expected)):
        np.testing.assert_allclose(plain(part), want, rtol=1e-12, atol=1e-12)
        if name == "slogdet" and k == 0:
            assert not part.requires_grad
            continue
        v = cotangent(sample, want, salt=k)
        (found,) = grads(part, [leaf], v, retain_graph=True)  # the parts share one node
        fd = fd_gradient(lambda args: vdot(v, getattr(rules, name)(args[0])[k]), sample, 0)
        assert_close(plain(found), fd, sample.rtol, f"gradient through part {k}")


# -- not differentiable ------------------------------------------------------------------

@pytest.mark.parametrize("name", NON_DIFFERENTIABLE)
@checked(25)
@given(data=st.data())
def test_not_differentiable(name, data):
    """Outputs of tensors that require grad carry no graph; Duals go through as
    plain values (no tangent); values are the reference's."""
    sample = draw_sample(data, name)
    prim = PRIMS[name]
    expected = np.asarray(SPECS[name].reference(*sample.args, **sample.params))
    floats = [i for i, a in enumerate(sample.args) if np.asarray(a).dtype.kind == "f"]
    tensors = [dr.tensor(a, requires_grad=i in floats) for i, a in enumerate(sample.args)]
    out = prim(*tensors, **sample.params)
    assert isinstance(out, dr.Tensor)
    assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(plain(out), expected)
    if floats:
        rng = np.random.default_rng(sample.seed)
        duals = with_duals(sample.args, {i: random_like(rng, sample.args[i]) for i in floats})
        out = prim(*duals, **sample.params)
        assert not isinstance(out, dr.Dual)
        np.testing.assert_array_equal(plain(out), expected)
        # a Dual over tensors that require grad: neither a tangent nor a graph
        duals = with_duals(tensors, {i: random_like(rng, sample.args[i]) for i in floats})
        out = prim(*duals, **sample.params)
        assert isinstance(out, dr.Tensor) and not out.requires_grad
        np.testing.assert_array_equal(plain(out), expected)
