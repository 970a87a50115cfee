"""Record torch.nn.functional's values and derivatives for tests/test_nn_functional.py.

Run by hand where PyTorch is installed (the tests don't need it):

    /tmp/torchenv/bin/python tests/data/make_nn_functional_reference.py

writes tests/data/nn_functional_reference.json: for each case, the function,
its arguments (tensors as nested lists with their dtype), the value, a
cotangent ``c`` of the value's shape and the gradients of ``sum(c * value)``
with respect to the arguments listed in ``wrt``; for some, the Hessian of
that sum with respect to the first argument (flattened to a matrix).
"""

import json
import platform
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parent / "nn_functional_reference.json"
RNG = np.random.default_rng(20261205)


def normal(*shape):
    return RNG.standard_normal(shape).round(6)


def uniform(low, high, *shape):
    return RNG.uniform(low, high, shape).round(6)


def probabilities(*shape, axis=1):
    p = RNG.uniform(0.05, 1.0, shape)
    return (p / p.sum(axis=axis, keepdims=True))


def classes(high, *shape, ignore=None, at=()):
    t = RNG.integers(0, high, shape)
    for i in at:
        t.flat[i] = ignore
    return t


def tensor(a):
    a = np.asarray(a)
    return {"tensor": a.tolist(), "dtype": str(a.dtype)}


CASES = []


def case(fn, args, kwargs=None, wrt=(0,), hessian=False, **extra):
    CASES.append(dict(fn=fn, args=[tensor(a) if isinstance(a, np.ndarray) else a for a in args],
                      kwargs={k: tensor(v) if isinstance(v, np.ndarray) else v
                              for k, v in (kwargs or {}).items()},
                      wrt=list(wrt), hessian=hessian, **extra))


REDUCTIONS = ("mean", "sum", "none")

# regression
for r in REDUCTIONS:
    case("mse_loss", [normal(3, 4), normal(3, 4)], {"reduction": r}, wrt=(0, 1), hessian=r != "none")
    case("l1_loss", [normal(3, 4), normal(3, 4)], {"reduction": r}, wrt=(0, 1))
    case("mse_loss", [normal(3, 4), normal(3, 4)], {"reduction": r, "weight": uniform(0.1, 2, 3, 4)},
         wrt=(0, 1))
    case("l1_loss", [normal(3, 4), normal(3, 4)], {"reduction": r, "weight": uniform(0.1, 2, 3, 4)},
         wrt=(0, 1))
case("mse_loss", [normal(3, 4), normal(4)], {"reduction": "none"}, wrt=(0, 1))
case("mse_loss", [normal(3, 1), normal(4)], {"reduction": "mean"}, wrt=(0, 1))
case("l1_loss", [normal(2, 3), normal(3)], {"reduction": "sum"}, wrt=(0, 1))

# negative log-likelihood and cross-entropy with class indices
for fn in ("nll_loss", "cross_entropy"):
    hess = fn == "cross_entropy"
    for r in REDUCTIONS:
        case(fn, [normal(4, 5), classes(5, 4)], {"reduction": r}, hessian=hess)
        case(fn, [normal(4, 5), classes(5, 4)], {"reduction": r, "weight": uniform(0.2, 2, 5)},
             hessian=hess)
        case(fn, [normal(5, 3), classes(3, 5, ignore=-100, at=(1, 3))],
             {"reduction": r, "weight": uniform(0.2, 2, 3)})
        case(fn, [normal(5, 3), classes(3, 5, ignore=2, at=(0,))],
             {"reduction": r, "ignore_index": 2})
        case(fn, [normal(2, 3, 4), classes(3, 2, 4, ignore=-1, at=(2,))],
             {"reduction": r, "ignore_index": -1, "weight": uniform(0.2, 2, 3)})
        case(fn, [normal(2, 3, 2, 2), classes(3, 2, 2, 2)], {"reduction": r})
        case(fn, [normal(4), np.array(2)], {"reduction": r})
    case(fn, [normal(3, 4), np.array([-100, -100, -100])], {"reduction": "mean"})
    case(fn, [normal(3, 4), np.array([-100, -100, -100])], {"reduction": "sum"})
    case(fn, [normal(2, 3, 2, 1, 2), classes(3, 2, 2, 1, 2)], {"reduction": "mean"})
    case(fn, [normal(4), np.array([1])], {"reduction": "none"}, wrt=())  # PyTorch: no backward
