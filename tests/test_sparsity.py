"""Sparsity detection (``dr.func.jacobian_sparsity``, ``hessian_sparsity``).

1. Table-wide: for every differentiable primitive and the composites of
   ``rules``, in each differentiated argument, the detected global pattern
   covers every nonzero of the dense Jacobian (``jacfwd``) at random points
   of the primitive's samples, and holds no entry that is zero at all of
   them except where the primitive selects (max, relu, where...: which input
   wins depends on the values, so the global pattern must keep them all).
2. Composed functions: Rosenbrock's Hessian is tridiagonal, a 5-point
   stencil's Jacobian has 5 entries per interior row, products with a sparse
   constant matrix keep its pattern, and Hessian patterns match the dense
   Hessian's nonzeros.
3. Global mode refuses control flow on values, with a message that names
   ``local=True``; local mode follows the branch taken.
4. Without scipy, the functions raise ImportError naming the extra.
"""

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dualrev as dr
from dualrev import rules
from dualrev.core.primitive import primitives, raw_value

from primitive_samples import COMPOSITES, SPECS, checked_by

checked = checked_by("DUALREV_SPARSITY")
PRIMS = primitives()
OPS = {**PRIMS, **{name: getattr(rules, name) for name in COMPOSITES}}
DIFFERENTIABLE = sorted(n for n, p in PRIMS.items()
                        if p.linear or p.jvp is not None or p.joint_jvp is not None)
# which input element wins depends on the values: the global pattern keeps every candidate
SELECTING = {"abs", "relu", "maximum", "minimum", "clamp", "clamp_tensors", "where", "amax",
             "amin", "sort", "max", "min", "median", "topk", "kthvalue", "norm", "cummax",
             "cummin", "logsumexp", "softmax", "log_softmax", "xlogy", "index_put", "pow",
             "hypot", "arctan2", "prod", "cumprod", "det", "slogdet_packed", "inv", "solve",
             "cholesky", "eigh_packed", "qr_packed", "svd_packed", "cosine_similarity", "dist",
             "cdist"}


def plain(x):
    return np.asarray(raw_value(x), dtype=np.float64)


def jacobian_nonzeros(name, sample, i):
    """Where the dense Jacobian of the primitive in argument i is nonzero."""
    def f(x):
        args = list(sample.args)
        args[i] = x
        return OPS[name](*args, **sample.params)
    jac = plain(dr.func.jacfwd(f)(sample.args[i]))
    out_size = int(np.size(np.asarray(OPS[name](*sample.args, **sample.params))))
    return np.abs(jac.reshape(out_size, np.size(sample.args[i]))) > 0, f


def test_every_differentiable_primitive_says_what_its_outputs_read():
    missing = sorted(n for n in DIFFERENTIABLE if PRIMS[n].sparsity is None)
    assert not missing, f"differentiable primitives without a sparsity kind: {missing}"


@pytest.mark.parametrize("name", sorted(set(DIFFERENTIABLE) | set(COMPOSITES)))
@checked(6)
@given(data=st.data())
def test_detected_pattern_covers_the_jacobian(name, data):
    sample = data.draw(SPECS[name].samples, label="sample")
    for i in sample.diff:
        if np.asarray(sample.args[i]).dtype.kind != "f":
            continue
        nonzero, f = jacobian_nonzeros(name, sample, i)
        pattern = dr.func.jacobian_sparsity(f)(sample.args[i]).toarray()
        assert pattern.shape == nonzero.shape
        missed = nonzero & ~pattern
        assert not missed.any(), f"argument {i}: the pattern misses {np.argwhere(missed)[:5]}"
        if name not in SELECTING and PRIMS.get(name) is not None:
            extra = pattern & ~nonzero
            assert not extra.any(), f"argument {i}: {int(extra.sum())} entries never nonzero"


def rosenbrock(x):
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def test_rosenbrock_hessian_is_tridiagonal():
    n = 50
    pattern = dr.func.hessian_sparsity(rosenbrock)(np.zeros(n)).toarray()
    assert (pattern == (np.abs(np.subtract.outer(np.arange(n), np.arange(n))) <= 1)).all()
    dense = plain(dr.func.hessian(rosenbrock)(np.random.default_rng(0).standard_normal(n)))
    assert not (np.abs(dense) > 0)[~pattern].any()


def stencil_residual(u):
    """-Δu + u³ on the interior of an N x N grid with zero boundary, flattened."""
    n = int(round(np.sqrt(u.shape[0])))
    grid = dr.reshape(u, (n, n))
    rows = dr.cat([dr.zeros((1, n)), grid, dr.zeros((1, n))], 0)
    padded = dr.cat([dr.zeros((n + 2, 1)), rows, dr.zeros((n + 2, 1))], 1)
    laplace = (padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
               - 4 * grid)
    return dr.reshape(-laplace + grid ** 3, (n * n,))


def test_five_point_stencil_has_five_entries_per_interior_row():
    n = 12
    pattern = dr.func.jacobian_sparsity(stencil_residual)(np.zeros(n * n)).toarray()
    counts = pattern.sum(1).reshape(n, n)
    assert (counts[1:-1, 1:-1] == 5).all() and counts[0, 0] == 3 and counts[0, 5] == 4
    dense = plain(dr.func.jacfwd(stencil_residual)(np.random.default_rng(1).standard_normal(n * n)))
    assert ((np.abs(dense) > 0) == pattern).all()


