"""PyTorch's ``torch.autograd.Function``: an operation with a backward of
its own, written as a class with static ``forward(ctx, *args)`` and
``backward(ctx, *grad_outputs)``.

``apply`` runs ``forward`` once and records one node per output, a
primitive of its own whose VJP calls ``backward``. On ambient tensors
``forward`` runs with grad off, as in PyTorch; inside a ``dr.func``
transform it runs with grad mode as it is, since the levels below, those of
enclosing transforms, must see its operations (what it records at the
Function's own level is dropped). With several
outputs each node calls ``backward`` with its own gradient and zeros for the
others; ``backward`` is linear in its gradients, so the contributions add up
to one call with all of them. Under ``create_graph`` the gradients and the
saved tensors are tensors of the tape, so a ``backward`` written in dualrev
operations is differentiated in turn. Forward mode needs nothing more:
``forward`` itself, run on Duals, carries the tangents; a Function with a
``jvp`` staticmethod has ``forward`` run on the primals instead and its
tangents from ``jvp`` (what ``ctx.save_for_forward`` kept is its
``saved_tensors``), as PyTorch's forward AD does.
"""

import contextlib
import inspect
import weakref

import numpy as np

from .core.values import dtype_of, shape_of
from .core.levels import AMBIENT
from .core.grad_mode import no_grad
from .core.primitive import TABLE, Box, defprim, raw_value, share_memory
from .core.cotangents import unbroadcast
from .core.reverse import ReverseBox, computed_already, record_computed
from .core.forward import ForwardBox, fit_tangent
from .core.batching import RUNNING, BatchBox
from ._tensor import Tensor, _copy


class FunctionCtx:
    """What ``forward`` hands to ``backward`` (PyTorch's ``ctx``).

    ``Function.apply`` makes one per call and passes it as the first
    argument of ``forward``, ``backward`` and ``jvp``: ``forward`` keeps
    what the rules need on it (``save_for_backward``, ``save_for_forward``,
    or any attribute), and the rules read it back (``saved_tensors``).
    ``needs_input_grad`` tells, per input, whether it needs a gradient.
    ``mark_non_differentiable`` and ``set_materialize_grads`` are
    PyTorch's too.

    Args:
        args: the arguments ``apply`` was called with (made by ``apply``;
            user code does not construct a context).

    Example:
        >>> import dualrev as dr
        >>> class Cube(dr.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         (x,) = ctx.saved_tensors
        ...         print("needs_input_grad:", ctx.needs_input_grad)
        ...         return g * 3 * x ** 2
        >>> x = dr.tensor(2.0, requires_grad=True)
        >>> Cube.apply(x).backward()
        needs_input_grad: (True,)
        >>> x.grad
        tensor(12.)
    """

    def __init__(self, args):
        self.needs_input_grad = tuple(isinstance(a, ReverseBox) and a.requires_grad for a in args)
        self._saved = ()
        self._versions = ()
        self._materialize = True
        self._non_differentiable = set()
        self._answer = None  # (gradient, output index, input cotangents) of the last call
        self._running = None  # (output index, its tensor) while backward runs
        self._saved_forward = ()
        self._in_jvp = False  # while jvp runs, saved_tensors are save_for_forward's

    def save_for_backward(self, *tensors):
        """Keep tensors for ``backward``; a later in-place change of one
        raises at backward, as in PyTorch."""
        self._saved = tensors
        self._versions = tuple(t._version if isinstance(t, Tensor) else None for t in tensors)

    def save_for_forward(self, *tensors):
        """Keep tensors for ``jvp``: there, ``ctx.saved_tensors`` gives them.

        Args:
            *tensors: inputs, outputs or intermediates of ``forward``.

        Example:
            >>> import dualrev as dr
            >>> class Exp(dr.autograd.Function):
            ...     @staticmethod
            ...     def forward(ctx, x):
            ...         y = x.exp()
            ...         ctx.save_for_forward(y)
            ...         return y
            ...     @staticmethod
            ...     def jvp(ctx, t):
            ...         (y,) = ctx.saved_tensors
            ...         return t * y
            >>> dr.func.jvp(Exp.apply, (dr.tensor(0.0),), (dr.tensor(2.0),))
            (tensor(1.), tensor(2.))
        """
        self._saved_forward = tensors

    @property
    def saved_tensors(self):
        if self._in_jvp:
            return tuple(self._saved_forward)
        for t, version in zip(self._saved, self._versions):
            if isinstance(t, (Tensor, _SavedOutput)) and t._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: a tensor saved by save_for_backward is at "
                    f"version {t._version}; expected version {version} instead.")
        return tuple(self._output(t) if type(t) is _SavedOutput else t for t in self._saved)

    def _output(self, saved):
        """A saved output: the one the backward pass hands this node (with
        its history when the pass is recorded), else the recorded tensor if
        it is alive, else its value."""
        if self._running is not None and self._running[0] == saved.k:
            return self._running[1]
        tensor = saved.ref()
        return tensor if tensor is not None else Tensor._make(self._outputs[saved.k], self._level)

    def mark_non_differentiable(self, *outputs):
        """Outputs that get no gradient (indices, masks)."""
        self._non_differentiable.update(id(o) for o in outputs)

    def set_materialize_grads(self, value):
        """Whether gradients of outputs that got none are zeros (the
        default) or None in ``backward``."""
        self._materialize = bool(value)


