"""Record torch.special's values and derivatives for tests/test_special.py.

Run by hand where PyTorch is installed (the tests don't need it):

    python tests/data/make_special_reference.py

writes tests/data/special_reference.json: for each function, its inputs and,
in float64, the values and the first and second derivatives PyTorch's
autograd gives (nan where PyTorch's second derivative is not defined, an
error where it has none), plus the values in float32.
"""

import json
import platform
from pathlib import Path

import torch

OUT = Path(__file__).resolve().parent / "special_reference.json"
S = torch.special

# name: (function of one tensor, inputs): limits and edges included
CASES = {
    "erf": (S.erf, [-3.0, -0.5, 0.0, 0.3, 1.0, 5.0]),
    "erfc": (S.erfc, [-3.0, -0.5, 0.0, 0.3, 1.0, 5.0, 26.0]),
    "erfinv": (S.erfinv, [-1.0, -0.9, -0.3, 0.0, 0.5, 0.999, 1.0]),
    "erfcx": (S.erfcx, [-2.0, -0.5, 0.0, 0.3, 1.0, 10.0, 1e3]),
    "gammaln": (S.gammaln, [-2.5, -0.5, 0.1, 0.5, 1.0, 2.0, 7.3, 100.0]),
    "digamma": (S.digamma, [-2.5, -0.5, 0.1, 0.5, 1.0, 2.0, 7.3, 100.0]),
    "polygamma_1": (lambda x: S.polygamma(1, x), [-2.5, 0.1, 0.5, 1.0, 7.3]),
    "polygamma_3": (lambda x: S.polygamma(3, x), [-2.5, 0.1, 0.5, 1.0, 7.3]),
    "multigammaln_3": (lambda x: S.multigammaln(x, 3), [1.1, 1.5, 2.0, 4.7]),
    "ndtr": (S.ndtr, [-40.0, -5.0, -1.0, 0.0, 0.7, 3.0]),
    "log_ndtr": (S.log_ndtr, [-40.0, -10.0, -1.0, 0.0, 0.7, 3.0, 10.0]),
    "ndtri": (S.ndtri, [0.0, 1e-10, 0.025, 0.5, 0.9, 1.0]),
    "i0": (S.i0, [-3.0, -0.5, 0.0, 0.3, 1.0, 10.0]),
    "i0e": (S.i0e, [-3.0, -0.5, 0.3, 1.0, 10.0, 1000.0]),
    "i1": (S.i1, [-3.0, -0.5, 0.0, 0.3, 1.0, 10.0]),
    "i1e": (S.i1e, [-3.0, -0.5, 0.0, 0.3, 1.0, 10.0, 1000.0]),
    "expit": (S.expit, [-40.0, -1.0, 0.0, 2.0, 40.0]),
    "logit": (S.logit, [0.01, 0.3, 0.5, 0.9]),
    "sinc": (S.sinc, [-2.5, -1.0, -0.3, 0.0, 1e-3, 0.5, 1.0, 3.7]),
    "entr": (S.entr, [-1.0, 0.0, 1e-3, 0.5, 1.0, 3.0]),
    "xlog1py_y": (lambda y: S.xlog1py(torch.tensor(1.5, dtype=y.dtype), y),
                  [-0.9, 0.0, 0.5, 3.0]),
    "xlog1py_x": (lambda x: S.xlog1py(x, torch.tensor(0.5, dtype=x.dtype)),
                  [-2.0, 0.0, 1.5]),
}


def derivative(fn, x):
    """fn's value and its first and second derivatives at each entry."""
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(x)
    (d1,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    try:
        (d2,) = torch.autograd.grad(d1.sum(), x)
        d2 = d2.tolist()
    except RuntimeError:  # no second derivative in PyTorch
        d2 = [float("nan")] * len(d1)
    return y.tolist(), d1.tolist(), d2


def main():
    out = {"torch": torch.__version__, "python": platform.python_version(), "cases": {}}
    for name, (fn, x) in CASES.items():
        value, d1, d2 = derivative(fn, x)
        value32 = fn(torch.tensor(x, dtype=torch.float32)).tolist()
        out["cases"][name] = {"x": x, "value": value, "d1": d1, "d2": d2, "value32": value32}
    log_softmax = torch.tensor([[0.5, -1.0, 2.0], [1e3, 0.0, -1e3]], dtype=torch.float64)
    out["log_softmax"] = {"x": log_softmax.tolist(),
                          "value": S.log_softmax(log_softmax, 1).tolist()}
    OUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
