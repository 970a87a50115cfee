"""Reverse mode: the recording handler. A reverse box (the core of
``Tensor``) holds a value of the level below (an ndarray, a float, or a lower
box) and, when it was computed from inputs that require grad, the ``Node``
(see ``graph``) that records how. ``sweep`` runs the recorded graph.
"""

import threading
import weakref

import numpy as np

from .values import check_real, dtype_of, is_float, shape_of
from .levels import AMBIENT, grad_state, _threads_without_grad
from .primitive import FLOAT_ERRORS, NO_PARAMS, Box, check_operand, raw_value, share_memory
from .anomaly import ENABLED as _anomaly_enabled, note_forward
from .graph import AccumulateGrad, HookedSaved, Node, Packed, _last_inplace, _Output, _sequence


class ReverseBox(Box):
    """The reverse-mode core of a Tensor: its value, level, graph node and
    version counter. The Tensor facade adds the PyTorch surface.

    Only the level, value and node are set per operation; the rest are class
    defaults until a tensor needs its own (leaves, views, in-place changes).
    """

    __slots__ = ("_value", "_node", "__dict__", "__weakref__")

    _rg = False        # requires grad (a leaf's flag; non-leaves have a node)
    _vc = None         # version counter [n], shared with views; made on first need
    _acc = None        # the AccumulateGrad node of a leaf that requires grad
    _idle_acc = None   # that node while the leaf does not require grad (as in PyTorch)
    _base = None       # the tensor this one is a view of
    _view_fn = ()      # a view's ((primitive, parameters), ...) from its base
    _views = None      # a base's views (weakly), whose histories follow its own
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
        backward instead (see ``sweep._current``)."""
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
        out._node = _node(prim, bits, args, edges, values, ans, params, level, out)
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
        floats = False  # a float in, a float out, at the ambient level: the scalar path
        if level != AMBIENT:
            ans = prim(value)
        elif type(value) is float and prim.on_floats is not None:
            try:
                ans = prim.on_floats(value)
                floats = True
            except FLOAT_ERRORS:
                ans = prim.impl(value)
        else:
            ans = prim.impl(value)
            if type(ans) is not float:
                check_real(ans, prim.name)
        out = object.__new__(type(self))
        out._level = level
        out._value = ans
        edge = self._node or self._acc
        if edge is None or _threads_without_grad[0] and not grad_state.enabled:
            out._node = None
        elif floats and (plan := prim._plans.get(1)) is not None and plan.scalar:
            out._node = _scalar_node(plan, (edge,), self, value, None, None)
        else:
            out._node = _node(prim, 1, (self,), (edge,), (value,), ans, NO_PARAMS, level, out)
        if prim.view:
            _note_view(out, self, prim, NO_PARAMS)
        return out

    def _apply2(self, prim, x, y):
        level = self._level
        # (``self`` is one of the two, and a number the other, most often: those
        # are told apart without a call)
        if x is self or type(x) is not float and isinstance(x, ReverseBox) and x._level == level:
            vx, ex = x._value, x._node or x._acc
        else:
            vx, ex = x if type(x) is float else check_operand(x), None
        if y is self or type(y) is not float and isinstance(y, ReverseBox) and y._level == level:
            vy, ey = y._value, y._node or y._acc
        else:
            vy, ey = y if type(y) is float else check_operand(y), None
        floats = False  # floats in, a float out, at the ambient level: the scalar path
        if level != AMBIENT:
            ans = prim(vx, vy)
        elif type(vx) is float and type(vy) is float and prim.on_floats is not None:
            try:
                ans = prim.on_floats(vx, vy)
                floats = True
            except FLOAT_ERRORS:
                ans = prim.impl(vx, vy)
        else:
            ans = prim.impl(vx, vy)
            if type(ans) is not float:
                check_real(ans, prim.name)
        out = object.__new__(type(self))
        out._level = level
        out._value = ans
        bits = (ex is not None) | (ey is not None) << 1
        if not bits or _threads_without_grad[0] and not grad_state.enabled:
            out._node = None
        elif floats and (plan := prim._plans.get(bits)) is not None and plan.scalar:
            out._node = _scalar_node(plan, (ex, ey), x, vx, y, vy)
        else:
            out._node = _node(prim, bits, (x, y), (ex, ey), (vx, vy), ans, NO_PARAMS, level, out)
        return out


def record_computed(prim, args, params, value, level, box_type):
    """The output of ``prim`` on ``args`` at ``level``, whose value one level
    down was computed already: by a custom function's or an
    ``autograd.Function``'s own code, whose operations the levels below
    recorded. Its node is recorded at ``level`` only (the arguments of lower
    levels are constants here); nothing is dispatched to the levels below."""
    values, edges, bits = _open(args, level)
    out = object.__new__(box_type)
    out._level = level
    out._value = value
    out._node = _node(prim, bits, args, edges, values, value, params, level, out)
    return out


def computed_already(*args, **params):
    """The implementation of a primitive whose outputs ``record_computed``
    records: never run."""
    raise AssertionError("this primitive's outputs are computed by the user's code and recorded "
                         "by record_computed, not run")


def _node(prim, bits, args, edges, values, ans, params, level, out):
    """The node recording one operation, or None: the general path, for
    every handler. ``bits`` marks the inputs with an edge (they require
    grad)."""
    if _threads_without_grad[0] and not grad_state.enabled:
        return None
    plan = prim._plans.get(bits) or prim.vjp_plan(bits, len(args))
    if type(ans) is not float and not is_float(ans):
        return None  # an integer or bool result carries no derivative
    if not plan.records:
        return None
    if plan.drops_edges:
        edges = tuple(e if m else None for e, m in zip(edges, plan.mask))
    return _record(plan, args, edges, values, ans, params, level, out)


def _scalar_node(plan, edges, x, vx, y, vy):
    """The node of an operation on one or two floats at the ambient level
    (``y`` None for one) whose plan is ``scalar``: the short path of scalar
    code. It exists for speed: ``_node``'s general work (no shapes or dtypes
    to bring cotangents back to here, no parameters, no outputs to save)
    would cost a fifth of a recorded op.

    A saved input that has a node and no version counter yet is kept as its
    float, not as its tensor: floats do not change, and the tensor, no
    longer kept alive by the graph, is one object fewer for the garbage
    collector to walk per op. Should the tensor be changed in place later,
    its counter, registered on its node, tells (see ``sweep._changed``)."""
    keeps = plan.keeps  # which inputs it saves, in bits (spelled out: a loop costs more)
    if keeps & 1:
        kept = vx if edges[0] is not None and x._vc is None else x
        saved = (kept,) if keeps == 1 else (kept, vy if edges[1] is not None and y._vc is None
                                            else y)
    elif keeps:
        saved = (vy if edges[1] is not None and y._vc is None else y,)
    else:
        saved = ()
    node = Node()  # (no __init__: calling one would cost a tenth of an op)
    node.plan = plan
    node.edges = edges
    node.saved = saved
    node.level = AMBIENT
    node.seq = next(_sequence)
    node.pending = node.extra = None
    if _anomaly_enabled[0]:  # it keeps where it was made (see anomaly)
        note_forward(node)
    if saved and _last_inplace[0] >= 0:  # a tensor kept may be past version 0
        _note_versions(node)
    return node


def _record(plan, args, edges, values, ans, params, level, out):
    """The node of one operation, saving exactly what its rules read."""
    if plan.saved_args is not None:
        saved = tuple(args[i] for i in plan.saved_args)
    else:
        saved = tuple(_save(kind, i, args, values, ans, out) for kind, i in plan.needs)
    node = Node()
    node.plan, node.edges, node.saved, node.level = plan, edges, saved, level
    node.seq, node.pending, node.extra = next(_sequence), None, None
    if _anomaly_enabled[0]:  # it keeps where it was made (see anomaly)
        note_forward(node)
    if params:
        node.params = params
    if saved and _last_inplace[0] >= 0:  # a saved tensor may be past version 0
        _note_versions(node)
    casts = _casts(plan, values, ans)
    if casts is not None:
        node.casts = casts
    return node


# -- saved-tensor hooks ----------------------------------------------------------------
#
# While some thread has hooks set (``push_saved_hooks``), recording goes
# through ``_record_packing`` and ``_scalar_node_packing``: the module's
# ``_record`` and ``_scalar_node`` are rebound to them, so that recording
# without hooks pays nothing for the feature, not even a check.

_record_plain, _scalar_node_plain = _record, _scalar_node


class _SavedHooks(threading.local):
    stack = ()       # (pack, unpack) pairs of this thread, the innermost last
    disabled = None  # disable_saved_tensors_hooks's message, while it is on


saved_hooks = _SavedHooks()
_threads_with_hooks = [0]
_routing = threading.Lock()


def push_saved_hooks(pack, unpack):
    """Pack what nodes save with ``pack`` from now on in this thread, until
    ``pop_saved_hooks``; ``unpack`` gives it back at backward."""
    if saved_hooks.disabled is not None:
        raise RuntimeError(saved_hooks.disabled)
    saved_hooks.stack += ((pack, unpack),)
    with _routing:
        _threads_with_hooks[0] += 1
        if _threads_with_hooks[0] == 1:
            globals().update(_record=_record_packing, _scalar_node=_scalar_node_packing)


def pop_saved_hooks():
    """Take off the innermost hooks of this thread."""
    saved_hooks.stack = saved_hooks.stack[:-1]
    with _routing:
        _threads_with_hooks[0] -= 1
        if _threads_with_hooks[0] == 0:
            globals().update(_record=_record_plain, _scalar_node=_scalar_node_plain)


def _record_packing(plan, args, edges, values, ans, params, level, out):
    node = _record_plain(plan, args, edges, values, ans, params, level, out)
    if node.saved and saved_hooks.stack and saved_hooks.disabled is None:
        out._node = node  # (the pack hook may look at the output's grad_fn)
        sources = [out if kind == "ans" else args[i] if kind == "value" else None
                   for kind, i in plan.needs]
        _pack(node, sources)
    return node


def _scalar_node_packing(plan, edges, x, vx, y, vy):
    node = _scalar_node_plain(plan, edges, x, vx, y, vy)
    if node.saved and saved_hooks.stack and saved_hooks.disabled is None:
        _pack(node, [(x, y)[i] for i in plan.saved_args])
    return node


def _pack(node, sources):
    """Replace the tensors a node saved by what the current pack hook makes
    of them (``sources[k]``: the tensor behind saved value k, if any)."""
    pack, unpack = saved_hooks.stack[-1]
    saved = []
    for k, (value, source) in enumerate(zip(node.saved, sources)):
        if isinstance(source, ReverseBox) and source._level == node.level:
            if node.plan.needs[k][0] == "ans":
                kind, edge = "output", None
            else:
                edge = source._node or source._acc
                kind = "constant" if edge is None else "input"
            value = Packed(pack(source), unpack, kind, edge, type(source), node.level)
        saved.append(value)
    node.saved = HookedSaved(saved)


def _note_view(out, source, prim, params):
    """``out`` is a view of ``source``: it shares the version counter, knows
    its base and how it is made from it (``_view_fn``, to remake its history
    when the base changes in place), and the base knows its views. A view
    primitive that had to copy (advanced indexing, a reshape of a
    non-contiguous array) made no view, and nothing is noted."""
    if not share_memory(out._value, source._value):
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


def _note_versions(node):
    """Record the versions of saved tensors that were changed in place before
    being saved, if any was (the rest are at version 0, the default)."""
    versions = tuple(v._vc[0] if isinstance(v, ReverseBox) and v._vc is not None else 0
                     for v in node.saved)
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


def _casts(plan, values, ans):
    """Per input, the (shape, dtype) its cotangent must be brought back to,
    or None when the cotangent already has it. None when no input needs one.
    When the arrays among the inputs differ in dtype, a rule on raw arrays
    may promote as NumPy does (float32 times int64 is float64 there), so
    every cotangent is brought back to its input's dtype."""
    if type(ans) is float and all(type(v) is float for v in values):
        return None
    if type(ans) is np.ndarray:
        ans_shape, ans_dtype = ans.shape, ans.dtype
    else:
        ans_shape, ans_dtype = shape_of(ans), dtype_of(ans)
    casts = None
    mixed = any(type(r) is np.ndarray and r.dtype != ans_dtype for r in map(raw_value, values))
    for i, v in enumerate(values):
        if plan.mask[i]:
            if type(v) is np.ndarray:
                shape, dtype = v.shape, v.dtype
            else:
                shape, dtype = shape_of(v), dtype_of(v)
            if shape != ans_shape and plan.prim.broadcasts or dtype != ans_dtype or mixed:
                if casts is None:
                    casts = [None] * len(values)
                casts[i] = (shape, dtype)
    return casts
