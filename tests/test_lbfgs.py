"""Tests for dualrev.optim.LBFGS against torch.optim.LBFGS (PyTorch 2.13, CPU).

The expected trajectories in data/lbfgs_trajectories.json were recorded by
data/make_lbfgs_trajectories.py with PyTorch (torch is not needed here); the
same script's problems are replayed on dualrev. After every ``step()`` the
iteration and evaluation counts and the closure calls must be the same, and
the parameters and the returned loss equal to rtol 1e-12.

Reached: bit for bit (float64) on every Rosenbrock case, with and without the
line search. The least-squares cases agree to about 1e-15 relative: there the
*problem's* gradient already differs in the last bit (its backward sums over
six samples, and NumPy and PyTorch add those in different orders); the
optimizer's own arithmetic is PyTorch's.
"""

import copy
import doctest
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

import dualrev as dr
import dualrev.optim.first_order
import dualrev.optim.lbfgs
import dualrev.optim.base

DATA = Path(__file__).resolve().parent / "data"
_spec = importlib.util.spec_from_file_location("make_lbfgs_trajectories",
                                               DATA / "make_lbfgs_trajectories.py")
problems = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(problems)
EXPECTED = json.loads((DATA / "lbfgs_trajectories.json").read_text(encoding="utf-8"))["cases"]
BIT_EXACT = {name for name in EXPECTED if not name.startswith("least_squares")}


def flat(record):
    return np.concatenate([np.asarray(v, dtype=np.float64) for v in record["params"]]
                          + [[record["loss"]]])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_trajectory_matches_pytorch(name):
    got, _ = problems.run(dr, name)
    expected = EXPECTED[name]
    assert len(got) == len(expected)
    for k, (mine, theirs) in enumerate(zip(got, expected)):
        for key in ("n_iter", "func_evals", "closure_calls"):
            assert mine[key] == theirs[key], (k, key)
        if name in BIT_EXACT:
            np.testing.assert_array_equal(flat(mine), flat(theirs), err_msg=f"step {k}")
        else:
            np.testing.assert_allclose(flat(mine), flat(theirs), rtol=1e-12, atol=0,
                                       err_msg=f"step {k}")


def test_the_cases_cover_the_stopping_rules():
    """Some steps stop at max_iter, some early (fewer iterations, or a
    return at the optimum before any iteration)."""
    increments = [b["n_iter"] - a["n_iter"] for case in EXPECTED.values()
                  for a, b in zip(case, case[1:])]
    assert 0 in increments and 1 in increments and 20 in increments


def rosenbrock_optimizer(dtype=dr.float64, **options):
    x = dr.tensor([-1.2, 1.0], dtype=dtype, requires_grad=True)
    opt = dr.optim.LBFGS([x], **options)

    def closure():
        opt.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        return loss
    return x, opt, closure


def test_state_dict_round_trip_continues_the_trajectory():
    x, opt, closure = rosenbrock_optimizer(line_search_fn="strong_wolfe", max_iter=4,
                                           history_size=3)
    for _ in range(3):
        opt.step(closure)
    saved = copy.deepcopy(opt.state_dict())
    assert set(saved["state"][0]) == {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps",
                                      "ro", "H_diag", "prev_flat_grad", "prev_loss", "al"}
    y, other, other_closure = rosenbrock_optimizer(line_search_fn="strong_wolfe", max_iter=4,
                                                   history_size=3)
    with dr.no_grad():
        y.copy_(x)
    other.load_state_dict(saved)
    for _ in range(3):
        a, b = opt.step(closure), other.step(other_closure)
        assert a.item() == b.item()
        np.testing.assert_array_equal(x.detach().numpy(), y.detach().numpy())
    assert opt.state[x]["func_evals"] == other.state[y]["func_evals"]


