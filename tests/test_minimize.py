"""dr.func.minimize and dr.func.scipy_objective.

The problems are those of Moré, Garbow & Hillstrom, "Testing unconstrained
optimization software", ACM TOMS 7 (1981), from their standard starting
points. Every method that suits the size (the dense ones, bfgs and
trust-exact, up to a few hundred unknowns) must bring the gradient's 2-norm
below 1e-8, checked by a gradient computed afresh, at the known minimiser.
The evaluation counts are bounded a quarter above today's: a regression in a
line search, a CG stopping rule or a trust-region update breaks them.
"""

import os
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dualrev as dr

METHODS = ["bfgs", "l-bfgs", "newton-cg", "trust-ncg", "trust-exact", "newton-sparse"]
QUASI_NEWTON = {"bfgs", "l-bfgs"}


def rosenbrock(x):
    """Extended Rosenbrock (MGH 21; n = 2 is MGH 1)."""
    odd, even = x[0::2], x[1::2]
    return (100 * (even - odd ** 2) ** 2 + (1 - odd) ** 2).sum()


def powell(x):
    """Extended Powell singular (MGH 22): the Hessian is singular at 0."""
    x1, x2, x3, x4 = x[0::4], x[1::4], x[2::4], x[3::4]
    return ((x1 + 10 * x2) ** 2 + 5 * (x3 - x4) ** 2 + (x2 - 2 * x3) ** 4
            + 10 * (x1 - x4) ** 4).sum()


def beale(x):
    """Beale (MGH 5)."""
    y = dr.tensor([1.5, 2.25, 2.625])
    i = dr.tensor([1.0, 2.0, 3.0])
    return ((y - x[0] * (1 - x[1] ** i)) ** 2).sum()


def wood(x):
    """Wood (MGH 14)."""
    x1, x2, x3, x4 = x[0], x[1], x[2], x[3]
    return (100 * (x2 - x1 ** 2) ** 2 + (1 - x1) ** 2 + 90 * (x4 - x3 ** 2) ** 2 + (1 - x3) ** 2
            + 10.1 * ((x2 - 1) ** 2 + (x4 - 1) ** 2) + 19.8 * (x2 - 1) * (x4 - 1))


def trigonometric(x):
    """Trigonometric (MGH 26): many local minima."""
    n = x.shape[0]
    i = dr.arange(1, n + 1, dtype=x.dtype)
    r = n - dr.cos(x).sum() + i * (1 - dr.cos(x)) - dr.sin(x)
    return (r ** 2).sum()


# name: (function, starting point, minimiser or None where there are several, value)
PROBLEMS = {
    "rosenbrock": (rosenbrock, [-1.2, 1.0], [1.0, 1.0], 0.0),
    "powell": (powell, [3.0, -1.0, 0.0, 1.0], [0.0] * 4, 0.0),
    "beale": (beale, [1.0, 1.0], [3.0, 0.5], 0.0),
    "wood": (wood, [-3.0, -1.0, -3.0, -1.0], [1.0] * 4, 0.0),
    "trigonometric": (trigonometric, [0.1] * 10, None, 2.79506e-5),  # MGH's value for n = 10
    "rosenbrock-1e4": (rosenbrock, [-1.2, 1.0] * 5000, [1.0] * 10_000, 0.0),
    "powell-1e4": (powell, [3.0, -1.0, 0.0, 1.0] * 2500, [0.0] * 10_000, 0.0),
    "trigonometric-100": (trigonometric, [0.01] * 100, None, None),
}