class _SavedOutput:
    """An output saved for backward, kept without its tensor: the tensor
    holds the node, which holds ctx, which would hold the tensor (a cycle
    that only the garbage collector could free)."""

    __slots__ = ("k", "ref", "counter")

    def __init__(self, k, tensor):
        self.k, self.ref, self.counter = k, weakref.ref(tensor), tensor._counter()

    @property
    def _version(self):
        return self.counter[0]


class VmapInfo:
    """What a Function's vmap rule is told of the vmap it runs in."""

    def __init__(self, batch_size, randomness):
        self.batch_size, self.randomness = batch_size, randomness


def _by_vmap_rule(cls, args, top):
    """A Function under vmap, by its own vmap staticmethod: called on the
    examples' stacked values (batch axis first, or None for a shared
    argument), its outputs' batch axes moved to the front."""
    level = top._level
    in_dims = tuple(0 if isinstance(a, BatchBox) and a._level == level else None for a in args)
    stacked = [a.primal if d == 0 else a for a, d in zip(args, in_dims)]
    size = shape_of(top.primal)[0]
    randomness = next((r for lv, _, r in RUNNING if lv == level), "error")
    out, out_dims = cls.vmap(VmapInfo(size, randomness), in_dims, *stacked)
    single = not isinstance(out, tuple)
    outs, dims = ((out,), (out_dims,)) if single else (out, out_dims)
    results = []
    for o, d in zip(outs, dims):
        value = o._value if isinstance(o, Tensor) and o._level == AMBIENT and \
            not o.requires_grad else o
        if d is None:
            value = TABLE.broadcast_to(value, shape=(size,) + tuple(shape_of(value)))
        elif d != 0:
            value = TABLE.permute(value, axes=_to_front(d, len(shape_of(value))))
        results.append(type(top)._make(value, level))
    return results[0] if single else tuple(results)


