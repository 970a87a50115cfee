"""The name table (``dualrev.names``) and the surface generated from it:
a primitive added to the table appears everywhere, every method works on a
Dual as on a Tensor, signatures are real, and namespaces show only their
public API.

    python tests/test_names.py   # rewrites tests/data/public_api.json from the package
"""

import inspect
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

if __name__ == "__main__":  # run as a script: this checkout's dualrev, not an installed one
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import dualrev as dr
from dualrev import names
from dualrev.core.primitive import TABLE, defprim

PUBLIC_API = Path(__file__).resolve().parent / "data" / "public_api.json"
MODULES = {"dr": dr, "dr.func": dr.func, "dr.autograd": dr.autograd, "dr.optim": dr.optim,
           "dr.linalg": dr.linalg, "dr.func.coloring": dr.func.coloring, "dr.special": dr.special,
           "dr.nn.functional": dr.nn.functional, "dr.cuda": dr.cuda,
           "dr.autograd.forward_ad": dr.autograd.forward_ad,
           "dr.autograd.functional": dr.autograd.functional,
           "dr.autograd.graph": dr.autograd.graph}


# -- a primitive added to the table is found everywhere ------------------------

@pytest.fixture
def conjugate():
    """An elementwise primitive the table does not have: NumPy's conjugate
    (the identity on real numbers), made public under two names."""
    prim = defprim("conjugate", np.conjugate, linear=True, vjp=lambda g: prim(g),
                   public="conjugate conj")
    names.install(vars(dr))
    yield prim
    delattr(TABLE, "conjugate")
    names.install(vars(dr))


def test_a_new_elementwise_primitive_is_everywhere_from_its_record_alone(conjugate):
    x = dr.tensor([1.0, -2.0], requires_grad=True)
    for name in ("conjugate", "conj"):
        assert name in dr.__all__ and name in dir(dr)
        assert str(inspect.signature(getattr(dr, name))) == "(input)"
        np.testing.assert_array_equal(getattr(dr, name)(x).detach().numpy(), [1.0, -2.0])
        assert getattr(x, name)().grad_fn.name() == "ConjugateBackward0"
        assert float(getattr(dr.Dual(3.0, 1.0), name)().tangent) == 1.0
    y = np.conjugate(x)  # the NumPy protocol records it
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0])
    z = dr.tensor([3.0, 4.0])
    assert z.conj_() is z and z.tolist() == [3.0, 4.0]
    assert dr.func.grad(lambda t: dr.conj(t) * t)(2.0).item() == 4.0


def test_a_primitive_taken_out_of_the_table_leaves_no_name_behind(conjugate):
    delattr(TABLE, "conjugate")
    names.install(vars(dr))
    assert not hasattr(dr, "conj") and "conj" not in dr.__all__
    for cls in (dr.Tensor, dr.Dual):
        assert not hasattr(cls, "conj") and not hasattr(cls, "conjugate")
    assert not hasattr(dr.Tensor, "conj_") and not hasattr(dr.Tensor, "conjugate_")
    with pytest.raises(TypeError, match="numpy.conjugate"):
        np.conjugate(dr.tensor([1.0]))
    setattr(TABLE, "conjugate", conjugate)  # for the fixture's teardown


def test_a_name_the_class_defines_itself_is_refused(monkeypatch):
    monkeypatch.setattr(names, "NAMES", names.NAMES + [names.Name(dr.Tensor.detach)])
    with pytest.raises(TypeError, match="Tensor.detach is defined by the class and by"):
        names.install(vars(dr))
    monkeypatch.undo()
    names.install(vars(dr))
    assert dr.Tensor.sum is not None and dr.sin(0.0).item() == 0.0


def test_install_given_another_namespace_refuses_and_changes_nothing():
    with pytest.raises(TypeError, match="the namespace it wrote before"):
        names.install({"__all__": []})
    assert dr.Tensor.sum is not None and (dr.tensor(1.0) + 1).item() == 2.0
    names.install(vars(dr))
    assert dr.sin(0.0).item() == 0.0


def test_a_record_the_surface_cannot_expose_is_refused():
    prim = defprim("fma_test", lambda x, y, z: x * y + z, "x y z", public="fma_test")
    try:
        with pytest.raises(TypeError, match="one or two arguments can be"):
            names.install(vars(dr))
    finally:
        delattr(TABLE, "fma_test")
    names.install(vars(dr))
    assert not hasattr(dr, "fma_test") and prim.public == ("fma_test",)


