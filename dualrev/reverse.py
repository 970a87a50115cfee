"""Reverse mode: the recording handler and the graph nodes (``grad_fn``).

A reverse box (the core of ``Tensor``) holds a value of the level below (an
ndarray, a float, or a lower box) and, when it was computed from inputs that
require grad, the ``Node`` that records how. A node keeps only what its VJP
rules asked for, the edges to its inputs' nodes, and what is needed to sum a
broadcast cotangent back to each input's shape and dtype.
"""

import gc
import itertools
import sys
import operator
import weakref

import numpy as np

from ._arrays import check_real, dtype_of, shape_of
from ._levels import AMBIENT, _grad_mode
from ._prims import _NO_PARAMS, Box, check_operand
from .ops.util import unbroadcast

_FREED = object()
_sequence = itertools.count()  # creation order of nodes: a topological order
_by_sequence = operator.attrgetter("seq")
_last_inplace = [-1]  # creation number current at the latest in-place change


def _freed_error():
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward.")


class Node:
    """A recorded operation: PyTorch's ``grad_fn``.

    Rarely used fields (hooks, versions other than 0, casts) are class
    defaults, stored per node only when set: the per-op path stays short.
    """

    __slots__ = ("plan", "edges", "saved", "seq", "pending", "__dict__")

    params = _NO_PARAMS  # the primitive's static parameters, when it has any
    level = AMBIENT      # the level of the boxes this node recorded
    hooks = None      # [(kind, fn)], see add_hook
    casts = None      # per input: (shape, dtype) to bring its cotangent back to, or None
    versions = None   # per saved value: the version it had when saved (None: all 0)

    @property
    def prim(self):
        return self.plan.prim

    def name(self):
        name = self.plan.prim.backward_name
        return name(**self.params) if callable(name) else name

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self):
        return tuple((edge, 0) for edge in self.edges)

    def register_hook(self, hook):
        """Call ``hook(grad_inputs, grad_outputs)`` after this node ran; a
        tuple it returns replaces the input gradients."""
        return add_hook(self, "post", hook)

    def register_prehook(self, hook):
        """Call ``hook(grad_outputs)`` before this node runs; a tuple it
        returns replaces the gradients."""
        return add_hook(self, "pre", hook)

    def _unpacked(self, create_graph, box_type):
        """The saved values ready for the rules: boxes of this level opened
        (or kept, when the backward pass is itself recorded), after checking
        that no saved tensor was changed in place since. (``apply`` opens
        them itself when nothing changed in place since the node was made.)"""
        saved = self.saved
        if saved is _FREED:
            raise _freed_error()
        level = self.level
        versions = self.versions
        out = []
        for k, v in enumerate(saved):
            if isinstance(v, ReverseBox):
                if v._level == level:
                    if v._vc is not None and v._vc[0] != (versions[k] if versions else 0):
                        raise _inplace_error(self, v._vc[0], versions[k] if versions else 0)
                    if not create_graph:
                        v = v._value
            elif type(v) is _Output:
                if v.counter[0]:
                    raise _inplace_error(self, v.counter[0], 0)
                v = box_type._make(v.value, level, self) if create_graph else v.value
            out.append(v)
        return out

    def apply(self, grad, create_graph, box_type):
        """The cotangents of the inputs, one per edge (None for zero)."""
        saved = self.saved
        if saved:
            if not create_graph and self.seq > _last_inplace[0] and saved is not _FREED:
                # the common case, opened here: nothing changed in place since
                level = self.level
                saved = [v._value if isinstance(v, ReverseBox) and v._level == level
                         else v.value if type(v) is _Output else v for v in saved]
            else:
                saved = self._unpacked(create_graph, box_type)
        params = self.params
        casts = self.casts
        grads = []
        i = 0
        for rule in self.plan.rules:
            if rule is None:
                grads.append(None)
            else:
                fn, positions, single = rule
                if single is not None and not params:
                    g = fn(grad, saved[single])
                elif not positions:
                    g = fn(grad, **params) if params else fn(grad)
                else:
                    g = fn(grad, *[_pick(saved, p, i) for p in positions], **params)
                if casts is not None and casts[i] is not None and g is not None:
                    g = unbroadcast(g, *casts[i])
                grads.append(g)
            i += 1
        return grads


def _pick(saved, position, i):
    """What a rule asked for: a saved value, the input's index (-1), or the
    tuple of all inputs' values (a tuple of positions)."""
    if type(position) is tuple:
        return tuple(saved[q] for q in position)
    return saved[position] if position >= 0 else i


