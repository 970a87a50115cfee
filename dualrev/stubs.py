"""Type stubs of the surface that the name table makes at import.

``dr.X``, the math methods of Tensor and Dual, Tensor's in-place ``X_`` and
the operators are made by ``names.install()`` when dualrev is imported, so a
type checker, which reads the source and runs nothing, cannot see them. This
module writes them down from the same table as ``dualrev/__init__.pyi``,
``dualrev/_tensor.pyi`` and ``dualrev/dual.pyi``:

    python -m dualrev.stubs

Parameters keep the names, kinds and defaults of ``inspect.signature``;
their types come from ``PARAMETERS`` (by name), results from ``RESULTS`` (a
Tensor, or a Dual on a Dual, unless said there). tests/test_typing.py fails
while the stubs in the tree differ from what this writes, so an entry or a
primitive added to the table without running it is caught.
"""

import ast
import inspect
import re
import textwrap
from pathlib import Path

import dualrev
from . import methods, names
from ._tensor import Size, Tensor
from .core.primitive import primitives
from .dual import Dual

PACKAGE = Path(__file__).resolve().parent

#: Parameter types by name, or by ``member.name`` where a member means
#: something else by it. A parameter whose default is None also takes None;
#: a name not here is ``Any``.
PARAMETERS = {
    **dict.fromkeys(
        "input other tensor tensor1 tensor2 mat1 mat2 vec vec2 a b end weight exponent mask "
        "condition index indices value src data primal tangent gradient operands".split(),
        "TensorLike"),
    "min": "TensorLike", "max": "TensorLike", "tensors": "Sequence[TensorLike]",
    **dict.fromkeys("keepdim equal_nan descending stable largest sorted sparse_grad unbiased "
                    "requires_grad create_graph retain_graph non_blocking copy".split(), "_bool"),
    **dict.fromkeys("alpha beta rtol atol eps threshold".split(), "_float"),
    **dict.fromkeys("offset diagonal n dim0 dim1 dim2 start_dim end_dim start length k chunks "
                    "decimals correction level".split(), "_int"),
    **dict.fromkeys("dim shape sizes shifts source destination split_size_or_sections".split(),
                    "_int | Sequence[_int]"),
    "dims": "_int | Sequence[Any]",  # flip and permute's axes, tensordot's pairs of them
    "size.dim": "_int",
    "p": "_float | str", "pad": "Sequence[_int]", "mode": "str", "rounding_mode": "str",
    "equation": "str", "spec": "str", "dtype": "DType", "__array__.dtype": "Any",
    "upper": "_bool", "device": "str | _device", "inputs": "Tensor | Sequence[Tensor]", "__array_ufunc__.inputs": "Any",
    "hook": "Callable[[Tensor], Tensor | None]", "__getitem__.index": "Any",
    "__setitem__.index": "Any",
}

#: Results other than a Tensor, by ``Class.member``, by ``dr.function`` or by
#: name. A list gives overloads: (parameter types, result) each, a parameter
#: typed there loses its default unless typed None. On a Dual, ``Tensor``
#: reads ``Dual`` except in the names of INTEGRAL.
RESULTS = {
    "split": "tuple[Tensor, ...]", "chunk": "tuple[Tensor, ...]", "unbind": "tuple[Tensor, ...]",
    "sort": "values_indices[Tensor]", "topk": "values_indices[Tensor]",
    "max": [({"dim": "None"}, "Tensor"), ({"dim": "_int"}, "values_indices[Tensor]")],
    "min": [({"dim": "None"}, "Tensor"), ({"dim": "_int"}, "values_indices[Tensor]")],
    "dr.where": [({"input": "None", "other": "None"}, "tuple[Tensor, ...]"),
                 ({"input": "TensorLike", "other": "TensorLike"}, "Tensor")],
    "size": [({"dim": "None"}, "Size"), ({"dim": "_int"}, "_int")],
    **dict.fromkeys("equal allclose is_floating_point is_leaf requires_grad retains_grad "
                    "is_cuda __bool__".split(), "_bool"),
    **dict.fromkeys("numel dim ndim __int__ __index__ __len__ __hash__".split(), "_int"),
    **dict.fromkeys("backward retain_grad __init__ __setitem__".split(), "None"),
    **dict.fromkeys("__repr__ __format__".split(), "str"),
    "device": "_device", "cuda": "NoReturn",
    **dict.fromkeys("grad_fn register_hook tolist primal tangent __reduce_ex__ __array_ufunc__ "
                    "__array_function__".split(), "Any"),
    "__float__": "_float", "__iter__": "Iterator[Tensor]", "dtype": "_dtype",
    "item": "_float | _int | _bool", "grad": "Tensor | None",
    "Tensor.shape": "Size", "Dual.shape": "tuple[_int, ...]",
    "numpy": "np.ndarray", "Tensor.__array__": "np.ndarray", "Dual.__array__": "NoReturn",
}

