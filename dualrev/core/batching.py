"""Batching (``vmap``): the batch box and its handler.

A batch box holds the values of every example of a batch, stacked along a
leading axis (the batch axis is always the first). Its handler runs a
primitive on the stacked values so that each example's result is what the
primitive gives on that example alone: elementwise primitives by aligning
the examples' axes, primitives whose rule already lets a leading batch axis
through (the linear ones, by their record's ``batch``; reductions and
matrix functions, whose axes are counted from the end) as they are, and the
rest by the rule in their record's ``vmap`` field. Results stay batched,
integer and boolean ones too.
"""

from .primitive import TABLE, Box, check_operand
from .values import ndim_of, shape_of
from .forward import _tangent_of

# vmap field values: how a primitive batches, where its other fields do not say
TRAILING = "trailing axes"  # axes counted from the end: a leading batch axis is let through
JOINTLY_LINEAR = "jointly linear"  # linear in all its arguments together: its JVP batches it
MULTILINEAR = "multilinear"  # linear in each argument: one batched argument batches as a JVP
INDEXED = "indexed"  # index parameters along trailing axes: batched ones (one per example) fit


# The vmaps running now, innermost last: (level, batch size, randomness); random
# functions, which take no batched argument, ask here whether they are inside one.
RUNNING = []


class BatchBox(Box):
    """The core of a batched value: the examples' values, stacked along a
    leading axis, at a level."""

    __slots__ = {"primal": "The examples' values, stacked along the first axis."}

    @classmethod
    def _make(cls, primal, level):
        box = object.__new__(cls)
        box._level = level
        box.primal = primal
        return box

    def _inner(self):
        return self.primal

    def __repr__(self):
        return f"BatchedTensor(batch={shape_of(self.primal)[0]}, value={self.primal!r})"

    def _refuse(self, *_):
        raise RuntimeError(
            "vmap: It looks like you're attempting to use a Tensor in some data-dependent "
            "control flow. We don't support that yet: the examples of a batch may take "
            "different branches. Write the branch with dr.where instead.")

    __bool__ = __float__ = __int__ = __index__ = _refuse

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("vmap: NumPy cannot see a batched value (each example is a tensor of "
                           "its own); use dualrev's functions on it.")

    def _apply(self, prim, args, params):
        level = self._level
        values, batched = [], []
        for a in args:
            if isinstance(a, BatchBox) and a._level == level:
                values.append(a.primal)
                batched.append(True)
            else:
                values.append(check_operand(a))
                batched.append(False)
        size = shape_of(self.primal)[0]
        stacked = {k for k, v in params.items() if isinstance(v, BatchBox) and v._level == level}
        if stacked:  # an index computed from the examples (sort's order): one per example
            if prim.vmap != INDEXED:
                raise NotImplementedError(f"vmap: primitive {prim.name!r} cannot take a batched "
                                          f"{', '.join(sorted(stacked))}")
            params = {k: v.primal if k in stacked else v for k, v in params.items()}
            values = [v if b else _broadcast(v, size) for v, b in zip(values, batched)]
            return type(self)._make(prim(*values, **params), level)
        return type(self)._make(batched_call(prim, values, batched, params, size), level)


def index_values(value):
    """An index result (argsort's order) as the values it holds: the boxes
    of derivative levels taken off (an index carries no derivative), a batch
    box kept (each example has its own index)."""
    while isinstance(value, Box) and not isinstance(value, BatchBox):
        value = value._inner()
    return value


def batched_call(prim, values, batched, params, size):
    """``prim`` on every example at once: the stacked result (batch axis
    first) of ``prim`` on ``values``, of which those marked ``batched`` carry
    the batch axis first."""
    rule = prim.vmap
    if rule == JOINTLY_LINEAR or rule == MULTILINEAR and batched.count(True) == 1:
        # the examples as a batch of tangents: a JVP rule lets leading batch axes through
        tangents = [v if b else None for v, b in zip(values, batched)]
        if rule == JOINTLY_LINEAR:
            tangents = [v if b else _broadcast(v, size) for v, b in zip(values, batched)]
        firsts = [v[0] if b else v for v, b in zip(values, batched)]
        return _tangent_of(prim, prim(*firsts, **params), firsts, tangents, params)
    if callable(rule):
        return rule(values, batched, size, **params)
    if prim.sparsity in ("elementwise", "constant"):
        return prim(*_aligned(values, batched), **params)
    if prim.linear and batched[0] and not any(batched[1:]):
        x_shape = shape_of(values[0])[1:]
        if prim.batch is None:
            return prim(*values, **params)
        t, params, *finish = prim.batch(values[0], x_shape, (size,), **params)
        out = prim(t, *values[1:], **params)
        return finish[0](out) if finish else out
    if rule == TRAILING or prim.sparsity in ("reduces", "prefix", "blocks"):
        if "axis" in params and params["axis"] is None:  # all of an example's axes
            params = dict(params, axis=tuple(range(-(ndim_of(values[0]) - 1), 0)))
        return prim(*values, **params)
    raise NotImplementedError(f"vmap: primitive {prim.name!r} has no batch rule")


def _broadcast(value, size):
    """An unbatched value given the batch axis (every example the same)."""
    return TABLE.broadcast_to(value, shape=(size,) + tuple(shape_of(value)))


def _aligned(values, batched):
    """Batched arguments of an elementwise primitive with their examples'
    axes aligned to the output's (size-1 axes behind the batch axis), so
    that broadcasting pairs each example with the others' same example."""
    dims = max(ndim_of(v) - b for v, b in zip(values, batched))
    out = []
    for v, b in zip(values, batched):
        missing = dims - (ndim_of(v) - 1) if b else 0
        if b and missing > 0:
            shape = tuple(shape_of(v))
            v = TABLE.reshape(v, shape=shape[:1] + (1,) * missing + shape[1:])
        out.append(v)
    return out
