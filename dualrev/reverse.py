"""Reverse mode: the recording handler and the graph nodes (``grad_fn``).

A reverse box (the core of ``Tensor``) holds a value of the level below (an
ndarray, a float, or a lower box) and, when it was computed from inputs that
require grad, the ``Node`` that records how. A node keeps only what its VJP
rules asked for, the edges to its inputs' nodes, and what is needed to sum a
broadcast cotangent back to each input's shape and dtype.
"""

import gc
import itertools
import operator
import sys
import weakref
from heapq import heappop, heappush

import numpy as np

from ._arrays import canonical, check_real, dtype_of, shape_of
from ._levels import AMBIENT, _grad_mode, _threads_without_grad
from ._prims import _NO_PARAMS, ALL_ARGS, NOTHING, PAIR, Box, check_operand, identity, raw_value
from . import ops
from .ops.shape import Pieces
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


class _Extras:
    """The rarely set fields of a node (see Node)."""

    __slots__ = ("params", "hooks", "casts", "versions", "watch", "exposed", "detached",
                 "alias")

    def __init__(self):
        self.params = _NO_PARAMS
        self.hooks = self.casts = self.versions = self.watch = self.exposed = self.alias = None
        self.detached = False


_NO_EXTRAS = _Extras()


def _extra_field(name):
    """A field of ``Node.extra``, read as its default when a node has none."""
    def get(node):
        return getattr(_NO_EXTRAS if node.extra is None else node.extra, name)

    def set(node, value):
        if node.extra is None:
            node.extra = _Extras()
        setattr(node.extra, name, value)
    return property(get, set)