class _Output:
    """The saved output of a node: kept raw, boxed again (pointing at the
    node) only when the backward pass itself is recorded; ``counter`` is the
    output tensor's version counter, so an in-place change is caught."""

    __slots__ = ("value", "counter")

    def __init__(self, value, counter):
        self.value = value
        self.counter = counter


def _inplace_error(node, version, expected):
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: a tensor saved by {node.name()} is at version {version}; expected version "
        f"{expected} instead. Hint: use an out-of-place operation (y = y + 1 instead of "
        "y += 1), or .clone() the tensor before changing it in place.")


class AccumulateGrad:
    """The node of a leaf tensor that requires grad: gradients arriving here
    are added to the leaf's ``.grad``. It comes and goes with the graphs that
    use the leaf, so the leaf's hooks are kept by the leaf."""

    __slots__ = ("_variable", "seq", "pending")

    edges = ()
    next_functions = ()

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        self.seq = next(_sequence)
        self.pending = None

    @property
    def variable(self):
        return self._variable()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"

    @property
    def hooks(self):
        variable = self.variable
        holder = None if variable is None else variable._leaf_hooks
        return None if holder is None else holder.hooks

    def register_hook(self, hook):
        return add_hook(leaf_hooks(self.variable), "post", hook)

    def register_prehook(self, hook):
        return add_hook(leaf_hooks(self.variable), "pre", hook)


class _HookHolder:
    __slots__ = ("hooks",)

    def __init__(self):
        self.hooks = None


def leaf_hooks(tensor):
    """The holder of a leaf tensor's hooks, kept by the tensor (made on
    first use)."""
    if tensor._leaf_hooks is None:
        tensor._leaf_hooks = _HookHolder()
    return tensor._leaf_hooks


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook off."""

    def __init__(self, owner, entry):
        self._owner, self._entry = owner, entry

    def remove(self):
        if self._owner.hooks and self._entry in self._owner.hooks:
            self._owner.hooks.remove(self._entry)


def add_hook(owner, kind, fn):
    """Hooks of a node: ("tensor", fn) gets and may replace the gradient of
    the node's output tensor; ("pre", fn) and ("post", fn) are PyTorch's node
    hooks."""
    if owner.hooks is None:
        owner.hooks = []
    entry = (kind, fn)
    owner.hooks.append(entry)
    return RemovableHandle(owner, entry)


class ReverseBox(Box):
    """The reverse-mode core of a Tensor: its value, level, graph node and
    version counter. The Tensor facade adds the PyTorch surface.

    Only the level, value and node are set per operation; the rest are class
    defaults until a tensor needs its own (leaves, views, in-place changes).
    """

    __slots__ = ("_value", "_node", "__dict__", "__weakref__")

    _rg = False        # requires grad (a leaf's flag; non-leaves have a node)
    _vc = None         # version counter [n], shared with views; made on first need
    _grad = None
    _acc = None        # the AccumulateGrad node of a leaf that requires grad
    _base = None       # the tensor this one is a view of
    _retains = False
    _leaf_hooks = None  # a leaf's tensor hooks (its AccumulateGrad reads them)

    @classmethod
    def _make(cls, value, level=AMBIENT, node=None, requires_grad=False):
        t = object.__new__(cls)
        t._level = level
        t._value = value
        t._node = node
        if requires_grad:
            t._set_requires_grad(True)
        return t

    def _counter(self):
        """The version counter, made on first need."""
        if self._vc is None:
            self._vc = [0]
        return self._vc

    def _bump_version(self):
        """Note an in-place change: this tensor's version goes up, and nodes
        made before now check their saved tensors' versions at backward."""
        self._counter()[0] += 1
        _last_inplace[0] = next(_sequence)

    def _edge(self):
        """Where gradients of this tensor go: its node, the accumulator of a
        leaf that requires grad, or nowhere (None)."""
        return self._node if self._node is not None else self._acc

    def _set_requires_grad(self, flag):
        """A leaf's flag; a leaf that requires grad owns its AccumulateGrad
        node (which refers back to it weakly: no reference cycle)."""
        self._rg = flag
        self._acc = AccumulateGrad(self) if flag else None

    def _apply(self, prim, args, params):
        """The recording handler: run ``prim`` on the values one level down
        and, when an input requires grad, record a node. This is the per-op
        path of all reverse-mode code, so it is written out flat, with the
        one- and two-argument cases opened without a loop."""
        level = self._level
        if len(args) == 1:
            value = self._value
            values = (value,)
            edge = self._node
            if edge is None:
                edge = self._acc
            edges = (edge,)
            bits = 0 if edge is None else 1
            scalar = type(value) is float
        elif len(args) == 2:
            x, y = args
            if isinstance(x, ReverseBox) and x._level == level:
                vx, ex = x._value, x._node
                if ex is None:
                    ex = x._acc
            else:
                vx, ex = check_operand(x), None
            if isinstance(y, ReverseBox) and y._level == level:
                vy, ey = y._value, y._node
                if ey is None:
                    ey = y._acc
            else:
                vy, ey = check_operand(y), None
            values, edges = (vx, vy), (ex, ey)
            bits = (ex is not None) | (ey is not None) << 1
            scalar = (ex is None or type(vx) is float) and (ey is None or type(vy) is float)
        else:
            values, edges, bits, scalar = _open(args, level)
        if level == AMBIENT:
            ans = prim.impl(*values, **params) if params else prim.impl(*values)
            if type(ans) is not float:
                check_real(ans, prim.name)
        else:
            ans = prim(*values, **params)
        out = object.__new__(type(self))
        out._level = level
        out._value = ans
        if bits and _grad_mode.enabled and prim.vjp is not None:
            plan = prim._plans.get(bits) if not prim.variadic else None
            if plan is None:
                plan = prim.vjp_plan(bits, len(args))
            out._node = _record(plan, args, values, edges, ans, params, level, out, scalar) \
                if plan.records else None
        else:
            out._node = None
        if prim.view:
            source = args[0]
            if isinstance(source, ReverseBox) and source._level == level:
                out._vc = source._counter()
                out._base = source if source._base is None else source._base
        return out