def _to_front(axis, ndim):
    axis %= ndim
    return (axis,) + tuple(k for k in range(ndim) if k != axis)


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

    @staticmethod
    def jvp(ctx, *grad_inputs):
        """The forward-mode rule: the outputs' tangents from the inputs'
        (zeros for inputs without one). Optional: without it, ``forward``
        runs on the dual values themselves and carries their tangents.

        Args:
            ctx: the ctx ``forward`` had (``ctx.saved_tensors`` gives what
                it kept by ``ctx.save_for_forward``).
            *grad_inputs: one tangent per input of ``forward``.

        Returns:
            The output's tangent (a tuple of them for several outputs).

        Example:
            >>> import dualrev as dr
            >>> class Square(dr.autograd.Function):
            ...     @staticmethod
            ...     def forward(ctx, x):
            ...         ctx.save_for_forward(x)
            ...         return x * x
            ...     @staticmethod
            ...     def jvp(ctx, t):
            ...         (x,) = ctx.saved_tensors
            ...         return 2 * x * t
            >>> dr.func.jvp(Square.apply, (dr.tensor(3.0),), (dr.tensor(1.0),))
            (tensor(9.), tensor(6.))
        """
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    # Under vmap: with generate_vmap_rule = True, forward runs on the batch (its
    # operations batch themselves); else the vmap staticmethod, as in PyTorch
    generate_vmap_rule = False

    @staticmethod
    def vmap(info, in_dims, *args):
        """The batch rule: ``(outputs, out_dims)`` from the arguments with
        their batch axes at ``in_dims`` (None: not batched); ``info`` has
        ``batch_size`` and ``randomness``."""
        raise RuntimeError("To use autograd.Function with vmap, you must either override the vmap "
                           "staticmethod or set generate_vmap_rule=True.")

    @classmethod
    def apply(cls, *args, **kwargs):
        if kwargs:  # bound to forward's parameters, as PyTorch does
            bound = inspect.signature(cls.forward).bind(None, *args, **kwargs)
            bound.apply_defaults()
            args = bound.args[1:]
        top = max((a for a in args if isinstance(a, Box)), key=lambda a: a._level, default=None)
        if isinstance(top, BatchBox) and not cls.generate_vmap_rule:
            return _by_vmap_rule(cls, args, top)
        if isinstance(top, ForwardBox) and cls.jvp is not Function.jvp:
            return _by_jvp_rule(cls, args, top)
        return _run_forward(cls, args, top, FunctionCtx(args))


def _by_jvp_rule(cls, args, top):
    """A Function on Duals, by its own jvp staticmethod: ``forward`` on the
    primals (recorded as usual when they require grad), then ``jvp`` on the
    tangents (zeros for arguments without one), as in PyTorch."""
    level = top._level
    primals, tangents = [], []
    for a in args:
        if isinstance(a, ForwardBox) and a._level == level:
            primals.append(a.primal if isinstance(a.primal, Box) else Tensor._make(a.primal))
            tangents.append(a.tangent)
        else:
            primals.append(a)
            tangents.append(np.zeros_like(raw_value(a)) if isinstance(a, Box)
                            or isinstance(a, np.ndarray) else None)
    lower = max((a for a in primals if isinstance(a, Box)), key=lambda a: a._level, default=None)
    ctx = FunctionCtx(primals)
    out = _run_forward(cls, primals, lower, ctx)
    ctx._in_jvp = True
    try:
        tangent_out = cls.jvp(ctx, *[t if t is None or isinstance(t, Box) else Tensor._make(t)
                                    for t in tangents])
    finally:
        ctx._in_jvp = False
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    touts = (tangent_out,) if single or not isinstance(tangent_out, tuple) else tangent_out
    if len(touts) != len(outs):
        raise RuntimeError(f"{cls.__name__}.jvp returned {len(touts)} tangents for "
                           f"{len(outs)} outputs")
    results = []
    for o, t in zip(outs, touts):
        if t is None or not _differentiable(o):
            results.append(o)
            continue
        primal, t = _opened(o), _opened(t)
        results.append(type(top)._make(primal, fit_tangent(t, primal), level))
    return results[0] if single else tuple(results)


def _opened(t):
    """An ambient tensor without history as its value (what a Dual holds)."""
    if isinstance(t, Tensor) and t._level == AMBIENT and t._node is None and not t.requires_grad:
        return t._value
    return t


