"""Functions with derivative rules of the user's: ``custom_jvp`` and
``custom_vjp``, as in JAX.

Each becomes a primitive of its own (kept out of the library's table), so it
works at every level like the built-in ones. Its rules are called on the
inputs as the level above sees them, which may be boxes themselves, so rules
written in dualrev's operations are differentiable again: second and third
derivatives of a custom function are right. (PyTorch's
``autograd.Function`` saves what ``forward`` computed as constants, so
nested derivatives through it come out 0.) To keep that true, ``custom_vjp``
runs ``fwd`` again inside the backward rule instead of keeping its residuals
from the forward pass.

The missing mode is derived, not refused: the VJP of a ``custom_jvp``
function is the reverse-mode derivative of its JVP rule in the tangent (the
JVP is linear in it); the JVP of a ``custom_vjp`` function is forward mode
through the function's own code.
"""

import functools

import numpy as np

from . import functions as F
from ._arrays import dtype_of, shape_of
from ._prims import Box, defprim, raw_value
from .tensor import Tensor


def _plain(value):
    """A result of the user's function, run on plain values, as a plain value."""
    while isinstance(value, Tensor) and not value.requires_grad:
        value = value._value
    if isinstance(value, Box):
        raise TypeError("a custom function returned a value that depends on a tensor that "
                        "requires grad; compute only from the function's arguments")
    return value


def _zeros_like(x):
    raw = raw_value(x)
    return np.zeros(shape_of(raw), dtype=dtype_of(raw)) if shape_of(raw) else 0.0


def _name(fn):
    return getattr(fn, "__name__", "custom")


class custom_jvp:
    """A function with a forward-mode rule of its own.

    >>> import dualrev as dr
    >>> @dr.custom_jvp
    ... def f(x):
    ...     return x ** 4
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return f(x), 4 * x ** 3 * t
    >>> dr.func.derivative(f, 3)(1.0)
    tensor(24.)
    """

    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.jvp = None
        self._prim = None

    def defjvp(self, jvp):
        """Set the rule: ``jvp(primals, tangents) -> (output, output_tangent)``,
        written in dualrev operations. Returns the rule (usable as a decorator)."""
        self.jvp = jvp

        def tangent_from(i, t, xs):
            tangents = [t if k == i else _zeros_like(x) for k, x in enumerate(xs)]
            return jvp(tuple(xs), tuple(tangents))[1]

        def cotangent_for(g, i, xs):
            from .func import vjp
            _, pull = vjp(lambda t: tangent_from(i, t, xs), _zeros_like(xs[i]))
            return pull(g)[0]

        self._prim = defprim(f"custom_jvp:{_name(self.fn)}", lambda *xs: _plain(self.fn(*xs)),
                             "*xs", table=False, backward_name=f"{_name(self.fn)}Backward",
                             jvp=lambda t, i, xs: tangent_from(i, t, xs),
                             vjp=lambda g, i, xs: cotangent_for(g, i, xs))
        return jvp

    def __call__(self, *args):
        if self._prim is None:
            raise TypeError(f"{_name(self.fn)}: define its rule with @{_name(self.fn)}.defjvp "
                            "before calling it")
        return F._boxed(self._prim(*args))


class custom_vjp:
    """A function with a reverse-mode rule of its own.

    >>> import dualrev as dr
    >>> @dr.custom_vjp
    ... def f(x):
    ...     return x ** 4
    >>> def f_fwd(x):
    ...     return f(x), x
    >>> def f_bwd(x, g):
    ...     return (4 * x ** 3 * g,)
    >>> f.defvjp(f_fwd, f_bwd)
    >>> dr.grad(dr.grad(dr.grad(f)))(1.0)
    tensor(24.)
    """

    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self._prim = None

    def defvjp(self, fwd, bwd):
        """Set the rule: ``fwd(*args) -> (output, residuals)`` and
        ``bwd(residuals, cotangent) -> tuple of cotangents, one per argument``,
        both in dualrev operations."""
        def cotangent_for(g, i, xs):
            _, residuals = fwd(*xs)
            return bwd(residuals, g)[i]

        def tangent_from(t, i, xs):
            from .func import jvp

            def along(x):
                return self.fn(*xs[:i], x, *xs[i + 1:])
            return jvp(along, (xs[i],), (t,))[1]

        self._prim = defprim(f"custom_vjp:{_name(self.fn)}", lambda *xs: _plain(self.fn(*xs)),
                             "*xs", table=False, backward_name=f"{_name(self.fn)}Backward",
                             jvp=lambda t, i, xs: tangent_from(t, i, xs),
                             vjp=lambda g, i, xs: cotangent_for(g, i, xs))

    def __call__(self, *args):
        if self._prim is None:
            raise TypeError(f"{_name(self.fn)}: define its rules with {_name(self.fn)}.defvjp(fwd, "
                            "bwd) before calling it")
        return F._boxed(self._prim(*args))