case("nll_loss", [normal(3, 4), classes(4, 3).astype(np.uint8)], {})

# cross-entropy: label smoothing and probability targets
for r in REDUCTIONS:
    case("cross_entropy", [normal(4, 5), classes(5, 4)], {"reduction": r, "label_smoothing": 0.1},
         hessian=True)
    case("cross_entropy", [normal(5, 3), classes(3, 5, ignore=-100, at=(2,))],
         {"reduction": r, "label_smoothing": 0.25, "weight": uniform(0.2, 2, 3)}, hessian=r == "mean")
    case("cross_entropy", [normal(2, 3, 4), classes(3, 2, 4, ignore=0, at=(1,))],
         {"reduction": r, "label_smoothing": 0.3, "ignore_index": 0})
    case("cross_entropy", [normal(4, 5), probabilities(4, 5)], {"reduction": r}, wrt=(0, 1),
         hessian=True)
    case("cross_entropy", [normal(4, 5), probabilities(4, 5)],
         {"reduction": r, "weight": uniform(0.2, 2, 5)}, wrt=(0, 1))
    case("cross_entropy", [normal(4, 5), probabilities(4, 5)],
         {"reduction": r, "label_smoothing": 0.2}, wrt=(0, 1))
    case("cross_entropy", [normal(2, 3, 2), probabilities(2, 3, 2)],
         {"reduction": r, "weight": uniform(0.2, 2, 3), "label_smoothing": 0.1}, wrt=(0, 1))
    case("cross_entropy", [normal(4), probabilities(4, axis=0)], {"reduction": r}, wrt=(0, 1))
case("cross_entropy", [normal(3, 4), classes(4, 3)], {"label_smoothing": 1.0})
case("cross_entropy", [normal(3, 4), classes(4, 3)], {"label_smoothing": -0.5})
case("cross_entropy", [normal(3, 4), probabilities(3, 4)], {"label_smoothing": -0.5}, wrt=(0, 1))
case("cross_entropy", [normal(3, 4), np.array([-100, -100, -100])], {"label_smoothing": 0.1})

# binary cross-entropy
for r in REDUCTIONS:
    case("binary_cross_entropy", [uniform(0.05, 0.95, 3, 4), uniform(0, 1, 3, 4)],
         {"reduction": r}, wrt=(0, 1), hessian=r == "sum")
    case("binary_cross_entropy", [uniform(0.05, 0.95, 2, 3), uniform(0, 1, 2, 3)],
         {"reduction": r, "weight": uniform(0.2, 2, 3)}, wrt=(0, 1))
    case("binary_cross_entropy_with_logits", [normal(3, 4) * 3, uniform(0, 1, 3, 4)],
         {"reduction": r}, wrt=(0, 1), hessian=r == "mean")
    case("binary_cross_entropy_with_logits", [normal(2, 3), uniform(0, 1, 2, 3)],
         {"reduction": r, "weight": uniform(0.2, 2, 2, 3)}, wrt=(0, 1))
    case("binary_cross_entropy_with_logits", [normal(2, 3), uniform(0, 1, 2, 3)],
         {"reduction": r, "pos_weight": uniform(0.5, 3, 3)}, wrt=(0, 1), hessian=r == "sum")
    case("binary_cross_entropy_with_logits", [normal(2, 3), uniform(0, 1, 2, 3)],
         {"reduction": r, "pos_weight": uniform(0.5, 3, 3), "weight": uniform(0.2, 2, 3)},
         wrt=(0, 1))
case("binary_cross_entropy_with_logits", [np.array([-800.0, -50.0, 0.0, 50.0, 800.0]),
                                          np.array([0.0, 1.0, 0.5, 0.0, 1.0])],
     {"reduction": "none"}, wrt=(0, 1))
# at 0 and 1 (and below exp(-100)) PyTorch's backward is not the derivative: values only
case("binary_cross_entropy", [np.array([0.0, 1.0, 1e-50, 1.0, 0.0]),
                              np.array([1.0, 0.0, 0.3, 1.0, 0.0])], {"reduction": "none"}, wrt=())

