"""The table of supported functions on the page ``guides/supported.md``
(and ``zh/supported.md``), made from dualrev itself when the site is built.

What is listed comes from the name table and the modules' ``__all__``:
``dr.X`` (``dualrev.names.FUNCTIONS`` and the rest of ``dr.__all__``), the
Tensor methods without a ``dr`` function, ``dr.linalg``, ``dr.special``,
``dr.nn.functional``, and NumPy's protocol maps (``dualrev._numpy_api``).

How far each one differentiates is read off the records where there is one
and measured where there is not:

* an elementwise primitive made public by its record (``fn.primitive``) is
  differentiable to any order when the record has a VJP rule (the rules are
  written in dualrev's operations, so they differentiate again) and not at
  all when it has none (comparisons, bitwise and logical operations);
* any other function is called on small tensors that require grad, with
  each argument list of ``_candidates`` it accepts, and the best verdict
  counts (``where(cond)`` gives indices, ``where(cond, x, y)`` a
  differentiable result). A result that is integer or
  boolean, or that does not require grad, is not differentiable. Otherwise
  its gradient is taken with ``create_graph=True``: if that gradient is
  recorded, or does not change when the input moves (a linear or piecewise
  constant function), the function differentiates to any order; a gradient
  that changes but is not recorded would mean first order only.

``table(lang)`` returns the markdown; ``docs/hooks.py`` puts it in place of
``MARKER`` on both pages. Needs only dualrev and NumPy.
"""

import inspect
import sys
import types
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import dualrev as dr  # noqa: E402
import dualrev.linalg  # noqa: E402,F401
import dualrev.nn.functional  # noqa: E402,F401
import dualrev.special  # noqa: E402,F401
from dualrev import _numpy_api, names  # noqa: E402

MARKER = "<!-- supported-functions-table -->"

ANY, FIRST, INTEGER, CONSTANT = "any", "first", "integer", "constant"

WORDS = {
    "en": {
        ANY: "any order", FIRST: "first only",
        INTEGER: "not differentiable (integer or boolean result)",
        CONSTANT: "not differentiable (the result carries no gradient)",
        None: "not probed (see its API entry)",
        "function": "function", "differentiable": "differentiable",
        "method": "Tensor method", "numpy": "NumPy on a tensor", "runs": "runs",
        "in place": "in place", "yes": "yes",
        "sections": {
            "dr": "`dualrev`", "tensor": "Tensor methods without a `dr` function",
            "linalg": "`dualrev.linalg`", "special": "`dualrev.special`",
            "nn": "`dualrev.nn.functional`", "numpy": "NumPy's functions on tensors",
        },
        "numpy intro": ("Each NumPy function or ufunc below, called on a tensor, runs the "
                        "dualrev operation named beside it (with NumPy's signature and "
                        "defaults); any other raises `TypeError` naming it."),
        "not operations": "Also in `dualrev`, not operations on a tensor:",
        "tape": "Tensor's own tape methods (not operations):",
        "count": "{n} rows, made from dualrev {version} when this site was built.",
    },
    "zh": {
        ANY: "任意阶", FIRST: "仅一阶",
        INTEGER: "不可微（整数或布尔结果）",
        CONSTANT: "不可微（结果不带梯度）",
        None: "未探测（见其 API 条目）",
        "function": "函数", "differentiable": "可微性",
        "method": "张量方法", "numpy": "NumPy 作用于张量", "runs": "执行",
        "in place": "原地", "yes": "是",
        "sections": {
            "dr": "`dualrev`", "tensor": "没有 `dr` 函数的张量方法",
            "linalg": "`dualrev.linalg`", "special": "`dualrev.special`",
            "nn": "`dualrev.nn.functional`", "numpy": "作用于张量的 NumPy 函数",
        },
        "numpy intro": ("下列每个 NumPy 函数或 ufunc 作用于张量时，执行旁边列出的 dualrev 运算"
                        "（使用 NumPy 的签名和默认值）；其余的会抛出指明其名称的 `TypeError`。"),
        "not operations": "`dualrev` 中另有以下名字，它们不是对张量的运算：",
        "tape": "张量自身的计算图方法（不是运算）：",
        "count": "共 {n} 行，由 dualrev {version} 在构建本站时生成。",
    },
}