def test_a_derivative_cannot_serve_a_primitive_with_static_parameters():
    with pytest.raises(TypeError, match="static parameters"):
        defprim("scaled_test", lambda x, *, k: k * x, derivative=lambda x: x, table=False)


# -- Dual has the Tensor's math surface -------------------------------------------

RNG = np.random.default_rng(7)
X = RNG.uniform(0.2, 0.8, (3, 3))
Y = RNG.uniform(0.2, 0.8, (3, 3))
V = RNG.standard_normal((3, 3))
SPD = X @ X.T + 3 * np.eye(3)
INDEX = np.array([2, 0])
INDEX2 = np.array([[2, 0, 1], [1, 1, 0]])
MASK = X > 0.5

# arguments of each method (default: none), and the input where (3, 3) in
# (0.2, 0.8) is not in its domain or shape
ARGS = {
    **{name: (Y,) for name in (
        "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
        "atan2", "arctan2", "hypot", "logaddexp", "xlogy", "maximum", "minimum", "eq", "ne", "lt",
        "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "dist", "equal",
        "allclose", "isclose", "matmul", "mm", "view_as", "reshape_as", "type_as")},
    "clamp": ((), {"min": 0.3, "max": 0.6}), "clip": ((), {"min": 0.3, "max": 0.6}),
    "clamp_min": (0.3,), "clamp_max": (0.6,), "lerp": (Y, 0.3), "addcmul": (Y, Y),
    "addcdiv": (Y, Y), "addmm": (Y, Y), "where": (MASK, Y), "softmax": (0,),
    "log_softmax": (0,), "logsumexp": (0,), "mv": (Y[0],), "reshape": (9,), "view": (9,),
    "transpose": (0, 1), "swapaxes": (0, 1), "swapdims": (0, 1), "permute": (1, 0),
    "unsqueeze": (0,), "broadcast_to": ((2, 3, 3),), "expand": (2, 3, 3), "moveaxis": (0, 1),
    "movedim": (0, 1), "cumsum": (0,), "cumprod": (0,), "flip": (0,), "roll": (1,),
    "take": (INDEX,), "take_along_dim": (INDEX2, 0), "gather": (0, INDEX2),
    "narrow": (0, 0, 2), "split": (1,), "chunk": (3,), "index_select": (0, INDEX),
    "repeat": (2, 1), "tile": ((2, 1),), "masked_fill": (MASK, 0.0), "topk": (2,),
    "expand_as": (np.zeros((2, 3, 3)),), "to": (dr.float32,), "to_dtype": (dr.float32,),
    "max": (0,), "min": (0,),
    **{name: (np.array([[1, 2], [3, 1]]),) for name in (
        "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift")},
}
INPUTS = {"acosh": X + 1.0, "arccosh": X + 1.0, "cholesky": SPD, "bmm": X[None],
          "dot": X[0], "outer": X[0], "ger": X[0], "inner": X[0], "vdot": X[0]}
SECOND = {"bmm": (Y[None],), "dot": (Y[0],), "outer": (Y[0],), "ger": (Y[0],),
          "inner": (Y[0],), "vdot": (Y[0],)}
INTEGER_ONLY = ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
                "bitwise_left_shift", "bitwise_right_shift")
TABLE_METHODS = sorted({name for entry in names.NAMES + names.elementwise_entries()
                        if entry.method for name in entry.names})


def _call(receiver, name):
    args = SECOND.get(name, ARGS.get(name, ()))
    args, kwargs = args if len(args) == 2 and isinstance(args[1], dict) else (args, {})
    attribute = getattr(receiver, name)
    return attribute(*args, **kwargs) if callable(attribute) else attribute


def _leaves(result):
    if isinstance(result, (tuple, list)):
        return [leaf for item in result for leaf in _leaves(item)]
    return [result]


def _values(leaf):
    if isinstance(leaf, dr.Dual):
        return np.asarray(leaf.primal)
    if isinstance(leaf, dr.Tensor):
        return leaf.detach().numpy()
    return np.asarray(leaf)


def test_every_method_of_the_table_is_checked_here():
    """The parity test below runs every method of the table (TABLE_METHODS
    is read from the table), and every special case here names one."""
    assert len(TABLE_METHODS) > 150
    assert set(INPUTS) | set(ARGS) | set(SECOND) <= set(TABLE_METHODS)


