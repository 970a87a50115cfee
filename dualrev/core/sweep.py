"""The backward sweep: nodes run newest first, each turning the gradient of
its output into gradients of its inputs by the rules of its plan.
"""

import gc
import operator
import threading
from heapq import heappop, heappush

import numpy as np

from .values import canonical, dtype_of, shape_of
from .cotangents import Pieces, unbroadcast
from .primitive import TABLE, NO_PARAMS, Box, identity, raw_value
from .anomaly import CHECKING_NAN, ENABLED as _anomaly_enabled, check_outputs, report_node
from .graph import (
    _FREED, AccumulateGrad, _Output, _detached_error, _freed_error, _inplace_error,
    _last_inplace)
from .reverse import ReverseBox

_by_sequence = operator.attrgetter("seq")


def _unpacked(node, create_graph, box_type):
    """The saved values ready for the rules, as a tuple: boxes of this
    level opened (or kept, when the backward pass is itself recorded),
    after checking that no saved tensor was changed in place since.
    (The sweep opens them itself in the common case: nothing changed in
    place since the node was made.)"""
    if node.saved is _FREED:
        raise _freed_error()
    level = node.level
    versions = node.versions
    out = []
    for k, v in enumerate(node.saved):
        if type(v) is float:
            edge = _edge_of_saved(node, k)
            if edge is not None:  # a tensor's value, kept bare (see reverse._node)
                if edge.detached:
                    raise _detached_error()
                changed = _changed(edge)
                if changed:
                    raise _inplace_error(node, changed, 0)
                v = _current(edge, v)
                if create_graph:
                    v = box_type._make(v, level, edge)
        elif isinstance(v, ReverseBox):
            if v._level == level:
                if v._detached > node.seq:  # detached in place after this node saved it
                    raise _detached_error()
                if v._vc is not None and v._vc[0] != (versions[k] if versions else 0):
                    raise _inplace_error(node, v._vc[0], versions[k] if versions else 0)
                if not create_graph:
                    v = v._value
        elif type(v) is _Output:
            if v.counter[0]:
                raise _inplace_error(node, v.counter[0], 0)
            value = _current(node, v.value, output=True)
            v = box_type._make(value, level, node) if create_graph else value
        out.append(v)
    return out


def _edge_of_saved(node, k):
    """The edge of the input whose value is saved value k, if it is one."""
    kind, i = node.plan.needs[k]
    return node.edges[i] if kind == "value" else None


def input_cotangents(node, grad, create_graph, box_type):
    """The cotangent of each of a node's inputs (None where none goes), by
    the rules of its plan, each brought back to its input's shape and dtype:
    the one place where rules run on a recorded node."""
    plan = node.plan
    extra = node.extra
    if extra is None and plan.simple and not create_graph and (
            not plan.needs or node.seq > _last_inplace[0] and node.saved is not _FREED):
        saved = node.saved  # most nodes (the per-node cost of scalar code): no parameters,
        grads = []          # casts or checks, each rule reading at most one value, opened here
        for rule in plan.rules:
            if rule is None:
                grads.append(None)
            elif rule[2] is not None:  # (the rule reads one saved value)
                value = saved[rule[2]]
                grads.append(rule[0](grad, value if type(value) is float
                                     else _opened(value, node.level)))
            elif rule[0] is identity:  # (add's, clone's: passed on without a call)
                grads.append(grad)
            else:
                grads.append(rule[0](grad))
        return grads
    if not plan.needs:
        saved = ()
    elif create_graph or node.seq <= _last_inplace[0] or node.saved is _FREED:
        saved = _unpacked(node, create_graph, box_type)  # checked: something may have changed
    else:
        saved = [_opened(v, node.level) for v in node.saved]
    params = NO_PARAMS if extra is None else extra.params
    casts = None if extra is None else extra.casts
    grads = []
    for i, rule in enumerate(plan.rules):
        if rule is None:
            grads.append(None)
            continue
        fn, reads, single = rule
        if fn is identity:
            g = grad
        elif single is not None and not params:
            g = fn(grad, saved[single])
        else:
            g = fn(grad, *[_pick(saved, p, i) for p in reads], **params)
        if casts is not None and casts[i] is not None and g is not None:
            g = unbroadcast(g, *casts[i])
        grads.append(g)
    return grads