def _open(args, level):
    """Values, edges, the bit pattern of inputs with an edge, and whether all
    of those are Python floats, for any number of arguments."""
    values, edges, bits, scalar = [], [], 0, True
    for k, a in enumerate(args):
        if isinstance(a, ReverseBox) and a._level == level:
            value, edge = a._value, a._node
            if edge is None:
                edge = a._acc
            if edge is not None:
                bits |= 1 << k
                scalar = scalar and type(value) is float
        else:
            value, edge = check_operand(a), None
        values.append(value)
        edges.append(edge)
    return values, tuple(edges), bits, scalar


def _record(plan, args, values, edges, ans, params, level, out, scalar):
    """The node of one operation, saving exactly what its rules read."""
    node = Node()
    node.seq = next(_sequence)
    node.pending = None
    node.plan = plan
    if params:
        node.params = params
    if level != AMBIENT:
        node.level = level
    node.edges = edges if not plan.drops_edges else tuple(
        [e if m else None for e, m in zip(edges, plan.mask)])
    if plan.value_args is None:
        saved = tuple([_save(kind, i, args, values, ans, out) for kind, i in plan.needs])
    elif plan.value_args:
        saved = tuple([args[i] for i in plan.value_args])
    else:
        saved = ()
    node.saved = saved
    if _last_inplace[0] >= 0:  # some tensor may be past version 0
        for v in saved:
            if isinstance(v, ReverseBox) and v._vc is not None and v._vc[0]:
                _note_versions(node)
                break
    if not scalar or type(ans) is not float:
        casts = _casts(plan.prim, values, plan.mask, ans)
        if casts is not None:
            node.casts = casts
    return node


def _note_versions(node):
    """Record the versions of saved tensors that were changed in place before
    being saved (the rest are at version 0, the default)."""
    node.versions = tuple(v._vc[0] if isinstance(v, ReverseBox) and v._vc is not None else 0
                          for v in node.saved)


def _save(kind, i, args, values, ans, out):
    if kind == "value":
        return args[i]
    if kind == "shape":
        return shape_of(values[i])
    if kind == "ans":
        return _Output(ans, out._counter())
    return tuple(shape_of(v) for v in values)  # all_shapes


def _casts(prim, values, mask, ans):
    """Per input, the (shape, dtype) its cotangent must be brought back to,
    or None when the cotangent already has it. None when no input needs one."""
    ans_shape, ans_dtype = shape_of(ans), dtype_of(ans)
    casts = []
    for v, m in zip(values, mask):
        if not m:
            casts.append(None)
            continue
        shape, dtype = shape_of(v), dtype_of(v)
        same_shape = shape == ans_shape or not prim.broadcasts
        casts.append(None if same_shape and dtype == ans_dtype else (shape, dtype))
    return casts if any(c is not None for c in casts) else None


