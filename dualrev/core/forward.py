"""Forward mode: the forward box (the core of ``Dual``) and its handler.

A Dual holds a primal and a tangent of the same shape, or a tangent with
leading batch axes (k directions pushed at once). Its handler runs an
operation on the primals one level down and forms the output tangent from
the primitive's JVP rules, each argument's contribution summed.

The tangent of a large array is deferred: the handler keeps what the JVP
needs and computes it when the tangent is first read. A tangent nobody
reads is never computed. In a Hessian-vector product (forward over reverse)
that is every value the backward sweep does not read, down to the function's
own output: a third of the forward pass's array work.
"""

import numpy as np

from .values import check_real, dtype_of, is_float, ndim_of, shape_of
from .levels import new_level
from . import anomaly
from .anomaly import CHECKING_NAN, check_tangent
from .primitive import TABLE, Box, check_operand


class ForwardBox(Box):
    """The forward-mode core of a Dual: ``primal + tangent * ε`` with ε² = 0,
    at a level. The Dual facade adds the math surface."""

    __slots__ = {"primal": "The value (a number, an array or a box of a lower level).",
                 "_tangent": "The tangent, or a _Deferred one not computed yet."}

    def __init__(self, primal, tangent, *, level=None):
        if level is None:
            level = new_level()
            tangent = _relevel(tangent, primal)
        self._level = level
        self.primal = primal
        self._tangent = fit_tangent(tangent, primal)

    @classmethod
    def _make(cls, primal, tangent, level):
        d = object.__new__(cls)
        d._level = level
        d.primal = primal
        d._tangent = tangent
        return d

    @property
    def tangent(self):
        """The derivative along the direction(s): the primal's shape, or
        leading batch axes in front of it.

        ``f(Dual(x, v)).tangent`` is the Jacobian-vector product J_f(x) v.
        A large tangent is computed when first read.

        Example:
            >>> import dualrev as dr
            >>> (dr.Dual(dr.tensor([3.0]), dr.tensor([1.0])) ** 2).tangent
            tensor([6.])
        """
        tangent = self._tangent
        if type(tangent) is _Deferred:
            tangent = self._tangent = tangent.computed()
        return tangent

    def _inner(self):
        return self.primal

    def __repr__(self):
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"

    def __bool__(self):
        return bool(self.primal)

    def __float__(self):
        return float(self.primal)

    def __array__(self, dtype=None, copy=None):
        """``np.asarray(d)`` raises: NumPy code would drop the tangent silently
        (as JAX refuses a tracer). Take ``d.primal`` for the values."""
        raise RuntimeError("Can't call numpy() on a Dual, whose tangent is being carried: NumPy "
                           "would drop it. Use dualrev's functions on it, or take d.primal for "
                           "the values.")

    def __int__(self):
        return int(self.primal)

    def _apply(self, prim, args, params):
        level = self._level
        primals, tangents, deferred, plain = [], [], False, True
        for a in args:
            if isinstance(a, ForwardBox) and a._level == level:
                primal, tangent = a.primal, a._tangent
                deferred = deferred or type(tangent) is _Deferred
                plain = plain and not isinstance(primal, Box) and not isinstance(tangent, Box)
            else:
                primal, tangent = check_operand(a), None
                plain = plain and not isinstance(primal, Box)
            primals.append(primal)
            tangents.append(tangent)
        ans = prim(*primals, **params)
        if type(ans) is not float:
            check_real(ans, prim.name)
            if not is_float(ans):
                return ans  # an integer or bool result has no tangent
        if plain and (deferred or type(ans) is np.ndarray and ans.size >= DEFER_SIZE):
            # deferred: the tangent of a large array, or of anything computed
            # from a deferred one (computing it now would force that one);
            # only plain values, so that computing it later records nothing
            # and no version of a tensor can have changed meanwhile
            if not _has_tangent(prim, tangents):
                return ans
            return type(self)._make(ans, _Deferred(prim, ans, primals, tangents, params), level)
        if deferred:
            tangents = [t.computed() if type(t) is _Deferred else t for t in tangents]
        tangent = _tangent_of(prim, ans, primals, tangents, params)
        return ans if tangent is None else type(self)._make(ans, tangent, level)


DEFER_SIZE = 1 << 14  # arrays this large have their tangents deferred (a pass costs ~10 us)


def _has_tangent(prim, tangents):
    """Whether an output of ``prim`` gets a tangent from these arguments'."""
    if prim.linear:
        return tangents[0] is not None
    if prim.joint_jvp is not None:
        return any(t is not None for t in tangents)
    return prim.jvp is not None and any(
        t is not None and prim.rule_for(prim.jvp, i) is not None for i, t in enumerate(tangents))


def _tangent_of(prim, ans, primals, tangents, params):
    """The output tangent of ``prim`` from its arguments' (None for none),
    in the output's dtype and shape; None when no argument contributes."""
    tangent = unfitted_tangent(prim, ans, primals, tangents, params)
    return None if tangent is None else fit_tangent(_same_dtype(tangent, ans), ans)


def unfitted_tangent(prim, ans, primals, tangents, params):
    """``_tangent_of`` before the tangent is brought to the output's dtype
    and shape (Taylor mode does that itself, once per coefficient)."""
    if prim.linear:
        tangent = None if tangents[0] is None else _linear_jvp(prim, primals, tangents[0], params)
    elif prim.joint_jvp is not None:
        if prim.broadcasts:
            tangents = [None if t is None else _align(t, p, ans) for t, p in zip(tangents, primals)]
        tangent = prim.joint_jvp(tangents, primals, **params)
    elif prim.jvp is not None:
        tangent = _jvp(prim, ans, primals, tangents, params)
    else:
        return None
    if tangent is not None and CHECKING_NAN[0]:  # anomaly mode: a nan made here is an error
        check_tangent(prim, tangent, tangents)
    return tangent


