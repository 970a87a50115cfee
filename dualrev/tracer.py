"""``Tracer``: the value a function sees inside ``dr.func.jacobian_sparsity``
(sparsity detection), the core's tracer box with the math surface of Tensor
and Dual (from the name table, ``names``)."""

from .core.sparsity import SparsityBox
from .dual import OfPrimal


class Tracer(OfPrimal, SparsityBox):
    """A value whose every element carries the set of input indices it may
    depend on (see ``core.sparsity``)."""

    __slots__ = ()
