"""Cotangents as the backward sweep handles them: summed back to the shape
and dtype of the input they belong to (broadcasting is undone by the tape,
not by each rule), and gathered in pieces when an input was read in slices.

Both apply primitives of the table (reached by name in ``TABLE``), so they
stay differentiable when the backward pass is itself recorded."""

from .primitive import TABLE
from .values import dtype_of, shape_of


def sum_to(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched, so that it
    has ``shape``."""
    g_shape = shape_of(g)
    if g_shape == shape or g_shape == tuple(shape):
        return g
    lead = len(g_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1)
    if axes:
        g = TABLE.sum(g, axis=tuple(a - len(g_shape) for a in axes), keepdims=True)
    return TABLE.reshape(g, shape=tuple(shape))


def unbroadcast(g, shape, dtype):
    """The cotangent ``g`` of an argument of ``shape`` and ``dtype``: broadcasting
    summed away and the dtype restored."""
    g = sum_to(g, shape)
    if dtype_of(g) != dtype:
        g = TABLE.astype(g, dtype=dtype)
    return g


class Pieces:
    """The cotangent of a tensor read in slices, not yet written out: pieces
    to add into zeros of ``shape``, each at its index. getitem's VJP gives
    one; the backward sweep gathers the pieces that reach one node (a plain
    cotangent joins as a piece covering everything) and writes them all out
    when the node runs, by one ``scatter_sum``: one array of zeros and one
    add per piece, where a scatter per slice and sums of whole arrays would
    cost three passes per slice."""

    __slots__ = ("shape", "values", "indices")

    def __init__(self, shape, value, index):
        self.shape, self.values, self.indices = shape, [value], [index]

    def add(self, other):
        """This cotangent plus ``other`` (pieces or a plain cotangent); the
        pieces are the sweep's own, so they are extended in place."""
        if type(other) is Pieces:
            self.values += other.values
            self.indices += other.indices
        else:
            self.values.append(other)
            self.indices.append((Ellipsis,))
        return self

    def written(self):
        """The cotangent as one value of ``shape``."""
        if len(self.values) == 1:
            return TABLE.scatter(self.values[0], shape=self.shape, index=self.indices[0])
        return TABLE.scatter_sum(*self.values, shape=self.shape, indices=tuple(self.indices))