def _opened(value, level):
    """A saved value as a rule reads it, when nothing was changed in place
    since it was saved: a box of the node's level opened."""
    if type(value) is float:
        return value
    if isinstance(value, ReverseBox):
        return value._value if value._level == level else value
    return value.value if type(value) is _Output else value


def _changed(edge):
    """The version of the tensor whose history ``edge`` is, if it was changed
    in place (0 if not): its version counters are registered on the edge
    when they are made (ReverseBox._counter)."""
    for counter in edge.watch or ():
        if counter[0]:
            return counter[0]
    return 0


def _current(edge, value, output=False):
    """The float a node kept for the tensor made by ``edge`` (or, with
    ``output``, for its own output), as PyTorch's saved tensor would show it
    now, if the tensor was exposed to untracked changes: a saved input sees
    the tensor's value, a new ``.data`` included; a saved output sees only
    changes made through the storage it shared (a new ``.data`` gives the
    tensor new storage, the output saved keeps the old)."""
    for ref, storage in edge.exposed or ():
        tensor = ref()
        if tensor is not None and (tensor._node or tensor._acc or tensor._idle_acc) is edge:
            if not output:
                return canonical(tensor._value)
            return value if storage is None else canonical(storage)
    return value


def _pick(saved, position, i):
    """What a rule asked for: a saved value, the input's index (-1), or the
    tuple of all inputs' values (a tuple of positions)."""
    if type(position) is tuple:
        return tuple(saved[q] for q in position)
    return saved[position] if position >= 0 else i


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


def _run_hooks(node, kind, grad, box_type, *extra):
    """Run ``node``'s hooks of ``kind`` on ``grad``. Node hooks (``pre``,
    ``post``) see tuples of tensors, as PyTorch's do: plain cotangents are
    boxed (``box_type``) for them and what they return is unboxed again.
    (A tensor hook boxes its own argument: see Tensor.register_hook.)"""
    def boxed(value):
        return value if value is None or isinstance(value, Box) else box_type._make(
            value, node.level)

    def unboxed(new, old):
        return new if isinstance(old, Box) else raw_value(new)

    for hook_kind, fn in list(node.hooks):
        if hook_kind != kind:
            continue
        if kind == "tensor":
            out = fn(grad)
            grad = grad if out is None else _checked(fn, out, grad)
        elif kind == "pre":
            out = fn((boxed(grad),))
            if out is not None:
                _check_count(fn, out, 1)
                grad = unboxed(_checked(fn, out[0], grad), grad)
        else:
            out = fn(tuple(map(boxed, extra[0])), (boxed(grad),))
            if out is not None:
                _check_count(fn, out, len(extra[0]))
                extra[0][:] = [g if g is None or old is None else unboxed(_checked(fn, g, old), old)
                               for g, old in zip(out, extra[0])]
    return grad


def _hook_name(fn):
    return getattr(fn, "__name__", type(fn).__name__)


def _check_count(fn, out, expected):
    if len(out) != expected:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has returned an incorrect number of values "
                           f"(got {len(out)}, but expected {expected})")


def _checked(fn, new, old):
    """What a hook returned in place of the gradient ``old``: the same shape
    and dtype, as PyTorch requires (a wrong one would end up in .grad)."""
    new_value, old_value = raw_value(new), raw_value(old)
    if shape_of(new_value) != shape_of(old_value):
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the size of value")
    if dtype_of(new_value) != dtype_of(old_value):
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the type of value (was "
                           f"{dtype_of(old_value)} got {dtype_of(new_value)})")
    return new


def _gathered(a, b):
    """Two cotangents of one node, one of them ``Pieces``: gathered, not
    added (the sweep adds two plain ones itself)."""
    return a.add(b) if type(a) is Pieces else b.add(a)


def _post_hooks(node, grad, grads, box_type):
    """Run a node's post hooks on its input gradients, one per input."""
    grads = [g.written() if type(g) is Pieces else g for g in grads]
    _run_hooks(node, "post", grad, box_type, grads)
    return grads


def backward_pass(roots, seeds, *, box_type, retain_graph, create_graph, capture=None,
                  deliver=None):
    """Run the tape from the nodes ``roots`` with cotangents ``seeds``.

    Without ``capture``, a gradient arriving at a leaf's accumulator goes to
    ``deliver(accumulator, grad, create_graph)`` (the autograd layer adds it
    to ``.grad``).
    With ``capture`` (a list of nodes), nothing is delivered: only the nodes
    that lead to a captured node run, and the gradient that arrives at each
    captured node is returned, in order (None if none came).
    """
    with SWEEP_LOCK:
        collecting = gc.isenabled()
        gc.disable()  # the graph holds no cycles; the collector would only slow the sweep
        try:
            return _sweep(roots, seeds, box_type, retain_graph, create_graph, capture, deliver)
        finally:
            if collecting:
                gc.enable()


