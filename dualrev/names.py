"""The name table: every public operation of the PyTorch-style surface,
declared once, and the surface generated from it.

An entry gives the function that computes the operation (with PyTorch's
signature: its first parameter is the tensor), its other names, and where
it is exposed: as ``dr.X``, as a method of Tensor and Dual (the function's
signature with ``self`` for the tensor), as Tensor's in-place ``X_``, and
for NumPy's ufuncs of the same meaning. Elementwise primitives that say so
in their record (``defprim(..., public="asin arcsin")``) are entries
without a line here. PyTorch's node name is the primitive's
(``backward_name``) or the one a composite function gives its result.

``install()`` builds it all: the ``dr.X`` functions (``FUNCTIONS``), the
methods and operators of Tensor and Dual, and NumPy's ufunc map. It runs
once at import, and again after a primitive is added to the table.
"""

import inspect

import numpy as np

from . import array_functions as A
from . import functions as F
from . import linalg as L
from . import methods as M
from . import shape_functions as S
from ._args import operand, operands
from ._numpy_api import UFUNCS
from .docstrings import DOCS
from ._tensor import Tensor, boxed
from .core.primitive import Box, primitives
from .dual import Dual
from .jet import Jet
from .tracer import Tracer
from .batched import Batched


class Name:
    """One public operation: ``fn`` under ``names`` (``fn.__name__`` first).

    function: it is ``dr.X`` for each name.
    method: it is a method of Tensor and Dual for each name.
    inplace: Tensor has ``X_`` for each name: the result written into the
      tensor, recorded as PyTorch records an in-place operation.
    ufuncs: NumPy ufuncs that are this operation on the same operands.
    kind: ``"method"`` or ``"property"`` (``t.T``) for a method.
    """

    __slots__ = ("fn", "names", "function", "method", "inplace", "ufuncs", "kind")

    def __init__(self, fn, *aliases, name=None, function=True, method=True, inplace=False,
                 ufuncs=(), kind="method"):
        self.fn, self.names = fn, (name or fn.__name__,) + aliases
        self.function, self.method, self.inplace = function, method, inplace
        self.ufuncs, self.kind = ufuncs, kind


def with_input(fn, name):
    """``fn`` as PyTorch's top-level function ``name``, whose tensor is
    ``input`` (``torch.det(input)``, where ``torch.linalg.det(A)``)."""
    def top_level(input, *args, **kwargs):
        return fn(input, *args, **kwargs)
    top_level.__name__ = top_level.__qualname__ = name
    top_level.__module__ = "dualrev"  # made here, found there (by the docs too)
    top_level.__doc__ = fn.__doc__
    top_level.__signature__ = _renamed_first(fn, "input")
    return top_level


def _renamed_first(fn, name):
    """``fn``'s signature with its first parameter named ``name``."""
    signature = inspect.signature(fn)
    first, *rest = signature.parameters.values()
    return signature.replace(parameters=[first.replace(name=name, default=first.empty)] + rest)


def method_only(fn, *aliases, name=None, kind="method"):
    return Name(fn, *aliases, name=name, function=False, kind=kind)