#: Results that are Tensors on a Dual too: integers and booleans carry no
#: tangent. (So are those of the primitives that are not differentiable.)
INTEGRAL = set("all any argmax argmin argsort isclose int long bool __eq__ __ne__ __lt__ __le__ "
               "__gt__ __ge__ __and__ __rand__ __or__ __ror__ __xor__ __rxor__ __lshift__ "
               "__rlshift__ __rshift__ __rrshift__ __invert__".split())

#: Members whose result is no bool, unlike object's.
OVERRIDES_OBJECT = {"__eq__", "__ne__"}

HEADER = '''\
# Written by `python -m dualrev.stubs` from the name table: do not edit.
from builtins import bool as _bool, float as _float, int as _int
from typing import (
    Any, Callable, Generic, Iterator, NamedTuple, NoReturn, Sequence, TypeAlias, TypeVar, overload)

import numpy as np

from .device import device as _device
from .dtypes import dtype as _dtype
'''

TENSOR_HEADER = '''\
from .dual import Dual

# Data a function takes for a tensor: numbers, arrays, nested lists of numbers
# (a string is none, and a list of tensors is none either: dr.stack them).
_Nested: TypeAlias = (Sequence[_float] | Sequence[Sequence[_float]]
                      | Sequence[Sequence[Sequence[_float]]]
                      | Sequence[Sequence[Sequence[Sequence[_float]]]])
TensorLike: TypeAlias = Tensor | Dual | _float | np.ndarray | np.generic | _Nested
DType: TypeAlias = _dtype | type | np.dtype  # dr.float32, float, np.float32...

_Values = TypeVar("_Values", Tensor, Dual)


class values_indices(NamedTuple, Generic[_Values]):
    """(values, indices) of sort, topk, max and min along a dim (made by dualrev._args)."""
    values: _Values
    indices: Tensor


# (for the modules of the package that import them)
def boxed(value: Any) -> Any: ...
def named(value: Any, name: str) -> Any: ...
'''


def stubs():
    """{path: text} of the three stubs, as the table makes the surface now."""
    table = _table()
    return {
        PACKAGE / "__init__.pyi": _package(table),
        PACKAGE / "_tensor.pyi": HEADER + "from .core.reverse import ReverseBox\n" + TENSOR_HEADER
        + _class(Size, "tuple[_int, ...]") + _class(Tensor, "ReverseBox", table),
        PACKAGE / "dual.pyi": HEADER + "from ._tensor import DType, Size, Tensor, TensorLike, "
        "values_indices\nfrom .core.forward import ForwardBox\n" + _class(Dual, "ForwardBox", table),
    }


def _table():
    """The table's entries as (name, function, kind): kind is "function"
    (dr.X), "method", "property", "inplace" (X_) or "operator"."""
    rows = []
    for entry in names.NAMES + names.elementwise_entries():
        for name in entry.names:
            if entry.function:
                rows.append((name, entry.fn, "function"))
            if entry.method:
                rows.append((name, entry.fn, entry.kind))
            if entry.inplace:
                rows.append((name + "_", entry.fn, "inplace"))
    rows += [(name, fn, "operator") for name, fn in methods.operators(names.FUNCTIONS).items()]
    return rows


def _integral():
    """INTEGRAL and the names of the primitives that are not differentiable."""
    not_differentiable = {n for p in primitives().values() if p.public and not p.differentiable
                          for n in p.public}
    return INTEGRAL | not_differentiable


def _package(table):
    """``dualrev/__init__.pyi``: the names ``__init__.py`` imports for
    ``__all__`` (read from its source), then the table's functions."""
    lines = [HEADER, "from ._tensor import DType, TensorLike, values_indices"]
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            exported = [a.name for a in node.names if a.name in dualrev.__all__]
            if exported:
                lines.append(_import("." * node.level + (node.module or ""), exported))
    lines.append("\n__version__: str\n")
    for name, fn, kind in table:
        if kind == "function":
            lines += _def(name, fn, _result(name), method=False)
    return "\n".join(lines) + "\n"


