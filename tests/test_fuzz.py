"""A fuzzer of the public surface: every ``dr.X`` function, every Tensor and
Dual method and operator, every ``dr.func`` transform, ``dr.linalg`` and
``dr.autograd`` function, called with random bad arguments.

It checks crashes, not values: a call may succeed, or raise a *clean*
exception, and must not take more than a second.

Clean exceptions (the project's rule: PyTorch's exception types):
    TypeError, ValueError, RuntimeError, IndexError, NotImplementedError,
    and their subclasses defined by Python itself or by dualrev. A subclass
    defined by NumPy (``numpy.exceptions.AxisError``, ``_UFuncTypeError``,
    ``_ArrayMemoryError``...) is NOT clean even though it subclasses a clean
    class: the check reads the exception class's module.
A clean exception is still a failure when its message is NumPy's words (one
of ``NUMPY_PHRASES``), or when the call took more than ``TIME_LIMIT``.

Targets are found by introspection (``dir(dr)``, ``dir(dr.Tensor)``,
``dir(dr.Dual)``, ``dr.func.__all__``, ``dr.linalg.__all__``,
``dr.autograd.__all__``), so a new function is fuzzed without editing this
file; ``SKIP`` lists the few left out, each with its reason. Global state a
call may change (default dtype, grad mode, print options) is restored after
each call.

Settings: by default a fixed, derandomized run of ``DEFAULT_EXAMPLES`` examples
per target (about 30 s of one core). For a release check::

    DUALREV_FUZZ_EXAMPLES=20000 python tests/test_fuzz.py   # prints a summary

``python tests/test_fuzz.py`` runs every target in one process and prints
the calls made, clean outcomes and the non-clean ones by exception class
(with one reproducing call each); under pytest, each target is one test
that fails on its first non-clean call.
"""

import cmath
import collections
import inspect
import math
import os
import resource
import signal
import sys
import time

if __name__ == "__main__":  # run as a script: this checkout's dualrev, not an installed one
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import dualrev as dr
from dualrev import dtypes as _dtypes
from dualrev import _format

CLEAN = (TypeError, ValueError, RuntimeError, IndexError, NotImplementedError)

# Phrases of NumPy's own messages (a leaked NumPy error), matched case-sensitively:
# dualrev's messages may name "NumPy" the library, and Python's own name a type
# ("'numpy.ndarray' object is not callable"), so "numpy." is matched only where
# NumPy's messages have it: its modules and numpy.newaxis.
NUMPY_PHRASES = (
    "could not be broadcast", "is out of bounds for axis", "cannot reshape array", "ufunc",
    "setting an array element with a sequence", "inhomogeneous", "Singular matrix",
    "object arrays are not supported", "numpy.newaxis", "numpy.core", "numpy._core",
    "numpy.linalg", "numpy.exceptions", "numpy.dtypes", "operands could not", "axis1", "axis2",
    "array of sample points is empty", "Cannot cast", "cannot cast array",
    "zero-size array to reduction operation", "only integer scalar arrays",
    "The truth value of an array", "as a data type", "dtype('", "einstein sum",
    "invalid subscript", "Last 2 dimensions of the array", "array must be",
)

TIME_LIMIT = 1.0  # seconds a call may take
HARD_LIMIT = 5.0  # a hung call is interrupted after this
MEMORY_LIMIT = 2 ** 31  # bytes of address space a call may add: beyond, MemoryError (non-clean)

