"""``Jet``: the value a function sees inside ``dr.func.jet`` (Taylor mode),
the core's Taylor box with the math surface of Tensor and Dual (from the
name table, ``names``)."""

from .core.taylor import TaylorBox
from .dual import Dual
from .core.values import dtype_of, shape_of
from .dtypes import from_numpy_dtype


class Jet(TaylorBox):
    """A truncated power series in t: ``primal + series[0] t + series[1] t^2
    + ...``, with normalized coefficients (the k-th derivative in t over
    k!). Every operation on it carries the series (see ``core.taylor``)."""

    __slots__ = ()
    forward_box = Dual

    @property
    def shape(self):
        """The primal's shape."""
        return tuple(shape_of(self.primal))

    @property
    def dtype(self):
        """The primal's dtype."""
        return from_numpy_dtype(dtype_of(self.primal))
