"""Record PyTorch's type promotion for tests/test_promotion.py (needs torch;
run by hand: python tests/data/make_promotion_table.py). Each operand kind is
a dtype name and a form: "n" a tensor with dimensions, "0" a 0-d tensor, "py"
a Python number (bool, int or float)."""

import itertools
import json

import torch

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
KINDS = [(d, form) for d in DTYPES for form in ("n", "0")] + [
    ("bool", "py"), ("int64", "py"), ("float64", "py")]


def operand(dtype, form):
    if form == "py":
        return {"bool": True, "int64": 2, "float64": 2.5}[dtype]
    value = torch.ones((2,) if form == "n" else (), dtype=getattr(torch, dtype))
    return value


table = {}
for default in ("float32", "float64"):
    torch.set_default_dtype(getattr(torch, default))
    rows = []
    for a, b in itertools.product(KINDS, KINDS):
        if a[1] == "py" and b[1] == "py":
            continue
        result = torch.result_type(operand(*a), operand(*b))
        rows.append([a[0], a[1], b[0], b[1], str(result).replace("torch.", "")])
    table[default] = rows
with open(__file__.replace("make_promotion_table.py", "promotion.json"), "w") as f:
    json.dump(table, f, indent=0)