class Node:
    """A recorded operation: PyTorch's ``grad_fn``.

    A node is laid out so that a long graph is few objects for the garbage
    collector to walk: ``edges`` is the node of the one input that gets a
    cotangent when the plan has a ``lone`` input; with a ``pair``, the first
    input's, and ``edge1`` the second's; else a tuple with one entry per
    input (None: no cotangent). ``saved`` is the one saved value when the
    plan saves one; with ``save == PAIR``, the first input, and ``saved1``
    the second; else a tuple. ``level`` is the level of the boxes it
    recorded. Rarely set fields (parameters, hooks, casts, versions) live in
    ``extra``, None for most nodes: the sweep checks one slot, and a node
    has no instance dictionary.
    """

    __slots__ = ("plan", "edges", "saved", "seq", "pending", "edge1", "saved1", "level", "extra")

    params = _extra_field("params")      # the primitive's static parameters
    hooks = _extra_field("hooks")        # [(kind, fn)], see add_hook
    casts = _extra_field("casts")        # per input: (shape, dtype) of its cotangent, or None
    versions = _extra_field("versions")  # per saved value: its version when saved (None: all 0)
    watch = _extra_field("watch")        # version counters of the tensors this node made
    exposed = _extra_field("exposed")    # weak references to those whose value may change untracked
    detached = _extra_field("detached")  # its tensor was detached in place (saving it is an error)
    alias = _extra_field("alias")        # PyTorch's name for it, where not the primitive's

    @property
    def prim(self):
        return self.plan.prim

    def name(self):
        if self.alias is not None:
            return self.alias
        name = self.plan.prim.backward_name
        return name(**self.params) if callable(name) else name

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self):
        return tuple((edge, 0) for edge in self.edge_list())

    def edge_list(self):
        """The edges, one per input (None where no cotangent goes)."""
        plan = self.plan
        if plan.pair:
            return (self.edges, self.edge1)
        if plan.lone is None:
            return self.edges
        return tuple(self.edges if i == plan.lone else None for i in range(len(plan.mask)))

    def saved_list(self):
        """The saved values as a tuple, however they are kept."""
        if self.plan.save == PAIR:
            return (self.saved, self.saved1)
        return (self.saved,) if self.plan.n_saved == 1 else self.saved


    def register_hook(self, hook):
        """Call ``hook(grad_inputs, grad_outputs)`` after this node ran; a
        tuple it returns replaces the input gradients."""
        return add_hook(self, "post", hook)

    def register_prehook(self, hook):
        """Call ``hook(grad_outputs)`` before this node runs; a tuple it
        returns replaces the gradients."""
        return add_hook(self, "pre", hook)

    def _unpacked(self, create_graph, box_type):
        """The saved values ready for the rules, as a tuple: boxes of this
        level opened (or kept, when the backward pass is itself recorded),
        after checking that no saved tensor was changed in place since.
        (The sweep opens them itself in the common case: nothing changed in
        place since the node was made.)"""
        if self.saved is _FREED:
            raise _freed_error()
        level = self.level
        versions = self.versions
        out = []
        for k, v in enumerate(self.saved_list()):
            if type(v) is float:
                edge = self._edge_of_saved(k)
                if edge is not None:  # a tensor's value, kept bare (see _scalar_node)
                    if edge.detached:
                        raise _detached_error()
                    changed = _changed(edge)
                    if changed:
                        raise _inplace_error(self, changed, 0)
                    v = _current(edge, v)
                    if create_graph:
                        v = box_type._make(v, level, edge)
            elif isinstance(v, ReverseBox):
                if v._level == level:
                    if v._detached > self.seq:  # detached in place after this node saved it
                        raise _detached_error()
                    if v._vc is not None and v._vc[0] != (versions[k] if versions else 0):
                        raise _inplace_error(self, v._vc[0], versions[k] if versions else 0)
                    if not create_graph:
                        v = v._value
            elif type(v) is _Output:
                if v.counter[0]:
                    raise _inplace_error(self, v.counter[0], 0)
                value = _current(self, v.value, output=True)
                v = box_type._make(value, level, self) if create_graph else value
            out.append(v)
        return out

    def _edge_of_saved(self, k):
        """The edge of the input whose value is saved value k, if it is one."""
        kind, i = self.plan.needs[k]
        return self.edge_list()[i] if kind == "value" else None

    def apply(self, grad, create_graph, box_type):
        """The cotangents of the inputs: the lone input's (None for zero)
        when the plan has one, else a list with one per input. (The sweep
        runs the common nodes itself; this is the general path.)"""
        plan = self.plan
        saved = self._unpacked(create_graph, box_type) if plan.n_saved else ()
        if plan.n_saved == 1:
            saved = saved[0]
        lone = plan.lone
        if lone is not None:
            return self._cotangent(plan.rules[lone], lone, grad, saved, plan.n_saved)
        return [None if rule is None else self._cotangent(rule, i, grad, saved, plan.n_saved)
                for i, rule in enumerate(plan.rules)]

    def _cotangent(self, rule, i, grad, saved, n_saved):
        """Input i's cotangent by its rule, brought back to its shape and
        dtype. ``saved`` holds the opened saved values (bare if just one)."""
        fn, positions, single = rule
        extra = self.extra
        params = _NO_PARAMS if extra is None else extra.params
        if single is not None and not params:
            g = fn(grad, saved if n_saved == 1 else saved[single])
        elif not positions:
            g = fn(grad, **params) if params else fn(grad)
        else:
            if n_saved == 1:
                saved = (saved,)
            g = fn(grad, *[_pick(saved, p, i) for p in positions], **params)
        casts = None if extra is None else extra.casts
        if casts is not None and casts[i] is not None and g is not None:
            g = unbroadcast(g, *casts[i])
        return g


def _opened(node):
    """A node's saved values, boxes of its level opened, when nothing was
    changed in place since it was made."""
    level = node.level
    return [v._value if isinstance(v, ReverseBox) and v._level == level
            else v.value if type(v) is _Output else v for v in node.saved_list()]


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