# (problem, method, most function evaluations, most Hessian evaluations or products)
BOUNDS = [
    ("rosenbrock", "bfgs", 60, 0), ("rosenbrock", "l-bfgs", 60, 0),
    ("rosenbrock", "newton-cg", 40, 59), ("rosenbrock", "trust-ncg", 35, 65),
    ("rosenbrock", "trust-exact", 36, 31), ("rosenbrock", "newton-sparse", 39, 30),
    ("powell", "bfgs", 81, 0), ("powell", "l-bfgs", 85, 0),
    ("powell", "newton-cg", 30, 111), ("powell", "trust-ncg", 30, 110),
    ("powell", "trust-exact", 30, 29), ("powell", "newton-sparse", 30, 29),
    ("beale", "bfgs", 25, 0), ("beale", "l-bfgs", 24, 0),
    ("beale", "newton-cg", 16, 20), ("beale", "trust-ncg", 14, 22),
    ("beale", "trust-exact", 14, 11), ("beale", "newton-sparse", 15, 11),
    ("wood", "bfgs", 60, 0), ("wood", "l-bfgs", 149, 0),
    ("wood", "newton-cg", 179, 656), ("wood", "trust-ncg", 59, 196),
    ("wood", "trust-exact", 60, 51), ("wood", "newton-sparse", 69, 51),
    ("trigonometric", "bfgs", 44, 0), ("trigonometric", "l-bfgs", 44, 0),
    ("trigonometric", "newton-cg", 20, 91), ("trigonometric", "trust-ncg", 25, 101),
    ("trigonometric", "trust-exact", 20, 15), ("trigonometric", "newton-sparse", 24, 15),
    ("rosenbrock-1e4", "l-bfgs", 64, 0), ("rosenbrock-1e4", "newton-cg", 40, 59),
    ("rosenbrock-1e4", "trust-ncg", 39, 65), ("rosenbrock-1e4", "newton-sparse", 39, 30),
    ("powell-1e4", "l-bfgs", 97, 0), ("powell-1e4", "newton-cg", 34, 135),
    ("powell-1e4", "trust-ncg", 39, 135), ("powell-1e4", "newton-sparse", 34, 32),
    ("trigonometric-100", "bfgs", 92, 0), ("trigonometric-100", "l-bfgs", 90, 0),
    ("trigonometric-100", "newton-cg", 45, 197), ("trigonometric-100", "trust-ncg", 41, 180),
    ("trigonometric-100", "trust-exact", 25, 17), ("trigonometric-100", "newton-sparse", 121, 41),
]


def test_every_method_meets_every_problem_it_suits():
    small = {name for name, (_, x0, _, _) in PROBLEMS.items() if len(x0) <= 100}
    pairs = {(p, m) for p, m, _, _ in BOUNDS}
    expected = {(p, m) for p in PROBLEMS for m in METHODS
                if p in small or m not in ("bfgs", "trust-exact")}
    assert pairs == expected


@pytest.mark.parametrize("problem, method, most_fev, most_hev", BOUNDS,
                         ids=[f"{p}-{m}" for p, m, _, _ in BOUNDS])
def test_the_classic_problems_are_solved_to_1e_8_in_gradient_norm(problem, method, most_fev,
                                                                  most_hev):
    f, x0, minimiser, value = PROBLEMS[problem]
    res = dr.func.minimize(f, dr.tensor(x0), method=method, tol=1e-8)
    assert res.success and res.status == 0, res.message
    gradient = dr.func.grad(f)(res.x).numpy()
    assert np.linalg.norm(gradient) <= 1e-8
    np.testing.assert_allclose(res.jac.numpy(), gradient, rtol=0, atol=1e-14)
    assert res.fun == pytest.approx(f(res.x).item(), rel=1e-12, abs=1e-300)
    if minimiser is not None:  # Powell's singular Hessian leaves |x| ~ ‖g‖^(1/3)
        np.testing.assert_allclose(res.x.numpy(), minimiser, atol=1e-2 if "powell" in problem
                                   else 1e-6)
    if value is not None:
        assert res.fun == pytest.approx(value, rel=1e-5, abs=1e-10)
    assert res.nfev <= most_fev and res.njev == res.nfev
    assert res.nhev <= most_hev
    if method in QUASI_NEWTON:
        assert res.nhev == 0
    else:
        assert res.nhev >= 1


# -- a property: any convex quadratic ------------------------------------------------

@settings(max_examples=int(os.environ.get("DUALREV_MINIMIZE_EXAMPLES", 25)), deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 2 ** 32 - 1),
       method=st.sampled_from(METHODS), condition=st.floats(1, 1e4))
