"""The math surface shared by Tensor and Dual: operators and methods. The
operators call the primitives directly (the short path that scalar code
takes); the methods take PyTorch's arguments through ``functions``."""

import numpy as np

from . import array_functions as A
from . import functions as F
from . import linalg as L
from . import rules
from ._numpy_api import array_function, array_ufunc
from .core.values import dtype_of as _dtype_of, shape_of as _shape_of
from .core.primitive import Box, bind1


def _operator(prim, of_tensors=None, reflected_name=None):
    """The method and the reflected method of a binary operator, dispatching
    straight to the box of the higher level (``self`` is a box). Where
    PyTorch names the node of the operator between two tensors
    (``of_tensors``) or of the reflected one otherwise than the primitive,
    the node shows PyTorch's name (``x ** y`` is PowBackward1, ``1 - x``
    RsubBackward1)."""
    def forward(self, other):
        if isinstance(other, Box):
            out = (other if other._level > self._level else self)._apply2(prim, self, other)
            return out if of_tensors is None else F._named(out, of_tensors)
        if type(other) is not float and not _takes(other):  # (a number: the scalar path)
            return NotImplemented  # Python's TypeError, as PyTorch's
        return self._apply2(prim, self, other)

    def reflected(self, other):
        if type(other) is not float and not _takes(other):
            return NotImplemented
        if isinstance(other, Box) and other._level > self._level:
            out = other._apply2(prim, other, self)
        else:
            out = self._apply2(prim, other, self)
        return out if reflected_name is None else F._named(out, reflected_name)
    return forward, reflected


def _takes(other):
    """Whether an operator takes ``other``: a box or array-like data, not
    None, a string or another object (then the operator returns
    NotImplemented and Python raises its TypeError, or == gives False)."""
    t = type(other)
    if t is float or t is int or isinstance(other, Box):
        return True
    if t is bool or t is list or t is tuple or isinstance(other, (np.ndarray, np.generic)):
        return getattr(other, "dtype", np.dtype(float)).kind in "biuf"
    return False


def _plain_operator(fn):
    """An operator that is no primitive call of its own (comparisons, bitwise
    operators): ``fn(self, other)``, and ``fn(other, self)`` reflected."""
    def forward(self, other):
        return fn(self, other) if _takes(other) else NotImplemented

    def reflected(self, other):
        return fn(other, self) if _takes(other) else NotImplemented
    return forward, reflected


def _method(fn):
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