class _Output:
    """The saved output of a node: kept raw, boxed again (pointing at the
    node) only when the backward pass itself is recorded; ``counter`` is the
    output tensor's version counter, so an in-place change is caught."""

    __slots__ = ("value", "counter")

    def __init__(self, value, counter):
        self.value = value
        self.counter = counter


def _detached_error():
    return RuntimeError(
        "Trying to use a saved tensor that has been detached in-place, i.e. with .detach_()."
        "This is not supported, please use out-of-place `.detach()` instead")


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

    __slots__ = ("_variable", "seq", "pending", "watch", "exposed")

    edges = ()
    next_functions = ()
    level = AMBIENT
    detached = False  # a leaf detached in place just stops getting gradients

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        self.seq = next(_sequence)
        self.pending = None
        self.watch = self.exposed = None

    @property
    def variable(self):
        return self._variable()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"

    @property
    def extra(self):
        """What holds the hooks (the leaf's holder), as ``Node.extra``."""
        variable = self.variable
        return None if variable is None else variable._leaf_hooks

    @property
    def hooks(self):
        return None if self.extra is None else self.extra.hooks

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
    _idle_acc = None   # that node while the leaf does not require grad (as in PyTorch)
    _base = None       # the tensor this one is a view of
    _view_fn = ()      # a view's ((primitive, parameters), ...) from its base
    _views = None      # a base's views (weakly), whose histories follow its own
    _retains = False
    _detached = -1  # when it was detached in place while it had a node (a creation number)
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
        """The version counter, made on first need, and registered on the
        node that made this tensor (or its leaf's accumulator): nodes of
        scalar code keep a float input bare, not its tensor, and learn of a
        change in place from there."""
        if self._vc is None:
            self._vc = [0]
            edge = self._node or self._acc
            if edge is not None:
                if edge.watch is None:
                    edge.watch = []
                edge.watch.append(self._vc)
        return self._vc

    def _mark_detached(self):
        """This tensor, made by a node, is detached in place: nodes that
        saved it raise at backward, as in PyTorch (see ``_detached_error``)."""
        self._detached = _last_inplace[0] = next(_sequence)  # older nodes take the checking path
        self._node.detached = True

    def _shared(self):
        """The value, as storage another tensor can share: a 0-d tensor held
        as a Python float (immutable) moves into a 0-d array first, so that
        an in-place change through a view, ``.data``, ``detach()`` or
        ``numpy()`` is seen by both."""
        if type(self._value) is float:
            self._value = np.array(self._value)
            self._expose(self._value)
        return self._value

    def _expose(self, storage=None):
        """Note that this tensor's value may now change without a version
        change: through an alias of ``storage`` (``.data``, ``numpy()``,
        ``detach()`` share the 0-d array its float moved into), or by a new
        ``.data``. Nodes of scalar code that kept its float read it at
        backward instead (see ``_current``)."""
        edge = self._node or self._acc or self._idle_acc
        if edge is not None:
            if edge.exposed is None:
                edge.exposed = []
            for entry in edge.exposed:  # (a loop setting .data: one entry)
                if entry[0]() is self:
                    break
            else:
                entry = [weakref.ref(self), None]
                edge.exposed.append(entry)
            if storage is not None:
                entry[1] = storage
            _last_inplace[0] = next(_sequence)  # older nodes take the checking path

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
        if self._acc is not None:
            self._counter()  # a later change in place still reaches the nodes that saved it
            self._idle_acc = self._acc  # kept: switched back on, the leaf takes it again
        self._rg = flag
        if flag:
            self._acc = self._idle_acc if self._idle_acc is not None else AccumulateGrad(self)
        else:
            self._acc = None

    def _apply(self, prim, args, params):
        """The recording handler: run ``prim`` on the values one level down
        and, when an input requires grad, record a node. Operators and
        functions of one or two arguments without parameters come in by the
        shorter ``_apply1`` and ``_apply2``: the per-op path of scalar code."""
        level = self._level
        if prim.view and isinstance(args[0], ReverseBox) and type(args[0]._value) is float:
            args[0]._shared()  # a view shares storage: a 0-d array, then
        values, edges, bits = _open(args, level)
        ans = _run(prim, values, params, level)
        out = object.__new__(type(self))
        out._level = level
        out._value = ans
        out._node = _record(prim, bits, args, edges, values, ans, params, level, out) \
            if bits and (not _threads_without_grad[0] or _grad_mode.enabled) else None
        if prim.view:
            source = args[0]
            if isinstance(source, ReverseBox) and source._level == level:
                _note_view(out, source, prim, params)
        return out

    def _apply1(self, prim):
        level = self._level
        value = self._value
        if prim.view and type(value) is float:  # a view shares storage: a 0-d array, then
            value = self._shared()
        if level == AMBIENT:
            ans = prim.impl(value)
            if type(ans) is not float:
                check_real(ans, prim.name)
        else:
            ans = prim(value)
        out = object.__new__(type(self))
        out._level = level
        out._value = ans
        edge = self._node or self._acc
        if edge is None or _threads_without_grad[0] and not _grad_mode.enabled:
            out._node = None
        else:
            plan = prim._plans.get(1)
            if (plan is not None and plan.quick and type(ans) is float and type(value) is float
                    and level == AMBIENT):
                out._node = _scalar_node(plan, self, None, edge, None, value, None)
            else:
                out._node = _record(prim, 1, (self,), (edge,), (value,), ans, _NO_PARAMS, level,
                                    out)
        if prim.view:
            _note_view(out, self, prim, _NO_PARAMS)
        return out

    def _apply2(self, prim, x, y):
        level = self._level
        if isinstance(x, ReverseBox) and x._level == level:
            vx, ex = x._value, x._node or x._acc
        else:
            vx, ex = x if type(x) is float else check_operand(x), None
        if isinstance(y, ReverseBox) and y._level == level:
            vy, ey = y._value, y._node or y._acc
        else:
            vy, ey = y if type(y) is float else check_operand(y), None
        if level == AMBIENT:
            ans = prim.impl(vx, vy)
            if type(ans) is not float:
                check_real(ans, prim.name)
        else:
            ans = prim(vx, vy)
        out = object.__new__(type(self))
        out._level = level
        out._value = ans
        if (ex is not None or ey is not None) and (
                not _threads_without_grad[0] or _grad_mode.enabled):
            bits = (ex is not None) | (ey is not None) << 1
            plan = prim._plans.get(bits)
            if (plan is not None and plan.quick and type(ans) is float and type(vx) is float
                    and type(vy) is float and level == AMBIENT):
                out._node = _scalar_node(plan, x, y, ex, ey, vx, vy)
            else:
                out._node = _record(prim, bits, (x, y), (ex, ey), (vx, vy), ans, _NO_PARAMS,
                                    level, out)
        else:
            out._node = None
        return out