def test_a_convex_quadratic_is_minimised_at_the_solution_of_its_linear_system(n, seed, method,
                                                                              condition):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = (Q * np.geomspace(1, condition, n)) @ Q.T
    b = rng.standard_normal(n)
    A_t, b_t = dr.tensor(A), dr.tensor(b)
    res = dr.func.minimize(lambda x: 0.5 * x @ (A_t @ x) - b_t @ x, dr.zeros(n), method=method,
                           tol=1e-8)
    assert res.success, res.message
    # ‖x - x*‖ ≤ ‖A⁻¹‖ ‖g‖ with ‖A⁻¹‖ = 1
    assert np.linalg.norm(res.x.numpy() - np.linalg.solve(A, b)) <= 1.01e-8
    if method in ("trust-exact", "newton-sparse") and condition < 100:
        assert res.nit <= 12  # exact Newton steps (the trust region may start small)


# -- the interface -------------------------------------------------------------------

def test_the_inputs_may_be_a_pytree_and_extra_arguments_are_passed_on():
    def loss(params, data, scale):
        w, b = params["w"], params["b"]
        return scale * (((data @ w + b) - 1.0) ** 2).sum() + (w ** 2).sum()
    data = dr.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]])
    x0 = {"w": dr.zeros(2), "b": dr.zeros(())}
    for method in METHODS:
        res = dr.func.minimize(loss, x0, args=(data, 2.0), method=method, tol=1e-10)
        assert set(res.x) == {"w", "b"} and res.x["w"].shape == (2,) and res.x["b"].shape == ()
        assert set(res.jac) == {"w", "b"}
        X = np.c_[data.numpy(), np.ones(3)]  # normal equations of the same problem
        solution = np.linalg.solve(2 * X.T @ X + np.diag([1.0, 1.0, 0.0]), 2 * X.T @ np.ones(3))
        np.testing.assert_allclose([*res.x["w"].tolist(), res.x["b"].item()], solution,
                                   rtol=1e-8, atol=1e-10)


def test_float32_inputs_are_optimised_in_float32():
    res = dr.func.minimize(lambda x: ((x - 2) ** 2).sum(), dr.zeros(3, dtype=dr.float32),
                           method="newton-cg")
    assert res.x.dtype == dr.float32 and res.jac.dtype == dr.float32
    np.testing.assert_allclose(res.x.numpy(), 2.0)


def test_arrays_lists_and_numbers_are_accepted_as_the_start():
    for x0 in (np.array([0.0, 0.0]), 0.0, [0.0, 0.0]):
        res = dr.func.minimize(lambda x: dr.stack([x_i for x_i in x]).sum() ** 2 + 1
                               if isinstance(x, list) else ((x - 1) ** 2).sum(),
                               x0, method="bfgs")
        assert res.success


def test_the_result_reads_as_scipys():
    res = dr.func.minimize(rosenbrock, dr.tensor([-1.2, 1.0]), method="bfgs")
    assert isinstance(res, dict)
    for key in ("x", "fun", "jac", "nit", "nfev", "njev", "nhev", "success", "status", "message",
                "hess_inv"):
        assert getattr(res, key) is res[key]
    assert type(res.fun) is float and type(res.nit) is int
    assert res.message == "Optimization terminated successfully."
    text = repr(res)
    assert "success: True" in text and "message: 'Optimization terminated successfully.'" in text
    inverse = res.hess_inv.numpy()  # BFGS's estimate: symmetric positive definite
    np.testing.assert_allclose(inverse, inverse.T, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(inverse) > 0)
    with pytest.raises(AttributeError):
        res.hess
    res.note = 1
    assert res["note"] == 1


