"""``Batched``: the value a function sees inside ``dr.func.vmap``, the
core's batch box with the math surface of Tensor and Dual (from the name
table, ``names``). It shows one example's shape, as torch.func's does."""

from .core.batching import BatchBox
from .core.values import dtype_of, shape_of
from .dtypes import from_numpy_dtype
from .gradients import raise_backward_in_vmap


class Batched(BatchBox):
    """A batch of values, one per example, seen as one example of it."""

    __slots__ = ()

    backward = raise_backward_in_vmap  # (one backward pass per example: not supported)

    @property
    def shape(self):
        """One example's shape."""
        return tuple(shape_of(self.primal))[1:]

    @property
    def dtype(self):
        """The examples' dtype."""
        return from_numpy_dtype(dtype_of(self.primal))