def _scalar_node(plan, x, y, ex, ey, vx, vy):
    """The node of an operation on one or two floats at the ambient level,
    when the plan is ``quick``: all that ``_record`` would do, without its
    general checks (no shapes or dtypes to cast back to). The short path of
    scalar code.

    A saved input that has a node and no version counter yet is kept as its
    float, not as its tensor: floats do not change, and the tensor, no
    longer kept alive by the graph, is one object fewer for the garbage
    collector to walk per op. Should the tensor be changed in place later,
    its counter, registered on its node, tells (see ``_changed``)."""
    node = Node()
    node.seq = next(_sequence)
    node.pending = None
    node.plan = plan
    node.level = AMBIENT
    node.extra = None
    lone = plan.lone
    if lone is None:
        node.edges = ex
        node.edge1 = ey
    else:
        node.edges = ey if lone else ex
    save = plan.save
    if save == NOTHING:
        node.saved = ()
        return node
    if ex is not None and x._vc is None:
        x = vx
    if ey is not None and y._vc is None:
        y = vy
    if save >= 0:
        node.saved = y if save else x
    else:
        node.saved = x
        node.saved1 = y
    if _last_inplace[0] >= 0:  # a tensor kept as it is may be past version 0
        _note_versions(node)
    return node


def _note_view(out, source, prim, params):
    """``out`` is a view of ``source``: it shares the version counter, knows
    its base and how it is made from it (``_view_fn``, to remake its history
    when the base changes in place), and the base knows its views. A view
    primitive that had to copy (advanced indexing, a reshape of a
    non-contiguous array) made no view, and nothing is noted."""
    made, had = raw_value(out._value), raw_value(source._value)
    if not (type(made) is np.ndarray and type(had) is np.ndarray
            and np.may_share_memory(made, had)):
        return
    out._vc = source._counter()
    base = source if source._base is None else source._base
    out._base = base
    out._view_fn = source._view_fn + ((prim, params),)
    if base._views is None:
        base._views = weakref.WeakSet()
    base._views.add(out)