def test_a_sparse_constant_matrix_keeps_its_pattern():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((6, 5)) * (rng.random((6, 5)) < 0.3)
    pattern = dr.func.jacobian_sparsity(lambda x: dr.tanh(dr.matmul(a, x)))(np.zeros(5))
    assert (pattern.toarray() == (a != 0)).all()
    pattern = dr.func.jacobian_sparsity(lambda x: dr.einsum("ij,j->i", a, x))(np.zeros(5))
    assert (pattern.toarray() == (a != 0)).all()


def test_hessian_pattern_matches_the_dense_hessian():
    rng = np.random.default_rng(3)

    def f(x):
        return (dr.exp(x[:3] * x[3:]) + dr.sin(x[::2].sum()) * x[1]).sum() + dr.cumsum(x, 0)[-1]
    pattern = dr.func.hessian_sparsity(f)(np.zeros(6)).toarray()
    dense = plain(dr.func.hessian(f)(rng.standard_normal(6)))
    assert not ((np.abs(dense) > 0) & ~pattern).any()
    assert ((np.abs(dense) > 0) == pattern).all()


def test_global_mode_refuses_control_flow_and_local_mode_follows_it():
    def branchy(x):
        return x * 2 if float(x.sum()) > 0 else x[::-1]
    with pytest.raises(TypeError, match="local=True"):
        dr.func.jacobian_sparsity(branchy)(np.ones(3))
    with pytest.raises(TypeError, match="local=True"):
        dr.func.jacobian_sparsity(lambda x: x if x[0] > 0 else -x)(np.ones(3))
    assert (dr.func.jacobian_sparsity(branchy, local=True)(np.ones(3)).toarray()
            == np.eye(3, dtype=bool)).all()
    assert (dr.func.jacobian_sparsity(branchy, local=True)(-np.ones(3)).toarray()
            == np.eye(3, dtype=bool)[::-1]).all()


def test_outputs_that_do_not_depend_on_the_input_have_empty_rows():
    pattern = dr.func.jacobian_sparsity(lambda x: (x * 0 + 1.0, dr.ones(2)))(np.zeros(3))
    assert pattern.shape == (5, 3)
    assert pattern.nnz == 3  # x * 0 is traced (global mode cannot know it is zero)


def test_without_scipy_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.sparse", None)
    with pytest.raises(ImportError, match=r"dualrev\[sparse\]"):
        dr.func.jacobian_sparsity(lambda x: x)


# -- random compositions -------------------------------------------------------------------------

UNARY = [dr.sin, dr.exp, dr.tanh, lambda v: v * v, lambda v: 2.0 * v + 1.0, dr.sigmoid,
         lambda v: v[::-1], lambda v: dr.roll(v, 1, 0), lambda v: dr.cumsum(v, 0),
         lambda v: dr.cat([v[1:], v[:1]], 0), lambda v: v.reshape(-1, 1).sum(1)]
BINARY = [lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a / (1.0 + b * b),
          lambda a, b: dr.stack([a, b], 0).sum(0)]  # (no selections: they keep every candidate)


@checked(40)
@given(program=st.lists(st.tuples(st.integers(0, len(UNARY) + len(BINARY) - 1),
                                  st.integers(0, 10), st.integers(0, 10)), min_size=1, max_size=6),
       seed=st.integers(0, 2**16), n=st.integers(1, 7))
def test_random_compositions(program, seed, n):
    """A random program of elementwise, shifting, summing and binary steps:
    the pattern covers the Jacobian's nonzeros, with few extra entries."""
    rng = np.random.default_rng(seed)
    sparse_constant = rng.standard_normal((n, n)) * (rng.random((n, n)) < 0.4)

    def f(x):
        values = [x]
        for op, i, j in program:
            a, b = values[i % len(values)], values[j % len(values)]
            values.append(UNARY[op](a) if op < len(UNARY) else BINARY[op - len(UNARY)](a, b))
        return dr.matmul(sparse_constant, values[-1]) + values[-1]
    x = rng.standard_normal(n)
    pattern = dr.func.jacobian_sparsity(f)(x).toarray()
    nonzero = np.zeros_like(pattern)
    for point in (x, rng.standard_normal(n), rng.standard_normal(n)):
        nonzero |= np.abs(plain(dr.func.jacfwd(f)(point)).reshape(n, n)) > 0
    assert not (nonzero & ~pattern).any()
    assert (pattern & ~nonzero).sum() <= max(1, pattern.sum() // 10)


@pytest.mark.parametrize("name", sorted(set(DIFFERENTIABLE) | set(COMPOSITES)))
@checked(3)
@given(data=st.data())
def test_hessian_pattern_covers_the_hessian(name, data):
    """The Hessian pattern of <w, primitive(x)> (random weights w) covers the
    dense Hessian's nonzeros, in each differentiated argument."""
    sample = data.draw(SPECS[name].samples, label="sample")
    rng = np.random.default_rng(sample.seed)
    out = np.asarray(OPS[name](*sample.args, **sample.params))
    if out.dtype.kind != "f":
        return
    weights = rng.standard_normal(out.shape)
    for i in sample.diff:
        if np.asarray(sample.args[i]).dtype.kind != "f":
            continue

        def f(x):
            args = list(sample.args)
            args[i] = x
            return (OPS[name](*args, **sample.params) * weights).sum()
        n = int(np.size(sample.args[i]))
        dense = plain(dr.func.hessian(f)(sample.args[i])).reshape(n, n)
        pattern = dr.func.hessian_sparsity(f)(sample.args[i]).toarray()
        missed = (np.abs(dense) > 0) & ~pattern
        assert not missed.any(), f"argument {i}: the pattern misses {np.argwhere(missed)[:5]}"