def test_not_converging_is_reported_not_raised():
    res = dr.func.minimize(rosenbrock, dr.tensor([-1.2, 1.0]), method="l-bfgs",
                           options={"maxiter": 3})
    assert (res.success, res.status, res.nit) == (False, 1, 3)
    assert res.message == "Maximum number of iterations has been exceeded."
    # Unbounded below: the line search never meets the curvature condition,
    # and keeps the farthest point it tried, so x runs away.
    res = dr.func.minimize(lambda x: -x.sum(), dr.zeros(2), method="bfgs",
                           options={"maxiter": 4})
    assert (res.success, res.status) == (False, 1) and res.x.min().item() > 1e15
    # NaN beyond a wall (log of a negative number): steps into it are refused.
    res = dr.func.minimize(lambda x: (x - dr.log(x)).sum() * 0 - dr.log(x).sum() + x.sum() / 10,
                           dr.ones(2), method="trust-ncg", tol=1e-9)
    assert res.success and np.allclose(res.x.numpy(), 10.0)


def test_a_tighter_tolerance_and_the_infinity_norm_are_honoured():
    loose = dr.func.minimize(rosenbrock, dr.tensor([-1.2, 1.0]), method="l-bfgs", tol=1e-2)
    tight = dr.func.minimize(rosenbrock, dr.tensor([-1.2, 1.0]), method="l-bfgs", tol=1e-12)
    assert loose.nit < tight.nit
    assert 1e-12 < np.linalg.norm(loose.jac.numpy()) <= 1e-2
    res = dr.func.minimize(rosenbrock, dr.tensor([-1.2, 1.0]), method="bfgs",
                           options={"gtol": 1e-3, "norm": np.inf})
    assert np.abs(res.jac.numpy()).max() <= 1e-3


@pytest.mark.parametrize("method", METHODS)
def test_each_point_costs_one_sweep_for_its_value_and_gradient(method):
    calls = []

    def f(x):
        calls.append(1)
        return rosenbrock(x)
    res = dr.func.minimize(f, dr.tensor([-1.2, 1.0]), method=method, tol=1e-8)
    # f runs once per value-and-gradient sweep and once per Hessian (product);
    # the sparse Hessian's pattern is traced once more.
    assert len(calls) == res.nfev + res.nhev + (method == "newton-sparse")
    assert res.njev == res.nfev


# -- bad input ---------------------------------------------------------------------

def test_bad_input_gets_a_clear_error():
    x0 = dr.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="unknown method 'newton'; choose one of 'bfgs'"):
        dr.func.minimize(rosenbrock, x0, method="newton")
    with pytest.raises(ValueError, match="minimize: fun must return a scalar"):
        dr.func.minimize(lambda x: x * 2, x0, method="bfgs")
    with pytest.raises(ValueError, match="the value of fun at x0 is not finite"):
        dr.func.minimize(lambda x: dr.log(x - 5).sum(), x0, method="bfgs")
    with pytest.raises(ValueError, match="the gradient of fun at x0 is not finite"):
        dr.func.minimize(lambda x: dr.sqrt(x - 1).sum(), x0, method="bfgs")
    with pytest.raises(ValueError, match="unknown option.*'history_size' for method 'bfgs'"):
        dr.func.minimize(rosenbrock, x0, method="bfgs", options={"history_size": 3})
    with pytest.raises(ValueError, match="eta must be in"):
        dr.func.minimize(rosenbrock, x0, method="trust-ncg", options={"eta": 0.5})
    with pytest.raises(ValueError, match="history_size must be at least 1"):
        dr.func.minimize(rosenbrock, x0, method="l-bfgs", options={"history_size": 0})
    with pytest.raises(TypeError, match="fun must be callable"):
        dr.func.minimize(3.0, x0, method="bfgs")
    with pytest.raises(TypeError, match="x0 must be a Tensor, an array, a number or a pytree"):
        dr.func.minimize(rosenbrock, "x", method="bfgs")
    with pytest.raises(TypeError, match="real floating-point values"):
        dr.func.minimize(rosenbrock, np.array([1 + 2j]), method="bfgs")
    with pytest.raises(TypeError):
        dr.func.minimize(rosenbrock, x0, "bfgs")  # method is keyword-only, as in JAX


def test_a_function_of_parameters_that_require_grad_is_minimised_outside_their_graph():
    target = dr.tensor([1.0, 2.0], requires_grad=True)
    res = dr.func.minimize(lambda x: ((x - target) ** 2).sum(), dr.zeros(2), method="trust-exact")
    assert res.success and res.x.tolist() == [1.0, 2.0] and not res.x.requires_grad
    res = dr.func.minimize(lambda x, t: ((x - t) ** 2).sum(), dr.zeros(2), args=target,
                           method="newton-cg")  # one extra argument needs no tuple
    assert res.success and res.x.tolist() == [1.0, 2.0]