DEFAULT_EXAMPLES = 20  # per target: about 30 s of one core in all
EXAMPLES = int(os.environ.get("DUALREV_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))

# Left out, with the reason. Functions that change global state are not
# here: the state is restored after each call (see _restore).
SKIP = {
    # the Dual level counter and module objects are not functions to fuzz
    "dr.Tensor._make", "dr.Tensor._apply",
    # they return a context manager/decorator; calling it with random args is
    # fine, but set_grad_enabled(x) used as a function is covered through
    # the restore of the grad mode
}

# ------------------------------------------------------------ the values ---


def _leaf():
    return dr.tensor([1.0, -2.0, 3.0], requires_grad=True)


def _graph_output():
    x = _leaf()
    return (x * x).sum()


def _object_array():
    return np.array([None, 1.0], dtype=object)


def _ragged():
    return [[1.0], [1.0, 2.0]]


VALUE_FACTORIES = [
    # not array-likes
    lambda: None, lambda: "abc", lambda: "", lambda: object(), lambda: {"a": 1},
    lambda: (lambda x: x), lambda: Ellipsis, lambda: slice(1, 2), lambda: b"x",
    # numbers, special and huge
    lambda: 0, lambda: 1, lambda: 2, lambda: 3, lambda: -1, lambda: -2, lambda: 5,
    lambda: 10 ** 12, lambda: -10 ** 12, lambda: 2 ** 63, lambda: 2 ** 64, lambda: 1.5,
    lambda: -0.5, lambda: 0.0, lambda: math.nan, lambda: math.inf, lambda: -math.inf,
    lambda: True, lambda: False, lambda: 1j, lambda: complex(1, 2), lambda: cmath.nan,
    lambda: np.float32(2.5), lambda: np.int64(2), lambda: np.bool_(True),
    # sequences
    lambda: [], lambda: (), lambda: [1.0, 2.0], lambda: [[1.0, 2.0], [3.0, 4.0]],
    lambda: (0, 1), lambda: (1, 0), lambda: (0, 0), lambda: (-1,), lambda: [0],
    lambda: (2, 3), lambda: (10 ** 12,), lambda: [None], lambda: ["a", "b"], _ragged,
    lambda: [1.0, None], lambda: [[1.0], 2.0], lambda: (1.5, 2), lambda: [1j, 2.0],
    lambda: [dr.tensor(1.0), dr.tensor(2.0)], lambda: [dr.zeros(2), dr.zeros(3)],
    lambda: [dr.zeros(2, 3), dr.ones(2, 3)],
    # NumPy arrays
    lambda: np.zeros(3), lambda: np.ones((2, 2)), lambda: np.arange(3), _object_array,
    lambda: np.array([1 + 2j, 3j]), lambda: np.array(["a", "b"]), lambda: np.zeros((0, 2)),
    lambda: np.array(2.0), lambda: np.array([True, False]),
    # tensors: shapes, dtypes, special values, views, graphs
    lambda: dr.tensor(2.0), lambda: dr.tensor(0.0), lambda: dr.tensor(3), lambda: dr.zeros(0),
    lambda: dr.zeros(0, 3), lambda: dr.zeros(3, 0), lambda: dr.randn(3), lambda: dr.randn(2, 3),
    lambda: dr.randn(3, 3), lambda: dr.randn(2, 3, 4), lambda: dr.randn(1, 1, 1, 1),
    lambda: dr.tensor([1, 2, 3]), lambda: dr.tensor([True, False, True]),
    lambda: dr.tensor([[1, 0], [0, 1]]), lambda: dr.tensor([math.nan, math.inf, -math.inf]),
    lambda: dr.zeros(3, dtype=dr.float32), lambda: dr.eye(3), lambda: dr.zeros(2, 2),
    _leaf, lambda: dr.randn(2, 2, requires_grad=True), lambda: dr.tensor(2.0, requires_grad=True),
    lambda: dr.randn(3, 4).T, lambda: dr.randn(6)[::2], lambda: dr.randn(2, 3)[0],
    lambda: _leaf() * 2, _graph_output, lambda: dr.tensor([0, 1]),
    lambda: dr.Dual(dr.tensor([1.0, 2.0]), dr.tensor([1.0, 0.0])), lambda: dr.Dual(2.0, 1.0),
    # dtypes
    lambda: dr.float32, lambda: dr.int64, lambda: dr.bool, lambda: np.float64, lambda: float,
    lambda: int, lambda: "float32",
]

RECEIVERS = [
    lambda: dr.tensor(2.0), lambda: dr.tensor(-1.0), lambda: dr.zeros(0), lambda: dr.zeros(0, 3),
    lambda: dr.randn(3), lambda: dr.randn(2, 3), lambda: dr.randn(3, 3), lambda: dr.randn(2, 3, 4),
    lambda: dr.tensor([1, 2, 3]), lambda: dr.tensor([True, False]), lambda: dr.tensor(3),
    lambda: dr.tensor([math.nan, math.inf, -math.inf]), lambda: dr.zeros(3, dtype=dr.float32),
    _leaf, lambda: dr.randn(2, 2, requires_grad=True), lambda: dr.tensor(2.0, requires_grad=True),
    lambda: _leaf() * 2, _graph_output, lambda: dr.randn(3, 4).T, lambda: dr.randn(6)[::2],
]

DUAL_RECEIVERS = [
    lambda: dr.Dual(2.0, 1.0), lambda: dr.Dual(dr.tensor([1.0, 2.0]), dr.tensor([1.0, 0.0])),
    lambda: dr.Dual(dr.randn(2, 3), dr.randn(2, 3)), lambda: dr.Dual(dr.zeros(0), dr.zeros(0)),
    lambda: dr.Dual(dr.tensor(1.0, requires_grad=True), 1.0),
]

def _user(fn):
    """A function of the user's, as transforms and gradcheck get it: it
    expects tensors and says so (a clean TypeError) when a transform hands it
    something else, e.g. the list of a pytree; its own AttributeError is not
    dualrev's."""
    def user_function(*args):
        for a in args:
            if not isinstance(a, (dr.Tensor, dr.Dual)):
                raise TypeError(f"the test function expects tensors, got {type(a).__name__}")
        return fn(*args)
    return user_function


FUNCTIONS = [
    lambda x: x.sum(), lambda x: x, lambda x: x * 2, lambda x: dr.sin(x).sum(),
    lambda x: None, lambda x: "s", lambda x: (x.sum(), x), lambda x, y: (x * y).sum(),
    lambda *a: a[0].sum() if a else 0.0, lambda x: [x, x], lambda x: {"a": x},
    lambda x: x.tolist(), lambda x: 1.0, lambda x: x.exp(),
]
FUNCTIONS = [_user(f) for f in FUNCTIONS]

values = st.sampled_from(VALUE_FACTORIES).map(lambda make: make())
functions_or_values = st.one_of(st.sampled_from(FUNCTIONS), values)

# --------------------------------------------------------- the targets ---

OPERATOR_DUNDERS = {
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__",
    "__rpow__", "__matmul__", "__rmatmul__", "__neg__", "__pos__", "__abs__", "__invert__",
    "__and__", "__rand__", "__or__", "__ror__", "__xor__", "__rxor__", "__lshift__",
    "__rlshift__", "__rshift__", "__rrshift__", "__eq__", "__ne__", "__lt__", "__le__",
    "__gt__", "__ge__", "__getitem__", "__setitem__", "__len__", "__iter__", "__bool__",
    "__float__", "__int__", "__index__", "__repr__", "__str__", "__format__", "__array__",
    "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__", "__contains__",
    "__round__", "__complex__", "__hash__", "__deepcopy__", "__copy__", "__reversed__",
}


def _public(namespace, names):
    for name in names:
        if name.startswith("_"):
            continue
        obj = getattr(namespace, name, None)
        if callable(obj) and not inspect.ismodule(obj):
            yield name, obj


def _targets():
    """(id, kind, name, object) for every fuzzed target."""
    out = []
    for name, obj in _public(dr, dir(dr)):
        out.append((f"dr.{name}", "function", name, obj))
    for name, obj in _public(dr.func, dr.func.__all__):
        out.append((f"dr.func.{name}", "transform", name, obj))
    for name, obj in _public(dr.linalg, dr.linalg.__all__):
        out.append((f"dr.linalg.{name}", "function", name, obj))
    for name, obj in _public(dr.autograd, dr.autograd.__all__):
        kind = "autograd" if name in ("grad", "backward") else "function"
        out.append((f"dr.autograd.{name}", kind, name, obj))
    for cls, kind in ((dr.Tensor, "method"), (dr.Dual, "dual_method")):
        for name in dir(cls):
            if name.startswith("_") and name not in OPERATOR_DUNDERS:
                continue
            out.append((f"dr.{cls.__name__}.{name}", kind, name, None))
    return [t for t in out if t[0] not in SKIP]


TARGETS = _targets()

# ----------------------------------------------------------- the checks ---


class _Hang(BaseException):
    """Raised by the alarm in a call that runs past HARD_LIMIT."""


_ARMED = [False]


def _on_alarm(signum, frame):
    if _ARMED[0]:
        raise _Hang()


def _restore(saved):
    dtype, grad_mode, options = saved
    _dtypes.set_default_dtype(dtype)
    dr.set_grad_enabled(grad_mode)
    _format._OPTIONS.__dict__.update(options)


def _save():
    return dr.get_default_dtype(), dr.is_grad_enabled(), dict(vars(_format._OPTIONS))


def verdict(exc, seconds):
    """None for a clean outcome, else the non-clean class's name."""
    if seconds > TIME_LIMIT:
        return "Timeout"
    if exc is None:
        return None
    cls = type(exc)
    if not isinstance(exc, CLEAN) or not (cls.__module__ == "builtins"
                                         or cls.__module__.startswith("dualrev")):
        return f"{cls.__module__}.{cls.__qualname__}" if cls.__module__ != "builtins" \
            else cls.__qualname__
    message = str(exc)
    for phrase in NUMPY_PHRASES:
        if phrase in message:
            return f"NumPy message ({phrase!r})"
    return None


def _limit_memory():
    """Cap the address space a call may add (huge sizes must be refused, not
    allocated); returns the limits to restore, or None where not supported."""
    try:
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limits = resource.getrlimit(resource.RLIMIT_AS)
        cap = used + MEMORY_LIMIT
        if limits[1] != resource.RLIM_INFINITY:
            cap = min(cap, limits[1])
        resource.setrlimit(resource.RLIMIT_AS, (cap, limits[1]))
        return limits
    except (OSError, ValueError):
        return None


def timed(call):
    """Run ``call()``: (exception or None, seconds; inf for a hung call)."""
    saved = _save()
    limits = _limit_memory()
    handler = signal.signal(signal.SIGALRM, _on_alarm)
    # repeating: an alarm that lands in a gc callback is ignored by Python
    signal.setitimer(signal.ITIMER_REAL, HARD_LIMIT, 0.25)
    start = time.perf_counter()
    exc = None
    _ARMED[0] = True
    try:
        call()
        _ARMED[0] = False
        seconds = time.perf_counter() - start
    except _Hang:
        _ARMED[0] = False
        seconds = math.inf
    except Exception as e:  # noqa: BLE001 - classified by verdict
        _ARMED[0] = False
        exc, seconds = e, time.perf_counter() - start
    finally:
        _ARMED[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, handler)
        if limits is not None:
            resource.setrlimit(resource.RLIMIT_AS, limits)
        _restore(saved)
    return exc, seconds


def _describe(value):
    if isinstance(value, (dr.Tensor, dr.Dual)):
        try:
            return f"<{type(value).__name__} {tuple(value.shape)} {value.dtype}" + (
                " requires_grad" if getattr(value, "requires_grad", False) else "") + ">"
        except Exception:  # noqa: BLE001
            return f"<{type(value).__name__}>"
    for i, f in enumerate(FUNCTIONS):
        if value is f:
            return f"FUNCTIONS[{i}]"
    if callable(value) and getattr(value, "__name__", "") == "<lambda>":
        return "<function>"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _keywords(obj):
    try:
        params = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and p.name not in ("self", "device")]


@st.composite
def calls(draw, target):
    """A call of ``target`` with drawn arguments: (thunk, description)."""
    ident, kind, name, obj = target
    args = draw(st.lists(values, max_size=4))
    kwargs = {}
    if kind in ("method", "dual_method"):
        receiver = draw(st.sampled_from(RECEIVERS if kind == "method" else DUAL_RECEIVERS))()
        bound = getattr(type(receiver), name, None)
        keywords = _keywords(bound) if callable(bound) else []
        if keywords and draw(st.booleans()):
            kwargs = {draw(st.sampled_from(keywords)): draw(values)}
        text = f"{_describe(receiver)}.{name}"

        def thunk():
            attr = getattr(receiver, name)
            if not callable(attr):
                return attr
            return attr(*args, **kwargs)
        return thunk, f"{text}({_render(args, kwargs)})"
    if kind == "transform":
        f = draw(functions_or_values)
        keywords = [k for k in _keywords(obj) if k not in ("f", "func")]
        if keywords and draw(st.booleans()):
            kwargs = {draw(st.sampled_from(keywords)): draw(values)}
        tail = draw(st.lists(values, max_size=3))
        inner = draw(st.lists(values, min_size=1, max_size=3))

        def thunk():
            out = obj(f, *tail, **kwargs)
            if callable(out):
                return out(*inner)
            return out
        return thunk, f"{ident}({_describe(f)}, {_render(tail, kwargs)})({_render(inner, {})})"
    if kind == "autograd" and draw(st.booleans()):
        x = _leaf()
        y = draw(st.sampled_from([lambda x: (x * x).sum(), lambda x: x * 2, lambda x: x.exp()]))(x)
        picks = [x, y, [x], [y], (y,)]
        args = [draw(st.one_of(st.sampled_from(picks), values)) for _ in args] or [y]
    keywords = _keywords(obj)
    if keywords and draw(st.booleans()):
        kwargs = {draw(st.sampled_from(keywords)): draw(values)}
    return (lambda: obj(*args, **kwargs)), f"{ident}({_render(args, kwargs)})"


def _render(args, kwargs):
    parts = [_describe(a) for a in args] + [f"{k}={_describe(v)}" for k, v in kwargs.items()]
    return ", ".join(parts)


# -------------------------------------------------------------- pytest ---

FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck),
                         phases=[Phase.explicit, Phase.generate, Phase.shrink])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's, on nan and edge inputs