def _run(prim, values, params, level):
    """The primitive on the values one level down."""
    if level != AMBIENT:
        return prim(*values, **params)
    ans = prim.impl(*values, **params) if params else prim.impl(*values)
    if type(ans) is not float:
        check_real(ans, prim.name)
    return ans


def _open(args, level):
    """Values, edges and the bit pattern of inputs with an edge, for any
    number of arguments."""
    values, edges, bits = [], [], 0
    for k, a in enumerate(args):
        if isinstance(a, ReverseBox) and a._level == level:
            value, edge = a._value, a._node or a._acc
            if edge is not None:
                bits |= 1 << k
        else:
            value, edge = check_operand(a), None
        values.append(value)
        edges.append(edge)
    return values, tuple(edges), bits


def _record(prim, bits, args, edges, values, ans, params, level, out):
    """The node of one operation, saving exactly what its rules read (None
    when no input gets a cotangent after all)."""
    plan = prim._plans.get(bits) or prim.vjp_plan(bits, len(args))
    if not plan.records:
        return None
    node = Node()
    node.seq = next(_sequence)
    node.pending = None
    node.plan = plan
    node.level = level
    node.extra = None
    lone = plan.lone
    if lone is not None:
        node.edges = edges[lone]
    elif plan.pair:
        node.edges, node.edge1 = edges
    else:
        node.edges = edges if not plan.drops_edges else tuple(
            [e if m else None for e, m in zip(edges, plan.mask)])
    save = plan.save
    if save >= 0:
        node.saved = args[save]
    elif save == NOTHING:
        node.saved = ()
    elif save == PAIR:
        node.saved, node.saved1 = args
    elif save == ALL_ARGS:
        node.saved = args
    else:
        saved = [_save(kind, i, args, values, ans, out) for kind, i in plan.needs]
        node.saved = saved[0] if len(saved) == 1 else tuple(saved)
    if params:
        node.params = params
    if _last_inplace[0] >= 0 and save != NOTHING:  # a saved tensor may be past version 0
        _note_versions(node)
    if type(ans) is float:  # then casts are needed only if an input is not a float too
        if lone is not None:
            scalar = type(values[lone]) is float
        elif plan.pair:
            scalar = type(values[0]) is float and type(values[1]) is float
        else:
            scalar = False
        if scalar:
            return node
    casts = _casts(prim, values, plan.mask, ans)
    if casts is not None:
        node.casts = casts
    return node


def _note_versions(node):
    """Record the versions of saved tensors that were changed in place before
    being saved, if any was (the rest are at version 0, the default)."""
    versions = tuple(v._vc[0] if isinstance(v, ReverseBox) and v._vc is not None else 0
                     for v in node.saved_list())
    if any(versions):
        node.versions = versions