class MathMethods:
    __slots__ = ()
    __array_ufunc__ = array_ufunc          # np.sin(t), array + t: recorded
    __array_function__ = array_function    # np.sum(t), np.dot(a, t): recorded

    __add__, __radd__ = _operator(rules.add)
    __sub__, __rsub__ = _operator(rules.sub, reflected_name="RsubBackward1")
    __mul__, __rmul__ = _operator(rules.mul)
    __truediv__, __rtruediv__ = _operator(rules.div, reflected_name="MulBackward0")
    __pow__, __rpow__ = _operator(rules.pow, of_tensors="PowBackward1", reflected_name="PowBackward2")

    def __matmul__(self, other):
        return F.matmul(self, other)

    def __rmatmul__(self, other):
        return F.matmul(other, self)

    def __neg__(self):
        return bind1(rules.neg, self)

    def __pos__(self):
        return self

    def __abs__(self):
        return rules.abs(self)

    __and__, __rand__ = _plain_operator(F.bitwise_and)
    __or__, __ror__ = _plain_operator(F.bitwise_or)
    __xor__, __rxor__ = _plain_operator(F.bitwise_xor)
    __lshift__, __rlshift__ = _plain_operator(F.bitwise_left_shift)
    __rshift__, __rrshift__ = _plain_operator(F.bitwise_right_shift)
    __eq__ = _plain_operator(F.eq)[0]
    __ne__ = _plain_operator(F.ne)[0]
    __lt__, __gt__ = _plain_operator(F.lt)[0], _plain_operator(F.gt)[0]
    __le__, __ge__ = _plain_operator(F.le)[0], _plain_operator(F.ge)[0]

    def __invert__(self):
        return F.bitwise_not(self)

    __hash__ = object.__hash__

    def __getitem__(self, index):
        from ._indexing import getitem
        return getitem(self, index)

    add = _method(F.add)
    sub = _method(F.sub)
    mul = _method(F.mul)
    div = _method(F.div)
    neg = _method(F.neg)
    pow = _method(F.pow)
    exp = _method(F.exp)
    expm1 = _method(F.expm1)
    log = _method(F.log)
    log1p = _method(F.log1p)
    sqrt = _method(F.sqrt)
    rsqrt = _method(F.rsqrt)
    square = _method(F.square)
    abs = _method(F.abs)
    sin = _method(F.sin)
    cos = _method(F.cos)
    tan = _method(F.tan)
    tanh = _method(F.tanh)
    sigmoid = _method(F.sigmoid)
    relu = _method(F.relu)
    sign = _method(F.sign)
    asin = arcsin = _method(F.asin)
    acos = arccos = _method(F.acos)
    atan = arctan = _method(F.atan)
    asinh = arcsinh = _method(F.asinh)
    acosh = arccosh = _method(F.acosh)
    atanh = arctanh = _method(F.atanh)
    atan2 = arctan2 = _method(F.atan2)
    sinh = _method(F.sinh)
    cosh = _method(F.cosh)
    exp2 = _method(F.exp2)
    log2 = _method(F.log2)
    log10 = _method(F.log10)
    reciprocal = _method(F.reciprocal)
    deg2rad = _method(F.deg2rad)
    rad2deg = _method(F.rad2deg)
    hypot = _method(F.hypot)
    logaddexp = _method(F.logaddexp)
    floor = _method(F.floor)
    ceil = _method(F.ceil)
    trunc = fix = _method(F.trunc)
    round = _method(F.round)
    frac = _method(F.frac)
    softplus = _method(F.softplus)
    clamp = clip = _method(F.clamp)
    maximum = _method(F.maximum)
    minimum = _method(F.minimum)
    eq = _method(F.eq)
    ne = _method(F.ne)
    lt = _method(F.lt)
    le = _method(F.le)
    gt = _method(F.gt)
    ge = _method(F.ge)
    logical_xor = _method(F.logical_xor)
    bitwise_and = _method(F.bitwise_and)
    bitwise_or = _method(F.bitwise_or)
    bitwise_xor = _method(F.bitwise_xor)
    bitwise_not = _method(F.bitwise_not)
    bitwise_left_shift = _method(F.bitwise_left_shift)
    bitwise_right_shift = _method(F.bitwise_right_shift)
    logical_and = _method(F.logical_and)
    logical_or = _method(F.logical_or)
    logical_not = _method(F.logical_not)
    equal = _method(F.equal)
    allclose = _method(F.allclose)
    isclose = _method(F.isclose)
    sum = _method(F.sum)
    mean = _method(F.mean)
    prod = _method(F.prod)
    amax = _method(F.amax)
    amin = _method(F.amin)
    max = _method(F.max)
    min = _method(F.min)
    argmax = _method(F.argmax)
    argmin = _method(F.argmin)
    var = _method(F.var)
    std = _method(F.std)
    norm = _method(F.norm)
    logsumexp = _method(F.logsumexp)
    softmax = _method(F.softmax)
    log_softmax = _method(F.log_softmax)
    all = _method(F.all)
    any = _method(F.any)
    matmul = mm = _method(F.matmul)
    dot = _method(F.dot)
    reshape = view = _method(F.reshape)
    flatten = _method(F.flatten)
    transpose = swapaxes = swapdims = _method(F.transpose)
    t = _method(F.t)
    permute = _method(F.permute)
    squeeze = _method(F.squeeze)
    unsqueeze = _method(F.unsqueeze)
    expand = broadcast_to = _method(F.broadcast_to)
    to_dtype = _method(F.to_dtype)
    cumsum = _method(A.cumsum)
    cumprod = _method(A.cumprod)
    sort = _method(A.sort)
    argsort = _method(A.argsort)
    flip = _method(A.flip)
    roll = _method(A.roll)
    diff = _method(A.diff)
    diagonal = _method(A.diagonal)
    trace = _method(A.trace)
    diag = _method(A.diag)
    tril = _method(A.tril)
    triu = _method(A.triu)
    take = _method(A.take)
    take_along_dim = _method(A.take_along_dim)
    narrow = _method(A.narrow)
    split = _method(A.split)
    chunk = _method(A.chunk)
    unbind = _method(A.unbind)
    index_select = _method(A.index_select)
    repeat = _method(A.repeat)
    tile = _method(A.tile)
    masked_fill = _method(A.masked_fill)
    topk = _method(A.topk)
    mv = _method(F.mv)
    bmm = _method(F.bmm)
    addmm = _method(F.addmm)
    lerp = _method(F.lerp)
    addcmul = _method(F.addcmul)
    addcdiv = _method(F.addcdiv)
    clamp_min = _method(F.clamp_min)
    clamp_max = _method(F.clamp_max)
    logit = _method(F.logit)
    xlogy = _method(F.xlogy)
    sinc = _method(F.sinc)
    sgn = _method(F.sgn)
    dist = _method(F.dist)

    gather = _method(A.gather)
    moveaxis = movedim = _method(A.moveaxis)
    vdot = _method(A.vdot)
    outer = ger = _method(A.outer)
    inner = _method(A.inner)
    det = _method(L.det)
    inverse = _method(L.inv)
    cholesky = _method(L.cholesky)

    def where(self, condition, other):
        """``self`` where ``condition`` holds, else ``other``."""
        return F.where(condition, self, other)

    def expand_as(self, other):
        """This tensor broadcast to ``other``'s shape."""
        return F.broadcast_to(self, _shape_of(F.operand(other, "expand_as", "other")))

    def view_as(self, other):
        """This tensor reshaped to ``other``'s shape."""
        return F.reshape(self, _shape_of(F.operand(other, "view_as", "other")))

    reshape_as = view_as

    def type_as(self, other):
        """This tensor cast to ``other``'s dtype."""
        return F.to_dtype(self, _dtype_of(F.operand(other, "type_as", "other")))

    @property
    def T(self):
        """The axes in reverse order."""
        return F.permute(self, tuple(range(self.ndim))[::-1])

    @property
    def mT(self):
        """The last two axes swapped (a batch of matrices transposed)."""
        return F.transpose(self, -2, -1)

    @property
    def ndim(self):
        """The number of axes."""
        return len(self.shape)

    def dim(self):
        """The number of axes."""
        return len(self.shape)

    def numel(self):
        """The number of entries."""
        return F.numel(self)

    def size(self, dim=None):
        """The shape (a ``dualrev.Size``), or its ``dim``-th entry."""
        from ._tensor import Size
        shape = Size(self.shape)
        return shape if dim is None else shape[F._axis(self, dim)]

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def float(self):
        """Cast to float32."""
        from . import dtypes
        return F.to_dtype(self, dtypes.float32)

    def double(self):
        """Cast to float64."""
        from . import dtypes
        return F.to_dtype(self, dtypes.float64)

    def long(self):
        """Cast to int64 (not differentiable)."""
        from . import dtypes
        return F.to_dtype(self, dtypes.int64)

    def int(self):
        """Cast to int32 (not differentiable)."""
        from . import dtypes
        return F.to_dtype(self, dtypes.int32)

    def bool(self):
        """Cast to bool (not differentiable)."""
        from . import dtypes
        return F.to_dtype(self, dtypes.bool)

    def is_floating_point(self):
        """Whether the dtype is a float dtype."""
        return self.dtype.is_floating_point
