"""The recorded graph: its nodes (PyTorch's ``grad_fn``), the accumulators
of leaves, hooks, and the state shared by recording and the backward sweep.

A node keeps only what its VJP rules asked for, the edges to its inputs'
nodes, and what is needed to sum a broadcast cotangent back to each input's
shape and dtype. ``reverse`` records nodes; ``sweep`` runs them.
"""

import itertools
import weakref

from .levels import AMBIENT
from .primitive import _NO_PARAMS, PAIR

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
        self.params = _NO_PARAMS
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
