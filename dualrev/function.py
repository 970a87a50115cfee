"""PyTorch's ``torch.autograd.Function``: an operation with a backward of
its own, written as a class with static ``forward(ctx, *args)`` and
``backward(ctx, *grad_outputs)``.

``apply`` runs ``forward`` once and records one node per output, a
primitive of its own whose VJP calls ``backward``. (``forward`` and
``backward`` run with grad mode as it is, not off as in PyTorch: what they
record at the Function's own level is dropped, but the levels below, those
of enclosing ``dr.func`` transforms, must see their operations.) With several
outputs each node calls ``backward`` with its own gradient and zeros for the
others; ``backward`` is linear in its gradients, so the contributions add up
to one call with all of them. Under ``create_graph`` the gradients and the
saved tensors are tensors of the tape, so a ``backward`` written in dualrev
operations is differentiated in turn. Forward mode needs nothing more:
``forward`` itself, run on Duals, carries the tangents.
"""

import numpy as np

from ._prims import Box, defprim, raw_value
from .reverse import ReverseBox
from .tensor import Tensor


class FunctionCtx:
    """What ``forward`` hands to ``backward`` (PyTorch's ``ctx``)."""

    def __init__(self, args):
        self.needs_input_grad = tuple(isinstance(a, ReverseBox) and a.requires_grad for a in args)
        self._saved = ()
        self._versions = ()
        self._materialize = True
        self._non_differentiable = set()
        self._answer = None  # (gradient, output index, input cotangents) of the last call

    def save_for_backward(self, *tensors):
        """Keep tensors for ``backward``; a later in-place change of one
        raises at backward, as in PyTorch."""
        self._saved = tensors
        self._versions = tuple(t._version if isinstance(t, Tensor) else None for t in tensors)

    @property
    def saved_tensors(self):
        for t, version in zip(self._saved, self._versions):
            if isinstance(t, Tensor) and t._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: a tensor saved by save_for_backward is at "
                    f"version {t._version}; expected version {version} instead.")
        return self._saved

    def mark_non_differentiable(self, *outputs):
        """Outputs that get no gradient (indices, masks)."""
        self._non_differentiable.update(id(o) for o in outputs)

    def set_materialize_grads(self, value):
        """Whether gradients of outputs that got none are zeros (the
        default) or None in ``backward``."""
        self._materialize = bool(value)


class Function:
    """Subclass with static ``forward(ctx, *args)`` and
    ``backward(ctx, *grad_outputs)``; call ``YourFunction.apply(*args)``.

    >>> import dualrev as dr
    >>> class Cube(dr.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * x ** 2 * g
    >>> x = dr.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad
    tensor(12.)
    """

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("a Function subclass defines forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass defines backward(ctx, *grad_outputs)")

    @classmethod
    def apply(cls, *args):
        ctx = FunctionCtx(args)
        out = cls.forward(ctx, *args)
        single = not isinstance(out, tuple)
        outputs = (out,) if single else out
        top = max((a for a in args if isinstance(a, Box)), key=lambda a: a._level, default=None)
        if not (isinstance(top, ReverseBox) and any(ctx.needs_input_grad)):
            return out  # nothing to record (a Dual's tangent came from forward itself)
        ctx._level = top._level
        ctx._outputs = [_inner(o, ctx._level) for o in outputs]  # values one level down
        ctx._cls = cls
        recorded = tuple(
            o if id(o) in ctx._non_differentiable or not _differentiable(o)
            else _node_of(cls)(*args, ctx=ctx, k=k)
            for k, o in enumerate(outputs))
        return recorded[0] if single else recorded


def _inner(value, level):
    """A tensor of ``level`` opened: its value one level down."""
    return value._value if isinstance(value, ReverseBox) and value._level == level else value


def _differentiable(value):
    return np.result_type(raw_value(value)).kind == "f"


_NODES = {}


def _node_of(cls):
    """The primitive that records ``cls``'s outputs (one per class)."""
    if cls not in _NODES:
        _NODES[cls] = defprim(
            cls.__name__, lambda *xs, ctx, k: ctx._outputs[k], "*xs", table=False,
            backward_name=f"{cls.__name__}Backward",
            vjp=lambda g, i, *, ctx, k: _cotangents(ctx, g, k)[i])
    return _NODES[cls]


def _cotangents(ctx, g, k):
    """``backward`` for output k's gradient ``g`` (zeros for the others),
    once per node: its inputs' rules share the answer."""
    if ctx._answer is not None and ctx._answer[0] is g and ctx._answer[1] == k:
        return ctx._answer[2]
    level = ctx._level
    recording = isinstance(g, ReverseBox) and g._level == level  # create_graph: tensors of the tape
    grads = [g if j == k else (np.zeros_like(raw_value(o)) if ctx._materialize else None)
             for j, o in enumerate(ctx._outputs)]
    grads = [v if v is None or isinstance(v, ReverseBox) and v._level == level
             else Tensor._make(v, level) for v in grads]  # backward gets tensors, as in PyTorch
    result = ctx._cls.backward(ctx, *grads)
    result = result if isinstance(result, tuple) else (result,)
    if len(result) != len(ctx.needs_input_grad):
        raise RuntimeError(f"function {ctx._cls.__name__}Backward returned an incorrect number "
                           f"of gradients (expected {len(ctx.needs_input_grad)}, got "
                           f"{len(result)})")
    cotangents = [None if r is None or not needed else (r if recording else _inner(r, level))
                  for r, needed in zip(result, ctx.needs_input_grad)]
    ctx._answer = (g, k, cotangents)
    return cotangents