# NumPy names whose dualrev operation has another name (the rest are found
# under their own name).
NUMPY_RENAMED = {
    "max": "amax", "min": "amin", "expand_dims": "unsqueeze", "fix": "trunc", "around": "round",
    "rint": "round", "take_along_axis": "take_along_dim", "float_power": "pow", "fabs": "abs",
    "fmax": "maximum", "fmin": "minimum", "equal": "eq", "not_equal": "ne", "less": "lt",
    "less_equal": "le", "greater": "gt", "greater_equal": "ge", "concatenate": "cat",
}


# -- probing --------------------------------------------------------------------

def _inputs():
    """Fresh small inputs: values inside every domain the functions have."""
    x = dr.tensor([0.3, 0.6, 0.2], requires_grad=True)
    y = dr.tensor([0.5, 0.4, 0.7], requires_grad=True)
    m = dr.tensor([[2.0, 0.3, 0.1], [0.3, 1.5, 0.2], [0.1, 0.2, 1.2]], requires_grad=True)
    return x, y, m


def _candidates(x, y, m):
    """Argument lists to try, in order; the first one accepted is used."""
    index = dr.tensor([2, 0])
    return [
        (x,), (x, y), (m,), (m, m), (m, x), (x, y, y), (x, 0), (x, 1), (x, -1), (x, 2),
        (1, x), (2.5 + x, 2), (x, (3,)), (x, (2, 3)), (x, 0, index), (x, index),
        (x, 0, 0, 2), (x, x > 0.4, 0.0), ("i,i->", x, y), ([x, y],), (x > 0.4, x, y),
        (m, 0, 1), (m, (1, 0)), (x, (1, 1)), (x, m), (m, dr.tensor([0, 2, 1])),
        (x, y, 1), (m, m, m), (m[None], m[None]), (x, index, 0), (x, dr.float32),
        (x > 0.4,), (x > 0.4, y > 0.5),
    ]


def _tensors(result):
    if isinstance(result, dr.Tensor):
        return [result]
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _tensors(r)]
    return []