@pytest.mark.parametrize("target", TARGETS, ids=[t[0] for t in TARGETS])
def test_fuzz(target):
    @FUZZ_SETTINGS
    @given(st.data())
    def run(data):
        thunk, text = data.draw(calls(target), label="call")
        exc, seconds = timed(thunk)
        bad = verdict(exc, seconds)
        if bad is not None:
            raise AssertionError(f"{bad} from {text}: {type(exc).__name__}: {exc} "
                                 f"({seconds:.2f} s)") from exc
    run()


# Operator cases that random draws reach only now and then, checked on every
# run: type promotion and overflow in the binary operators, the bitwise
# operators, shapes that do not broadcast, in-place operators.
OPERATOR_CASES = {
    "int tensor * 2**63": lambda: dr.tensor(3) * 2 ** 63,
    "2**63 * int tensor": lambda: 2 ** 63 * dr.tensor(3),
    "int tensor + 2**64": lambda: dr.tensor([1, 2]) + 2 ** 64,
    "&": lambda: dr.tensor([1, 2]) & dr.tensor([3, 0]),
    "|": lambda: dr.tensor([1, 2]) | 1,
    "^": lambda: dr.tensor([1, 2]) ^ dr.tensor([3, 0]),
    "~": lambda: ~dr.tensor([1, 2]),
    "<<": lambda: dr.tensor([1, 2]) << 1,
    ">>": lambda: dr.tensor([1, 2]) >> 1,
    "& float": lambda: dr.tensor([1.0]) & dr.tensor([1.0]),
    "shapes (3,) + (2,)": lambda: dr.zeros(3) + dr.zeros(2),
    "Dual * list of another length": lambda: dr.Dual(dr.zeros(2), dr.zeros(2)) * [1.0, 2.0, 3.0],
    "mul_ of a string array": lambda: dr.zeros(2).mul_(np.array(["a", "b"])),
    "in-place shapes": lambda: dr.zeros(3).__imul__(dr.zeros(2)),
}


