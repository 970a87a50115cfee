"""The recorded graph: its nodes (PyTorch's ``grad_fn``), the accumulators
of leaves, hooks, and the state shared by recording and the backward sweep.

A node keeps only what its VJP rules asked for, the edges to its inputs'
nodes, and what is needed to sum a broadcast cotangent back to each input's
shape and dtype. ``reverse`` records nodes; ``sweep`` runs them.
"""

import itertools
import weakref

import numpy as np

from .levels import AMBIENT
from .primitive import NO_PARAMS, TABLE, Box
from .values import canonical

_FREED = object()
_sequence = itertools.count()  # creation order of nodes: a topological order
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
                 "alias", "trace")

    def __init__(self):
        self.params = NO_PARAMS
        self.hooks = self.casts = self.versions = self.watch = self.exposed = self.alias = None
        self.trace = None
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

    ``edges`` has one entry per input: the node (or leaf accumulator) its
    cotangent goes to, None where none goes. ``saved`` is the tuple of what
    the rules read, in the plan's order (``plan.needs``); ``_FREED`` once a
    backward pass without ``retain_graph`` let it go. ``level`` is the level
    of the boxes it recorded; ``seq`` its creation number (a topological
    order); ``pending`` the cotangent gathered for it during a sweep. Rarely
    set fields (parameters, hooks, casts, versions) live in ``extra``, None
    for most nodes: the sweep checks one slot, and a node has no instance
    dictionary.
    """

    __slots__ = ("plan", "edges", "saved", "seq", "pending", "level", "extra")

    params = _extra_field("params")      # the primitive's static parameters
    hooks = _extra_field("hooks")        # [(kind, fn)], see add_hook
    casts = _extra_field("casts")        # per input: (shape, dtype) of its cotangent, or None
    versions = _extra_field("versions")  # per saved value: its version when saved (None: all 0)
    watch = _extra_field("watch")        # version counters of the tensors this node made
    exposed = _extra_field("exposed")    # weak references to those whose value may change untracked
    detached = _extra_field("detached")  # its tensor was detached in place (saving it is an error)
    alias = _extra_field("alias")        # PyTorch's name for it, where not the primitive's
    trace = _extra_field("trace")        # where it was recorded, in anomaly mode (see anomaly)

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
        return tuple((edge, 0) for edge in self.edges)

    def register_hook(self, hook):
        """Call ``hook(grad_inputs, grad_outputs)`` after this node ran; a
        tuple it returns replaces the input gradients."""
        return add_hook(self, "post", hook)

    def register_prehook(self, hook):
        """Call ``hook(grad_outputs)`` before this node runs; a tuple it
        returns replaces the gradients."""
        return add_hook(self, "pre", hook)

    def __dir__(self):
        """With the ``_saved_<name>`` fields of this node only."""
        return sorted({n for n in object.__dir__(self) if not n.startswith("_saved_")}
                      | set(saved_fields(self)))


# -- grad_fn._saved_<name>: what a node saved, by PyTorch's names ----------------------

#: torch's names of the arguments of nodes whose arguments are not (self, other)
_TORCH_ARGUMENTS = {"PowBackward0": ("self", "exponent"), "PowBackward1": ("self", "exponent"),
                    "MmBackward0": ("self", "mat2"), "BmmBackward0": ("self", "mat2"),
                    "MvBackward0": ("self", "vec"), "DotBackward0": ("self", "tensor")}
#: fields torch keeps as a Python number, not a tensor
_NUMBER_FIELDS = {("PowBackward0", "exponent")}
_box_type = [None]


def set_saved_box_type(cls):
    """The class saved values are shown as by ``_saved_<name>`` (the
    surface's Tensor; the core knows only bare boxes). Called once the
    rules are in the table: the fields named after a primitive's third and
    later arguments are made then."""
    _box_type[0] = cls
    for prim in vars(TABLE).values():
        if not prim.variadic:
            for name in prim.arg_names[2:]:
                _add_field(f"_saved_{name}")
                _add_field(f"_saved_{name}_sym_sizes")


def _add_field(name):
    """``Node.<name>``: a property, not ``__getattr__``, which would slow
    every attribute read of every node (CPython specializes attribute reads
    only on classes without it)."""
    if name in vars(Node):
        return

    def get(node):
        fields = saved_fields(node)
        if name not in fields:
            raise AttributeError(f"'{node.name()}' object has no attribute '{name}'")
        return _saved_value(node, fields[name])
    setattr(Node, name, property(get, doc=f"PyTorch's grad_fn.{name} (see saved_fields)."))


for _name in ("result", "self", "other", "exponent", "mat2", "vec", "tensor"):
    _add_field(f"_saved_{_name}")
    _add_field(f"_saved_{_name}_sym_sizes")


def _argument_name(node, i):
    names = _TORCH_ARGUMENTS.get(node.name())
    if names is not None and i < len(names):
        return names[i]
    return ("self", "other")[i] if i < 2 else node.plan.prim.arg_names[i]


def saved_fields(node):
    """``{"_saved_<name>": what the plan saves}`` for everything a node of
    this primitive may save (a field it did not save this time reads None,
    as in PyTorch): an argument's value under torch's name for it
    (``self``, ``other``, ``exponent``...), the output as ``result``, an
    argument's shape as ``<name>_sym_sizes``. None for nodes of variadic
    primitives (concatenations, custom functions)."""
    prim = node.plan.prim
    if prim.variadic:
        return {}
    n = len(node.edges)
    fields = {}
    for kind, i in prim.vjp_plan((1 << n) - 1, n).needs:
        if kind == "ans":
            fields["_saved_result"] = (kind, i)
        elif kind == "value":
            fields["_saved_" + _argument_name(node, i)] = (kind, i)
        elif kind == "shape":
            fields[f"_saved_{_argument_name(node, i)}_sym_sizes"] = (kind, i)
    return fields


def _saved_value(node, need):
    """One saved value as PyTorch shows it: a tensor (the input itself when
    it is kept), a tuple of sizes, or None when this node did not save it."""
    if node.saved is _FREED:
        raise _freed_error()
    if need not in node.plan.needs:
        return None
    k = node.plan.needs.index(need)
    value = tuple.__getitem__(node.saved, k)
    if type(value) is Packed:
        return value.unpack(value.packed)  # (as PyTorch: the unpack hook, at each access)
    kind, i = need
    box = _box_type[0]
    if kind == "shape":
        return tuple(int(d) for d in value)
    if kind == "ans":
        if value.counter[0]:
            raise _inplace_error(node, value.counter[0], 0)
        return value.value if box is None else box._make(value.value, node.level, node)
    if isinstance(value, Box):
        expected = node.versions[k] if node.versions else 0
        counter = getattr(value, "_vc", None)
        if value._level == node.level and counter is not None and counter[0] != expected:
            raise _inplace_error(node, counter[0], expected)
        return value
    edge = node.edges[i]
    if edge is not None:  # a tensor's float, kept bare by the scalar path
        leaf = getattr(edge, "variable", None)
        if leaf is not None:
            return leaf
        return value if box is None else box._make(value, node.level, edge)
    if (node.name(), _argument_name(node, i)) in _NUMBER_FIELDS:
        return value.item() if isinstance(value, np.ndarray) else value
    if box is None:
        return value
    return box._make(value if type(value) is float else canonical(np.asarray(value)), node.level)


# -- saved-tensor hooks: what a pack hook returned, unpacked at backward ---------------

class Packed:
    """A saved value that went through a pack hook (``saved_tensors_hooks``):
    what the hook returned, the unpack hook, and how the rules take the
    unpacked tensor: ``kind`` "input" (with ``edge``, the input's node, so
    that a recorded backward pass still reaches it), "output" or
    "constant"; ``box`` the tensor's class, ``level`` the node's."""

    __slots__ = ("packed", "unpack", "kind", "edge", "box", "level")

    def __init__(self, packed, unpack, kind, edge, box, level):
        self.packed, self.unpack, self.kind = packed, unpack, kind
        self.edge, self.box, self.level = edge, box, level

    def for_rules(self):
        """The unpacked tensor as the sweep reads a saved value. As in
        PyTorch, no version is checked: the hooks own the value."""
        t = self.unpack(self.packed)
        if isinstance(t, Box) and t._level == self.level:
            value = t._value
        elif isinstance(t, Box):
            value = t
        else:
            value = canonical(t if isinstance(t, np.ndarray) else np.asarray(t))
        if self.kind == "output":
            return _Output(value, [0])
        return self.box._make(value, self.level, self.edge)


class HookedSaved(tuple):
    """A node's ``saved`` when some of it was packed by hooks: reading an
    entry unpacks it, so the sweep reads it like any other."""

    __slots__ = ()

    def __getitem__(self, k):
        value = tuple.__getitem__(self, k)
        return value.for_rules() if type(value) is Packed else value

    def __iter__(self):
        for value in tuple.__iter__(self):
            yield value.for_rules() if type(value) is Packed else value


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
