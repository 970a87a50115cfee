"""Record torch.autograd.functional's results for
tests/test_autograd_functional.py (needs torch; run by hand:
/tmp/torchenv/bin/python tests/data/make_autograd_functional.py).

Each case names a function by its source (method calls only, so the same
text runs on torch tensors and dualrev tensors), its inputs (shapes; the
values are a fixed ramp), the vector ``v`` where one is taken, and keyword
arguments. The result is stored as nested lists with tuple structure kept
(a tuple is a list whose first item is the marker "tuple")."""

import json
from pathlib import Path

import numpy as np
import torch
import torch.autograd.functional as F

FUNCTIONS = {
    "exp_reducer": "lambda x: x.exp().sum(1)",
    "adder": "lambda x, y: 2 * x + 3 * y",
    "exp_adder": "lambda x, y: 2 * x.exp() + 3 * y",
    "two_outputs": "lambda x, y: (x * y.sin(), x.pow(2).sum())",
    "pow_reducer": "lambda x: x.pow(3).sum()",
    "pow_adder_reducer": "lambda x, y: (2 * x.pow(2) + 3 * y.pow(2)).sum()",
    "mixed": "lambda x, y: (x.pow(2).sum() * y.sin()).sum() + (x.sum() * y).exp().sum()",
    "ignores_y": "lambda x, y: (x.exp() * x).sum()",
}


def ramp(shape, k):
    n = int(np.prod(shape))
    return np.linspace(-0.9 + 0.1 * k, 0.8 + 0.05 * k, n).reshape(shape)


CASES = [
    ("vjp", "exp_reducer", [[4, 4]], [[4]], {}),
    ("vjp", "adder", [[2], [2]], [[2]], {}),
    ("vjp", "two_outputs", [[3], [3]], [[3], []], {}),
    ("vjp", "ignores_y", [[3], [3]], None, {}),
    ("jvp", "exp_reducer", [[4, 4]], [[4, 4]], {}),
    ("jvp", "adder", [[2], [2]], [[2], [2]], {}),
    ("jvp", "two_outputs", [[3], [3]], [[3], [3]], {}),
    ("jacobian", "exp_reducer", [[2, 2]], None, {}),
    ("jacobian", "exp_reducer", [[2, 2]], None, {"vectorize": True}),
    ("jacobian", "exp_reducer", [[2, 2]], None,
     {"vectorize": True, "strategy": "forward-mode"}),
    ("jacobian", "exp_adder", [[2], [2]], None, {}),
    ("jacobian", "two_outputs", [[3], [3]], None, {}),
    ("jacobian", "two_outputs", [[3], [3]], None, {"vectorize": True}),
    ("jacobian", "two_outputs", [[3], [3]], None,
     {"vectorize": True, "strategy": "forward-mode"}),
    ("hessian", "pow_reducer", [[2, 2]], None, {}),
    ("hessian", "pow_reducer", [[2, 2]], None, {"vectorize": True}),
    ("hessian", "pow_adder_reducer", [[2], [2]], None, {}),
    ("hessian", "mixed", [[2], [3]], None, {}),
    ("hessian", "mixed", [[2], [3]], None, {"vectorize": True}),
    ("hessian", "mixed", [[2], [3]], None,
     {"vectorize": True, "outer_jacobian_strategy": "forward-mode"}),
    ("vhp", "pow_reducer", [[2, 2]], [[2, 2]], {}),
    ("vhp", "mixed", [[2], [3]], [[2], [3]], {}),
    ("hvp", "pow_reducer", [[2, 2]], [[2, 2]], {}),
    ("hvp", "mixed", [[2], [3]], [[2], [3]], {}),
    ("hvp", "ignores_y", [[3], [3]], [[3], [3]], {}),
]


def tensors(shapes, offset):
    return tuple(torch.tensor(ramp(s, offset + k), dtype=torch.float64)
                 for k, s in enumerate(shapes))


def stored(value):
    if isinstance(value, (tuple, list)):  # (torch's forward-mode jacobian gives lists)
        return ["tuple"] + [stored(v) for v in value]
    return value.detach().numpy().tolist()


def main():
    rows = []
    for name, fn, shapes, v_shapes, kwargs in CASES:
        func = eval(FUNCTIONS[fn])  # noqa: S307 (our own table)
        inputs = tensors(shapes, 0)
        args = (inputs if len(inputs) > 1 else inputs[0],)
        if v_shapes is not None:
            v = tensors(v_shapes, 3)
            args += (v if len(v) > 1 else v[0],)
        result = getattr(F, name)(func, *args, **kwargs)
        rows.append({"function": name, "fn": fn, "source": FUNCTIONS[fn], "shapes": shapes,
                     "v_shapes": v_shapes, "kwargs": kwargs, "result": stored(result)})
    out = Path(__file__).with_name("autograd_functional.json")
    out.write_text(json.dumps({"torch": torch.__version__, "cases": rows}, indent=0) + "\n")


if __name__ == "__main__":
    main()