@pytest.mark.parametrize("case", list(OPERATOR_CASES), ids=list(OPERATOR_CASES))
def test_operator_cases(case):
    exc, seconds = timed(OPERATOR_CASES[case])
    bad = verdict(exc, seconds)
    assert bad is None, f"{bad}: {type(exc).__name__}: {exc}"


def test_targets_found_by_introspection():
    names = {t[0] for t in TARGETS}
    for expected in ("dr.sum", "dr.Tensor.reshape_as", "dr.Tensor.__mul__", "dr.Dual.sin",
                     "dr.func.jacfwd", "dr.linalg.solve", "dr.autograd.grad"):
        assert expected in names


def test_verdict_rejects_numpy_exceptions_and_words():
    assert verdict(np.exceptions.AxisError(3, 1), 0.0).startswith("numpy")
    assert verdict(ValueError("operands could not be broadcast together"), 0.0)
    assert verdict(AttributeError("x"), 0.0) == "AttributeError"
    assert verdict(TypeError("sum(): argument 'input' must be Tensor"), 0.0) is None
    assert verdict(None, 2.0) == "Timeout"


# --------------------------------------------------------- the summary ---

def summary(examples=EXAMPLES, out=sys.stdout):
    """Run every target ``examples`` times in this process; print and return
    the figures: calls, clean (successes and clean exceptions), non-clean by
    class, and the targets with one reproducing call each."""
    counts = collections.Counter()
    by_class = collections.Counter()
    failing = {}

    for target in TARGETS:
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        @given(st.data())
        def run(data):
            thunk, text = data.draw(calls(target))
            exc, seconds = timed(thunk)
            counts["calls"] += 1
            bad = verdict(exc, seconds)
            if bad is None:
                counts["clean"] += 1
                counts["raised" if exc is not None else "returned"] += 1
            else:
                by_class[bad.split(" (")[0]] += 1
                failing.setdefault(target[0], f"{bad}: {text} -> {type(exc).__name__}: "
                                              f"{str(exc)[:120]}")
        run()
    print(f"calls made: {counts['calls']}, clean: {counts['clean']} "
          f"({counts['returned']} returned, {counts['raised']} clean exceptions), "
          f"non-clean: {sum(by_class.values())}", file=out)
    for cls, n in by_class.most_common():
        print(f"  {cls}: {n}", file=out)
    print(f"failing targets: {len(failing)}", file=out)
    for ident, text in sorted(failing.items()):
        print(f"  {ident}: {text}", file=out)
    return counts, by_class, failing


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    summary(int(sys.argv[1]) if len(sys.argv) > 1 else EXAMPLES)