def _topological_order(roots):
    """Every node reachable from ``roots``, each before the nodes it feeds
    from. Nodes are numbered as they are made, after their inputs, so
    sorting by number, newest first, is such an order; the walk that finds
    them is a loop over an explicit stack (no recursion: a chain of a
    million nodes is fine)."""
    seen = set(roots)
    stack = list(seen)
    while stack:
        for edge in stack.pop().edges:
            if edge is not None and edge not in seen:
                seen.add(edge)
                stack.append(edge)
    return sorted(seen, key=_by_sequence, reverse=True)


def _leading_to(order, targets):
    """The nodes of ``order`` from which a target can be reached."""
    needed = set(targets)
    for node in reversed(order):
        if node not in needed and any(e in needed for e in node.edges if e is not None):
            needed.add(node)
    return needed


def _run_hooks(node, kind, grad, *extra):
    for hook_kind, fn in list(node.hooks):
        if hook_kind != kind:
            continue
        if kind == "tensor":
            out = fn(grad)
            grad = grad if out is None else out
        elif kind == "pre":
            out = fn((grad,))
            grad = grad if out is None else out[0]
        else:
            out = fn(extra[0], (grad,))
            if out is not None:
                extra[0][:] = list(out)
    return grad


def backward_pass(roots, seeds, *, box_type, retain_graph, create_graph, capture=None):
    """Run the tape from the nodes ``roots`` with cotangents ``seeds``.

    Without ``capture``, gradients arriving at leaves are added to their
    ``.grad``. With ``capture`` (a list of nodes), nothing is accumulated:
    only the nodes that lead to a captured node run, and the gradient that
    arrives at each captured node is returned, in order (None if none came).
    """
    collecting = gc.isenabled()
    gc.disable()  # the graph holds no cycles; the collector would only slow the sweep
    try:
        return _sweep(roots, seeds, box_type, retain_graph, create_graph, capture)
    finally:
        if collecting:
            gc.enable()


def _sweep(roots, seeds, box_type, retain_graph, create_graph, capture):
    order = _topological_order(roots)
    needed = None  # with capture: the nodes that lead to a captured one
    if capture is not None:
        needed = _leading_to(order, capture)
        order = [node for node in order if node in needed]
        targets, captured = set(capture), {}
    for root, seed in zip(roots, seeds):
        root.pending = seed if root.pending is None else root.pending + seed
    try:
        for node in order:
            grad = node.pending
            if grad is None:
                continue
            node.pending = None
            if node.hooks:
                grad = _run_hooks(node, "pre", _run_hooks(node, "tensor", grad))
            if capture is not None and node in targets:
                captured[node] = grad
            if type(node) is AccumulateGrad:
                leaf = node.variable
                if capture is None and leaf is not None:
                    _accumulate(leaf, grad, create_graph)
                continue
            grads = node.apply(grad, create_graph, box_type)
            if node.hooks:
                _run_hooks(node, "post", grad, grads)
            if not retain_graph and node.plan.saves_values:
                node.saved = _FREED
            for edge, g in zip(node.edges, grads):
                if edge is not None and g is not None and (needed is None or edge in needed):
                    edge.pending = g if edge.pending is None else edge.pending + g
            grads = g = None  # the pending slots hold them now (see _owned)
    except BaseException:
        for node in order:  # leave no gradient behind for the next pass
            node.pending = None
        raise
    return None if capture is None else [captured.get(node) for node in capture]


def _accumulate(leaf, grad, create_graph):
    """Add ``grad`` to ``leaf.grad``, keeping the same ``.grad`` tensor when
    there is one (as PyTorch does) unless the sum itself is recorded."""
    if create_graph or isinstance(grad, Box):
        if not isinstance(grad, ReverseBox) or grad._level != leaf._level:
            grad = type(leaf)._make(grad, leaf._level)
        leaf._grad = grad if leaf._grad is None else leaf._grad + grad
    elif leaf._grad is None:
        leaf._grad = type(leaf)._make(_owned(grad), leaf._level)
    else:
        leaf._grad._value = leaf._grad._value + grad
        leaf._grad._bump_version()


def _owned(value):
    """A gradient array that no one else holds, since ``.grad`` may later be
    changed in place: rules may pass one array to several inputs, and a view
    shares memory. An array that only the sweep refers to (the references
    counted here: the sweep's, ``_accumulate``'s, this function's and
    ``getrefcount``'s own) is taken as it is, as PyTorch steals a gradient
    nobody else uses; any other is copied."""
    if type(value) is np.ndarray and (value.base is not None or sys.getrefcount(value) > 4):
        return value.copy()
    return value