def test_state_is_kept_on_the_first_parameter():
    a = dr.tensor([1.0, 2.0], requires_grad=True)
    b = dr.tensor(3.0, requires_grad=True)
    opt = dr.optim.LBFGS([a, b], max_iter=2)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum() + b * b
        loss.backward()
        return loss
    opt.step(closure)
    assert list(opt.state) == [a]
    assert opt.state[a]["n_iter"] >= 1 and opt.state[a]["func_evals"] >= 2
    assert isinstance(opt.state[a]["d"], dr.Tensor) and opt.state[a]["d"].shape == (3,)


def test_errors_like_pytorch():
    a = dr.zeros(2, requires_grad=True)
    b = dr.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match=r"LBFGS doesn't support per-parameter options "
                                         r"\(parameter groups\)"):
        dr.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError, match="Invalid learning rate"):
        dr.optim.LBFGS([a], lr=-1)
    x, opt, closure = rosenbrock_optimizer(line_search_fn="backtracking")
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
    with pytest.raises(TypeError):
        opt.step()
    with pytest.raises(TypeError, match="closure"):
        opt.step(None)


def test_max_eval_default():
    assert dr.optim.LBFGS([dr.zeros(1, requires_grad=True)], max_iter=7).defaults["max_eval"] == 8
    assert dr.optim.LBFGS([dr.zeros(1, requires_grad=True)]).defaults["max_eval"] == 25


def test_step_returns_the_first_closure_result_and_records_grad():
    x, opt, closure = rosenbrock_optimizer()
    results, modes = [], []

    def tracking():
        modes.append(dr.is_grad_enabled())
        results.append(closure())
        return results[-1]
    with dr.no_grad():
        returned = opt.step(tracking)
    assert returned is results[0]
    assert returned.item() == pytest.approx(24.2)
    assert all(modes) and len(modes) == opt.state[x]["func_evals"]


def test_float32_parameters():
    x, opt, closure = rosenbrock_optimizer(dtype=dr.float32, line_search_fn="strong_wolfe")
    for _ in range(4):
        opt.step(closure)
    assert x.dtype == dr.float32 and opt.state[x]["d"].dtype == dr.float32
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 1.0], atol=1e-3)


def test_a_parameter_without_gradient_counts_as_zeros():
    x = dr.tensor([3.0, -1.0], requires_grad=True)
    unused = dr.tensor([[5.0, 6.0]], requires_grad=True)
    opt = dr.optim.LBFGS([unused, x], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss
    opt.step(closure)
    assert unused.grad is None
    np.testing.assert_array_equal(unused.detach().numpy(), [[5.0, 6.0]])
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 1.0])
    assert opt.state[unused]["d"].shape == (4,)


def test_reductions_in_pytorchs_order():
    """The sum and the dot product add in PyTorch's order: with terms chosen
    so that the order shows (a huge pair cancelling among ones), the results
    PyTorch 2.13 gives."""
    ones = np.ones(20)
    big = ones.copy()
    big[0], big[16] = 2.0 ** 80, -(2.0 ** 80)
    assert dualrev.optim.lbfgs._sum(big) == 18.0  # 0 and 16 meet first
    big = ones.copy()
    big[0], big[8] = 2.0 ** 80, -(2.0 ** 80)
    assert dualrev.optim.lbfgs._dot(big, ones) == 18.0  # lanes of 8
    big = ones.copy()
    big[0], big[4] = 2.0 ** 80, -(2.0 ** 80)
    assert dualrev.optim.lbfgs._sum(big) == 17.0  # 16 joins 0 before 4 does


@pytest.mark.parametrize("module", [dr.optim, dualrev.optim.base,
                                    dualrev.optim.first_order, dualrev.optim.lbfgs])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_the_interpolation_takes_the_midpoint_where_the_cubic_is_nan():
    # PyTorch tests "d2_square >= 0": a NaN from inf - inf goes to the midpoint.
    from dualrev.optim.lbfgs import _cubic_min
    assert _cubic_min(0.0, 1.0, -1.0, 2.0, np.inf, np.inf) == 1.0
    assert _cubic_min(0.0, 0.0, 2.0, 1.0, 1.0, 2.0) == 0.5  # no minimum: the midpoint too
