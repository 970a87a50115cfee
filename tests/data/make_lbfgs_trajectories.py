"""Record torch.optim.LBFGS trajectories for tests/test_lbfgs.py.

Run by hand where PyTorch is installed (the tests don't need it):

    python tests/data/make_lbfgs_trajectories.py

writes tests/data/lbfgs_trajectories.json: for each case, after every
``step()``, the parameters, the loss ``step`` returned, ``state["n_iter"]``,
``state["func_evals"]`` and how many times the closure ran. All in float64.

The problems are written once, over a module ``lib`` that is ``torch`` here
and ``dualrev`` in the tests (their APIs agree), and with no reduction of
more than two terms whose order could differ between the two libraries:
sums are written out as chains of additions.
"""

import json
import platform
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "lbfgs_trajectories.json"


def chain_sum(terms):
    """``terms[0] + terms[1] + ...`` added in order (a 1-D tensor's entries)."""
    total = terms[0]
    for i in range(1, terms.shape[0]):
        total = total + terms[i]
    return total


def rosenbrock(lib, dim):
    """The chained Rosenbrock function from (-1.2, 1, -1.2, 1, ...)."""
    x = lib.tensor([-1.2, 1.0] * (dim // 2), dtype=lib.float64, requires_grad=True)

    def loss():
        if dim == 2:
            return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        return chain_sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    return [x], loss


def least_squares(lib):
    """A linear model with a weight matrix (3, 2) and a bias (3,), fitted to
    six points by least squares."""
    inputs = lib.tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [1.0, 1.0], [-2.0, 0.5],
                         [0.25, -0.5]], dtype=lib.float64)
    targets = lib.tensor([[1.0, 0.0, -1.0], [2.0, 1.5, 0.5], [-1.0, 3.0, 1.0],
                          [0.5, 0.5, 0.5], [-2.5, 1.0, 2.0], [0.0, -1.0, 0.25]],
                         dtype=lib.float64)
    weight = lib.tensor([[0.1, -0.2], [0.3, 0.0], [-0.1, 0.2]], dtype=lib.float64,
                        requires_grad=True)
    bias = lib.tensor([0.0, 0.1, -0.1], dtype=lib.float64, requires_grad=True)

    def loss():
        pred = (inputs[:, None, :] * weight[None, :, :]).sum(-1) + bias
        residual = pred - targets
        return chain_sum((residual * residual).reshape(-1)) * 0.5
    return [weight, bias], loss


#: name: (problem, its arguments, LBFGS options, number of step() calls)
CASES = {
    "rosenbrock2_fixed_lr1": (rosenbrock, (2,), dict(), 3),
    "rosenbrock2_fixed_lr0.1": (rosenbrock, (2,), dict(lr=0.1), 3),
    "rosenbrock2_wolfe": (rosenbrock, (2,), dict(line_search_fn="strong_wolfe"), 3),
    "rosenbrock20_wolfe_history5": (rosenbrock, (20,), dict(line_search_fn="strong_wolfe",
                                                            history_size=5), 4),
    "least_squares_wolfe": (least_squares, (), dict(line_search_fn="strong_wolfe"), 2),
    "rosenbrock2_short_steps": (rosenbrock, (2,), dict(line_search_fn="strong_wolfe",
                                                       max_iter=4, tolerance_grad=1e-5,
                                                       tolerance_change=1e-6), 16),
    "least_squares_short_steps": (least_squares, (), dict(max_iter=2, tolerance_grad=1e-4,
                                                          line_search_fn="strong_wolfe"), 8),
    "rosenbrock2_short_fixed": (rosenbrock, (2,), dict(lr=0.5, max_iter=3, history_size=3,
                                                       tolerance_change=1e-5), 15),
}


def run(lib, name):
    """Replay case ``name`` with ``lib`` (torch or dualrev): the list of
    per-step records, and the optimizer."""
    problem, args, options, steps = CASES[name]
    params, loss_fn = problem(lib, *args)
    opt = lib.optim.LBFGS(params, **options)
    calls = [0]

    def closure():
        calls[0] += 1
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    records = []
    for _ in range(steps):
        calls[0] = 0
        loss = opt.step(closure)
        state = opt.state[params[0]]
        records.append({
            "params": [p.detach().reshape(-1).tolist() for p in params],
            "loss": float(loss),
            "n_iter": state["n_iter"],
            "func_evals": state["func_evals"],
            "closure_calls": calls[0],
        })
    return records, opt


def main():
    import torch  # the recorder needs PyTorch; the tests read only the JSON

    torch.set_num_threads(1)
    data = {"torch": torch.__version__, "python": platform.python_version(),
            "machine": platform.machine(), "cases": {}}
    for name in CASES:
        data["cases"][name] = run(torch, name)[0]
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
