"""Coloring and sparse derivatives (``dr.func.sparse_jacobian``,
``sparse_hessian``).

* Colorings are valid (columns sharing a row differ; a star coloring has no
  two-colored path on four vertices) and decompression recovers random
  sparse matrices exactly, by columns, by rows and, for symmetric ones,
  from a star coloring.
* Rosenbrock's Hessian takes 3 colors, the 5-point stencil's Jacobian on a
  300 x 300 grid at most 5.
* sparse_jacobian (fwd, rev, auto) and sparse_hessian equal the dense
  jacfwd/hessian at random points, with argnums, has_aux and chunk_size;
  the plan is made once per shape and dtype.
* Newton's method on -Δu + u³ = f (N = 100, 10^4 unknowns) with
  sparse_jacobian and scipy's spsolve converges to a residual below 1e-10.
"""

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import dualrev as dr
from dualrev.func import coloring

from test_sparsity import rosenbrock, stencil_residual


def random_sparse(rng, m, n, density, symmetric=False):
    a = sp.random_array((m, n), density=density, random_state=rng, format="csr")
    a.data = rng.standard_normal(a.nnz)
    if symmetric:
        a = (a + a.T + sp.eye_array(n)).tocsr()
    return a


def two_colored_paths(graph, colors):
    """Paths on four vertices with only two colors, if any (brute force)."""
    neighbors = [set(graph.indices[graph.indptr[v]:graph.indptr[v + 1]]) - {v}
                 for v in range(graph.shape[0])]
    for a in range(graph.shape[0]):
        for b in neighbors[a]:
            for c in neighbors[b] - {a}:
                for d in neighbors[c] - {a, b}:
                    if colors[a] == colors[c] and colors[b] == colors[d]:
                        return (a, b, c, d)
    return None


