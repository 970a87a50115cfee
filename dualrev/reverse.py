"""Reverse mode: the recording handler and the graph nodes (``grad_fn``).

A reverse box (the core of ``Tensor``) holds a value of the level below (an
ndarray, a float, or a lower box) and, when it was computed from inputs that
require grad, the ``Node`` that records how. A node keeps only what its VJP
rules asked for, the edges to its inputs' nodes, and what is needed to sum a
broadcast cotangent back to each input's shape and dtype.
"""

import weakref

import numpy as np

from ._arrays import dtype_of, shape_of
from ._levels import AMBIENT, _grad_mode
from ._prims import Box
from .ops.util import unbroadcast

_FREED = object()


def _freed_error():
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward.")


class Node:
    """A recorded operation: PyTorch's ``grad_fn``."""

    __slots__ = ("prim", "params", "edges", "saved", "rules", "casts", "versions", "level",
                 "hooks", "__weakref__")

    def name(self):
        name = self.prim.backward_name
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

    def release(self):
        """Drop the saved values; running the node again then raises."""
        if self.saved:
            self.saved = _FREED

    def apply(self, grad, create_graph, box_type):
        """The cotangents of the inputs, one per edge (None for zero)."""
        saved = self.saved
        if saved is _FREED:
            raise _freed_error()
        for counter, expected in self.versions:
            if counter[0] != expected:
                raise _inplace_error(self, counter[0], expected)
        level = self.level
        if create_graph:
            saved = [box_type._make(v.value, level, self) if type(v) is _Output else v
                     for v in saved]
        else:
            saved = [v.value if type(v) is _Output else
                     v._value if isinstance(v, ReverseBox) and v._level == level else v
                     for v in saved]
        grads = []
        for i, rule in enumerate(self.rules):
            if rule is None:
                grads.append(None)
                continue
            fn, positions = rule
            g = fn(grad, *[saved[p] if p >= 0 else i for p in positions], **self.params)
            cast = self.casts[i] if self.casts else None
            if cast is not None and g is not None:
                g = unbroadcast(g, *cast)
            grads.append(g)
        return grads