@pytest.mark.parametrize("name", TABLE_METHODS)
def test_every_table_method_runs_on_a_dual_as_on_a_tensor(name):
    """Values as the Tensor's; tangents as central differences of the
    Tensor method along the direction (so a Dual method that dropped or
    mangled the tangent fails)."""
    x = np.array([[6, 3], [5, 12]]) if name in INTEGER_ONLY else INPUTS.get(name, X)
    v = np.zeros(x.shape) if name in INTEGER_ONLY else np.random.default_rng(1).normal(size=x.shape)
    on_tensor = _call(dr.tensor(x), name)
    on_dual = _call(dr.Dual(x, v), name)
    tensor_leaves, dual_leaves = _leaves(on_tensor), _leaves(on_dual)
    assert len(tensor_leaves) == len(dual_leaves)
    h = 1e-6
    if name in INTEGER_ONLY:  # no tangent to compare
        plus = minus = tensor_leaves
    else:
        plus = _leaves(_call(dr.tensor(x + h * v), name))
        minus = _leaves(_call(dr.tensor(x - h * v), name))
    for t, d, p, m in zip(tensor_leaves, dual_leaves, plus, minus):
        np.testing.assert_allclose(_values(d), _values(t), rtol=1e-12, atol=1e-12)
        if isinstance(d, dr.Dual):
            difference = (_values(p).astype(float) - _values(m).astype(float)) / (2 * h)
            tolerance = 1e-6 if _values(d).dtype == np.float64 else 0.1  # float32: h is 8 ulp
            np.testing.assert_allclose(np.asarray(d.tangent), difference, rtol=tolerance,
                                       atol=tolerance)
        elif isinstance(t, dr.Tensor) and t.dtype.is_floating_point and name != "to":
            assert np.all(_values(p) == _values(m)), f"{name}: a float result lost its tangent"


# -- signatures and namespaces ---------------------------------------------------

def public_api():
    """{qualified name: signature} of every public function, class and
    method, and {module: dir()} of the public modules."""
    signatures = {}
    for label, module in MODULES.items():
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, (type(dr), dr.dtype)):
                signatures[f"{label}.{name}"] = _signature(obj)
    for cls in (dr.Tensor, dr.Dual, dr.optim.SGD, dr.optim.Adam, dr.autograd.Function):
        for name in dir(cls):
            obj = getattr(cls, name)
            if not name.startswith("_") and callable(obj):
                signatures[f"{cls.__name__}.{name}"] = _signature(obj)
    return {"signatures": signatures, "dir": {label: dir(m) for label, m in MODULES.items()}}


def _signature(obj):
    """Parameters and defaults, without annotations (tests/test_typing.py checks the types)."""
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return "(exception)"
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(none)"
    return str(signature.replace(
        parameters=[p.replace(annotation=p.empty) for p in signature.parameters.values()],
        return_annotation=signature.empty))


API = public_api()
PINNED = json.loads(PUBLIC_API.read_text()) if PUBLIC_API.exists() else {"signatures": {}, "dir": {}}


@pytest.mark.parametrize("qualified", sorted(set(API["signatures"]) | set(PINNED["signatures"])))
def test_signatures_are_the_pinned_ones(qualified):
    """Each public function and method has its real parameters, as listed in
    tests/data/public_api.json (checked against PyTorch's when it was made)."""
    assert API["signatures"].get(qualified) == PINNED["signatures"].get(qualified)


VARIADIC = {"Function.apply": "PyTorch's apply takes the arguments of the user's forward"}


def test_no_public_entry_hides_its_parameters():
    hidden = [q for q, s in API["signatures"].items() if q not in VARIADIC
              and s in ("(none)", "(*args, **kwargs)", "(self, *args, **kwargs)")]
    assert not hidden, hidden


@pytest.mark.parametrize("label", sorted(MODULES))
def test_namespaces_show_their_public_api_only(label):
    module = MODULES[label]
    shown = [n for n in dir(module) if not n.startswith("__")]
    assert shown == sorted(module.__all__)
    assert dir(module) == PINNED["dir"][label]
    assert not {"np", "functools", "Box", "AMBIENT", "canonical", "F", "S"} & set(dir(module))


def test_the_module_of_the_tensor_class_is_not_hidden_by_the_function():
    assert callable(dr.tensor) and dr.Tensor.__module__ == "dualrev._tensor"
    with pytest.raises(ModuleNotFoundError):
        __import__("dualrev.tensor")


if __name__ == "__main__":
    PUBLIC_API.write_text(json.dumps(public_api(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {PUBLIC_API}")