def _run_forward(cls, args, top, ctx):
    """``forward`` with ``ctx``, its outputs recorded when an input requires
    grad."""
    ctx._input_meta = tuple((shape_of(raw_value(a)), dtype_of(raw_value(a))) if needed else None
                            for a, needed in zip(args, ctx.needs_input_grad))
    # forward runs with grad off, as in PyTorch, where that switches off no other
    # level: enclosing dr.func transforms must see its operations
    ambient = top is None or isinstance(top, ReverseBox) and top._level == AMBIENT
    with no_grad() if ambient else contextlib.nullcontext():
        out = cls.forward(ctx, *args)
    single = not isinstance(out, tuple)
    outputs = (out,) if single else out
    if not (isinstance(top, ReverseBox) and any(ctx.needs_input_grad)):
        return out  # nothing to record (a Dual's tangent came from forward itself)
    level = ctx._level = top._level
    # an output that is an input, or shares its memory, is copied: changing it in place
    # must not change the input behind the tape's back
    ctx._outputs = [_copy(_inner(o, level)) if any(share_memory(o, a) for a in args)
                    else _inner(o, level) for o in outputs]  # values one level down
    ctx._cls = cls
    recorded = []
    for k, o in enumerate(outputs):
        if id(o) in ctx._non_differentiable or not _differentiable(o):
            recorded.append(o)
            continue
        r = record_computed(_node_of(cls), args, {"ctx": ctx, "k": k}, ctx._outputs[k],
                            level, type(top))
        if isinstance(o, ReverseBox) and o._level == level and r._value is o._value:
            r._vc = o._counter()  # one array, one version: saving o and changing r is caught
        recorded.append(r)
    # a saved output is the recorded one, so backward's use of it is differentiable
    swap = {id(o): _SavedOutput(k, r) for k, (o, r) in enumerate(zip(outputs, recorded))
            if r is not o}
    ctx._saved = tuple(swap.get(id(t), t) for t in ctx._saved)
    return recorded[0] if single else tuple(recorded)


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
            cls.__name__, computed_already, "*xs", table=False,
            backward_name=f"{cls.__name__}Backward",
            # it reads its output (ans) only to be freed by a backward pass, so that a
            # second one raises PyTorch's error, as for any node that saves values
            vjp=lambda g, ans, i, *, ctx, k: _cotangent(ctx, g, ans, k, i))
    return _NODES[cls]


def _cotangent(ctx, g, ans, k, i):
    """Input i's part of ``backward`` for output k's gradient ``g`` (zeros
    for the other outputs). ``backward`` runs once per node: the rules of its
    inputs, called one after the other, share the answer, which is let go
    after the last (no cycle through the node is left behind)."""
    if ctx._answer is None or ctx._answer[0] is not g or ctx._answer[1] != k:
        ctx._answer = (g, k, _cotangents(ctx, g, ans, k))
    cotangents = ctx._answer[2]
    if i == max(j for j, needed in enumerate(ctx.needs_input_grad) if needed):
        ctx._answer = None
    return cotangents[i]


def _cotangents(ctx, g, ans, k):
    """``backward`` for output k's gradient ``g``, zeros for the others;
    ``ans`` is output k as the backward pass hands it."""
    level = ctx._level
    recording = isinstance(g, ReverseBox) and g._level == level  # create_graph: tensors of the tape
    grads = [g if j == k else (np.zeros_like(raw_value(o)) if ctx._materialize else None)
             for j, o in enumerate(ctx._outputs)]
    grads = [v if v is None or isinstance(v, ReverseBox) and v._level == level
             else Tensor._make(v, level) for v in grads]  # backward gets tensors, as in PyTorch
    ctx._running = (k, ans if isinstance(ans, ReverseBox) and ans._level == level
                    else Tensor._make(ans, level))
    try:
        result = ctx._cls.backward(ctx, *grads)
    finally:
        ctx._running = None
    result = result if isinstance(result, tuple) else (result,)
    n = len(ctx.needs_input_grad)
    if len(result) > n and all(r is None for r in result[n:]):
        result = result[:n]  # extra Nones are fine, as in PyTorch
    if len(result) != n:
        raise RuntimeError(f"function {ctx._cls.__name__}Backward returned an incorrect number "
                           f"of gradients (expected {len(ctx.needs_input_grad)}, got "
                           f"{len(result)})")
    return [None if r is None or not needed else
            _fitted(ctx, i, r if recording else _inner(r, level), *ctx._input_meta[i])
            for i, (r, needed) in enumerate(zip(result, ctx.needs_input_grad))]


def _fitted(ctx, i, grad, want, dtype):
    """Input i's gradient as ``backward`` returned it, brought to the
    input's shape (summed over axes it broadcast to) and dtype, or PyTorch's
    error when it cannot have come from that input."""
    if not isinstance(grad, Box) and not isinstance(grad, np.ndarray):
        grad = np.asarray(grad)
    got = tuple(shape_of(grad))
    if got != want:
        try:
            compatible = np.broadcast_shapes(got, want) == got
        except ValueError:
            compatible = False
        if not compatible:
            raise RuntimeError(f"Function {ctx._cls.__name__}Backward returned an invalid gradient "
                               f"at index {i} - got {list(got)} but expected shape compatible "
                               f"with {list(want)}")
    return unbroadcast(grad, want, dtype)