def _import(module, exported):
    """``from module import x as x, ...``, the re-export of a stub, in lines
    of at most 100 columns (``x as x`` kept on one line)."""
    line = f"from {module} import " + ", ".join(f"{n} as {n}" for n in exported)
    if len(line) <= 100:
        return line
    pairs = textwrap.fill(", ".join(f"{n}\0as\0{n}" for n in exported), 99,
                          initial_indent="    ", subsequent_indent="    ")
    return f"from {module} import (\n" + pairs.replace("\0", " ") + ")"


def _class(cls, base, table=()):
    """The stub of ``cls``: what its class bodies define (up to Box or the
    builtin base), then the members the table gives it."""
    owner = cls.__name__
    lines = [f"\n\nclass {owner}({base}):"]
    from_table = {name for name, _, kind in table if kind != "function"}
    seen = set()
    for body in cls.__mro__:
        if not body.__module__.startswith("dualrev"):
            break
        for name, member in vars(body).items():
            if name in seen or name in from_table or not _shown(name):
                continue
            seen.add(name)
            result = _result(name, owner)
            if isinstance(member, property):
                lines += _property(name, member, result)
            elif inspect.ismemberdescriptor(member):
                lines.append(f"    {name}: {result}")
            elif isinstance(member, staticmethod) or inspect.isfunction(member):
                lines += _def(name, inspect.unwrap(member), result)
    for name, fn, kind in table:
        if kind == "function" or (kind == "inplace" and cls is not Tensor):
            continue
        result = "Tensor" if kind == "inplace" else _result(name, owner)
        if kind == "property":
            lines += _property(name, property(fn), result)
        else:
            lines += _def(name, fn, result)
    return "\n".join(lines) + "\n"


def _shown(name):
    """Whether a member of a class body is in its stub: public names and dunders."""
    return not name.startswith("_") or (
        name.startswith("__") and name not in ("__module__", "__doc__", "__slots__", "__dict__",
                                               "__weakref__"))


def _result(name, owner=None):
    """The result of ``name``: a member of the class ``owner``, or dr.X."""
    keys = (f"{owner}.{name}" if owner else f"dr.{name}", name)
    result = next((RESULTS[k] for k in keys if k in RESULTS), "Tensor")
    if owner == "Dual" and name not in _integral():
        result = (re.sub(r"\bTensor\b", "Dual", result) if isinstance(result, str)
                  else [(types, re.sub(r"\bTensor\b", "Dual", r)) for types, r in result])
    return result


def _property(name, prop, result):
    lines = ["    @property", f"    def {name}(self) -> {result}: ..."]
    if prop.fset is not None:
        lines += [f"    @{name}.setter", f"    def {name}(self, value: {result}) -> None: ..."]
    return lines


def _def(name, fn, result, method=True):
    """The stub of ``fn`` as ``name`` (a method: its first parameter is
    ``self``, or ``cls`` for ``__new__``); overloads for a list of results."""
    indent = "    " if method else ""
    variants = [({}, result)] if isinstance(result, str) else result
    lines = []
    for types, returns in variants:
        if len(variants) > 1:
            lines.append(f"{indent}@overload")
        ignore = "  # type: ignore[override]" if name in OVERRIDES_OBJECT else ""
        lines.append(f"{indent}def {name}({_parameters(name, fn, types, method)}) -> {returns}: "
                     f"...{ignore}")
    return lines


def _parameters(name, fn, types, method):
    """``fn``'s parameters, typed (``types`` first, then PARAMETERS), with
    their kinds and ``...`` for their defaults."""
    parameters = list(inspect.signature(fn).parameters.values())
    if method:
        parameters[0] = parameters[0].replace(name="cls" if name == "__new__" else "self")
    out, kind = [], None
    for i, p in enumerate(parameters):
        if kind == p.POSITIONAL_ONLY and p.kind != kind:
            out.append("/")
        if p.kind == p.KEYWORD_ONLY and kind not in (p.KEYWORD_ONLY, p.VAR_POSITIONAL):
            out.append("*")
        kind = p.kind
        stars = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        if method and i == 0:
            out.append(p.name)
            continue
        annotation = types.get(p.name) or PARAMETERS.get(f"{name}.{p.name}") \
            or PARAMETERS.get(p.name, "Any")
        default = p.default is not p.empty and (p.name not in types or annotation == "None")
        if default and p.default is None and annotation != "Any" and "None" not in annotation:
            annotation += " | None"
        out.append(f"{stars}{p.name}: {annotation}" + (" = ..." if default else ""))
    if kind == inspect.Parameter.POSITIONAL_ONLY:
        out.append("/")
    return ", ".join(out)


def main():
    for path, text in stubs().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(PACKAGE.parent)}")


if __name__ == "__main__":
    main()