def _accepted(fn):
    """(k, result) for every candidate argument list ``fn`` accepts."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(len(_candidates(*_inputs()))):
            try:
                result = fn(*_candidates(*_inputs())[k])
            except Exception:  # noqa: BLE001 - the candidate does not fit: the next is tried
                continue
            yield k, result


def _gradient(fn, k, shift=0.0):
    """The gradient of a weighted sum of fn's floating outputs at the k-th
    candidate (inputs moved by ``shift``), with create_graph=True."""
    x, y, m = _inputs()
    with dr.no_grad():
        for t in (x, y, m):
            t.add_(shift)
    args = _candidates(x, y, m)[k]
    outs = [t for t in _tensors(fn(*args)) if t.requires_grad]
    total = sum((o * (1.0 + dr.arange(o.numel()).reshape(o.shape) / 7)).sum() for o in outs)
    grads = dr.autograd.grad(total, (x, y, m), create_graph=True, allow_unused=True)
    return [g for g in grads if g is not None]


def differentiability(fn):
    """ANY, FIRST, INTEGER or CONSTANT for a function of the surface; None
    if no candidate argument list is accepted."""
    prim = getattr(fn, "primitive", None)
    if prim is not None:
        return ANY if prim.differentiable else INTEGER
    if getattr(fn, "__name__", None) in _VALUES:
        return CONSTANT
    verdicts = set()
    for k, result in _accepted(fn):
        try:
            verdicts.add(_verdict(fn, k, result))
        except Exception:  # noqa: BLE001 - a call outside the function's meaning
            continue  # (dr.inner(x, (3,)) broadcasts, then its backward fails)
    for verdict in (ANY, FIRST, CONSTANT, INTEGER):  # what the function can do at best
        if verdict in verdicts:
            return verdict
    return None


def _verdict(fn, k, result):
    tensors = _tensors(result)
    floating = [t for t in tensors if t.is_floating_point()]
    if not floating:
        if tensors or isinstance(result, (bool, int, np.integer, np.bool_, tuple, list)):
            return INTEGER
        return CONSTANT
    if not any(t.requires_grad for t in floating):
        return CONSTANT
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grads = _gradient(fn, k)
        if any(g.requires_grad for g in grads):
            return ANY
        moved = _gradient(fn, k, shift=1e-3)
    same = all(np.array_equal(a.detach().numpy(), b.detach().numpy())
               for a, b in zip(grads, moved))
    return ANY if same else FIRST


# -- what is listed -------------------------------------------------------------

def _is_operation(obj):
    return callable(obj) and not inspect.isclass(obj) and not isinstance(obj, dr.dtype) \
        and not isinstance(obj, types.ModuleType)


def numpy_entries():
    """(NumPy name, the NumPy object) for every entry of the protocol maps:
    ufuncs, constant ufuncs, ufunc reductions and array functions."""
    entries = {}
    for ufunc in list(_numpy_api.UFUNCS) + sorted(_numpy_api.CONSTANT_UFUNCS,
                                                  key=lambda u: u.__name__):
        entries[f"np.{ufunc.__name__}"] = ufunc
    for ufunc in _numpy_api.REDUCTIONS:
        entries[f"np.{ufunc.__name__}.reduce"] = ufunc.reduce
    for fn in _numpy_api.ARRAY_FUNCTIONS:
        module = "np.linalg" if fn.__module__ == "numpy.linalg" else "np"
        entries[f"{module}.{fn.__name__}"] = fn
    return dict(sorted(entries.items()))


def numpy_counterpart(numpy_name):
    """The dualrev name ``np.X`` runs on a tensor, or None."""
    plain = numpy_name.removeprefix("np.").removesuffix(".reduce")
    if plain.startswith("linalg."):
        name = plain.removeprefix("linalg.")
        return f"dr.linalg.{name}" if name in dr.linalg.__all__ else None
    if numpy_name.endswith(".reduce"):
        reduction = _numpy_api.REDUCTIONS[getattr(np, plain)][0]
        name = getattr(reduction, "name", getattr(reduction, "__name__", ""))
        return f"dr.{name}" if name in names.FUNCTIONS else None
    ufunc = getattr(np, plain, None)
    served = _numpy_api.UFUNCS.get(ufunc) if isinstance(ufunc, np.ufunc) else None
    for fn_name, fn in names.FUNCTIONS.items():
        if served is fn:
            return f"dr.{fn.__name__}"
    name = NUMPY_RENAMED.get(plain, plain)
    return f"dr.{name}" if name in names.FUNCTIONS else None


def _numpy_callable(numpy_name, obj):
    served = _numpy_api.UFUNCS.get(obj) if isinstance(obj, np.ufunc) else None
    if getattr(served, "primitive", None) is not None:
        return served  # a ufunc of a record's: the record says
    if numpy_name.endswith(".reduce"):
        return lambda *args: obj(*args)
    return obj


def sections():
    """{section: [(name, fn), ...]}: what the table lists."""
    functions = sorted(names.FUNCTIONS.items())
    in_dr = set(names.FUNCTIONS)
    tensor = []
    for name in sorted(dir(dr.Tensor)):
        if name.startswith("_") or name.endswith("_") or name in in_dr:
            continue
        if _is_tape(name):
            continue
        tensor.append((name, _method(name)))
    return {
        "dr": [(f"dr.{n}", fn) for n, fn in functions],
        "tensor": [(f"Tensor.{n}", fn) for n, fn in tensor],
        "linalg": [(f"dr.linalg.{n}", getattr(dr.linalg, n)) for n in dr.linalg.__all__
                   if _is_operation(getattr(dr.linalg, n))],
        "special": [(f"dr.special.{n}", getattr(dr.special, n)) for n in dr.special.__all__],
        "nn": [(f"dr.nn.functional.{n}", getattr(dr.nn.functional, n))
               for n in dr.nn.functional.__all__],
    }


def _method(name):
    def call(tensor, *args):
        attribute = getattr(tensor, name)
        return attribute(*args) if callable(attribute) else attribute
    call.__name__ = name
    return call


# Methods that hand out the values (a float, a list, an array): no derivative,
# and PyTorch's error for a tensor that requires grad where PyTorch raises.
_VALUES = {"item", "numpy", "tolist"}


# Tensor's methods of the tape itself: they record nothing and compute nothing.
# ``cuda`` raises: there is no GPU (dr.cuda.is_available() is False).
_TAPE = {"backward", "register_hook", "retain_grad", "retains_grad", "requires_grad",
         "grad", "grad_fn", "is_leaf", "data", "shape", "dtype", "device", "is_cuda", "cuda"}


def not_operations():
    """Public callables of ``dr`` the table leaves out: factories, settings."""
    listed = set(names.FUNCTIONS)
    return sorted(n for n in dr.__all__ if n not in listed and _is_operation(getattr(dr, n)))


def _is_tape(name):
    return name in _TAPE or name.startswith("register_")  # hooks, whatever their kind


def tape_methods():
    return sorted(n for n in dir(dr.Tensor) if _is_tape(n))


# -- the markdown ---------------------------------------------------------------

def _cell(name):
    return f"`{name}`"


def table(lang="en"):
    """The markdown of the supported-functions table, in English or Chinese."""
    words = WORDS[lang]
    numpy_of = {}
    for numpy_name in numpy_entries():
        target = numpy_counterpart(numpy_name)
        if target is not None:
            numpy_of.setdefault(target, []).append(numpy_name)
    inplace = {n[:-1] for n in dir(dr.Tensor) if n.endswith("_") and not n.startswith("_")}
    out, rows = [], 0
    for key, entries in sections().items():
        out += [f"### {words['sections'][key]} {{#{key}-functions}}", ""]
        if key == "dr":
            out += [f"| {words['function']} | {words['differentiable']} | {words['method']} "
                    f"| NumPy |", "|---|---|---|---|"]
        else:
            out += [f"| {words['function']} | {words['differentiable']} | NumPy |",
                    "|---|---|---|"]
        for name, fn in entries:
            short = name.rsplit(".", 1)[1]
            numpy_names = ", ".join(_cell(n) for n in numpy_of.get(name, [])) or ""
            verdict = words[differentiability(fn)]
            if key == "dr":
                method = ""
                if hasattr(dr.Tensor, short):
                    method = words["yes"] + (f" (+ `{short}_`)" if short in inplace else "")
                out.append(f"| {_cell(name)} | {verdict} | {method} | {numpy_names} |")
            else:
                out.append(f"| {_cell(name)} | {verdict} | {numpy_names} |")
            rows += 1
        out.append("")
    out += [f"### {words['sections']['numpy']} {{#numpy-functions}}", "",
            words["numpy intro"], "",
            f"| NumPy | {words['runs']} | {words['differentiable']} |", "|---|---|---|"]
    for numpy_name, obj in numpy_entries().items():
        target = numpy_counterpart(numpy_name)
        verdict = words[differentiability(_numpy_callable(numpy_name, obj))]
        out.append(f"| {_cell(numpy_name)} | {_cell(target) if target else ''} | {verdict} |")
        rows += 1
    out += ["", words["not operations"] + " " + ", ".join(_cell(n) for n in not_operations())
            + ".", "", words["tape"] + " " + ", ".join(_cell(n) for n in tape_methods()) + ".",
            "", words["count"].format(n=rows, version=dr.__version__), ""]
    return "\n".join(out)


def expand(markdown, lang="en"):
    """The page with the table in place of its marker."""
    return markdown.replace(MARKER, table(lang)) if MARKER in markdown else markdown


if __name__ == "__main__":
    print(table(sys.argv[1] if len(sys.argv) > 1 else "en"))