@pytest.mark.parametrize("seed", range(25))
def test_decompression_recovers_random_sparse_matrices(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(1, 40, 2)
    a = random_sparse(rng, m, n, rng.uniform(0.02, 0.4))
    pattern = a != 0
    columns = coloring.column_coloring(pattern)
    assert not any(len(set(columns[row.indices])) < row.nnz for row in pattern)  # a row's columns differ
    assert np.array_equal(coloring.decompress_columns(pattern, columns)(
        a @ coloring.seeds(columns)).toarray(), a.toarray())
    rows = coloring.row_coloring(pattern)
    assert np.array_equal(coloring.decompress_rows(pattern, rows)(
        coloring.seeds(rows).T @ a).toarray(), a.toarray())
    h = random_sparse(rng, n, n, rng.uniform(0.02, 0.3), symmetric=True)
    star = coloring.star_coloring(h != 0)
    assert two_colored_paths((h != 0).tocsr(), star) is None
    assert np.allclose(coloring.decompress_symmetric(h != 0, star)(
        h @ coloring.seeds(star)).toarray(), h.toarray(), rtol=0, atol=1e-14)


def test_colors_of_rosenbrock_and_the_stencil():
    hessian = dr.func.sparse_hessian(rosenbrock)
    hessian(np.ones(1000))
    assert int(hessian.coloring.max()) + 1 == 3
    n = 300
    pattern = dr.func.jacobian_sparsity(stencil_residual)(np.zeros(n * n))
    assert int(coloring.column_coloring(pattern).max()) + 1 <= 5


@pytest.mark.parametrize("mode", ["fwd", "rev", "auto"])
def test_sparse_jacobian_equals_the_dense_one(mode):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(36)
    jacobian = dr.func.sparse_jacobian(stencil_residual, mode=mode)
    dense = np.asarray(dr.func.jacfwd(stencil_residual)(x))
    assert np.allclose(jacobian(x).toarray(), dense, rtol=1e-13, atol=1e-13)
    assert jacobian.sparsity.shape == (36, 36) and jacobian.coloring.max() + 1 <= 9


def test_argnums_has_aux_chunk_size_and_one_plan_per_shape():
    rng = np.random.default_rng(1)
    w, x = rng.standard_normal(5), rng.standard_normal(5)

    def f(w, x):
        out = dr.sin(x[1:] * w[:-1]) + x[:-1] ** 2
        return out, out.sum()
    jacobian = dr.func.sparse_jacobian(f, argnums=1, has_aux=True, chunk_size=1)
    matrix, aux = jacobian(w, x)
    dense = np.asarray(dr.func.jacfwd(lambda x: f(w, x)[0])(x))
    assert np.allclose(matrix.toarray(), dense) and np.isclose(float(aux), float(f(w, x)[1]))
    plan = jacobian.sparsity
    jacobian(w, rng.standard_normal(5))
    assert jacobian.sparsity is plan  # detected once for this shape and dtype
    jacobian(rng.standard_normal(7), rng.standard_normal(7))
    assert jacobian.sparsity.shape == (6, 7)


def test_sparse_hessian_equals_the_dense_one():
    rng = np.random.default_rng(2)

    def f(x):
        return rosenbrock(x) + (dr.exp(x[::3]) * x[1::3]).sum()
    for n in (3, 9, 30):
        x = rng.standard_normal(n)
        assert np.allclose(dr.func.sparse_hessian(f)(x).toarray(),
                           np.asarray(dr.func.hessian(f)(x)), rtol=1e-12, atol=1e-12)


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        dr.func.sparse_jacobian(rosenbrock, mode="sideways")
    with pytest.raises(ValueError, match="chunk_size"):
        dr.func.sparse_hessian(rosenbrock, chunk_size=0)


def poisson_problem(n):
    """-Δu + u³ = f on the unit square's interior (n x n, h = 1/(n+1)), f
    made from a known solution."""
    h = 1.0 / (n + 1)
    grid = np.linspace(h, 1 - h, n)
    exact = np.outer(np.sin(np.pi * grid), np.sin(2 * np.pi * grid)).ravel()

    def residual(u):
        return stencil_residual(u) / h ** 2 + u ** 3 * (1 - 1 / h ** 2)
    forcing = np.asarray(residual(exact))
    return (lambda u: residual(u) - forcing), exact


def test_newton_solves_the_nonlinear_poisson_problem():
    residual, exact = poisson_problem(100)
    jacobian = dr.func.sparse_jacobian(residual)
    u = np.zeros(exact.size)
    for _ in range(20):
        r = np.asarray(residual(u))
        if np.abs(r).max() < 1e-10:
            break
        u = u - spla.spsolve(jacobian(u).tocsc(), r)
    assert np.abs(np.asarray(residual(u))).max() < 1e-10
    assert np.allclose(u, exact, atol=1e-9)


def test_a_plan_is_kept_per_layout_of_the_other_arguments_zeros():
    """A product with a sparse matrix argument: the pattern depends on where
    the matrix is zero, so a new layout is detected anew, not reused."""
    jacobian = dr.func.sparse_jacobian(lambda a, x: dr.matmul(a, x), argnums=1)
    assert np.array_equal(jacobian(np.eye(3), np.ones(3)).toarray(), np.eye(3))
    full = np.arange(1.0, 10.0).reshape(3, 3)
    assert np.array_equal(jacobian(full, np.ones(3)).toarray(), full)


def test_local_mode_detects_at_each_point():
    def branchy(x):
        return x * 2 if float(x.sum()) > 0 else x[::-1] * 3
    with pytest.raises(TypeError, match="local=True"):
        dr.func.sparse_jacobian(branchy)(np.ones(3))
    jacobian = dr.func.sparse_jacobian(branchy, local=True)
    assert np.array_equal(jacobian(np.ones(3)).toarray(), 2 * np.eye(3))
    assert np.array_equal(jacobian(-np.ones(3)).toarray(), 3 * np.eye(3)[::-1])