NAMES = [
    # arithmetic and elementwise functions with arguments of their own
    Name(F.add, inplace=True, ufuncs=(np.add,)),
    Name(F.sub, "subtract", inplace=True, ufuncs=(np.subtract,)),
    Name(F.mul, "multiply", inplace=True, ufuncs=(np.multiply,)),
    Name(F.div, "divide", "true_divide", inplace=True, ufuncs=(np.true_divide,)),
    Name(F.pow, inplace=True, ufuncs=(np.power,)),
    Name(F.atan2, "arctan2", inplace=True, ufuncs=(np.arctan2,)),
    Name(F.sign, inplace=True, ufuncs=(np.sign,)),
    Name(F.log2, inplace=True, ufuncs=(np.log2,)),
    Name(F.log10, inplace=True, ufuncs=(np.log10,)),
    Name(F.reciprocal, inplace=True, ufuncs=(np.reciprocal,)),
    Name(F.deg2rad, inplace=True, ufuncs=(np.deg2rad, np.radians)),
    Name(F.rad2deg, inplace=True, ufuncs=(np.rad2deg, np.degrees)),
    Name(F.square, inplace=True), Name(F.rsqrt, inplace=True), Name(F.sgn, inplace=True),
    Name(F.round, inplace=True), Name(F.frac, inplace=True),
    Name(F.clamp, "clip", inplace=True), Name(F.clamp_min, inplace=True),
    Name(F.clamp_max, inplace=True), Name(F.lerp, inplace=True), Name(F.addcmul, inplace=True),
    Name(F.addcdiv, inplace=True), Name(F.logit, inplace=True), Name(F.sinc, inplace=True),
    Name(F.softplus), Name(F.where, method=False), Name(F.dist), Name(F.clone),
    Name(F.equal), Name(F.allclose), Name(F.isclose),
    # reductions
    Name(F.sum), Name(F.mean), Name(F.prod), Name(F.amax), Name(F.amin), Name(F.max),
    Name(F.min), Name(F.argmax), Name(F.argmin), Name(F.var), Name(F.std), Name(F.norm),
    Name(F.logsumexp), Name(F.softmax), Name(F.log_softmax), Name(F.all), Name(F.any),
    # products
    Name(F.matmul), Name(F.mm), Name(F.mv), Name(F.bmm), Name(F.addmm), Name(F.dot),
    Name(A.outer, "ger"), Name(A.inner), Name(A.vdot), Name(A.tensordot, method=False),
    Name(A.einsum, method=False),
    # shapes
    Name(S.reshape, "view"), Name(S.flatten), Name(S.transpose, "swapaxes", "swapdims"),
    Name(S.t), Name(S.permute), Name(S.squeeze), Name(S.unsqueeze),
    Name(S.broadcast_to, "expand"), Name(S.cat, "concat", "concatenate", method=False),
    Name(S.stack, method=False), Name(A.hstack, method=False), Name(A.vstack, method=False),
    Name(A.moveaxis, "movedim"), Name(S.detach, method=False), Name(S.numel),
    # arrays
    Name(A.cumsum), Name(A.cumprod), Name(A.sort), Name(A.argsort), Name(A.flip),
    Name(A.roll), Name(A.diff), Name(A.diagonal), Name(A.trace), Name(A.diag), Name(A.tril),
    Name(A.triu), Name(A.take), Name(A.take_along_dim), Name(A.gather), Name(A.narrow),
    Name(A.split), Name(A.chunk), Name(A.unbind), Name(A.index_select), Name(A.repeat),
    Name(A.tile), Name(A.masked_fill, inplace=True), Name(A.topk), Name(A.pad, method=False),
    # matrices
    Name(with_input(L.det, "det")), Name(with_input(L.inv, "inverse")),
    method_only(L.cholesky),
    # methods without a function of the same meaning
    method_only(M.where), method_only(M.expand_as), method_only(M.view_as, "reshape_as"),
    method_only(M.type_as), method_only(M.to), method_only(S.to_dtype), method_only(M.cpu),
    method_only(M.contiguous),
    method_only(M.to_float32, name="float"), method_only(M.to_float64, name="double"),
    method_only(M.to_int64, name="long"), method_only(M.to_int32, name="int"),
    method_only(M.to_bool, name="bool"), method_only(M.is_floating_point), method_only(M.size),
    method_only(M.dim), method_only(M.dim, name="ndim", kind="property"),
    method_only(M.T, kind="property"),
    method_only(M.mT, kind="property"),
]


def elementwise_function(prim, name):
    """``dr.X`` of an elementwise primitive that its record makes public:
    PyTorch's ``(input)`` or ``(input, other)``."""
    if len(prim.arg_names) == 1:
        def fn(input):
            if isinstance(input, Box):
                return input._apply1(prim)
            return boxed(prim.impl(operand(input, name)))
    else:
        def fn(input, other):
            input, other = operands(name, (input, "input"), (other, "other"), broadcast=True)
            return boxed(prim(input, other))
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "dualrev"  # made here, found there (by the docs too)
    fn.primitive = prim
    differentiable = "differentiable to any order" if prim.differentiable else "not differentiable"
    fn.__doc__ = DOCS.get(name) or prim.doc or f"Elementwise ``{name}`` ({differentiable})."
    return fn


NOT_IN_PLACE = {"maximum", "minimum", "logaddexp"}  # PyTorch has no maximum_, minimum_, logaddexp_


def elementwise_entries():
    """Entries for the primitives whose records make them public, with the
    NumPy ufunc of the primitive's name or of one of its public names."""
    entries = []
    for prim in primitives().values():
        if not prim.public:
            continue
        if prim.variadic or len(prim.arg_names) not in (1, 2):
            raise TypeError(f"primitive {prim.name!r} is made public, but only elementwise "
                            "primitives of one or two arguments can be: declare it in names.py")
        fn = elementwise_function(prim, prim.public[0])
        ufuncs = tuple(dict.fromkeys(u for u in (getattr(np, n, None) for n in (
            prim.name,) + prim.public) if isinstance(u, np.ufunc)))
        entries.append(Name(fn, *prim.public[1:], ufuncs=ufuncs,
                            inplace=prim.public[0] not in NOT_IN_PLACE))
    return entries