def test_a_value_cut_from_x_is_refused():
    with pytest.raises(TypeError, match="fun returned a float, which does not depend on x"):
        dr.func.minimize(lambda x: float((x ** 2).sum()), dr.ones(2), method="bfgs")


def test_shared_options_are_checked_and_disp_prints_the_outcome(capsys):
    for options in ({"maxiter": -1}, {"gtol": -1.0}, {"norm": "fro"}, {"maxiter": 2.5}):
        with pytest.raises(ValueError, match="minimize: (maxiter|tol|norm)"):
            dr.func.minimize(rosenbrock, dr.zeros(2), method="bfgs", options=options)
    dr.func.minimize(rosenbrock, dr.zeros(2), method="bfgs", options={"disp": True})
    printed = capsys.readouterr().out
    assert printed.startswith("Optimization terminated successfully.")
    assert "Iterations:" in printed and "Function evaluations:" in printed


def test_newton_steps_on_an_indefinite_hessian_leave_the_saddle():
    # x² − y² + y⁴/4 has a saddle at 0 and minima at (0, ±√2); from just off
    # the x axis Newton's step on the indefinite Hessian would land on the saddle.
    def f(x):
        return x[0] ** 2 - x[1] ** 2 + x[1] ** 4 / 4
    for method in ("newton-sparse", "trust-exact"):
        res = dr.func.minimize(f, dr.tensor([1.0, 1e-8]), method=method, tol=1e-10)
        assert res.success
        np.testing.assert_allclose(res.x.numpy(), [0.0, np.sqrt(2)], atol=1e-9)


def test_float32_runs_end_in_success_at_float32_precision():
    for method in METHODS:
        res = dr.func.minimize(lambda x: ((x - 1 / 3) ** 2 + x ** 4).sum(),
                               dr.zeros(1, dtype=dr.float32), method=method)
        assert res.success, (method, res.message)
        assert abs(res.x.item() - 0.286366) < 1e-5


def test_newton_sparse_without_scipy_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy.sparse", None)
    with pytest.raises(ImportError, match=r"pip install 'dualrev\[sparse\]'"):
        dr.func.minimize(rosenbrock, dr.tensor([-1.2, 1.0]), method="newton-sparse")


def test_newton_sparse_reuses_the_sparsity_pattern():
    from dualrev.func import optimize
    calls = []
    original = optimize.sparse_hessian

    def counting(f):
        calls.append(f)
        return original(f)
    optimize.sparse_hessian = counting
    try:
        res = dr.func.minimize(rosenbrock, dr.tensor([-1.2, 1.0] * 50), method="newton-sparse")
    finally:
        optimize.sparse_hessian = original
    assert res.success and len(calls) == 1 and res.nhev > 5


# -- scipy.optimize.minimize fed by dualrev ---------------------------------------------

scipy_optimize = pytest.importorskip("scipy.optimize")


@pytest.mark.parametrize("method", ["trust-krylov", "trust-ncg", "Newton-CG"])
def test_scipy_minimize_runs_on_dualrevs_gradient_and_hessian_products(method):
    res = scipy_optimize.minimize(**dr.func.scipy_objective(rosenbrock),
                                  x0=np.array([-1.2, 1.0] * 3), method=method,
                                  options={"gtol": 1e-9} if method != "Newton-CG" else {"xtol": 1e-10})
    assert res.success
    np.testing.assert_allclose(res.x, 1.0, atol=1e-5)
    assert res.nhev > 0