def _save(kind, i, args, values, ans, out):
    if kind == "value":
        return args[i]
    if kind == "shape":
        return shape_of(values[i])
    if kind == "ans":
        if out._vc is None:
            out._vc = [0]  # (not yet registered: the node that checks it is being made)
        return _Output(ans, out._vc)
    return tuple(shape_of(v) for v in values)  # all_shapes


def _casts(prim, values, mask, ans):
    """Per input, the (shape, dtype) its cotangent must be brought back to,
    or None when the cotangent already has it. None when no input needs one."""
    if type(ans) is np.ndarray:
        ans_shape, ans_dtype = ans.shape, ans.dtype
    else:
        ans_shape, ans_dtype = shape_of(ans), dtype_of(ans)
    casts = None
    for i, v in enumerate(values):
        if mask[i]:
            if type(v) is np.ndarray:
                shape, dtype = v.shape, v.dtype
            else:
                shape, dtype = shape_of(v), dtype_of(v)
            if shape != ans_shape and prim.broadcasts or dtype != ans_dtype:
                if casts is None:
                    casts = [None] * len(values)
                casts[i] = (shape, dtype)
    return casts


def _topological_order(roots):
    """Every node reachable from ``roots``, each before the nodes it feeds
    from. Nodes are numbered as they are made, after their inputs, so
    sorting by number, newest first, is such an order; the walk that finds
    them is a loop over an explicit stack (no recursion: a chain of a
    million nodes is fine)."""
    seen = set(roots)
    stack = list(seen)
    while stack:
        for edge in _edges_of(stack.pop()):
            if edge is not None and edge not in seen:
                seen.add(edge)
                stack.append(edge)
    return sorted(seen, key=_by_sequence, reverse=True)


def _edges_of(node):
    return node.edge_list() if type(node) is Node else node.edges


def _leading_to(order, targets):
    """The nodes of ``order`` from which a target can be reached."""
    needed = set(targets)
    for node in reversed(order):
        if node not in needed and any(e in needed for e in _edges_of(node) if e is not None):
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


def _sum(a, b):
    """Two cotangents of one node added up (pieces are gathered, not added)."""
    if type(a) is Pieces:
        return a.add(b)
    if type(b) is Pieces:
        return b.add(a)
    return a + b