# -- generation -------------------------------------------------------------------

FUNCTIONS = {}  # dr.X, by name
_INSTALLED = set()  # (class, name) of the methods install() made
_SERVED = set()     # NumPy ufuncs install() mapped


def install(namespace):
    """Build the surface from the table: ``FUNCTIONS`` (written into
    ``namespace``, the ``dualrev`` package's, and its ``__all__``), the
    methods of Tensor and Dual, Tensor's in-place variants and NumPy's
    ufunc map. What an earlier call made is taken away first, so calling it
    again after a primitive is added (or removed) leaves no stale name.
    Everything is built and checked before anything is changed."""
    functions, methods, ufuncs = {}, {}, {}
    entries = NAMES + elementwise_entries()
    function_names = {name for entry in entries if entry.function for name in entry.names}
    for entry in entries:
        # A method-only entry takes the text of its name unless that is a
        # dr.X function's (Tensor.where has its own, not dr.where's).
        if entry.names[0] in DOCS and (entry.function or entry.names[0] not in function_names):
            entry.fn.__doc__ = DOCS[entry.names[0]]
        for name in entry.names:
            if entry.function:
                functions[name] = entry.fn
            if entry.method:
                method = as_method(entry.fn, name, entry.kind)
                for cls in (Tensor, Dual, Jet, Tracer, Batched):
                    _add(methods, cls, name, method)
            if entry.inplace:
                _add(methods, Tensor, name + "_", in_place(entry.fn, name))
        for ufunc in entry.ufuncs:
            if ufunc not in UFUNCS or ufunc in _SERVED:
                ufuncs[ufunc] = entry.fn
    for name, method in M.operators(functions).items():
        for cls in (Tensor, Dual, Jet, Tracer, Batched):
            _add(methods, cls, name, method)
    for name in functions:
        if name in namespace and name not in FUNCTIONS:
            raise TypeError(f"dr.{name} is defined by the package and by the name table")
    if "__all__" not in namespace or not all(name in namespace for name in FUNCTIONS):
        raise TypeError("install() takes the namespace it wrote before: the dualrev package's")
    for cls, name in _INSTALLED:
        delattr(cls, name)
    for ufunc in _SERVED:
        del UFUNCS[ufunc]
    exported = set(namespace["__all__"]) - set(FUNCTIONS)
    for name in FUNCTIONS:
        del namespace[name]
    for (cls, name), method in methods.items():
        setattr(cls, name, method)
    UFUNCS.update(ufuncs)
    FUNCTIONS.clear()
    FUNCTIONS.update(functions)
    _INSTALLED.clear()
    _INSTALLED.update(methods)
    _SERVED.clear()
    _SERVED.update(ufuncs)
    namespace.update(functions)
    namespace["__all__"] = sorted(exported | set(functions))


def _add(methods, cls, name, method):
    """A method of the table for ``cls``, never one the class body defines
    (the tape's own ``detach``, ``backward``...) nor one named twice."""
    if (name in vars(cls) and (cls, name) not in _INSTALLED) or (cls, name) in methods:
        raise TypeError(f"{cls.__name__}.{name} is defined by the class and by the name table, "
                        "or twice in the table")
    methods[cls, name] = method


def as_method(fn, name, kind="method"):
    """``fn`` as a method: the tensor is ``self``; the signature is ``fn``'s."""
    if kind == "property":
        return property(fn, doc=fn.__doc__)
    prim = getattr(fn, "primitive", None)
    if prim is not None and len(prim.arg_names) == 1:  # sin, exp...: the short path
        def method(self):
            return self._apply1(prim)
    elif next(iter(inspect.signature(fn).parameters)) == "self":  # written as a method (methods.py)
        return fn
    else:
        def method(self, *args, **kwargs):
            return fn(self, *args, **kwargs)
        method.__signature__ = _renamed_first(fn, "self")
    method.__name__ = method.__qualname__ = name
    method.__doc__ = fn.__doc__
    return method


def in_place(fn, name):
    """``X_``: ``fn``'s result written into the tensor (see Tensor._inplace)."""
    def method(self, *args, **kwargs):
        return self._inplace(lambda current: fn(current, *args, **kwargs))
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = (f"In place: ``self.{name}(...)`` written into this tensor (see "
                      f"``dualrev.{name}``).\n\nReturns:\n    This tensor.")
    method.__signature__ = _renamed_first(fn, "self")
    return method