class _Deferred:
    """A tangent not computed yet: what ``_tangent_of`` needs, kept until
    the tangent is first read. The arguments' tangents may be deferred too;
    ``computed`` works through such a chain with a loop, not recursion (a
    long chain of operations is fine), and lets go of what it kept. In
    anomaly mode it keeps where it was made and whether to check it for nan
    (``anomaly``), and is checked when computed, whatever the mode then."""

    __slots__ = ("prim", "ans", "primals", "tangents", "params", "value", "anomaly")

    def __init__(self, prim, ans, primals, tangents, params):
        self.prim, self.ans, self.primals, self.tangents, self.params = (
            prim, ans, primals, tangents, params)
        self.value = None
        self.anomaly = anomaly.deferred() if anomaly.ENABLED[0] else None

    def computed(self):
        stack = [self]
        while stack:
            top = stack[-1]
            if top.value is not None:
                stack.pop()
                continue
            waiting = [t for t in top.tangents if type(t) is _Deferred and t.value is None]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            tangents = [t.value if type(t) is _Deferred else t for t in top.tangents]
            if top.anomaly is None:
                top.value = _tangent_of(top.prim, top.ans, top.primals, tangents, top.params)
            else:
                top.value = anomaly.computed(top, tangents, _tangent_of)
            if top.value is None:  # every contribution was zero after all
                top.value = np.zeros_like(top.ans)
            top.ans = top.primals = top.tangents = top.params = top.anomaly = None
        return self.value


def _jvp(prim, ans, primals, tangents, params):
    """The sum of each differentiable argument's tangent contribution."""
    total = None
    for i, t in enumerate(tangents):
        if t is None:
            continue
        rule = prim.rule_for(prim.jvp, i)
        if rule is None:
            continue
        if prim.broadcasts:
            t = _align(t, primals[i], ans)
        needs = [_need(kind, j, i, ans, primals) for kind, j in rule.needs]
        contribution = rule.fn(t, *needs, **params)
        total = contribution if total is None else total + contribution
    return total


def _linear_jvp(prim, primals, t, params):
    """A linear primitive's tangent: the primitive itself applied to the
    tangent, its parameters shifted past any leading batch axes."""
    x_shape = shape_of(primals[0])
    t_shape = shape_of(t)
    lead = t_shape[:len(t_shape) - len(x_shape)]
    if not lead or prim.batch is None:
        return prim(t, *primals[1:], **params)
    t, params, *finish = prim.batch(t, x_shape, lead, **params)
    out = prim(t, *primals[1:], **params)
    return finish[0](out) if finish else out


def _same_dtype(tangent, ans):
    """The tangent in the primal's float dtype (a float64 constant in a rule
    must not turn a float32 tangent into float64)."""
    if type(tangent) is float and type(ans) is float:
        return tangent
    want, have = dtype_of(ans), dtype_of(tangent)
    if want != have and want.kind == "f":
        return TABLE.astype(tangent, dtype=want)
    return tangent


def _need(kind, j, i, ans, primals):
    if kind == "value":
        return primals[j]
    if kind == "shape":
        return shape_of(primals[j])
    if kind == "ans":
        return ans
    if kind == "all":
        return tuple(primals)
    if kind == "all_shapes":
        return tuple(shape_of(p) for p in primals)
    return i  # "index"


def _align(t, primal, ans):
    """A tangent reshaped so its primal's axes line up with the output's
    under broadcasting, leading batch axes kept in front."""
    missing = ndim_of(ans) - ndim_of(primal)
    if missing <= 0:
        return t
    shape = shape_of(t)
    lead = shape[:len(shape) - ndim_of(primal)]
    return TABLE.reshape(t, shape=lead + (1,) * missing + shape_of(primal))


def fit_tangent(tangent, primal):
    """The tangent broadcast to ``batch + primal.shape``."""
    t_shape, p_shape = shape_of(tangent), shape_of(primal)
    if t_shape == p_shape:
        return tangent
    n = len(p_shape)
    if len(t_shape) >= n and t_shape[len(t_shape) - n:] == p_shape:
        return tangent
    lead = t_shape[:len(t_shape) - n] if len(t_shape) > n else ()
    try:
        np.broadcast_shapes(t_shape, lead + p_shape)
    except ValueError:
        raise ValueError(f"a tangent of shape {t_shape} does not fit a primal of shape "
                         f"{p_shape}: give the primal's shape, or leading batch axes before it") \
            from None
    return TABLE.broadcast_to(tangent, shape=lead + p_shape)


def _relevel(tangent, like):
    """A hand-built tangent whose Duals take the levels of the Duals in the
    primal ``like``, depth by depth. In ``Dual(Dual(x, 1), Dual(1, 0))`` the
    inner Duals are one perturbation, so they must share one level; the
    tangent of a Dual has the structure of its primal."""
    if not (isinstance(tangent, ForwardBox) and isinstance(like, ForwardBox)):
        return tangent
    return type(like)._make(_relevel(tangent.primal, like.primal),
                      fit_tangent(_relevel(tangent.tangent, like.primal), tangent.primal),
                      like._level)