def _post_hooks(node, grad, grads):
    """Run a node's post hooks on its input gradients, one per input, and
    give them back as ``apply`` gave them."""
    lone = node.plan.lone
    full = list(grads) if lone is None else [grads if i == lone else None
                                             for i in range(len(node.plan.mask))]
    full = [g.written() if type(g) is Pieces else g for g in full]
    _run_hooks(node, "post", grad, full)
    return full if lone is None else full[lone]


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
    """Nodes run newest first (see ``_topological_order`` for why that order
    is right), taken from a heap of the nodes that have a pending gradient:
    only nodes a gradient reaches are visited, with no walk of the graph
    first (a chain keeps the heap at one or two entries)."""
    needed = None  # with capture: the nodes that lead to a captured one
    if capture is not None:
        needed = _leading_to(_topological_order(roots), capture)
        targets, captured = set(capture), {}
    heap = []  # (-seq, node) of the nodes with a pending gradient
    for root, seed in zip(roots, seeds):
        if root.pending is None:
            heappush(heap, (-root.seq, root))
            root.pending = seed
        else:
            root.pending = root.pending + seed
    try:
        while heap:
            node = heappop(heap)[1]
            grad = node.pending
            node.pending = None
            if type(grad) is Pieces:
                grad = grad.written()
            extra = node.extra
            if extra is not None and extra.hooks:
                grad = _run_hooks(node, "pre", _run_hooks(node, "tensor", _writable(grad)))
            if capture is not None and node in targets:
                captured[node] = grad = _writable(grad)
            if type(node) is AccumulateGrad:
                leaf = node.variable
                if capture is None and leaf is not None and leaf._acc is node:
                    _accumulate(leaf, grad, create_graph)  # (not if it stopped requiring grad)
                continue
            plan = node.plan
            if (extra is not None or not plan.simple
                    or plan.n_saved and (create_graph or node.seq <= _last_inplace[0]
                                         or node.saved is _FREED)):
                grads = node.apply(grad, create_graph, box_type)
            elif plan.lone is not None:  # the common nodes, run here (see VjpPlan.simple)
                rule = plan.rules[plan.lone]
                if not rule[1]:
                    grads = grad if rule[0] is identity else rule[0](grad)
                else:
                    saved = node.saved if plan.n_saved == 1 else node.saved_list()[rule[2]]
                    if isinstance(saved, ReverseBox):
                        if saved._level == node.level:
                            saved = saved._value
                    elif type(saved) is _Output:
                        saved = saved.value
                    grads = rule[0](grad, saved)
            else:
                saved = _opened(node) if plan.n_saved else ()
                grads = [None if rule is None else (grad if rule[0] is identity else rule[0](grad))
                         if not rule[1] else rule[0](grad, saved[rule[2]]) for rule in plan.rules]
            if extra is not None and extra.hooks:
                grads = _post_hooks(node, grad, grads)
            if not retain_graph and plan.saves_values:
                node.saved = _FREED
                if plan.save == PAIR:
                    node.saved1 = None
            if plan.lone is not None:  # one edge (written out: the common case)
                edge = node.edges
                if grads is not None and (needed is None or edge in needed):
                    if edge.pending is None:
                        heappush(heap, (-edge.seq, edge))
                        edge.pending = grads
                    elif type(grads) is Pieces or type(edge.pending) is Pieces:
                        edge.pending = _sum(edge.pending, grads)
                    else:
                        edge.pending = edge.pending + grads
                grads = None  # the pending slot holds it now (see _owned)
                continue
            for edge, g in zip((node.edges, node.edge1) if plan.pair else node.edges, grads):
                if edge is None or g is None or needed is not None and edge not in needed:
                    continue
                if edge.pending is None:
                    heappush(heap, (-edge.seq, edge))
                    edge.pending = g
                else:
                    edge.pending = _sum(edge.pending, g)
            grads = g = None  # the pending slots hold them now (see _owned)
    except BaseException:
        for _, node in heap:  # leave no gradient behind for the next pass
            node.pending = None
        raise
    return None if capture is None else [captured.get(node) for node in capture]


def _accumulate(leaf, grad, create_graph):
    """Add ``grad`` to ``leaf.grad``, keeping the same ``.grad`` tensor when
    there is one (as PyTorch does) unless the sum itself is recorded."""
    if create_graph or isinstance(grad, Box):
        if not isinstance(grad, ReverseBox) or grad._level != leaf._level:
            grad = type(leaf)._make(grad, leaf._level)
        if leaf._grad is None and _shares_memory(grad):
            grad = ops.clone(grad)  # a .grad of its own: changing it in place must work
        leaf._grad = grad if leaf._grad is None else leaf._grad + grad
    elif leaf._grad is None:
        leaf._grad = type(leaf)._make(_owned(grad), leaf._level)
    else:
        leaf._grad._value = leaf._grad._value + grad
        leaf._grad._bump_version()


def _writable(grad):
    """A cotangent handed to the user (a hook, ``autograd.grad``): a
    read-only one (a number broadcast, see ops.elementwise._times) written
    out as an array of its own, as PyTorch's gradients are where an
    operation made them."""
    array = raw_value(grad)
    if type(array) is np.ndarray and not array.flags.writeable:
        return ops.clone(grad) if isinstance(grad, Box) else array.copy()
    return grad


def _shares_memory(value):
    """Whether the array under ``value`` is a view (of a broadcast number,
    as sum's cotangent is, or of another array)."""
    array = raw_value(value)
    return type(array) is np.ndarray and array.base is not None


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