# One backward pass runs at a time: passes from several threads may meet at
# shared nodes (a leaf's accumulator keeps its pending gradient on itself)
# and add into one .grad. Reentrant, for a hook that runs a backward pass.
SWEEP_LOCK = threading.RLock()


def _sweep(roots, seeds, box_type, retain_graph, create_graph, capture, deliver):
    """Nodes run newest first (see ``_topological_order`` for why that order
    is right), taken from the nodes that have a pending gradient: only nodes
    a gradient reaches are visited, with no walk of the graph first. Those
    wait in a heap, except the newest of all, which runs next (``following``;
    in a chain, every node is that one, and the heap stays empty)."""
    needed = None  # with capture: the nodes that lead to a captured one
    if capture is not None:
        needed = _leading_to(_topological_order(roots), capture)
        targets, captured = set(capture), {}
    heap = []  # (-seq, node) of the nodes with a pending gradient
    checking = CHECKING_NAN[0]  # anomaly mode: every node's gradients checked for nan
    node = None
    for root, seed in zip(roots, seeds):
        if root.pending is None:
            heappush(heap, (-root.seq, root))
            root.pending = seed
        else:
            root.pending = root.pending + seed
    following = None
    try:
        while True:
            if following is not None:
                node = following
                following = None
            elif heap:
                node = heappop(heap)[1]
            else:
                break
            grad = node.pending
            node.pending = None
            if type(grad) is Pieces:
                grad = grad.written()
            extra = node.extra
            hooks = extra is not None and extra.hooks
            if hooks:
                grad = _run_hooks(node, "tensor", _writable(grad), box_type)
                grad = _run_hooks(node, "pre", grad, box_type)
            if capture is not None and node in targets:
                captured[node] = grad = _writable(grad)
            if type(node) is AccumulateGrad:
                if capture is None:
                    deliver(node, grad, create_graph)
                continue
            grads = input_cotangents(node, grad, create_graph, box_type)
            if hooks:
                grads = _post_hooks(node, grad, grads, box_type)
            if checking:
                check_outputs(node, grads)
            if not retain_graph and node.plan.saves_values:
                node.saved = _FREED
            for edge, g in zip(node.edges, grads):
                if edge is None or g is None or needed is not None and edge not in needed:
                    continue
                pending = edge.pending
                if pending is not None:  # (pieces are gathered, numbers added)
                    edge.pending = pending + g if type(pending) is not Pieces \
                        and type(g) is not Pieces else _gathered(pending, g)
                    continue
                edge.pending = g
                if following is None:  # it runs next if newer than every node waiting
                    if not heap or edge.seq > -heap[0][0]:
                        following = edge
                    else:
                        heappush(heap, (-edge.seq, edge))
                elif edge.seq > following.seq:
                    heappush(heap, (-following.seq, following))
                    following = edge
                else:
                    heappush(heap, (-edge.seq, edge))
            grads = g = None  # the pending slots hold them now (see gradients._owned)
    except BaseException as error:
        if _anomaly_enabled[0] and node is not None and isinstance(error, Exception):
            report_node(node)  # where the node that failed was recorded
        for waiting in [following] + [node for _, node in heap]:  # leave no gradient behind
            if waiting is not None:
                waiting.pending = None
        raise
    return None if capture is None else [captured.get(node) for node in capture]


def in_dtype_of(value, grad):
    """``grad`` in the dtype of ``value``: a gradient always has its
    input's dtype, whatever promotions the rules made on the way."""
    if type(grad) is float and type(value) is float:
        return grad
    want = dtype_of(raw_value(value))
    return grad if dtype_of(raw_value(grad)) == want else TABLE.astype(grad, dtype=want)


def _writable(grad):
    """A cotangent handed to the user (a hook, ``autograd.grad``): a
    read-only one (a number broadcast, see rules.elementwise._times) written
    out as an array of its own, as PyTorch's gradients are where an
    operation made them."""
    array = raw_value(grad)
    if type(array) is np.ndarray and not array.flags.writeable:
        return TABLE.clone(grad) if isinstance(grad, Box) else array.copy()
    return grad