# activations
for d in (0, 1, -1):
    case("softmax", [normal(3, 4)], {"dim": d}, hessian=d == 1)
    case("log_softmax", [normal(3, 4)], {"dim": d}, hessian=d == -1)
case("softmax", [normal(2, 3, 2)], {"dim": 1})
case("log_softmax", [normal(2, 3, 2)], {"dim": 2})
case("softmax", [np.array([1000.0, 999.0, -1000.0])], {"dim": 0})
case("log_softmax", [np.array([1000.0, 999.0, -1000.0])], {"dim": 0})
case("relu", [normal(3, 4)], {})
case("gelu", [normal(3, 4) * 2], {}, hessian=True)
case("gelu", [normal(3, 4) * 2], {"approximate": "tanh"}, hessian=True)
case("silu", [normal(3, 4) * 2], {}, hessian=True)
case("softplus", [normal(3, 4) * 3], {}, hessian=True)
case("softplus", [np.array([-0.7, 0.2, 0.4, 0.6, 3.0, 12.0, -12.0])], {"beta": 2, "threshold": 1},
     hessian=True)
case("softplus", [np.array([-30.0, 25.0, 10.0])], {"beta": 0.5, "threshold": 20})
case("tanh", [normal(3, 4)], {}, hessian=True)
case("sigmoid", [normal(3, 4) * 2], {}, hessian=True)
case("linear", [normal(3, 4), normal(5, 4)], {}, wrt=(0, 1), hessian=True)
case("linear", [normal(3, 4), normal(5, 4), normal(5)], {}, wrt=(0, 1, 2))
case("linear", [normal(2, 3, 4), normal(5, 4), normal(5)], {}, wrt=(0, 1, 2))
case("linear", [normal(4), normal(2, 4), normal(2)], {}, wrt=(0, 1, 2))
case("linear", [normal(3, 4), normal(4)], {}, wrt=(0, 1))
case("normalize", [normal(3, 4)], {}, hessian=True)
case("normalize", [normal(3, 4)], {"p": 1.0, "dim": 0}, hessian=True)
case("normalize", [normal(3, 4)], {"p": 3.0, "dim": -1})
case("normalize", [normal(2, 3, 2)], {"dim": (1, 2)})
case("normalize", [np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])], {})
case("normalize", [normal(3, 4) * 1e-13], {"eps": 1e-12})


def as_torch(value):
    if isinstance(value, dict) and "tensor" in value:
        return torch.tensor(value["tensor"], dtype=getattr(torch, value["dtype"]))
    if isinstance(value, list):
        return tuple(value)
    return value


def record(c):
    fn = getattr(F, c["fn"])
    args = [as_torch(a) for a in c["args"]]
    kwargs = {k: as_torch(v) for k, v in c["kwargs"].items()}
    for i in c["wrt"]:
        args[i].requires_grad_(True)
    value = fn(*args, **kwargs)
    c["value"] = value.detach().numpy().tolist()
    if not c["wrt"]:
        return c
    cotangent = np.round(RNG.uniform(0.5, 1.5, tuple(value.shape)), 3)
    c["cotangent"] = cotangent.tolist()
    ct = torch.tensor(cotangent, dtype=value.dtype)
    grads = torch.autograd.grad((value * ct).sum(), [args[i] for i in c["wrt"]],
                                allow_unused=True)
    c["grads"] = [None if g is None else g.numpy().tolist() for g in grads]
    if c["hessian"]:
        def scalar(x):
            return (fn(x, *args[1:], **kwargs) * ct).sum()
        h = torch.autograd.functional.hessian(scalar, args[0].detach())
        n = args[0].numel()
        c["hessian"] = h.reshape(n, n).numpy().tolist()
    return c


def main():
    out = {"torch": torch.__version__, "python": platform.python_version(),
           "cases": [record(c) for c in CASES]}
    OUT.write_text(json.dumps(out, separators=(",", ":"), allow_nan=True))
    print(f"{len(CASES)} cases, {OUT.stat().st_size} bytes -> {OUT}")


if __name__ == "__main__":
    main()
