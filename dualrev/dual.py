"""``Dual``: the forward-mode value of the PyTorch-style surface, the core's
forward box. Its math methods and operators, the same as Tensor's, come
from the name table (``names``)."""

from .core.forward import ForwardBox
from .core.primitive import Box
from .core.values import dtype_of, shape_of
from .dtypes import as_value, from_numpy_dtype


class OfPrimal:
    """The shape and dtype of a box that carries derivatives beside its
    primal (Dual, Jet): its primal's."""

    __slots__ = ()

    @property
    def shape(self):
        """The primal's shape, a tuple of ints (the tangent's, less any
        leading batch axes).

        Example:
            >>> import dualrev as dr
            >>> dr.Dual(dr.zeros(2, 3), dr.ones(2, 3)).shape
            (2, 3)
        """
        return tuple(shape_of(self.primal))

    @property
    def dtype(self):
        """The primal's dtype, a ``dualrev.dtype``.

        Example:
            >>> import dualrev as dr
            >>> dr.Dual(1.0, 0.0).dtype
            dualrev.float64
        """
        return from_numpy_dtype(dtype_of(self.primal))


class Dual(OfPrimal, ForwardBox):
    """A forward-mode value: ``primal + tangent * ε`` with ε² = 0.

    ``Dual(x, v)`` carries the direction ``v`` through every operation, so
    ``f(Dual(x, v)).tangent`` is the Jacobian-vector product J_f(x) v.
    Duals nest: ``Dual(Dual(x, 1.0), Dual(1.0, 0.0))`` has a second-order
    part, and each Dual built by hand takes a fresh level above what it
    holds. A Dual has the math surface of ``Tensor``: the operators, the
    ``dr.X`` functions and the same methods (not the tape's: ``backward``,
    ``.grad``, in-place ``X_``). ``np.asarray`` of a Dual raises (NumPy
    would drop the tangent): take ``d.primal`` for the values.

    Args:
        primal: the value: a number, nested lists, a NumPy array, a Tensor
            or a Dual (of a lower level, for higher derivatives).
        tangent: the direction, of the primal's shape, or with leading
            batch axes in front of it (several directions pushed at once).
        level: internal: the level of a Dual made by a transform. Leave it
            out.

    Raises:
        ValueError: the tangent's shape is neither the primal's nor the
            primal's with leading batch axes.

    Example:
        >>> import dualrev as dr
        >>> y = dr.Dual(2.0, 1.0) ** 3
        >>> float(y.primal), float(y.tangent)
        (8.0, 12.0)
        >>> dr.sin(dr.Dual(dr.tensor([0.0, 1.0]), dr.tensor([1.0, 1.0]))).tangent
        tensor([1.0000, 0.5403])
    """

    __slots__ = ()

    def __init__(self, primal, tangent, *, level=None):
        super().__init__(_as_operand(primal), _as_operand(tangent), level=level)


def _as_operand(value):
    """Numbers and arrays as raw values; boxes as they are."""
    return value if isinstance(value, Box) else as_value(value)