def test_scipy_objective_gives_exact_values_and_computes_each_point_once():
    calls = []

    def f(x):
        calls.append(1)
        return rosenbrock(x)
    objective = dr.func.scipy_objective(f)
    assert set(objective) == {"fun", "jac", "hessp"}
    x = np.array([0.5, -0.3, 2.0])
    value, gradient = objective["fun"](x), objective["jac"](x)
    assert len(calls) == 1
    assert value == pytest.approx(rosenbrock(dr.tensor(x)).item(), rel=1e-15)
    np.testing.assert_allclose(gradient, dr.func.grad(rosenbrock)(dr.tensor(x)).numpy(),
                               rtol=1e-15)
    H = dr.func.hessian(rosenbrock)(dr.tensor(x)).numpy()
    v = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(objective["hessp"](x, v), H @ v, rtol=1e-14)
    gradient[0] = 99.0  # the kept gradient is not handed out to be changed
    assert objective["jac"](x)[0] != 99.0
    res = scipy_optimize.minimize(objective["fun"], x, jac=objective["jac"], method="BFGS")
    assert res.success
    # our point and its product, then one sweep per call of scipy's fun (each
    # computed afresh, the data may have changed), its jac kept from it
    assert len(calls) == 2 + res.nfev


def test_scipy_objective_takes_extra_arguments_a_pytree_and_the_sparse_hessian():
    def loss(params, target):
        return ((params["a"] - target) ** 2).sum() + (params["b"] ** 4).sum()
    template = {"a": dr.zeros(2, 2), "b": dr.ones(3)}
    objective = dr.func.scipy_objective(loss, template, hess=True)
    assert objective["x0"].shape == (7,)
    res = scipy_optimize.minimize(**objective, args=(dr.tensor(3.0),), method="Newton-CG",
                                  options={"xtol": 1e-10})
    assert res.success
    params = objective.unflatten(res.x)
    np.testing.assert_allclose(params["a"].numpy(), 3.0)
    np.testing.assert_allclose(params["b"].numpy(), 0.0, atol=1e-2)
    H = objective["hess"](res.x + 1.0, dr.tensor(3.0))
    assert hasattr(H, "tocsr") and H.shape == (7, 7)
    b = res.x[4:] + 1.0
    np.testing.assert_allclose(H.toarray(), np.diag([2.0] * 4 + list(12 * b ** 2)))


def test_without_hessp_scipys_first_order_methods_run_without_a_warning():
    import warnings
    objective = dr.func.scipy_objective(rosenbrock, hessp=False)
    assert set(objective) == {"fun", "jac"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = scipy_optimize.minimize(**objective, x0=np.array([-1.2, 1.0]), method="L-BFGS-B")
    assert res.success and np.allclose(res.x, 1.0, atol=1e-4)


def test_the_examples_in_the_docstrings_hold():
    import doctest
    from dualrev.func import optimize
    result = doctest.testmod(optimize, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0


def test_newton_sparse_shifts_a_singular_or_indefinite_hessian():
    # At (0, 1) the Hessian diag(0, 12) is singular; at (0.1, 1) of the
    # second function it is indefinite: Newton's step is no descent.
    res = dr.func.minimize(lambda x: (x ** 4).sum(), dr.tensor([0.0, 1.0]), method="newton-sparse",
                           tol=1e-8)
    assert res.success and np.abs(res.x.numpy()).max() < 1e-2
    res = dr.func.minimize(lambda x: (x[0] ** 2 - 1) ** 2 + x[1] ** 2, dr.tensor([0.1, 1.0]),
                           method="newton-sparse", tol=1e-10)
    assert res.success  # at either minimum, (±1, 0)
    np.testing.assert_allclose(np.abs(res.x.numpy()), [1.0, 0.0], atol=1e-9)


def test_scipy_objective_sees_changed_data_when_started_again():
    target = dr.tensor([1.0, 2.0])
    objective = dr.func.scipy_objective(lambda x: ((x - target) ** 2).sum())
    first = scipy_optimize.minimize(**objective, x0=np.zeros(2), method="trust-krylov")
    np.testing.assert_allclose(first.x, [1.0, 2.0], atol=1e-6)
    target[:] = dr.tensor([5.0, -5.0])  # new data, warm start from the last answer
    second = scipy_optimize.minimize(**objective, x0=first.x, method="trust-krylov")
    np.testing.assert_allclose(second.x, [5.0, -5.0], atol=1e-6)
    assert second.nit > 0