class _Output:
    """The saved output of a node: kept raw, boxed again (pointing at the
    node) only when the backward pass itself is recorded."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


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

    __slots__ = ("variable", "__weakref__")

    edges = ()
    next_functions = ()

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"

    @property
    def hooks(self):
        holder = _LEAF_HOOKS.get(self.variable)
        return None if holder is None else holder.hooks

    def register_hook(self, hook):
        return add_hook(leaf_hooks(self.variable), "post", hook)

    def register_prehook(self, hook):
        return add_hook(leaf_hooks(self.variable), "pre", hook)


class _HookHolder:
    __slots__ = ("hooks", "__weakref__")

    def __init__(self):
        self.hooks = None


_LEAF_HOOKS = weakref.WeakKeyDictionary()


def leaf_hooks(tensor):
    """The holder of a leaf tensor's hooks (made on first use)."""
    holder = _LEAF_HOOKS.get(tensor)
    if holder is None:
        holder = _LEAF_HOOKS[tensor] = _HookHolder()
    return holder


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
    version counter. The Tensor facade adds the PyTorch surface."""

    __slots__ = ("_value", "_node", "_rg", "_vc", "_grad", "_acc", "_base", "_retains",
                 "__weakref__")

    @classmethod
    def _make(cls, value, level=AMBIENT, node=None, requires_grad=False, vc=None):
        t = object.__new__(cls)
        t._level = level
        t._value = value
        t._node = node
        t._rg = requires_grad
        t._vc = vc or [0]
        t._grad = None
        t._acc = None
        t._base = None
        t._retains = False
        return t

    def _accumulator(self):
        acc = self._acc() if self._acc is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._acc = weakref.ref(acc)
        return acc

    def _edge(self):
        """Where gradients of this tensor go: its node, its accumulator, or
        nowhere."""
        if self._node is not None:
            return self._node
        return self._accumulator() if self._rg else None

    def _apply(self, prim, args, params):
        """The recording handler: run ``prim`` on the values one level down
        and, when an input requires grad, record a node."""
        level = self._level
        values, edges, live = [], [], False
        for a in args:
            if isinstance(a, ReverseBox) and a._level == level:
                values.append(a._value)
                edge = a._node
                if edge is None and a._rg:
                    edge = a._accumulator()
                if edge is not None:
                    live = True
                edges.append(edge)
            else:
                values.append(a)
                edges.append(None)
        ans = prim.impl(*values, **params) if level == AMBIENT else prim(*values, **params)
        source = args[0] if prim.view else None
        shares = isinstance(source, ReverseBox) and source._level == level
        vc = source._vc if shares else [0]
        node = None
        if live and prim.vjp is not None and _grad_mode.enabled:
            node = _record(prim, args, values, edges, ans, params, level, vc)
        out = type(self)._make(ans, level, node, vc=vc)
        if shares:
            out._base = source if source._base is None else source._base
        return out


def _record(prim, args, values, edges, ans, params, level, out_vc):
    """Build the node of one operation, saving exactly what its rules read."""
    mask = tuple(e is not None and prim.rule_for(prim.vjp, i) is not None
                 for i, e in enumerate(edges))
    if not any(mask):
        return None
    needs, rules = prim.vjp_plan(mask)
    saved, versions = [], []
    for kind, i in needs:
        if kind == "value":
            a = args[i]
            saved.append(a)
            if isinstance(a, ReverseBox) and a._level == level:
                versions.append((a._vc, a._vc[0]))
        elif kind == "shape":
            saved.append(shape_of(values[i]))
        elif kind == "ans":
            saved.append(_Output(ans))
            versions.append((out_vc, out_vc[0]))
        elif kind == "all":
            saved.append(tuple(args))
            versions.extend((a._vc, a._vc[0]) for a in args
                            if isinstance(a, ReverseBox) and a._level == level)
        else:  # all_shapes
            saved.append(tuple(shape_of(v) for v in values))
    node = Node()
    node.prim = prim
    node.params = params
    node.edges = tuple(e if m else None for e, m in zip(edges, mask))
    node.saved = tuple(saved)
    node.rules = rules
    node.casts = _casts(prim, values, mask, ans)
    node.versions = tuple(versions)
    node.level = level
    node.hooks = None
    return node


def _casts(prim, values, mask, ans):
    """Per input, the (shape, dtype) its cotangent must be brought back to,
    or None when the cotangent already has it. None when no input needs one."""
    if type(ans) is float:
        if all(type(v) is float for v, m in zip(values, mask) if m):
            return None
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
    from (reverse post-order of an explicit-stack DFS: no recursion, so a
    chain of a million nodes is fine)."""
    order, seen = [], set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.edges))]
        while stack:
            node, edges = stack[-1]
            for edge in edges:
                if edge is not None and edge not in seen:
                    seen.add(edge)
                    stack.append((edge, iter(edge.edges)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


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
    order = _topological_order(roots)
    needed = None if capture is None else _leading_to(order, capture)
    targets = set() if capture is None else set(capture)
    pending = {}
    for root, seed in zip(roots, seeds):
        pending[root] = seed if root not in pending else pending[root] + seed
    captured = {}
    for node in order:
        if needed is not None and node not in needed:
            continue
        grad = pending.pop(node, None)
        if grad is None:
            continue
        if node.hooks:
            grad = _run_hooks(node, "pre", _run_hooks(node, "tensor", grad))
        if node in targets:
            captured[node] = grad
        if type(node) is AccumulateGrad:
            if capture is None:
                _accumulate(node.variable, grad, create_graph)
            continue
        grads = node.apply(grad, create_graph, box_type)
        if node.hooks:
            _run_hooks(node, "post", grad, grads)
        if not retain_graph:
            node.release()
        for edge, g in zip(node.edges, grads):
            if edge is not None and g is not None:
                previous = pending.get(edge)
                pending[edge] = g if previous is None else previous + g
    return [captured.get(node) for node in capture] if capture is not None else None


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
        leaf._grad._vc[0] += 1


def _owned(value):
    """A gradient array that no one else holds: rules may pass one array to
    several inputs, and ``.grad`` may later be changed in place."""
    return value.copy() if type(value) is np.ndarray else value
