"""``Jet``: the value a function sees inside ``dr.func.jet`` (Taylor mode),
the core's Taylor box with the math surface of Tensor and Dual (from the
name table, ``names``)."""

from .core.taylor import TaylorBox
from .dual import Dual, OfPrimal


class Jet(OfPrimal, TaylorBox):
    """A truncated power series in t: ``primal + series[0] t + series[1] t^2
    + ...``, with normalized coefficients (the k-th derivative in t over
    k!). Every operation on it carries the series (see ``core.taylor``)."""

    __slots__ = ()
    forward_box = Dual
